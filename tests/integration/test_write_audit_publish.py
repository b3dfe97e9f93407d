"""Validation in the pipelines: quarantine, batch gates and write-audit-publish.

A small demo country (the seeded generator at 15% scale) is served over a real
HTTP server on 127.0.0.1 and loaded through the real pipeline functions into a
real warehouse (DuckDB, and a scratch PostgreSQL database).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.demo.server import DemoServer
from etl.pipelines.context import RunContext
from etl.pipelines.publish import PublishAuditError, publish
from etl.pipelines.runner import run_all
from etl.validate import BatchValidationError
from etl.warehouse.connection import get_engine
from etl.warehouse.setup import init_warehouse

AS_OF = datetime(2026, 10, 15)
PUBLISHED = ("skills_gap", "opportunities", "labour_indicators", "vacancies_open")


@pytest.fixture
def small_country(demo_country: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The demo country with its web sites served on 127.0.0.1."""
    with DemoServer(demo_country / "sites") as base_url:
        monkeypatch.setenv("LMIS_DEMO_BASE_URL", base_url)
        yield demo_country


def _context(url: str, run_id: str) -> RunContext:
    ctx = RunContext(run_id=run_id, data_interval_start=AS_OF, data_interval_end=AS_OF,
                     warehouse_url=url)
    init_warehouse(ctx.engine, ctx.config.country)
    return ctx


def _published(url: str) -> dict[str, pd.DataFrame]:
    with get_engine(url).connect() as conn:
        return {name: pd.read_sql(sa.text(f"select * from published.{name}"), conn)
                for name in PUBLISHED}


def _failed_audit_keeps_yesterday(url: str) -> None:
    ctx = _context(url, "run-1")
    run_all(ctx)
    before = _published(url)
    assert all(len(frame) for frame in before.values())
    # A release that would publish an observation for a region the warehouse does not know.
    with ctx.engine.begin() as conn:
        conn.execute(sa.text(
            "update core.labour_observations set region_code = 'ZZ-XX' "
            "where obs_key = (select min(obs_key) from core.labour_observations "
            "where is_current and region_code is not null)"))
    with pytest.raises(PublishAuditError, match="region_code"):
        publish(RunContext(run_id="run-2", data_interval_end=AS_OF, warehouse_url=url))
    after = _published(url)
    for name in PUBLISHED:
        pd.testing.assert_frame_equal(before[name], after[name], check_like=True)
    with ctx.engine.connect() as conn:
        runs = conn.execute(sa.text(
            "select distinct run_id from published.dataset_metadata")).scalars().all()
    assert runs == ["run-1"]


def test_failed_audit_keeps_previous_published_tables_duckdb(small_country: Path,
                                                              duckdb_url: str) -> None:
    _failed_audit_keeps_yesterday(duckdb_url)


@pytest.mark.postgres
def test_failed_audit_keeps_previous_published_tables_postgresql(small_country: Path,
                                                                  pg_url: str) -> None:
    _failed_audit_keeps_yesterday(pg_url)


@pytest.mark.parametrize("chunk_rows", [10_000, 2, 1])
def test_bad_vacancy_rows_are_quarantined_and_the_rest_loaded(
        small_country: Path, duckdb_url: str, chunk_rows: int) -> None:
    """Also when the rows arrive in several chunks: every failing row, and only it, is
    quarantined with its own values, whichever chunk it came in."""
    from etl.pipelines.vacancies import record_ledgers, stage_and_load

    ctx = _context(duckdb_url, "run-bad")
    good = {
        "source": "board_a", "url": "https://jobs.example.org/1", "source_id": "G1",
        "title": "Comptable",
        "employer_name": "Teranga SA", "date_posted": "2026-10-01",
        "valid_through": "2026-11-01", "employment_type": "FULL_TIME", "is_remote": False,
        "locality": "Dakar", "country_code": "SN", "region_code": "SN-DK",
        "salary_min": 300000.0, "salary_max": 400000.0, "salary_currency": "XOF",
        "salary_period": "MONTH", "salary_monthly": 350000.0,
        "description_text": "Comptable confirmé.", "language": "fr", "fetched_at": AS_OF,
    }
    bad_region = {**good, "source_id": "B1", "url": "https://jobs.example.org/b1",
                  "region_code": "SN-QQ"}
    negative = {**good, "source_id": "B2", "url": "https://jobs.example.org/b2",
                "salary_min": -5.0}
    future = {**good, "source_id": "B3", "url": "https://jobs.example.org/b3",
              "date_posted": "2027-03-01", "valid_through": "2027-04-01"}
    second = {**good, "source_id": "G2", "url": "https://jobs.example.org/2",
              "title": "Chauffeur poids lourd"}
    counts = stage_and_load(ctx, "board_a", [good, bad_region, negative, future, second],
                            chunk_rows=chunk_rows)
    assert counts.quarantined == 3
    ledger = record_ledgers(ctx, [counts.to_dict()], {})[0]
    assert ledger.balanced and ledger.loaded == 2
    with ctx.engine.connect() as conn:
        held = conn.execute(sa.text(
            "select record_key, failed_expectations, offending_values from quarantine.vacancies "
            "where run_id = 'run-bad' order by record_key")).all()
        loaded = conn.execute(sa.text(
            "select source_id from core.vacancies order by source_id")).scalars().all()
    assert [h.record_key for h in held] == ["B1", "B2", "B3"]
    assert "region_code" in held[0].failed_expectations and "SN-QQ" in held[0].offending_values
    assert "salary_min" in held[1].failed_expectations
    assert "date_posted" in held[2].failed_expectations
    assert loaded == ["G1", "G2"]


def test_volume_collapse_stops_the_run_before_loading(small_country: Path,
                                                      duckdb_url: str) -> None:
    from etl.pipelines.vacancies import ingest_pes_feed, record_ledgers

    ctx = _context(duckdb_url, "run-full")
    record_ledgers(ctx, [ingest_pes_feed(ctx, "pes_feed")], {})
    pages = sorted((small_country / "sites" / "pes" / "api").glob("vacancies@page=*.json"))
    assert len(pages) >= 2
    for page in pages[1:]:
        page.unlink()  # the feed now serves one page of three
    first = pages[0]
    first.write_text(first.read_text().replace('"total_pages": 3', '"total_pages": 1')
                     .replace('"total_pages": 2', '"total_pages": 1'))
    later = RunContext(run_id="run-collapsed", data_interval_end=AS_OF, warehouse_url=duckdb_url)
    with pytest.raises(BatchValidationError, match="expect_table_row_count_to_be_between"):
        ingest_pes_feed(later, "pes_feed")
    with later.engine.connect() as conn:
        staged = conn.execute(sa.text(
            "select count(*) from staging.vacancies where run_id = 'run-collapsed'")).scalar()
    assert staged == 0


def test_changed_columns_stop_the_run_with_the_expectation(small_country: Path,
                                                           duckdb_url: str) -> None:
    from openpyxl import load_workbook

    from etl.pipelines.statistics import ingest_statistics

    table = small_country / "drop" / "observatory" / "salaires_moyens_par_secteur.xlsx"
    book = load_workbook(table)
    book.active["B4"] = "Code CITI"  # the observatory renamed a column of its table
    book.save(table)
    ctx = _context(duckdb_url, "run-drift")
    with pytest.raises(BatchValidationError,
                       match=r"expect_table_columns_to_match_set.*Code"):
        ingest_statistics(ctx, "observatory")
    with ctx.engine.connect() as conn:
        loaded = conn.execute(sa.text("select count(*) from core.labour_observations")).scalar()
        landed = conn.execute(sa.text(
            "select count(*) from raw.landed_files where run_id = 'run-drift'")).scalar()
    assert loaded == 0  # nothing of the run went further
    assert landed >= 1  # but the bytes were kept for re-parsing


def test_bad_rows_in_statistics_and_surveys_are_quarantined(small_country: Path,
                                                           duckdb_url: str) -> None:
    from etl.pipelines.statistics import ingest_statistics
    from etl.pipelines.survey import ingest_survey

    csv = small_country / "drop" / "observatory" / "demandeurs_emploi_inscrits_sdmx.csv"
    lines = csv.read_text().splitlines()
    good = len(lines) - 1
    lines.append(lines[1].replace("OC2_ISCO08_12", "OC2_ISCO08_00").rsplit(",", 5)[0]
                 + ",2025-Q1,12,,PS,0")  # an ISCO sub-major group that does not exist
    lines.append(lines[1].replace(",Q,", ",Q,").rsplit(",", 5)[0].replace("SN-DK", "SN-QQ")
                 + ",2025-Q1,7,,PS,0")  # a region that does not exist
    csv.write_text("\n".join(lines) + "\n")
    ctx = _context(duckdb_url, "run-stats")
    ledger = ingest_statistics(ctx, "observatory")
    assert ledger["quarantined"] == 2
    assert ledger["fetched"] == ledger["loaded"] + ledger["quarantined"] + \
        ledger["duplicates"] + ledger["unchanged"]
    survey = ingest_survey(ctx, "employer_survey")
    assert survey["fetched"] == survey["loaded"] + survey["quarantined"] + \
        survey["duplicates"] + survey["unchanged"]
    with ctx.engine.connect() as conn:
        reasons = conn.execute(sa.text(
            "select failed_expectations from quarantine.labour_observations "
            "where run_id = 'run-stats'")).scalars().all()
        survey_reasons = conn.execute(sa.text(
            "select failed_expectations from quarantine.survey_responses "
            "where run_id = 'run-stats'")).scalars().all()
        loaded = conn.execute(sa.text(
            "select count(*) from core.labour_observations")).scalar()
    assert any("SN-QQ" in r for r in reasons) and any("OC2_ISCO08_00" in r for r in reasons)
    assert any("hard_to_fill" in r for r in survey_reasons)
    assert loaded >= good


STATS = Path(__file__).resolve().parents[1] / "fixtures" / "statistics"


def test_sdmx_api_source_queries_the_interval_and_keeps_vintages(
        httpserver, lmis_home: Path, monkeypatch: pytest.MonkeyPatch, duckdb_url: str) -> None:
    """An SDMX endpoint source: a keyed query for the run's interval, landed, loaded; a second
    release revising one value makes it current while core keeps both vintages."""
    structure = (STATS / "sdmx_structure_DF_EMP_TEMP_SEX_OC2_NB.xml").read_bytes()
    data = (STATS / "sdmx_ml_generic_DF_EMP_TEMP_SEX_OC2_NB_SEN.xml").read_text()
    data_path = "/rest/data/ILO,DF_EMP_TEMP_SEX_OC2_NB,1.0/SEN.A..SEX_T+SEX_F."
    httpserver.expect_request("/rest/dataflow/ILO/DF_EMP_TEMP_SEX_OC2_NB/1.0").respond_with_data(
        structure, content_type="application/vnd.sdmx.structure+xml; version=2.1")
    config = lmis_home / "sources.yml"
    config.write_text(f"""
country: SN
operator: {{name: test, contact: test@example.org}}
sources:
  - name: ilostat
    kind: sdmx_api
    endpoint: {httpserver.url_for('/rest')}
    flow: "ILO,DF_EMP_TEMP_SEX_OC2_NB,1.0"
    key: "SEN.A..SEX_T+SEX_F."
    frequency: A
    lookback_periods: 1
    unit_mults: [3]
""")
    monkeypatch.setenv("LMIS_CONFIG", str(config))
    from etl.pipelines.statistics import ingest_statistics

    httpserver.expect_oneshot_request(
        data_path, query_string={"startPeriod": "2022", "endPeriod": "2023"}).respond_with_data(
        data, content_type="application/vnd.sdmx.genericdata+xml; version=2.1")
    ctx = RunContext(run_id="r1", data_interval_start=datetime(2023, 1, 1),
                     data_interval_end=datetime(2023, 12, 31), warehouse_url=duckdb_url)
    init_warehouse(ctx.engine, "SN")
    first = ingest_statistics(ctx, "ilostat")
    assert first["loaded"] > 0
    # The next release revises one value (and is prepared later).
    import re

    first_value = re.search(r'ObsValue value="([0-9.]+)"', data).group(1)
    revised = data.replace(f'ObsValue value="{first_value}"', 'ObsValue value="999.5"', 1)
    revised = re.sub(r"<message:Prepared>[^<]+</message:Prepared>",
                     "<message:Prepared>2030-01-01T00:00:00</message:Prepared>", revised)
    httpserver.expect_oneshot_request(
        data_path, query_string={"startPeriod": "2022", "endPeriod": "2023"}).respond_with_data(
        revised, content_type="application/vnd.sdmx.genericdata+xml; version=2.1")
    second = ingest_statistics(RunContext(
        run_id="r2", data_interval_start=datetime(2023, 1, 1),
        data_interval_end=datetime(2023, 12, 31), warehouse_url=duckdb_url), "ilostat")
    assert second["loaded"] == first["loaded"]  # the whole new release is stored beside the old
    with ctx.engine.connect() as conn:
        versions = conn.execute(sa.text(
            "select release, obs_value, is_current from core.labour_observations "
            "where obs_key in (select obs_key from core.labour_observations "
            "where obs_value = 999.5) order by release")).all()
        landed = conn.execute(sa.text(
            "select count(*) from raw.landed_files where source = 'ilostat'")).scalar()
    assert len(versions) == 2
    assert versions[0].is_current is False and versions[1].is_current is True
    assert versions[1].obs_value == 999.5 and versions[0].obs_value == float(first_value)
    assert landed == 2


@pytest.mark.postgres
@pytest.mark.parametrize("engine_kind", ["duckdb", "postgresql"])
def test_reloading_the_same_release_changes_nothing(small_country: Path, duckdb_url: str,
                                                    request: pytest.FixtureRequest,
                                                    engine_kind: str) -> None:
    from etl.pipelines.statistics import ingest_statistics

    url = duckdb_url if engine_kind == "duckdb" else request.getfixturevalue("pg_url")
    first = ingest_statistics(_context(url, "load-1"), "observatory")
    second = ingest_statistics(_context(url, "load-2"), "observatory")
    assert first["loaded"] > 0
    assert second["loaded"] == 0
    assert second["unchanged"] == first["loaded"]


@pytest.mark.postgres
@pytest.mark.parametrize("engine_kind", ["duckdb", "postgresql"])
def test_reloaded_postings_keep_one_row_per_skill(small_country: Path, duckdb_url: str,
                                                  request: pytest.FixtureRequest,
                                                  engine_kind: str) -> None:
    """core.vacancy_skills has no key (migration 0014): the load keeps each (posting, skill)
    pair once by replacing a posting's skills whenever it is staged again; the pairs are
    split out of the staged skill_uris by each warehouse's SQL."""
    from etl.pipelines.vacancies import stage_and_load

    url = duckdb_url if engine_kind == "duckdb" else request.getfixturevalue("pg_url")

    posting = {
        "source": "board_a", "url": "https://jobs.example.org/s1", "source_id": "S1",
        "title": "Comptable", "employer_name": "Teranga SA", "date_posted": "2026-10-01",
        "valid_through": "2026-11-01", "employment_type": "FULL_TIME", "is_remote": False,
        "locality": "Dakar", "country_code": "SN", "region_code": "SN-DK",
        "salary_min": None, "salary_max": None, "salary_currency": None,
        "salary_period": None, "salary_monthly": None,
        "description_text": "Comptabilité générale, logiciel Sage, travail en équipe.",
        "language": "fr", "fetched_at": AS_OF,
    }
    twin = {**posting, "source_id": "S2", "url": "https://jobs.example.org/s2"}

    def pairs() -> list[tuple]:
        with sa.create_engine(url).connect() as conn:
            return conn.execute(sa.text(
                "select vacancy_id, skill_uri, count(*) from core.vacancy_skills "
                "group by vacancy_id, skill_uri order by 1, 2")).all()

    # (copies: the load prepares records in place, adding their id, hash and skills)
    stage_and_load(_context(url, "run-s1"), "board_a",
                   [dict(posting), dict(twin), dict(posting)])
    first = pairs()
    assert first and all(n == 1 for *_, n in first)
    # The same postings again, one of them changed (a skill more): replaced, not added.
    changed = {**posting, "description_text": posting["description_text"] + " Parler anglais."}
    counts = stage_and_load(_context(url, "run-s2"), "board_a", [changed, dict(twin)])
    assert (counts.staged, counts.unchanged) == (1, 1), counts
    second = pairs()
    assert all(n == 1 for *_, n in second)
    assert len(second) > len(first)
