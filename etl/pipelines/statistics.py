"""Observatory statistics: dropped or fetched files → conformed observations → core, by release.

Every file is landed in raw first (a ``file://`` URL for drop folders). Its
observations are validated with the ``staging_labour_indicators`` suite; rows the
reader rejected (unknown code, non-numeric value …) and rows failing validation
go to ``quarantine.labour_observations`` with their reason. Each release of an
observation is kept in ``core.labour_observations``; the most recently loaded
release is current, so a revision replaces the published value while the earlier
vintage stays queryable.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from etl.pipelines.checks import quarantine_records, validate_and_quarantine
from etl.pipelines.context import RunContext
from etl.pipelines.files import dropped_files
from etl.pipelines.landing import RawStore
from etl.pipelines.ledger import Ledger, utcnow
from etl.validate.outcome import BatchFailure, BatchValidationError

if TYPE_CHECKING:
    from etl.sources.statistics import StatisticsBatch
from etl.warehouse.bulk import bulk_insert
from etl.warehouse.sqlfiles import sql_text

STAGING_COLUMNS = (
    "run_id", "obs_key", "release", "indicator", "dataflow", "ref_area", "country_code",
    "region_code", "time_period", "period_type", "period_start", "period_end", "sex", "age",
    "classif1", "classif2", "isco08", "isco_level", "isic4", "obs_value", "unit", "unit_mult",
    "obs_status", "note_source", "source",
)


def columns_changed(source: str, path: Path, exc: Exception) -> BatchValidationError:
    """A table whose headers no longer match its mapping: schema drift stops the run."""
    observed = str(exc).replace(str(path.parent) + "/", "")
    return BatchValidationError([BatchFailure(
        source=source, suite="staging_labour_indicators",
        expectation="expect_table_columns_to_match_set", observed_value=observed,
        message=f"source {source}: expect_table_columns_to_match_set failed on {path.name}: "
                f"{observed}",
    )])


def observation_keys(frame: pd.DataFrame) -> list[str]:
    """A stable key per observation from the columns that identify it across releases."""
    from etl.sources.statistics import observation_key_columns

    columns = observation_key_columns()
    def text(value: object) -> str:
        return "" if value is None or (isinstance(value, float) and value != value) else str(value)

    return [
        hashlib.sha256("\x1f".join(text(v) for v in row).encode()).hexdigest()[:32]
        for row in frame[columns].itertuples(index=False, name=None)
    ]


def sdmx_periods(frequency: str, start: date, end: date, lookback: int) -> tuple[str, str]:
    """startPeriod/endPeriod of the run's data interval, widened by ``lookback`` periods so
    that revisions of recent periods are fetched again (ILOSTAT refuses open queries)."""
    if frequency == "A":
        return str(start.year - lookback), str(end.year)
    if frequency == "Q":
        index = start.year * 4 + (start.month - 1) // 3 - lookback
        return f"{index // 4}-Q{index % 4 + 1}", f"{end.year}-Q{(end.month - 1) // 3 + 1}"
    index = start.year * 12 + start.month - 1 - lookback
    return f"{index // 12}-{index % 12 + 1:02d}", f"{end.year}-{end.month:02d}"


def _fetch_api(ctx: RunContext, source, store: RawStore) -> StatisticsBatch:
    """One filtered query against the source's SDMX endpoint, landed before it is read."""
    import requests

    from etl.settings import home_subdir
    from etl.sources.statistics import fetch_sdmx

    end = ctx.as_of
    start = (ctx.data_interval_start or ctx.data_interval_end or utcnow()).date()
    first, last = sdmx_periods(source.frequency, start, end, source.lookback_periods)
    raw_dir = home_subdir("raw") / source.name / "sdmx_responses"
    before = set(raw_dir.glob("*.xml")) if raw_dir.exists() else set()
    with requests.Session() as session:
        session.headers["User-Agent"] = ctx.config.user_agent
        batch = fetch_sdmx(source.endpoint, source.flow, source.key, first, last,
                           session=session, cache_dir=home_subdir("cache") / "sdmx",
                           raw_dir=raw_dir)
    for body in sorted(set(raw_dir.glob("*.xml")) - before):
        meta = json.loads(body.with_suffix(".json").read_text(encoding="utf-8"))
        store.land(meta["url"], body.read_bytes(), status=meta.get("status"),
                   headers={"content-type": meta.get("content_type") or ""},
                   fetched_at=meta.get("fetched_at"))
    return batch


def ingest_statistics(ctx: RunContext, source_name: str) -> dict:
    """Load the source's files (drop folder) or its SDMX query (API); return the ledger."""
    source = ctx.config.source(source_name)
    store = RawStore(ctx.engine, source.name, ctx.run_id)
    ledger = Ledger(run_id=ctx.run_id, source=source.name, dag_id=ctx.dag_id,
                    data_interval_start=ctx.data_interval_start,
                    data_interval_end=ctx.data_interval_end)
    frames, rejected = [], []
    if source.kind == "sdmx_api":
        try:
            batch = _fetch_api(ctx, source, store)
        finally:
            store.flush()
        frames.append(batch.observations.copy())
        rejected.extend(batch.rejected.to_dict(orient="records"))
    else:
        _read_drop_folder(source, store, frames, rejected)
    ledger.fetched = sum(len(f) for f in frames) + len(rejected)
    ledger.quarantined = quarantine_records(ctx, "labour_observations", source.name, rejected)
    frames = [f for f in frames if len(f)]
    if frames:
        load_observations(ctx, source.name, pd.concat(frames, ignore_index=True), ledger)
    ledger.record(ctx.engine)
    return {"source": source.name, "fetched": ledger.fetched, "loaded": ledger.loaded,
            "quarantined": ledger.quarantined, "unchanged": ledger.unchanged,
            "duplicates": ledger.duplicates}


def _read_drop_folder(source, store: RawStore, frames: list, rejected: list) -> None:
    """Land and read every file of a drop folder, appending observations and rejects."""
    from etl.sources.statistics import read_statistics_file
    from etl.sources.statistics.observatory_tables import MappingError

    try:
        for path in dropped_files(Path(source.path), source.pattern):
            landed = store.land(path.resolve().as_uri(), path.read_bytes(), status=None)
            try:
                batch = read_statistics_file(landed.path, mapping=source.mapping_for(path.name))
            except MappingError as exc:
                raise columns_changed(source.name, path, exc) from exc
            if batch.is_structure:
                continue
            observations = batch.observations.copy()
            observations["raw_sha256"] = landed.sha256
            frames.append(observations)
            rejected.extend(batch.rejected.to_dict(orient="records"))
    finally:
        store.flush()  # what was landed is recorded even when a file stops the run


def _value_keys(frame: pd.DataFrame) -> list[tuple]:
    """(value, status, multiplier) with nulls as None, for unchanged-release detection."""
    def clean(value: object) -> object:
        if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
            return None
        return float(value) if isinstance(value, int | float) else str(value)

    return [tuple(clean(v) for v in row) for row in
            frame[["obs_value", "obs_status", "unit_mult"]].itertuples(index=False, name=None)]


def load_observations(ctx: RunContext, source: str, frame: pd.DataFrame, ledger: Ledger) -> None:
    """Validate, stage and merge observations; fills the ledger's counts."""
    frame = frame.copy()
    frame["obs_key"] = observation_keys(frame)
    frame["run_id"] = ctx.run_id
    repeated = frame.duplicated(["obs_key", "release"], keep="last")
    ledger.duplicates += int(repeated.sum())
    frame = frame.loc[~repeated]
    with ctx.engine.connect() as conn:
        known = pd.read_sql(sql_text("core/observation_versions"), conn)
    # Compare in Python, the same way on both sides (SQL renders floats and nulls differently
    # on each engine).
    seen = set(zip(known["obs_key"], known["release"], _value_keys(known), strict=True))
    same = pd.Series([(k, r, v) in seen for k, r, v in
                      zip(frame["obs_key"], frame["release"], _value_keys(frame), strict=True)],
                     index=frame.index)
    ledger.unchanged += int(same.sum())
    frame = frame.loc[~same]
    if frame.empty:
        return
    outcome = validate_and_quarantine(
        ctx.engine, frame, suite="staging_labour_indicators", dataset="labour_observations",
        source=source, run_id=ctx.run_id, run_date=ctx.as_of, key_column="obs_key",
        params={"unit_mults": list(ctx.config.source(source).unit_mults)},
    )
    valid = frame.loc[outcome.valid.index]
    ledger.quarantined += len(frame) - len(valid)
    ledger.loaded += len(valid)
    staged = valid.reindex(columns=list(STAGING_COLUMNS))
    staged["unit_mult"] = staged["unit_mult"].fillna(0).astype(int)
    params = {"run_id": ctx.run_id, "source": source, "loaded_at": utcnow()}
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("staging/delete_observations_of_run"), params)
        bulk_insert(conn, "staging", "labour_observations", staged)
        conn.execute(sql_text("core/merge_observations_update"), params)
        conn.execute(sql_text("core/merge_observations_insert"), params)
        conn.execute(sql_text("core/mark_current_observations"), params)
