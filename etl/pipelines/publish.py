"""Publishing: rebuild the marts, audit the candidate published tables, swap them in.

Write-audit-publish: every published model is built as ``core.pub_<name>``, the
``published_<name>`` suite runs on it, and only when every suite passes are the
rows copied into ``published`` in one transaction. A failed audit raises with the
expectations that failed and leaves yesterday's published tables as they were.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from etl.pipelines.checks import build_docs, keep_result, warehouse_params
from etl.pipelines.context import RunContext
from etl.pipelines.ledger import utcnow
from etl.pipelines.returnees import build_returnee_skills_match
from etl.pipelines.survey import build_survey_estimates
from etl.publish.exports import export_published
from etl.report import build_report
from etl.timing import StageTimer
from etl.validate import BatchValidationError, validate_frame
from etl.warehouse.bulk import bulk_insert
from etl.warehouse.frames import streamed_frame
from etl.warehouse.models import build_layers, model_order, swap_published
from etl.warehouse.session import holds_warehouse_open
from etl.warehouse.sqlfiles import sql_text


@dataclass
class PublishResult:
    run_id: str
    method_version: str
    row_counts: dict[str, int] = field(default_factory=dict)
    audit_failures: list[str] = field(default_factory=list)
    data_docs: Path | None = None
    exports: Path | None = None
    report: Path | None = None


def model_params(ctx: RunContext) -> dict:
    """Everything the SQL models bind: method thresholds, the run and its reference date."""
    method = ctx.method
    as_of = ctx.as_of
    return {
        **method.sql_params(),
        "run_id": ctx.run_id,
        "currency": ctx.config.currency,
        "as_of_date": as_of,
        "open_since_date": as_of - timedelta(days=method.open_days_without_closing),
    }


def load_indicator_roles(ctx: RunContext) -> None:
    rows = [{"indicator": ind, "role": role}
            for role, indicators in ctx.method.indicator_roles.items() for ind in indicators]
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("core/delete_indicator_roles"))
        bulk_insert(conn, "core", "indicator_roles",
                    pd.DataFrame(rows, columns=["indicator", "role"]).drop_duplicates())


def audit(ctx: RunContext, names: list[str]) -> list[str]:
    """Run each ``published_<name>`` suite on its candidate table; return the failures."""
    params = warehouse_params(ctx.engine, ctx.as_of)
    params["suppressed_person_counts"] = list(range(1, ctx.method.disclosure.min_persons))
    failures: list[str] = []
    prep = ctx.engine.dialect.identifier_preparer
    with ctx.engine.connect() as conn:
        for name in names:
            table = f"{prep.quote_schema('core')}.{prep.quote('pub_' + name)}"
            frame = streamed_frame(conn, sa.text(f"select * from {table}"))
            outcome = validate_frame(frame, f"published_{name}", params=params,
                                     source=f"published.{name}", run_id=ctx.run_id)
            _store_results(ctx, outcome)
            keep_result(outcome)
            failures.extend(f.message for f in outcome.batch_failures)
            if not outcome.quarantined.empty:
                failures.append(f"published.{name}: {len(outcome.quarantined)} row(s) fail "
                                "row-level expectations")
    return failures


def _store_results(ctx: RunContext, outcome) -> None:
    now = utcnow()
    rows = pd.DataFrame([
        {"run_id": ctx.run_id, "source": outcome.source, "suite": r.suite,
         "expectation": r.expectation, "column_name": r.column, "success": bool(r.success),
         "observed_value": r.observed_value,
         "unexpected_count": None if r.unexpected_count is None else int(r.unexpected_count),
         "validated_at": now}
        for r in outcome.results
    ])
    if not rows.empty:
        with ctx.engine.begin() as conn:
            bulk_insert(conn, "ops", "validation_results", rows)


def source_releases(ctx: RunContext) -> str:
    with ctx.engine.connect() as conn:
        rows = conn.execute(sql_text("ops/source_releases")).all()
    return json.dumps({r.source: r.latest for r in rows}, sort_keys=True, default=str)


@holds_warehouse_open
def publish(ctx: RunContext, *, timings: dict[str, float] | None = None) -> PublishResult:
    """Rebuild marts, audit, and swap the published tables in (or raise and keep the old ones).

    ``timings`` (optional) receives seconds per step (``publish_build``, ``publish_audit``…).
    """
    timer = StageTimer(timings)
    with timer("publish_build"):
        load_indicator_roles(ctx)
        build_survey_estimates(ctx)
        params = model_params(ctx)
        build_layers(ctx.engine, params, ["intermediate", "marts", "published"],
                     timings=timings)
    names = list(model_order()["published"])
    result = PublishResult(ctx.run_id, ctx.method.version)
    with timer("publish_audit"):
        result.audit_failures = audit(ctx, names)
    if result.audit_failures:
        raise PublishAuditError(result.audit_failures)
    with timer("publish_swap"):
        result.row_counts = swap_published(ctx.engine, names)
        write_metadata(ctx, result)
    with timer("publish_skills_match"):
        # The counsellors' skills match (core, not published) follows the new shortage ratings.
        build_returnee_skills_match(ctx)
    with timer("publish_docs"):
        result.data_docs = build_docs()
    # Portals' files and the bulletin come from the tables just published, never out of step.
    with timer("publish_exports"):
        result.exports = export_published(ctx.engine, ctx.run_id)
    with timer("publish_report"):
        result.report = build_report(ctx.engine, language=ctx.config.language)
    return result


def write_metadata(ctx: RunContext, result: PublishResult) -> None:
    """One ``published.dataset_metadata`` row per table for this release."""
    releases = source_releases(ctx)
    now = utcnow()
    frame = pd.DataFrame([
        {"table_name": name, "refreshed_at": now, "run_id": ctx.run_id,
         "method_version": result.method_version, "source_releases": releases,
         "row_count": count, "quality_status": "passed"}
        for name, count in sorted(result.row_counts.items())
    ])
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("ops/delete_dataset_metadata"))
        bulk_insert(conn, "published", "dataset_metadata", frame)


class PublishAuditError(BatchValidationError):
    """A candidate published table failed its audit; nothing was published."""

    def __init__(self, messages: list[str]) -> None:
        RuntimeError.__init__(
            self, "publish audit failed, previous published tables kept:\n"
            + "\n".join(f"  - {m}" for m in messages)
        )
        self.failures = messages
