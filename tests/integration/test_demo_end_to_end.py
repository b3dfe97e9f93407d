"""The README's first command, end to end: `lmis demo` on DuckDB with SQLite Airflow metadata.

Runs the real CLI twice in a fresh LMIS_HOME (in a subprocess, as a user would) and
checks what a user is promised: published tables with rows, balanced ledgers, the
duplicate share near what the generator planted, and a second run that changes
nothing in the published tables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

PUBLISHED = ["skills_gap", "shortage_occupations", "surplus_occupations", "opportunities",
             "vacancies_open", "labour_indicators", "skills_demand", "returnees_summary"]


def _run_demo(home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "LMIS_"))}
    env["LMIS_HOME"] = str(home)
    proc = subprocess.run([sys.executable, "-m", "etl.cli", "demo"], env=env,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return proc


def _snapshot(home: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        out = {}
        for name in PUBLISHED:
            cols = [r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_schema = "
                "'published' and table_name = ? and column_name <> 'run_id' "
                "order by ordinal_position", [name]).fetchall()]
            quoted = ", ".join(f'"{c}"' for c in cols)
            out[name] = con.execute(
                f"select {quoted} from published.{name} order by {quoted}").fetchall()
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("demo_home")
    first = _run_demo(home)
    snapshot = _snapshot(home)
    second = _run_demo(home)
    return {"home": home, "first": first, "second": second, "snapshot": snapshot,
            "manifest": json.loads((home / "demo" / "manifest.json").read_text())}


def test_summary_names_ledgers_tables_and_locations(demo: dict) -> None:
    out = demo["first"].stdout
    for source in ("board_a", "board_b", "pes_feed", "observatory", "employer_survey"):
        assert source in out
    assert "published.skills_gap" in out and "published.opportunities" in out
    assert "Warehouse:" in out and "Raw files:" in out and "Exports:" in out
    assert "NOT BALANCED" not in out


def test_published_tables_have_rows(demo: dict) -> None:
    for name in ("skills_gap", "opportunities", "shortage_occupations", "vacancies_open",
                 "labour_indicators"):
        assert len(demo["snapshot"][name]) > 0, name


def test_every_ledger_row_balances(demo: dict) -> None:
    con = duckdb.connect(str(demo["home"] / "warehouse.duckdb"), read_only=True)
    rows = con.execute("select source, fetched, loaded, quarantined, duplicates, unchanged "
                       "from ops.run_ledger").fetchall()
    con.close()
    assert len(rows) >= 2 * 5
    for source, fetched, loaded, quarantined, duplicates, unchanged in rows:
        assert fetched == loaded + quarantined + duplicates + unchanged, source


def test_duplicate_share_is_close_to_the_planted_share(demo: dict) -> None:
    con = duckdb.connect(str(demo["home"] / "warehouse.duckdb"), read_only=True)
    postings, duplicates = con.execute(
        "select count(*), sum(case when is_duplicate then 1 else 0 end) from core.vacancies"
    ).fetchone()
    con.close()
    found = duplicates / postings
    assert abs(found - demo["manifest"]["planted_duplicate_share"]) <= 0.02


def test_second_run_loads_nothing_new_and_publishes_the_same_rows(demo: dict) -> None:
    assert _snapshot(demo["home"]) == demo["snapshot"]
    con = duckdb.connect(str(demo["home"] / "warehouse.duckdb"), read_only=True)
    latest = con.execute(
        "select source, loaded, unchanged, fetched from ops.run_ledger l where finished_at = "
        "(select max(finished_at) from ops.run_ledger m where m.source = l.source)").fetchall()
    con.close()
    assert latest
    for source, loaded, unchanged, fetched in latest:
        assert loaded == 0, f"{source} loaded {loaded} rows on an unchanged second run"
        if fetched:
            assert unchanged > 0, f"{source} found nothing unchanged on the second run"
