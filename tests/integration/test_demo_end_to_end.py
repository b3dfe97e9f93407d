"""The README's first command, end to end: `lmis demo` on DuckDB with SQLite Airflow metadata.

Runs the real CLI twice in a fresh LMIS_HOME (in a subprocess, as a user would) and
checks what a user is promised: published tables with rows, balanced ledgers, the
duplicate share near what the generator planted, and a second run that changes
nothing in the published tables.
"""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.slow


def test_summary_names_ledgers_tables_and_locations(demo_runs: dict) -> None:
    out = demo_runs["first"].stdout
    for source in ("board_a", "board_b", "pes_feed", "observatory", "employer_survey"):
        assert source in out
    assert "published.skills_gap" in out and "published.opportunities" in out
    assert "Warehouse:" in out and "Raw files:" in out and "Exports:" in out
    assert "NOT BALANCED" not in out


def test_published_tables_have_rows(demo_runs: dict) -> None:
    for name in ("skills_gap", "opportunities", "shortage_occupations", "vacancies_open",
                 "labour_indicators"):
        assert len(demo_runs["snapshot"][name]) > 0, name


def test_every_ledger_row_balances(demo_runs: dict) -> None:
    con = duckdb.connect(str(demo_runs["home"] / "warehouse.duckdb"), read_only=True)
    rows = con.execute("select source, fetched, loaded, quarantined, duplicates, unchanged "
                       "from ops.run_ledger").fetchall()
    con.close()
    assert len(rows) >= 2 * 5
    for source, fetched, loaded, quarantined, duplicates, unchanged in rows:
        assert fetched == loaded + quarantined + duplicates + unchanged, source


def test_duplicate_share_is_close_to_the_planted_share(demo_runs: dict) -> None:
    con = duckdb.connect(str(demo_runs["home"] / "warehouse.duckdb"), read_only=True)
    postings, duplicates = con.execute(
        "select count(*), sum(case when is_duplicate then 1 else 0 end) from core.vacancies"
    ).fetchone()
    con.close()
    found = duplicates / postings
    assert abs(found - demo_runs["manifest"]["planted_duplicate_share"]) <= 0.02


def test_second_run_loads_nothing_new_and_publishes_the_same_rows(demo_runs: dict) -> None:
    assert demo_runs["snapshot_now"]() == demo_runs["snapshot"]
    con = duckdb.connect(str(demo_runs["home"] / "warehouse.duckdb"), read_only=True)
    latest = con.execute(
        "select source, loaded, unchanged, fetched from ops.run_ledger l where finished_at = "
        "(select max(finished_at) from ops.run_ledger m where m.source = l.source)").fetchall()
    con.close()
    assert latest
    for source, loaded, unchanged, fetched in latest:
        assert loaded == 0, f"{source} loaded {loaded} rows on an unchanged second run"
        if fetched:
            assert unchanged > 0, f"{source} found nothing unchanged on the second run"
