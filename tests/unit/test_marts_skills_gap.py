"""The skills-gap marts on given rows, against expected rows worked out by hand.

A fresh DuckDB warehouse gets a handful of vacancies, jobseeker statistics, one survey
estimate and returnee profiles for Dakar (SN-DK) and Thiès (SN-TH) in 2025Q3 and 2026Q3;
the intermediate, mart and published models are built with the thresholds of
etl/config/method.yml. The expected ratings, evidence and suppressed cells below were
computed by hand from those thresholds (tightness shortage > 1.0, surplus < 0.33;
vacancies_yoy > 0.15 / < -0.15; hard_to_fill_rate > 0.45; fill_rate < 0.55;
skill_gap_rate > 0.50; net signals >= 3 major_shortage, >= 2 shortage, <= -2 surplus,
<= -3 large_surplus; at least 2 indicators; disclosure at 5 persons and 3 firms).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.config.method import load_method
from etl.config.sources import PACKAGE_CONFIG_DIR
from etl.warehouse.bulk import bulk_insert
from etl.warehouse.connection import get_engine
from etl.warehouse.models import build_layers
from etl.warehouse.setup import init_warehouse

AS_OF = date(2026, 9, 30)
SKILL_URI = "http://data.europa.eu/esco/skill/given-programming-skill"
NOW_Q, YEAR_AGO_Q = date(2026, 8, 1), date(2025, 8, 1)   # dates posted in 2026Q3 / 2025Q3


def _vacancies(rows: list[tuple[str, str, date, int]]) -> pd.DataFrame:
    """(region, isco08, date posted, how many) -> distinct, non-duplicate postings."""
    out = []
    for region, isco, posted, count in rows:
        for i in range(count):
            vid = f"{region}-{isco}-{posted:%Y%m%d}-{i}"
            out.append({
                "vacancy_id": vid, "source": "test", "source_id": vid, "title": f"job {isco}",
                "date_posted": posted, "region_code": region, "country_code": "SN",
                "isco08": isco, "isco_confidence": 1.0, "isco_method": "given",
                "content_hash": vid, "cluster_id": vid, "is_duplicate": False,
                "first_seen_at": datetime.combine(posted, datetime.min.time()),
                "last_seen_at": datetime.combine(posted, datetime.min.time()),
                "loaded_run_id": "given",
            })
    return pd.DataFrame(out)


def _jobseekers(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """(region, isco08, jobseekers) registered in 2026Q3."""
    return pd.DataFrame([{
        "obs_key": f"{region}-{isco}", "release": "r1", "indicator": "JSK_REG_OCU",
        "ref_area": region, "country_code": "SN", "region_code": region,
        "time_period": "2026-Q3", "period_type": "Q", "period_start": date(2026, 7, 1),
        "period_end": date(2026, 9, 30), "isco08": isco, "isco_level": 4, "obs_value": value,
        "unit_mult": 0, "source": "test", "is_current": True, "loaded_run_id": "given",
    } for region, isco, value in rows])


def _returnees(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    """(region, isco08 abroad, how many) first registered in 2026Q3."""
    out = []
    for region, isco, count in rows:
        for i in range(count):
            out.append({"person_key": f"{region}-{isco}-{i}", "sex": "F" if i % 2 else "M",
                        "isco08_abroad": isco, "region_code": region, "wants_job": True,
                        "wants_training": False, "wants_business": False,
                        "first_registered_at": date(2026, 7, 10),
                        "registered_at": date(2026, 7, 10), "loaded_run_id": "given"})
    return pd.DataFrame(out)


def model_params(method, run_id: str = "unit-run") -> dict:
    return {**method.sql_params(), "run_id": run_id, "currency": "XOF", "as_of_date": AS_OF,
            "open_since_date": AS_OF - timedelta(days=method.open_days_without_closing)}


def given_warehouse(url: str) -> sa.Engine:
    engine = get_engine(url)
    init_warehouse(engine, "SN")
    vacancies = _vacancies([
        ("SN-DK", "2512", NOW_Q, 12), ("SN-DK", "2512", YEAR_AGO_Q, 6),   # shortage
        ("SN-DK", "7112", NOW_Q, 2), ("SN-DK", "7112", YEAR_AGO_Q, 10),   # surplus
        ("SN-DK", "4110", NOW_Q, 5), ("SN-DK", "4110", YEAR_AGO_Q, 5),    # balanced
        ("SN-DK", "5120", NOW_Q, 3),                                     # no assessment
    ])
    jobseekers = _jobseekers([("SN-DK", "2512", 4), ("SN-DK", "7112", 40),
                              ("SN-DK", "4110", 10), ("SN-DK", "5120", 1)])
    survey = pd.DataFrame([{
        "quarter": "2026Q3", "region_code": "SN-DK", "isco08": "2512", "vacancies": 20.0,
        "hard_to_fill": 12.0, "hard_to_fill_rate": 0.6, "fill_rate": 0.4,
        "suitable_applicants_per_vacancy": 0.5, "skill_gap_share": 0.7, "respondents": 6,
        "cv": 0.1, "is_reliable": True,
    }])
    returnees = _returnees([("SN-DK", "2512", 3), ("SN-DK", "2511", 6), ("SN-DK", "2513", 8),
                            ("SN-TH", "2512", 7)])
    with engine.begin() as conn:
        bulk_insert(conn, "core", "vacancies", vacancies)
        bulk_insert(conn, "core", "labour_observations", jobseekers)
        bulk_insert(conn, "core", "indicator_roles",
                    pd.DataFrame([{"indicator": "JSK_REG_OCU", "role": "jobseekers"}]))
        bulk_insert(conn, "core", "survey_estimates", survey)
        bulk_insert(conn, "core", "returnee_profiles", returnees)
        bulk_insert(conn, "core", "vacancy_skills", pd.DataFrame([   # for skills_demand
            {"vacancy_id": vid, "skill_uri": SKILL_URI}
            for vid in vacancies["vacancy_id"] if vid.startswith("SN-DK-2512-2026")]))
    return engine


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse_url(request, tmp_path) -> str:
    """The same SQL on both engines: DuckDB in a temp dir, a scratch PostgreSQL database."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    return request.getfixturevalue("pg_url")


def build(url: str, *, adjust: str | None = None) -> dict[tuple[str, str, str], dict]:
    engine = given_warehouse(url)
    if adjust:
        with engine.begin() as conn:
            conn.execute(sa.text(adjust))
    method = load_method(PACKAGE_CONFIG_DIR / "method.yml")
    build_layers(engine, model_params(method), ["intermediate", "marts", "published"])
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select * from core.pub_skills_gap")).mappings().all()
        lists = {name: [tuple(r) for r in conn.execute(sa.text(
            "select region_code, isco08, rank, rating, is_latest_quarter "
            f"from core.pub_{name}_occupations where quarter = '2026Q3' and isco_level = 4 "
            "order by region_code, rank"))] for name in ("shortage", "surplus")}
    engine.dispose()
    get_engine.cache_clear()
    cells = {(r["quarter"], r["region_code"], r["isco08"]): dict(r) for r in rows}
    cells["lists"] = lists
    return cells


@pytest.fixture
def built(warehouse_url) -> dict:
    return build(warehouse_url)


def test_clear_shortage(built):
    row = built[("2026Q3", "SN-DK", "2512")]
    # 12 new vacancies / 4 jobseekers = 3.0 > 1.0; (12 - 6) / 6 = +100% > 15%;
    # 60% hard to fill > 45%; 40% filled < 55%; 70% report missing skills > 50%.
    assert row["vacancies_new"] == 12 and row["vacancies_new_prev_year"] == 6
    assert row["tightness"] == pytest.approx(3.0)
    assert row["vacancies_yoy"] == pytest.approx(1.0)
    assert (row["shortage_signals"], row["surplus_signals"], row["indicators_available"]) \
        == (5, 0, 5)
    assert row["rating"] == "major_shortage"
    assert row["evidence"] == (
        "tight: 3.00 new vacancies per registered jobseeker; vacancies up 100% on a year "
        "earlier; 60% of surveyed vacancies hard to fill; employers filled only 40% of "
        "vacancies; 70% of employers report missing skills")
    assert row["survey_respondents"] == 6 and row["is_reliable"] is True
    assert row["method_version"] == "2026.1" and row["run_id"] == "unit-run"


def test_clear_surplus(built):
    row = built[("2026Q3", "SN-DK", "7112")]
    # 2 / 40 = 0.05 < 0.33; (2 - 10) / 10 = -80% < -15%: two surplus signals, net -2.
    assert row["tightness"] == pytest.approx(0.05)
    assert row["vacancies_yoy"] == pytest.approx(-0.8)
    assert (row["shortage_signals"], row["surplus_signals"], row["indicators_available"]) \
        == (0, 2, 2)
    assert row["rating"] == "surplus"
    assert row["evidence"] == ("slack: 0.05 new vacancies per registered jobseeker; "
                               "vacancies down 80% on a year earlier")


def test_balanced(built):
    row = built[("2026Q3", "SN-DK", "4110")]
    # 5 / 10 = 0.5 (between 0.33 and 1.0); 5 then and now: 0% change. Two indicators, no signal.
    assert row["tightness"] == pytest.approx(0.5) and row["vacancies_yoy"] == pytest.approx(0.0)
    assert (row["shortage_signals"], row["surplus_signals"], row["indicators_available"]) \
        == (0, 0, 2)
    assert row["rating"] == "balanced"
    assert row["evidence"] == "all 2 available indicators within their thresholds"


def test_no_assessment_despite_a_shortage_signal(built):
    row = built[("2026Q3", "SN-DK", "5120")]
    # 3 / 1 = 3.0 signals shortage, but no vacancies a year earlier (0 < 3 needed for a
    # change) and no survey: one indicator, two needed.
    assert row["vacancies_new_prev_year"] == 0 and row["vacancies_yoy"] is None
    assert row["indicators_available"] == 1 and row["shortage_signals"] == 1
    assert row["rating"] == "no_assessment" and row["is_reliable"] is False
    assert row["evidence"] == ("tight: 3.00 new vacancies per registered jobseeker; "
                               "only 1 indicator(s) available; at least 2 needed")


def test_national_row_adds_up_the_regions(built):
    row = built[("2026Q3", "SN", "2512")]
    assert row["is_national"] is True and row["vacancies_new"] == 12
    assert row["jobseekers"] == pytest.approx(4.0)
    # No national survey estimate: tightness and yoy only, both signalling shortage.
    assert (row["indicators_available"], row["shortage_signals"]) == (2, 2)
    assert row["rating"] == "shortage"


def test_returnee_cell_suppressed_with_its_secondary_suppressions(built):
    """Returnees first registered in 2026Q3 (threshold 5 persons), by hand:

    Dakar: 2511 = 6, 2512 = 3, 2513 = 8 (sub-major 25 = 17); Thiès: 2512 = 7 (25 = 7);
    nation: 2511 = 6, 2512 = 10, 2513 = 8, 25 = 24.
    1. Dakar 2512 = 3 < 5: primary.
    2. Dakar 25 group has one hidden cell: its smallest other, Dakar 2511 (6), is hidden;
       the regions of 2512 have one hidden cell: Thiès 2512 (7) is hidden.
    3. Thiès 25 = 7 would give Thiès 2512 away: Thiès 25 is hidden; nation 2511 = 6 would
       give Dakar 2511 away (its only region): nation 2511 is hidden.
    4. Regions of 25 (nation 24, Dakar 17, Thiès hidden): Dakar 25 is hidden; nation's 25
       group (24 = 6 hidden + 10 + 8): nation 2513 (8) is hidden.
    5. Nation 2513 = Dakar 2513 (its only region): Dakar 2513 is hidden.
    Published: nation 2512 = 10 and nation 25 = 24 only; from these nothing hidden follows.
    """
    published = {("SN", "2512"): 10, ("SN", "25"): 24}
    hidden = [("SN-DK", "2512"), ("SN-DK", "2511"), ("SN-TH", "2512"), ("SN-TH", "25"),
              ("SN", "2511"), ("SN-DK", "25"), ("SN", "2513"), ("SN-DK", "2513")]
    for (region, isco), count in published.items():
        row = built[("2026Q3", region, isco)]
        assert (row["returnees_registered"], row["is_returnees_suppressed"]) == (count, False), \
            (region, isco)
    for region, isco in hidden:
        row = built[("2026Q3", region, isco)]
        assert row["returnees_registered"] is None, (region, isco)
        assert row["is_returnees_suppressed"] is True, (region, isco)
    # Cells without returnees are zeros, not suppressed.
    row = built[("2026Q3", "SN-DK", "7112")]
    assert (row["returnees_registered"], row["is_returnees_suppressed"]) == (0, False)


def test_survey_cell_of_too_few_firms_is_hidden(warehouse_url):
    cells = build(warehouse_url, adjust="update core.survey_estimates set respondents = 2")
    row = cells[("2026Q3", "SN-DK", "2512")]
    # 2 firms < 3: every survey value hidden and flagged; tightness and yoy remain (2 signals).
    assert row["survey_respondents"] is None and row["is_survey_respondents_suppressed"]
    assert row["hard_to_fill_rate"] is None and row["fill_rate"] is None
    assert row["skill_gap_rate"] is None and row["survey_vacancies"] is None
    assert (row["indicators_available"], row["shortage_signals"]) == (2, 2)
    assert row["rating"] == "shortage"


def test_shortage_and_surplus_lists(built):
    assert built["lists"]["shortage"] == [
        ("SN", "2512", 1, "shortage", True),
        ("SN-DK", "2512", 1, "major_shortage", True),
    ]
    assert built["lists"]["surplus"] == [("SN", "7112", 1, "surplus", True),
                                         ("SN-DK", "7112", 1, "surplus", True)]
