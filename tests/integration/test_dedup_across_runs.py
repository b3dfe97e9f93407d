"""Deduplication across runs, in a real warehouse (DuckDB, and a scratch PostgreSQL database).

A daily run re-reads only the blocks it touched, in their own date windows. What
earlier runs clustered must survive that: a posting whose cluster's first posting
lies outside the window keeps its cluster, and when a run brings an earlier posting
of a cluster, the members it did not re-read follow the new first posting.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.config.sources import PACKAGE_CONFIG_DIR
from etl.pipelines.context import RunContext
from etl.pipelines.vacancies import stage_and_load
from etl.pipelines.vacancy_dedup import deduplicate
from etl.warehouse.connection import get_engine
from etl.warehouse.setup import init_warehouse

DESCRIPTION = ("Tenue de la comptabilité générale, rapprochements bancaires, déclarations "
               "fiscales et sociales, clôtures mensuelles. Maîtrise de Sage exigée.")


@pytest.fixture
def config(lmis_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMIS_CONFIG", str(PACKAGE_CONFIG_DIR / "demo_sources.yml"))
    monkeypatch.setenv("LMIS_DEMO_DIR", str(lmis_home / "demo"))
    monkeypatch.setenv("LMIS_PSEUDONYM_KEY", "test-key-" + "0" * 32)


def _posting(source_id: str, date_posted: str, source: str = "board_a",
             title: str = "Comptable (H/F)") -> dict:
    return {
        "source": source, "url": f"https://{source}.example.org/{source_id}",
        "source_id": source_id, "title": title,
        "employer_name": "Teranga Services SARL", "date_posted": date_posted,
        "valid_through": None, "employment_type": "FULL_TIME", "is_remote": False,
        "locality": "Dakar", "country_code": "SN", "region_code": "SN-DK",
        "salary_min": None, "salary_max": None, "salary_currency": None,
        "salary_period": None, "salary_monthly": None, "description_text": DESCRIPTION,
        "language": "fr", "fetched_at": datetime(2026, 10, 15),
    }


def _run(url: str, run_id: str, day: str, postings: list[dict]) -> None:
    at = datetime.fromisoformat(day)
    ctx = RunContext(run_id=run_id, data_interval_start=at, data_interval_end=at,
                     warehouse_url=url)
    init_warehouse(ctx.engine, ctx.config.country)
    for source in sorted({p["source"] for p in postings}):
        stage_and_load(ctx, source, [p for p in postings if p["source"] == source])
    deduplicate(ctx)


def _clusters(url: str) -> dict[str, tuple[str, bool]]:
    """source_id → (source_id of the cluster's first posting, is_duplicate)."""
    with get_engine(url).connect() as conn:
        rows = conn.execute(sa.text(
            "select v.source_id, f.source_id as first, v.is_duplicate from core.vacancies as v "
            "join core.vacancies as f on f.vacancy_id = v.cluster_id")).all()
    return {r.source_id: (r.first, bool(r.is_duplicate)) for r in rows}


def _window_edge(url: str) -> None:
    # Run 1: the same vacancy on two boards, 25 days apart.
    _run(url, "run-1", "2026-08-27", [_posting("Q", "2026-08-01", "board_b"),
                                      _posting("P", "2026-08-26")])
    assert _clusters(url) == {"Q": ("Q", False), "P": ("Q", True)}
    # Run 2 brings it a third time; its block is re-read from 2026-08-26, without Q.
    _run(url, "run-2", "2026-09-25", [_posting("N", "2026-09-25")])
    assert _clusters(url) == {"Q": ("Q", False), "P": ("Q", True), "N": ("Q", True)}
    # Run 3 brings an earlier posting of it (a board's late export, with today's other
    # offer): Q is re-read, P and N (more than 30 days after it) are not, and all three
    # follow the new first posting.
    _run(url, "run-3", "2026-09-26", [
        _posting("E", "2026-07-20", "board_b"),
        _posting("D", "2026-09-26", "board_b", title="Chauffeur poids lourd")])
    assert _clusters(url) == {"E": ("E", False), "Q": ("E", True), "P": ("E", True),
                              "N": ("E", True), "D": ("D", False)}


def test_clusters_survive_later_runs_duckdb(config: None, duckdb_url: str) -> None:
    _window_edge(duckdb_url)


@pytest.mark.postgres
def test_clusters_survive_later_runs_postgresql(config: None, pg_url: str) -> None:
    _window_edge(pg_url)


def _edited_posting_keeps_its_history(url: str) -> None:
    first = {**_posting("P", "2026-08-26"), "fetched_at": datetime(2026, 8, 27)}
    _run(url, "run-1", "2026-08-27", [_posting("Q", "2026-08-01", "board_b"), first])
    # A fresh record (the load adds its identity and hash to the records it is given).
    edited = {**_posting("P", "2026-08-26"), "fetched_at": datetime(2026, 9, 2),
              "description_text": DESCRIPTION + " Mise à jour : date limite prolongée."}
    _run(url, "run-2", "2026-09-02", [edited])
    with get_engine(url).connect() as conn:
        row = conn.execute(sa.text(
            "select v.description_text, v.first_seen_at, v.last_seen_at, v.loaded_run_id, "
            "v.is_duplicate, "
            "f.source_id as first from core.vacancies as v "
            "join core.vacancies as f on f.vacancy_id = v.cluster_id "
            "where v.source_id = 'P'")).one()
        count = conn.execute(sa.text("select count(*) from core.vacancies")).scalar()
    assert count == 2
    assert row.description_text.endswith("date limite prolongée.")
    assert (row.first_seen_at, row.last_seen_at) == (datetime(2026, 8, 27), datetime(2026, 9, 2))
    assert row.loaded_run_id == "run-2"
    assert (row.first, row.is_duplicate) == ("Q", True)


def test_an_edited_posting_keeps_when_it_was_first_seen_and_its_cluster_duckdb(
        config: None, duckdb_url: str) -> None:
    _edited_posting_keeps_its_history(duckdb_url)


@pytest.mark.postgres
def test_an_edited_posting_keeps_when_it_was_first_seen_and_its_cluster_postgresql(
        config: None, pg_url: str) -> None:
    _edited_posting_keeps_its_history(pg_url)


def _keys(url: str) -> dict[str, tuple[str, str]]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(sa.text(
            "select v.source_id, k.block_key, k.title_key from core.vacancy_dedup_keys as k "
            "join core.vacancies as v on v.vacancy_id = k.vacancy_id")).all()
    return {r.source_id: (r.block_key, r.title_key) for r in rows}


def _staged_keys_are_those_computed_from_core(url: str) -> None:
    """Keys prepared with the staged records (copied by SQL) are the keys deduplication
    computes from core in Python for postings staged without them (older code)."""
    from etl.pipelines.vacancy_dedup import _store_dedup_keys

    odd = [
        {**_posting("A", "2026-10-01"), "employer_name": "TERANGA SERVICES S.A.R.L."},
        {**_posting("B", "2026-10-02"), "region_code": None, "locality": "Thiès Ville"},
        {**_posting("C", "2026-10-03"), "region_code": None, "locality": None},
        {**_posting("D", "2026-10-04"), "employer_name": None},
        {**_posting("E", "2026-10-05", "board_b"), "title": "Chauffeur poids lourd H/F"},
        {**_posting("F", "2026-10-06", "board_b"), "date_posted": None},
    ]
    _run(url, "run-k", "2026-10-15", odd)
    prepared = _keys(url)
    assert len(prepared) == len(odd)
    assert prepared["C"][0] == "" and prepared["D"][0] == ""  # no region / no employer
    assert prepared["B"][0].endswith("\x1fSN|thies ville")
    engine = get_engine(url)
    with engine.begin() as conn:
        staged = conn.execute(sa.text(
            "select count(*) from staging.vacancies where run_id = 'run-k' "
            "and block_key is not null")).scalar()
        conn.execute(sa.text("update staging.vacancies set block_key = null, title_key = null "
                             "where run_id = 'run-k'"))
    assert staged == len(odd)
    ctx = RunContext(run_id="run-k", data_interval_start=datetime(2026, 10, 15),
                     data_interval_end=datetime(2026, 10, 15), warehouse_url=url)
    _store_dedup_keys(ctx)
    assert _keys(url) == prepared


def test_staged_keys_are_those_computed_from_core_duckdb(config: None, duckdb_url: str) -> None:
    _staged_keys_are_those_computed_from_core(duckdb_url)


@pytest.mark.postgres
def test_staged_keys_are_those_computed_from_core_postgresql(config: None, pg_url: str) -> None:
    _staged_keys_are_those_computed_from_core(pg_url)


def _several_blocks() -> list[dict]:
    """Three employers (three blocks), each with a vacancy posted on two boards and one
    other offer, and one posting of the first employer listed by the third one's URL."""
    postings = []
    for k, employer in enumerate(("Teranga Services SARL", "Sahel Logistique SA",
                                  "Banque de Dakar")):
        postings += [
            {**_posting(f"{k}a", f"2026-09-0{k + 1}"), "employer_name": employer},
            {**_posting(f"{k}b", f"2026-09-0{k + 2}", "board_b"), "employer_name": employer},
            {**_posting(f"{k}c", f"2026-09-0{k + 3}"), "employer_name": employer,
             "title": "Chauffeur poids lourd"},
        ]
    postings.append({**_posting("x", "2026-09-04", "pes_feed"),
                     "url": "https://board_a.example.org/2c", "title": "Mécanicien"})
    return postings


@pytest.mark.parametrize("batch_rows", [1, 2, 50_000])
def test_clusters_do_not_depend_on_how_blocks_are_batched(
        config: None, duckdb_url: str, batch_rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import etl.pipelines.vacancy_dedup as vacancy_dedup

    monkeypatch.setattr(vacancy_dedup, "BLOCK_BATCH_ROWS", batch_rows)
    _run(duckdb_url, "run-b", "2026-09-15", _several_blocks())
    assert _clusters(duckdb_url) == {
        "0a": ("0a", False), "0b": ("0a", True), "0c": ("0c", False),
        "1a": ("1a", False), "1b": ("1a", True), "1c": ("1c", False),
        # x (4 September) and 2c (5 September) share a URL: one cluster, x's.
        "2a": ("2a", False), "2b": ("2a", True), "2c": ("x", True), "x": ("x", False),
    }
