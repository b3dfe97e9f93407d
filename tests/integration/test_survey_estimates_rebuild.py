"""Survey estimates are rebuilt by a publish only when what they are computed from changed.

The demo country's employer survey (seeded generator, 15% scale) is loaded through the
real survey pipeline into a real warehouse (DuckDB, and a scratch PostgreSQL database);
``build_survey_estimates`` is what every publish calls before the SQL models.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.pipelines.context import RunContext
from etl.pipelines.survey import ESTIMATES, build_survey_estimates, ingest_survey
from etl.warehouse.setup import init_warehouse

AS_OF = datetime(2026, 10, 15)


@pytest.fixture
def surveyed(demo_country: Path, request: pytest.FixtureRequest) -> RunContext:
    """A warehouse holding the demo's survey (DuckDB or PostgreSQL, by the test's param)."""
    url = (request.getfixturevalue("duckdb_url") if request.param == "duckdb"
           else request.getfixturevalue("pg_url"))
    ctx = RunContext(run_id="survey-1", data_interval_start=AS_OF, data_interval_end=AS_OF,
                     warehouse_url=url)
    init_warehouse(ctx.engine, ctx.config.country)
    ingest_survey(ctx, "employer_survey")
    return ctx


def _estimates(ctx: RunContext) -> pd.DataFrame:
    with ctx.engine.connect() as conn:
        frame = pd.read_sql(sa.text("select * from core.survey_estimates"), conn)
    return frame.sort_values(["quarter", "region_code", "isco08"]).reset_index(drop=True)


def _built_at(ctx: RunContext) -> datetime:
    with ctx.engine.connect() as conn:
        return conn.execute(sa.text("select built_at from ops.build_fingerprints where name = :n"),
                            {"n": ESTIMATES}).scalar_one()


def _fresh_build(ctx: RunContext) -> pd.DataFrame:
    """The estimates computed from scratch (no record of an earlier build)."""
    with ctx.engine.begin() as conn:
        conn.execute(sa.text("delete from ops.build_fingerprints"))
    build_survey_estimates(ctx)
    return _estimates(ctx)


@pytest.mark.postgres
@pytest.mark.parametrize("surveyed", ["duckdb", "postgresql"], indirect=True)
def test_estimates_are_kept_until_their_inputs_change(surveyed: RunContext) -> None:
    ctx = surveyed
    rows = build_survey_estimates(ctx)
    first, first_built = _estimates(ctx), _built_at(ctx)
    assert rows == len(first) > 0

    # Nothing changed: the same rows, and no new build.
    assert build_survey_estimates(ctx) == rows
    pd.testing.assert_frame_equal(_estimates(ctx), first)
    assert _built_at(ctx) == first_built

    # A survey answer corrected: rebuilt, and the same as a build from scratch.
    with ctx.engine.begin() as conn:
        changed = conn.execute(sa.text(
            "update core.survey_occupations set vacancies = vacancies + 7 "
            "where isco08 is not null and submission_id = "
            "(select min(submission_id) from core.survey_occupations where isco08 is not null)"
        )).rowcount
    assert changed > 0
    build_survey_estimates(ctx)
    after = _estimates(ctx)
    assert _built_at(ctx) > first_built
    assert after["vacancies"].sum() > first["vacancies"].sum()
    pd.testing.assert_frame_equal(after, _fresh_build(ctx))


@pytest.mark.postgres
@pytest.mark.parametrize("surveyed", ["duckdb", "postgresql"], indirect=True)
def test_estimates_that_lost_rows_are_rebuilt(surveyed: RunContext) -> None:
    """Inputs unchanged, but someone removed estimates: the build does not trust its record."""
    ctx = surveyed
    rows = build_survey_estimates(ctx)
    first = _estimates(ctx)
    with ctx.engine.begin() as conn:
        conn.execute(sa.text("delete from core.survey_estimates where isco08 = :code"),
                     {"code": first["isco08"].iloc[0]})
    assert build_survey_estimates(ctx) == rows
    pd.testing.assert_frame_equal(_estimates(ctx), first)
