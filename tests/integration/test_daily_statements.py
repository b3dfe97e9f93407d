"""A daily run's load statements find the run's rows by index on PostgreSQL, not by
reading the whole history (issue #10: work in proportion to what changed)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from etl.warehouse.connection import get_engine
from etl.warehouse.setup import init_warehouse
from etl.warehouse.sqlfiles import sql_text

#: 20,000 postings of earlier runs, six skills each, and 50 staged by today's run.
_HISTORY = """
insert into core.vacancy_skills (vacancy_id, skill_uri)
select 'v' || i, 'http://data.europa.eu/esco/skill/' || (i * 7 + k) % 5000
from generate_series(1, 20000) as i, generate_series(1, 6) as k
"""
_STAGED = """
insert into staging.vacancies (run_id, vacancy_id, source, source_id, title, isco_confidence,
                               isco_method, content_hash, fetched_at)
select run, 'v' || i, 'board_a', 's' || i, 'Comptable', 0.9, 'rules', md5(i::text), now()
from generate_series(1, 20000) as i,
     lateral (select case when i > 19950 then 'today' else 'earlier' end as run) as r
"""


def _plan_nodes(conn: sa.Connection, statement: str, params: dict) -> list[dict]:
    """Every node of the statement's plan (EXPLAIN, not run)."""
    explained = conn.execute(sa.text(f"explain (format json) {statement}"), params).scalar_one()
    if isinstance(explained, str):
        explained = json.loads(explained)
    nodes, todo = [], [explained[0]["Plan"]]
    while todo:
        node = todo.pop()
        nodes.append(node)
        todo.extend(node.get("Plans", []))
    return nodes


def test_deleting_the_skills_of_a_run_reads_only_its_postings(pg_url: str) -> None:
    engine = get_engine(pg_url)
    init_warehouse(engine, "SN")
    with engine.begin() as conn:
        conn.execute(sa.text(_HISTORY))
        conn.execute(sa.text(_STAGED))
        conn.execute(sa.text("analyze core.vacancy_skills"))
        conn.execute(sa.text("analyze staging.vacancies"))
    delete = sql_text("core/delete_vacancy_skills_of_run").text
    params = {"run_id": "today", "source": "board_a"}
    with engine.begin() as conn:
        nodes = _plan_nodes(conn, delete, params)
        deleted = conn.execute(sa.text(delete), params).rowcount
        left = conn.execute(sa.text("select count(*) from core.vacancy_skills")).scalar_one()
    scans = [(n["Node Type"], n.get("Index Name")) for n in nodes
             if n.get("Relation Name") == "vacancy_skills" and "Scan" in n["Node Type"]]
    assert scans and all(index == "vacancy_skills_vacancy_id" for _, index in scans), nodes
    assert deleted == 50 * 6 and left == 20_000 * 6 - 50 * 6


def test_statistics_are_taken_again_only_when_enough_of_a_table_changed(pg_url: str) -> None:
    from etl.warehouse.models import ANALYZE_MIN_ROWS, ANALYZE_SHARE, refresh_statistics

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
