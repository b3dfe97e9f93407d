"""The step after a run's vacancy loads that repacks the tables they appended to.

Why a step of its own, after deduplication: it must follow every source's load of
the run (each checkpointed apart, each leaving a part-filled row group on DuckDB),
and deduplication's updates, so that it runs once per run and the next run starts
from whole row groups (:mod:`etl.warehouse.compaction` says why that matters).
"""

from __future__ import annotations

from etl.pipelines.context import RunContext
from etl.timing import StageTimer
from etl.warehouse.compaction import repack_tail
from etl.warehouse.session import holds_warehouse_open

#: The tables a vacancy load appends descriptions to (the ones whose rewrite costs).
VACANCY_TABLES = (("staging", "vacancies"), ("core", "vacancies"))


@holds_warehouse_open
def compact_vacancy_tables(ctx: RunContext, *,
                           timings: dict[str, float] | None = None) -> dict[str, int]:
    """Repack the row groups the run's loads left part-filled; return rows moved per table.

    A no-op on PostgreSQL. ``timings`` (optional) receives the seconds as ``compact``
    (and the step's checkpoint, which drops the emptied row groups).
    """
    if ctx.engine.dialect.name != "duckdb":
        return {}
    moved: dict[str, int] = {}
    with StageTimer(timings)("compact"), ctx.engine.begin() as conn:
        for schema, table in VACANCY_TABLES:
            moved[f"{schema}.{table}"] = repack_tail(conn, schema, table)
    return moved
