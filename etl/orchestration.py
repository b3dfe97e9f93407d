"""What the DAG files share: schedules, asset URIs, default task arguments, and the task bodies.

DAG files are wiring only; they import this module, which imports nothing heavy at
module level (no pandas, database driver or pipeline), so that DAG parsing stays fast
and does no network or database I/O. The one thing read at parse time is the source
configuration file (a local YAML read, no validation of hosts or secrets), because
the DAG's shape follows it: one ingest task per source, in the pool of the host it
fetches from, and a DAG schedule at the fastest rhythm among its sources.

Task bodies (``ingest``, ``deduplicate_and_record``, ``publish``, ``check_freshness``)
build a :class:`RunContext` from the Airflow context and call the pipelines under a
run lock, so two runs of one source never write at once.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

#: Assets between the ingest DAGs and the publish DAG (URIs name warehouse tables).
VACANCIES_ASSET = "lmis://warehouse/core/vacancies"
STATISTICS_ASSET = "lmis://warehouse/core/labour_observations"
SURVEY_ASSET = "lmis://warehouse/core/survey_occupations"
RETURNEES_ASSET = "lmis://warehouse/core/returnee_profiles"
PUBLISHED_ASSET = "lmis://warehouse/published"

#: The first quarter the demo country's data cover. Catch-up is off: a new deployment
#: starts from today, and past quarters are loaded on purpose with ``lmis backfill``.
START_DATE = datetime(2024, 10, 1, tzinfo=UTC)

#: The rhythm of a DAG whose configuration lists no source of its kinds.
DEFAULT_CRON = {"vacancies": "@daily", "statistics": "@monthly", "survey": "@daily",
                "returnees": "@daily"}

#: The publish DAG alerts when a run has not finished this long after being queued.
PUBLISH_DEADLINE = timedelta(hours=2)


def _on_failure(context: dict) -> None:
    from etl.ops.failures import on_failure

    on_failure(context)


def _on_retry(context: dict) -> None:
    from etl.ops.failures import on_retry

    on_retry(context)


DEFAULT_ARGS = {
    "owner": "lmis",
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    "on_failure_callback": _on_failure,
    "on_retry_callback": _on_retry,
}


# --------------------------------------------------------------------------- parse time

_ENV = re.compile(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}")


def _expand_leniently(value: str) -> str:
    """``${NAME:-default}`` from the environment; unknown names stay as they are."""
    return _ENV.sub(lambda m: os.environ.get(m.group(1), m.group(2) or m.group(0)), value)


@lru_cache(maxsize=4)
def _read_raw(path: str, mtime: float) -> list[dict]:
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    sources = data.get("sources") or []
    out = []
    for raw in sources:
        if isinstance(raw, dict):
            out.append({k: _expand_leniently(v) if isinstance(v, str) else v
                        for k, v in raw.items()})
    return out


def raw_sources() -> list[dict]:
    """The sources of the configuration file as plain dicts, read without validation.

    Parse-time only: enough to shape the DAGs (names, kinds, schedules, hosts). The
    tasks validate the whole file with pydantic when they run, so a typo is reported
    there with its key path.
    """
    from etl.config.sources import config_path

    path = config_path()
    return _read_raw(str(path), path.stat().st_mtime if path.exists() else 0.0)


@dataclass(frozen=True)
class SourcePlan:
    name: str
    kind: str
    cron: str
    pool: str | None


@dataclass(frozen=True)
class DagPlan:
    """What a DAG file needs from the configuration: its schedule and one entry per source."""

    cron: str
    sources: tuple[SourcePlan, ...]

    def timetable(self):
        """A cron timetable with real data intervals (``[previous fire, this fire)``)."""
        from airflow.sdk import CronDataIntervalTimetable

        from etl.ops.schedule import expression

        return CronDataIntervalTimetable(expression(self.cron), timezone="UTC")


def plan(*kinds: str, default_cron: str = "@daily") -> DagPlan:
    """The DAG plan for the enabled sources of these kinds."""
    from etl.ops.pools import pool_name, source_host
    from etl.ops.schedule import fastest

    entries = []
    for raw in raw_sources():
        if raw.get("kind") not in kinds or raw.get("enabled") is False:
            continue
        cron = str((raw.get("schedule") or {}).get("cron") or "@daily")
        host = source_host(raw) if raw.get("kind") in ("jobboard", "pes_api") else None
        entries.append(SourcePlan(str(raw["name"]), str(raw["kind"]), cron,
                                  pool_name(host) if host else None))
    return DagPlan(fastest([e.cron for e in entries], default_cron), tuple(entries))


def publish_deadline_hours() -> float:
    """``LMIS_PUBLISH_DEADLINE_HOURS`` (default 2): how long a publish may lag its data."""
    value = os.environ.get("LMIS_PUBLISH_DEADLINE_HOURS")
    return float(value) if value else PUBLISH_DEADLINE.total_seconds() / 3600


def publish_deadline():
    """The publish DAG's Airflow deadline alert, or None when not switched on.

    Airflow's deadline alerts (the successor of SLAs, experimental since 3.1) are
    evaluated by the scheduler and their callback runs in the triggerer, so they only
    exist in a deployment (``LMIS_AIRFLOW_DEADLINES=true``, set by deploy/). They are
    off by default because ``dag.test`` (``lmis demo``, ``lmis backfill``) fails on a
    DAG that has one in Airflow 3.3.2 (``'dict' object has no attribute 'hex'`` in
    ``DeadlineAlertModel.get_by_id``). Independently of Airflow, every freshness check
    also alerts when the published tables lag the last ingest by more than the deadline
    (:func:`etl.ops.freshness.alert_publish_lag`), which works on every executor.
    """
    if os.environ.get("LMIS_AIRFLOW_DEADLINES", "").lower() not in {"1", "true", "yes"}:
        return None
    from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference

    hours = publish_deadline_hours()
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(hours=hours),
        callback=AsyncCallback("etl.ops.failures.publish_deadline_missed",
                               kwargs={"hours": hours}),
    )


# --------------------------------------------------------------------------- run time

def _naive(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def upstream_interval_end(context: dict) -> datetime | None:
    """For an asset-triggered run: the latest data-interval end among the triggering events.

    The ingest DAGs put their interval in the asset event's ``extra``; the publish DAG
    then builds the published tables "as of" the data it publishes, not as of the
    moment it happened to be queued, so a backfilled quarter is published as of that
    quarter's end, as its scheduled run would have been.
    """
    events = context.get("triggering_asset_events") or {}
    ends = []
    try:
        for asset_events in events.values():
            for event in asset_events:
                value = (getattr(event, "extra", None) or {}).get("data_interval_end")
                if value:
                    ends.append(datetime.fromisoformat(str(value)))
    except Exception as exc:  # noqa: BLE001 - an accessor we do not understand: log, fall back
        log.warning("could not read the triggering asset events: %s", exc)
    return max(ends) if ends else None


def run_context(context: dict | None = None):
    """The RunContext of the task being executed (only callable inside a task)."""
    from etl.pipelines.context import RunContext

    if context is None:
        from airflow.sdk import get_current_context

        context = get_current_context()
    ctx = RunContext.from_airflow(context)
    upstream = upstream_interval_end(context)
    if upstream is not None:
        ctx.data_interval_end = _naive(upstream)
    return ctx


def interval_bounded(context: dict) -> bool:
    """Whether files that landed after the run's interval are left for a later run.

    True for scheduled (including catch-up) and backfill runs, and for runs whose conf
    says ``{"lmis_bounded": true}`` (``lmis backfill`` runs in-process); False for runs
    started by hand, which read everything not loaded yet.
    """
    dag_run = context.get("dag_run")
    run_type = str(getattr(dag_run, "run_type", "") or "").lower()
    conf = getattr(dag_run, "conf", None) or {}
    return bool(conf.get("lmis_bounded")) or run_type.endswith(("scheduled", "backfill"))


def sources_of(*kinds: str) -> list[str]:
    """Names of the enabled sources of these kinds (read at run time, not parse time)."""
    from etl.config.sources import config_path, load_config

    return [s.name for s in load_config(config_path()).sources_of(*kinds)]


def no_retry_on_bad_data(func, *args, **kwargs):
    """Call a pipeline step; bad data (a failed batch gate or audit) fails the task for good.

    Retrying cannot fix a feed whose columns changed or a published table that fails
    its audit, so those raise Airflow's AirflowFailException instead of burning retries;
    network and database errors, and a lock held by another run, still retry with backoff.
    """
    from airflow.sdk.exceptions import AirflowFailException

    from etl.validate.outcome import BatchValidationError

    try:
        return func(*args, **kwargs)
    except BatchValidationError as exc:
        raise AirflowFailException(str(exc)) from exc


#: The pipeline function of each kind of source.
LOADERS = {
    "jobboard": "etl.pipelines.vacancies:ingest_jobboard",
    "pes_api": "etl.pipelines.vacancies:ingest_pes_feed",
    "statistics": "etl.pipelines.statistics:ingest_statistics",
    "survey": "etl.pipelines.survey:ingest_survey",
    "returnees": "etl.pipelines.returnees:ingest_returnees",
}


def _loader(kind: str):
    import importlib

    module, _, name = LOADERS[kind].partition(":")
    return getattr(importlib.import_module(module), name)


def _with_interval_files(ctx, source, context: dict) -> tuple[object, Path | None, str]:
    """Point a drop-folder source at the files of this run's interval (see etl.ops.dropfolder)."""
    import sqlalchemy as sa

    from etl.ops import dropfolder
    from etl.pipelines.files import dropped_files
    from etl.settings import home_subdir
    from etl.warehouse.sqlfiles import sql_text

    files = dropped_files(Path(source.path), source.pattern)
    with ctx.engine.connect() as conn:
        if sa.inspect(conn).has_table("landed_files", schema="raw"):
            loaded = {r[0] for r in conn.execute(sql_text("ops/landed_sha256"),
                                                 {"source": source.name})}
        else:
            loaded = set()
    selection = dropfolder.select(files, start=ctx.data_interval_start,
                                  end=ctx.data_interval_end, loaded=loaded,
                                  bounded=interval_bounded(context))
    safe_run = re.sub(r"[^A-Za-z0-9_.-]+", "_", ctx.run_id)
    folder = dropfolder.link_folder(selection, home_subdir("interval_views") / safe_run /
                                    source.name)
    narrowed = source.model_copy(update={"path": str(folder)})
    config = ctx.config.model_copy(update={"sources": [
        narrowed if s.name == source.name else s for s in ctx.config.sources]})
    ctx.__dict__["config"] = config  # RunContext.config is a cached_property
    return ctx, folder, selection.describe()


def ingest(source_name: str, context: dict | None = None) -> dict:
    """The body of an ingest task: due check, run lock, interval files, pipeline.

    Returns the pipeline's counts (a dict, through XCom), or ``{"source": ...,
    "skipped": reason}`` when the source's own schedule has no run in this interval.
    """
    import shutil

    from etl.ops.locks import source_lock
    from etl.ops.schedule import is_due

    if context is None:
        from airflow.sdk import get_current_context

        context = get_current_context()
    ctx = run_context(context)
    source = ctx.config.source(source_name)
    if not is_due(source.schedule.cron, ctx.data_interval_start, ctx.data_interval_end):
        reason = (f"{source_name} runs on {source.schedule.cron!r}, which has no run in "
                  f"{ctx.data_interval_start} .. {ctx.data_interval_end}")
        log.info("skipped: %s", reason)
        return {"source": source_name, "skipped": reason}
    folder = None
    with source_lock(ctx.engine, source_name, run_id=ctx.run_id):
        try:
            if source.kind in ("statistics", "survey", "returnees"):
                ctx, folder, described = _with_interval_files(ctx, source, context)
                log.info("%s: %s", source_name, described)
            return no_retry_on_bad_data(_loader(source.kind), ctx, source_name)
        finally:
            if folder is not None:
                shutil.rmtree(folder.parent, ignore_errors=True)


def deduplicate_and_record(counts: list[dict]) -> dict:
    """Cross-source deduplication of vacancies, one ledger row per source that ran, then
    the repacking of what the loads appended (DuckDB; once per run, after every source)."""
    from etl.ops.locks import source_lock
    from etl.pipelines.vacancies import close_vacancy_run

    ctx = run_context()
    ran = [c for c in counts if c and not c.get("skipped")]
    if not ran:
        return {}
    with source_lock(ctx.engine, "vacancies_dedup", run_id=ctx.run_id):
        ledgers = close_vacancy_run(ctx, ran)
    return {ledger.source: ledger.summary() for ledger in ledgers}


def mark_asset(asset_uri: str) -> None:
    """Put this run's data interval on the asset event, for the publish DAG's ``as_of``."""
    from airflow.sdk import Asset, get_current_context

    context = get_current_context()
    ctx = run_context(context)
    end = ctx.data_interval_end
    start = ctx.data_interval_start
    context["outlet_events"][Asset(asset_uri)].extra = {
        "data_interval_start": start.isoformat() if start else None,
        "data_interval_end": end.isoformat() if end else None,
        "run_id": ctx.run_id,
    }


def publish() -> dict:
    """Rebuild, audit and swap the published tables (under the ``publish`` lock)."""
    from etl.ops.locks import source_lock
    from etl.pipelines.publish import publish as run_publish

    ctx = run_context()
    with source_lock(ctx.engine, "publish", run_id=ctx.run_id):
        result = no_retry_on_bad_data(run_publish, ctx)
    return result.row_counts


def check_freshness(*kinds: str) -> list[str]:
    """Alert on the sources of these kinds that brought no new data within their period."""
    from etl.ops.freshness import alert_publish_lag, alert_stale

    ctx = run_context()
    names = [s.name for s in ctx.config.sources_of(*kinds)]
    stale = alert_stale(ctx.engine, ctx.config, sources=names, dag_id=ctx.dag_id,
                        run_id=ctx.run_id)
    lag = alert_publish_lag(ctx.engine, timedelta(hours=publish_deadline_hours()),
                            dag_id=ctx.dag_id, run_id=ctx.run_id)
    return [f.describe() for f in stale] + ([lag] if lag else [])
