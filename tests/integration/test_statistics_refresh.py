"""Planner statistics on PostgreSQL: a daily run takes them again only where it changed
enough of a table, so its load does work in proportion to what it changed (issue #10)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from etl.warehouse.connection import get_engine
from etl.warehouse.models import ANALYZE_MIN_ROWS, ANALYZE_SHARE, refresh_statistics


@pytest.mark.postgres
def test_statistics_are_taken_again_only_when_enough_of_a_table_changed(pg_url: str) -> None:
    def rows_at_analyze(conn: sa.Connection) -> float:
        return conn.execute(sa.text(
            "select reltuples from pg_class where oid = 'public.postings'::regclass")).scalar_one()

    def add(conn: sa.Connection, rows: int) -> None:
        conn.execute(sa.text("insert into public.postings select generate_series(1, :n)"),
                     {"n": rows})

    engine = get_engine(pg_url)
    with engine.begin() as conn:  # one transaction: nothing depends on the collector's timing
        conn.execute(sa.text("create table public.postings (id integer)"))
        add(conn, 1000)
        refresh_statistics(conn, "public", "postings", changed_rows=1000)  # never analysed
        assert rows_at_analyze(conn) == 1000
        few = int(ANALYZE_MIN_ROWS + ANALYZE_SHARE * 1000)  # at the line: left alone
        add(conn, few)
        refresh_statistics(conn, "public", "postings", changed_rows=few)
        assert rows_at_analyze(conn) == 1000
        add(conn, 1)
        refresh_statistics(conn, "public", "postings", changed_rows=few + 1)
        assert rows_at_analyze(conn) == 1000 + few + 1
        add(conn, 1)
        refresh_statistics(conn, "public", "postings")  # without a count: always
        assert rows_at_analyze(conn) == 1000 + few + 2
