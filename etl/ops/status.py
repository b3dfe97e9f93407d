"""What ``lmis status`` and ``lmis runs`` show, computed from ``ops`` (no Airflow needed).

Per source: the last successful run and its ledger, freshness, the next scheduled
run by the source's own cron, rows waiting in quarantine, and failures in the last
day. The Airflow metadata (queued or running DAG runs) is not read: the warehouse's
``ops`` schema is the one place both the embedded and the Celery deployments write to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from etl.ops.freshness import Freshness, check, source_activity
from etl.ops.schedule import next_run


@dataclass
class SourceStatus:
    source: str
    kind: str
    cron: str
    freshness: Freshness
    last_ledger: dict | None
    next_run_at: datetime | None
    quarantine: dict[str, int] = field(default_factory=dict)
    failures_last_day: int = 0

    def as_json(self) -> dict:
        f = self.freshness
        ledger = dict(self.last_ledger or {})
        for key, value in list(ledger.items()):
            if isinstance(value, datetime):
                ledger[key] = value.strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "source": self.source, "kind": self.kind, "cron": self.cron,
            "state": f.state, "expected_every_hours": f.expected_every_hours,
            "age_hours": None if f.age_hours is None else round(f.age_hours, 2),
            "last_new_data_at": _iso(f.last_new_data_at),
            "last_success": ledger or None,
            "next_run_at": _iso(self.next_run_at),
            "quarantine": self.quarantine, "failures_last_day": self.failures_last_day,
        }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _quarantine(engine: Engine) -> dict[str, dict[str, int]]:
    from etl.warehouse.sqlfiles import sql_text

    out: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        for r in conn.execute(sql_text("ops/quarantine_by_source")):
            out.setdefault(r.source, {})[r.dataset] = int(r.row_count)
    return out


def _failures(engine: Engine, since: datetime) -> dict[str, int]:
    import sqlalchemy as sa

    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "select dag_id, count(*) as n from ops.task_failures where failed_at >= :since "
            "group by dag_id"), {"since": since}).all()
    return {r.dag_id: int(r.n) for r in rows}


#: Which DAG runs which kind of source (failures are recorded per DAG and task).
DAG_OF_KIND = {"jobboard": "lmis_vacancies", "pes_api": "lmis_vacancies",
               "statistics": "lmis_observatory", "survey": "lmis_employer_survey",
               "returnees": "lmis_returnees"}


def sources_status(engine: Engine, config, *, now: datetime | None = None) -> list[SourceStatus]:
    now = now or datetime.now(UTC).replace(tzinfo=None)
    fresh = {f.source: f for f in check(engine, config, now=now)}
    activity = source_activity(engine)
    quarantine = _quarantine(engine)
    failures = _failures(engine, now - timedelta(days=1))
    out = []
    for source in config.sources:
        if source.name not in fresh:
            continue
        row = activity.get(source.name)
        ledger = None
        if row:
            ledger = {k: row[k] for k in ("run_id", "finished_at", "fetched", "loaded",
                                          "quarantined", "duplicates", "unchanged")}
        out.append(SourceStatus(
            source=source.name, kind=source.kind, cron=source.schedule.cron,
            freshness=fresh[source.name], last_ledger=ledger,
            next_run_at=next_run(source.schedule.cron, now).replace(tzinfo=None),
            quarantine=quarantine.get(source.name, {}),
            failures_last_day=failures.get(DAG_OF_KIND.get(source.kind, ""), 0),
        ))
    return out


def recent_runs(engine: Engine, source: str, limit: int = 20) -> list[dict]:
    from etl.warehouse.sqlfiles import sql_text

    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sql_text("ops/source_runs"),
                                              {"source": source, "limit": limit}).mappings()]
