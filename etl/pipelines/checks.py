"""Running a Great Expectations suite on a staged batch and keeping what it says.

Rows that fail a row-level expectation go to ``quarantine.<dataset>`` with the run,
the expectation(s) failed and the offending values; every expectation's result
goes to ``ops.validation_results``; a batch-level failure raises before anything
of the batch is loaded.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from etl.pipelines.ledger import utcnow
from etl.settings import home_subdir
from etl.validate import (
    FAILED_EXPECTATIONS,
    OFFENDING_VALUES,
    BatchValidationError,
    ValidationOutcome,
    load_suite,
    reference_params,
    validate_frame,
)
from etl.warehouse.bulk import bulk_insert
from etl.warehouse.sqlfiles import sql_text


def suite_columns(suite_name: str) -> list[str] | None:
    """The exact column set a suite expects, if it declares one."""
    suite = load_suite(suite_name)
    for expectation in suite.expectations:
        config = expectation.configuration
        if config.type == "expect_table_columns_to_match_set":
            return list(config.kwargs["column_set"])
    return None


def warehouse_params(engine: Engine, run_date: date) -> dict:
    """Suite parameters from the warehouse's own dimensions (the authority for codes)."""
    params = reference_params(run_date)
    with engine.connect() as conn:
        params["isco08_codes"] = [r[0] for r in conn.execute(sql_text("core/isco08_codes"))]
        params["isic4_codes"] = [r[0] for r in conn.execute(sql_text("core/isic4_codes"))]
        params["region_codes"] = [r[0] for r in conn.execute(sql_text("core/region_codes"))]
    return params


def _json_default(value: object) -> str:
    return str(value)


def validate_and_quarantine(
    engine: Engine,
    frame: pd.DataFrame,
    *,
    suite: str,
    dataset: str,
    source: str,
    run_id: str,
    run_date: date,
    key_column: str | None = None,
    previous_row_count: int | None = None,
    max_volume_drop: float = 0.5,
    params: dict | None = None,
    deferrable: tuple[str, ...] = (),
) -> ValidationOutcome:
    """Validate ``frame`` (restricted to the suite's columns), quarantine failures, store results.

    Returns the outcome; ``outcome.valid.index`` selects the rows of ``frame`` to load.
    Raises ``BatchValidationError`` after storing the results when the batch must stop.
    ``deferrable``: expectation types whose batch failure does not raise here, because
    ``frame`` is one chunk of a larger batch and the caller decides on the whole batch
    (e.g. ``expect_column_max_to_be_between``: the batch's maximum is the largest of its
    chunks'); they stay in ``outcome.batch_failures``.
    """
    columns = suite_columns(suite)
    checked = frame[[c for c in columns if c in frame.columns]] if columns else frame
    merged = warehouse_params(engine, run_date)
    merged.update(params or {})
    outcome = validate_frame(
        checked, suite, params=merged, previous_row_count=previous_row_count,
        max_volume_drop=max_volume_drop, source=source, run_id=run_id,
    )
    now = utcnow()
    results = pd.DataFrame([
        {"run_id": run_id, "source": source, "suite": r.suite, "expectation": r.expectation,
         "column_name": r.column, "success": bool(r.success), "observed_value": r.observed_value,
         "unexpected_count": None if r.unexpected_count is None else int(r.unexpected_count),
         "validated_at": now}
        for r in outcome.results
    ])
    quarantined = outcome.quarantined
    rows = pd.DataFrame()
    if not quarantined.empty:
        full = frame.loc[quarantined.index]
        rows = pd.DataFrame({
            "run_id": run_id,
            "source": source,
            "record_key": full[key_column].astype(str) if key_column else None,
            "record": [json.dumps(rec, default=_json_default, ensure_ascii=False)
                       for rec in full.to_dict(orient="records")],
            "failed_expectations": quarantined[FAILED_EXPECTATIONS].astype(str).values,
            "offending_values": quarantined[OFFENDING_VALUES].astype(str).values,
            "quarantined_at": now,
        })
    with engine.begin() as conn:
        if not results.empty:
            bulk_insert(conn, "ops", "validation_results", results)
        if not rows.empty:
            bulk_insert(conn, "quarantine", dataset, rows)
    keep_result(outcome)
    blocking = [f for f in outcome.batch_failures if not f.expectation.startswith(deferrable)] \
        if deferrable else outcome.batch_failures
    if blocking:
        raise BatchValidationError(blocking)
    return outcome


def keep_result(outcome: ValidationOutcome) -> None:
    """Save the GX result as JSON in LMIS_HOME/validation/ for Data Docs (built at publish)."""
    if outcome.gx_result is None:
        return
    folder = home_subdir("validation") / re.sub(r"[^A-Za-z0-9_.-]+", "_", outcome.run_id or "adhoc")
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{outcome.suite}__{outcome.source}") + ".json"
    (folder / name).write_text(json.dumps(outcome.gx_result.to_json_dict(), default=str),
                               encoding="utf-8")


def build_docs() -> Path:
    """Add the validation results kept since the last build to LMIS_HOME/data_docs.

    The site keeps its own history, so each result is added once and then moved to
    ``validation/_built/`` (kept for audit, not re-added).
    """
    from etl.validate import build_data_docs

    pending = sorted(p for p in home_subdir("validation").glob("*/*.json")
                     if p.parent.name != "_built")
    index = build_data_docs(home_subdir("data_docs"),
                            [json.loads(p.read_text(encoding="utf-8")) for p in pending])
    built = home_subdir("validation") / "_built"
    for path in pending:
        target = built / path.parent.name
        target.mkdir(parents=True, exist_ok=True)
        path.replace(target / path.name)
    return index


def check_volume(source: str, fetched: int, previous: int | None, min_share: float) -> None:
    """Stop a run whose source delivered far fewer records than its previous run.

    Compared on what was fetched (not on what changed), since an incremental run
    of a healthy source legitimately changes few rows.
    """
    from etl.validate import BatchFailure, BatchValidationError

    if previous and fetched < min_share * previous:
        observed = f"{fetched} records (previous run: {previous})"
        raise BatchValidationError([BatchFailure(
            source=source, suite="volume", expectation="expect_table_row_count_to_be_between",
            observed_value=observed,
            message=f"source {source}: expect_table_row_count_to_be_between failed "
                    f"(volume collapsed): {observed}, expected at least "
                    f"{min_share:.0%} of the previous run",
        )])


def quarantine_records(ctx_or_engine, dataset: str, source: str, records: list[dict], *,
                       reason_key: str = "reject_reason", expectation: str = "parse",
                       run_id: str | None = None) -> int:
    """Quarantine records rejected before validation (by a reader or a mapping), with reasons."""
    engine = getattr(ctx_or_engine, "engine", ctx_or_engine)
    run_id = run_id or getattr(ctx_or_engine, "run_id", "")
    if not records:
        return 0
    now = utcnow()
    rows = pd.DataFrame({
        "run_id": run_id,
        "source": source,
        "record_key": [str(r.get("source_row") or r.get("where") or "") or None for r in records],
        "record": [json.dumps(r, default=_json_default, ensure_ascii=False) for r in records],
        "failed_expectations": [f"{expectation}: {r.get(reason_key) or 'rejected'}"
                                for r in records],
        "offending_values": None,
        "quarantined_at": now,
    })
    with engine.begin() as conn:
        bulk_insert(conn, "quarantine", dataset, rows)
    return len(rows)
