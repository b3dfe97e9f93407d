"""etl.warehouse.session: an embedded DuckDB stays open for a step and is checkpointed at its end."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.warehouse.session import BULK_CHECKPOINT_THRESHOLD, holds_warehouse_open, step_session


def _threshold(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return conn.exec_driver_sql("select current_setting('checkpoint_threshold')").scalar_one()


def test_duckdb_stays_open_for_the_step_and_is_checkpointed_after(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    engine = sa.create_engine(f"duckdb:///{path}", poolclass=sa.pool.NullPool)
    default = _threshold(engine)
    with step_session(engine):
        # Every transaction of the step meets the same open database (the setting of the
        # session's connection is seen by the others)…
        assert _threshold(engine) != default
        for chunk in range(3):
            with engine.begin() as conn:
                if chunk == 0:
                    conn.exec_driver_sql("create table t (i integer, s varchar)")
                conn.exec_driver_sql(f"insert into t select range, 'x' from range({chunk * 10}, {chunk * 10 + 10})")
    # …and when it ends, the work is in the database file (no log left to replay).
    wal = path.with_name(path.name + ".wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert _threshold(engine) == default
    with engine.connect() as conn:
        assert conn.exec_driver_sql("select count(*) from t").scalar_one() == 30
    assert BULK_CHECKPOINT_THRESHOLD.endswith("GB")


def test_a_failing_step_leaves_the_database_usable(tmp_path: Path) -> None:
    engine = sa.create_engine(f"duckdb:///{tmp_path / 'w.duckdb'}", poolclass=sa.pool.NullPool)

    class Ctx:
        def __init__(self) -> None:
            self.engine = engine

    @holds_warehouse_open
    def step(ctx: Ctx, rows: int) -> None:
        with ctx.engine.begin() as conn:
            conn.exec_driver_sql("create table t as select range as i from range(5)")
        with ctx.engine.begin() as conn:
            conn.exec_driver_sql(f"insert into t select range from range({rows})")
            raise RuntimeError("chunk failed")

    with pytest.raises(RuntimeError, match="chunk failed"):
        step(Ctx(), 3)
    with engine.connect() as conn:  # the first transaction stays, the failed one is rolled back
        assert conn.exec_driver_sql("select count(*) from t").scalar_one() == 5


def test_no_duckdb_settings_are_sent_to_postgresql(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    try:
        with step_session(engine), engine.connect() as conn:
            assert conn.exec_driver_sql("select 1").scalar_one() == 1
    finally:
        engine.dispose()


def test_a_steps_checkpoint_is_timed_under_its_name(tmp_path: Path) -> None:
    """The bench report says which step's checkpoint took the time (``checkpoint_<step>``),
    besides the total."""
    engine = sa.create_engine(f"duckdb:///{tmp_path / 'w.duckdb'}", poolclass=sa.pool.NullPool)

    class Ctx:
        def __init__(self) -> None:
            self.engine = engine

    @holds_warehouse_open
    def load_things(ctx: Ctx, *, timings: dict[str, float] | None = None) -> None:
        with ctx.engine.begin() as conn:
            conn.exec_driver_sql("create table if not exists t as select range as i from range(5)")

    timings: dict[str, float] = {}
    load_things(Ctx(), timings=timings)
    load_things(Ctx(), timings=timings)
    assert set(timings) == {"checkpoint", "checkpoint_load_things"}
    assert timings["checkpoint_load_things"] >= timings["checkpoint"] > 0
