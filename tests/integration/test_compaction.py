"""The repacking after a run's loads (DuckDB): same rows, whole row groups, no debt left.

Each load step below appends to staging.vacancies and core.vacancies and is
checkpointed, as a source's load is, so the tables end as a run of several sources
leaves them. The control warehouse shows what the repacking is for: without it, the
next small append makes DuckDB's checkpoint rewrite full row groups before it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.pipelines.compaction import VACANCY_TABLES, compact_vacancy_tables
from etl.warehouse.compaction import ROW_GROUP_ROWS, ranges_to_repack, row_group_rows
from etl.warehouse.connection import get_engine
from etl.warehouse.session import step_session
from etl.warehouse.setup import init_warehouse

G = ROW_GROUP_ROWS
#: Rows per load step. Stored after each step's checkpoint: [G, G, 4,240]; then
#: [G, G, G, 31,360] (DuckDB merged 4,240 + G + 27,120 into two groups); then
#: [G, G, G, 31,360, G, 117,120], where four groups would fit in three after any append.
STEPS = ((0, 250_000), (250_000, 150_000), (400_000, 240_000))

_STAGE = """
insert into staging.vacancies (run_id, vacancy_id, source, source_id, title, description_text,
                               isco_confidence, isco_method, content_hash, fetched_at)
select 'run_' || (i // 200000), 'v' || i, 'board', 's' || i, 'Comptable ' || (i % 97),
       repeat('Tenue de la comptabilité générale. ', 1 + i % 4) || i, 0.9, 'rules', md5(i::varchar),
       timestamp '2026-06-01' + to_seconds(i)
from range(?, ?) as t(i)
"""
_CORE = """
insert into core.vacancies (vacancy_id, source, source_id, title, description_text, isco_confidence,
                            isco_method, content_hash, cluster_id, is_duplicate, first_seen_at,
                            last_seen_at, loaded_run_id)
select vacancy_id, source, source_id, title, description_text, isco_confidence, isco_method,
       content_hash, vacancy_id, false, fetched_at, fetched_at, run_id
from staging.vacancies where vacancy_id in (select 'v' || i from range(?, ?) as t(i))
"""


class _Ctx:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine


def _load_step(engine: sa.Engine, first: int, rows: int) -> None:
    with step_session(engine), engine.begin() as conn:
        conn.exec_driver_sql(_STAGE, (first, first + rows))
        conn.exec_driver_sql(_CORE, (first, first + rows))


def _warehouse(path: Path) -> sa.Engine:
    engine = get_engine(f"duckdb:///{path}")
    init_warehouse(engine, "SN")
    for first, rows in STEPS:
        _load_step(engine, first, rows)
    return engine


def _blocks(conn: sa.Connection, table: str) -> list[int]:
    """The first storage block of each row group: it changes when the group is rewritten."""
    return [row[0] for row in conn.exec_driver_sql(
        "select min(block_id) from pragma_storage_info(?) where column_path = '[0]' "
        "group by row_group_id order by row_group_id", (table,))]


def _content(conn: sa.Connection, table: str) -> tuple[int, int]:
    return tuple(conn.exec_driver_sql(f"select count(*), bit_xor(hash(t)) from {table} as t").one())


def test_repacking_keeps_the_rows_and_leaves_the_next_append_to_the_tail(tmp_path: Path) -> None:
    engine = _warehouse(tmp_path / "repacked.duckdb")
    tables = [f"{schema}.{table}" for schema, table in VACANCY_TABLES]
    with engine.connect() as conn:
        before = {t: row_group_rows(conn, *t.split(".")) for t in tables}
        content = {t: _content(conn, t) for t in tables}
        threads = conn.exec_driver_sql("select current_setting('threads')").scalar_one()
    for t in tables:  # what the loads left: a part-filled group before the last, near the end
        assert before[t] == [G, G, G, 31_360, G, 117_120]
        assert ranges_to_repack(before[t])

    moved = compact_vacancy_tables(_Ctx(engine))

    assert moved == {t: 31_360 + 117_120 for t in tables}
    with engine.connect() as conn:
        for t in tables:
            assert row_group_rows(conn, *t.split(".")) == [G, G, G, G, G, 25_600]
            assert _content(conn, t) == content[t]
        assert conn.exec_driver_sql("select current_setting('threads')").scalar_one() == threads
        blocks = {t: _blocks(conn, t) for t in tables}
    # The primary key still knows every posting.
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(_CORE, (600_000, 600_001))  # a posting the repacking moved

    _load_step(engine, 700_000, 500)  # the next run's first append

    with engine.connect() as conn:
        for t in tables:
            # The new rows went after the full groups, which stayed where they were.
            stored = row_group_rows(conn, *t.split("."))
            assert stored[:5] == [G] * 5 and sum(stored[5:]) == 25_600 + 500
            assert _blocks(conn, t)[:5] == blocks[t][:5]


def test_without_repacking_the_next_append_rewrites_full_groups(tmp_path: Path) -> None:
    engine = _warehouse(tmp_path / "control.duckdb")
    with engine.connect() as conn:
        blocks = _blocks(conn, "core.vacancies")

    _load_step(engine, 700_000, 500)

    with engine.connect() as conn:
        after = row_group_rows(conn, "core", "vacancies")
        # DuckDB merged the part-filled groups with the full one between them…
        assert after == [G, G, G, G, G, 26_100]
        # …rewriting that full group (it moved to new blocks).
        assert _blocks(conn, "core.vacancies")[3] != blocks[4]
        assert _blocks(conn, "core.vacancies")[:3] == blocks[:3]


def test_nothing_to_do_on_postgresql(pg_url: str) -> None:
    engine = get_engine(pg_url)
    init_warehouse(engine, "SN")
    assert compact_vacancy_tables(_Ctx(engine)) == {}
