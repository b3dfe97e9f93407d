"""published.skills_demand on generated postings, against its definition worked out in pandas.

The model counts with sums over regions instead of distinct counts per cell; this
checks it gives the definition's rows: per quarter x region (and the nation) x
unit group, the skills most asked by distinct non-duplicate postings, their share
of the cell's postings, top 10 by count then skill. The postings include the
awkward ones: no region (the nation only), the nation's own code as region
(counted once in the nation), duplicates and unclassified postings (not counted).
"""

from __future__ import annotations

import random
from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.config.method import load_method
from etl.config.sources import PACKAGE_CONFIG_DIR
from etl.warehouse.bulk import bulk_insert
from etl.warehouse.connection import get_engine
from etl.warehouse.models import build_layers
from etl.warehouse.setup import init_warehouse

REGIONS = ["SN-DK", "SN-TH", "SN-SL", None, "SN"]
ISCO = ["2512", "7112", "4110", None]
#: A unit group of three postings: its cells have three skills asked by 3, 1 and 1 of them,
#: fewer than ten (five in opportunities), so all are ranked, not only the most asked.
RARE_ISCO = "2611"
RARE_SKILLS = [[0, 1], [0], [0, 2]]
SKILLS = [f"http://data.europa.eu/esco/skill/s{n:02d}" for n in range(14)]


def _postings(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = random.Random(seed)
    rows, pairs = [], []
    for i in range(n):
        vid = f"v{i:05d}"
        posted = date(2026, rng.choice([4, 5, 8, 9]), rng.randint(1, 28))
        duplicate = rng.random() < 0.1
        rows.append({
            "vacancy_id": vid, "source": "test", "source_id": vid, "title": "job",
            "date_posted": posted, "region_code": rng.choice(REGIONS), "country_code": "SN",
            "isco08": rng.choice(ISCO), "isco_confidence": 1.0, "isco_method": "given",
            "content_hash": vid, "cluster_id": "v00000" if duplicate else vid,
            "is_duplicate": duplicate,
            "first_seen_at": datetime.combine(posted, datetime.min.time()),
            "last_seen_at": datetime.combine(posted, datetime.min.time()),
            "loaded_run_id": "given",
        })
        # Skew: low-numbered skills are asked more often, so the top 10 cut matters.
        for skill in SKILLS:
            if rng.random() < 0.6 / (1 + SKILLS.index(skill) / 4):
                pairs.append({"vacancy_id": vid, "skill_uri": skill})
    for i, skills in enumerate(RARE_SKILLS):
        vid = f"r{i:05d}"
        posted = datetime(2026, 9, 10 + i)
        rows.append({**rows[0], "vacancy_id": vid, "source_id": vid, "content_hash": vid,
                     "cluster_id": vid, "is_duplicate": False, "isco08": RARE_ISCO,
                     "region_code": "SN-DK", "date_posted": posted.date(),
                     "first_seen_at": posted, "last_seen_at": posted})
        pairs.extend({"vacancy_id": vid, "skill_uri": SKILLS[n]} for n in skills)
    return pd.DataFrame(rows), pd.DataFrame(pairs)


def _expected(postings: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """The definition: distinct postings per cell, the nation holding every posting once."""
    counted = postings[~postings["is_duplicate"] & postings["isco08"].notna()].copy()
    counted["quarter"] = [f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in counted["date_posted"]]
    regional = counted[counted["region_code"].notna()]
    cells = pd.concat([regional[["quarter", "region_code", "isco08", "vacancy_id"]],
                       counted[["quarter", "isco08", "vacancy_id"]].assign(region_code="SN")]
                      ).drop_duplicates()
    totals = cells.groupby(["quarter", "region_code", "isco08"]).size().rename("vacancies")
    mentions = (cells.merge(pairs, on="vacancy_id")
                .groupby(["quarter", "region_code", "isco08", "skill_uri"])["vacancy_id"]
                .nunique().rename("vacancies_mentioning").reset_index())
    mentions = mentions.join(totals, on=["quarter", "region_code", "isco08"])
    mentions["share_of_vacancies"] = mentions["vacancies_mentioning"] / mentions["vacancies"]
    mentions = mentions.sort_values(["quarter", "region_code", "isco08",
                                     "vacancies_mentioning", "skill_uri"],
                                    ascending=[True, True, True, False, True])
    mentions["rank"] = mentions.groupby(["quarter", "region_code", "isco08"]).cumcount() + 1
    return mentions[mentions["rank"] <= 10].drop(columns="vacancies")


def _top_skills(postings: pd.DataFrame, pairs: pd.DataFrame) -> dict[tuple[str, str], str]:
    """published.opportunities.top_skills by definition: per region x unit group, the five
    skills most asked by the regional postings of the last four quarters (ties by label;
    these skills have no label, so the label is the URI)."""
    counted = postings[~postings["is_duplicate"] & postings["isco08"].notna()].copy()
    counted["quarter_index"] = [d.year * 4 + (d.month - 1) // 3 for d in counted["date_posted"]]
    latest = counted["quarter_index"].max()
    recent = counted[counted["region_code"].notna() & (counted["quarter_index"] > latest - 4)]
    asked = (recent.merge(pairs, on="vacancy_id").groupby(["region_code", "isco08", "skill_uri"])
             .size().rename("n").reset_index()
             .sort_values(["region_code", "isco08", "n", "skill_uri"],
                          ascending=[True, True, False, True]))
    return {key: "; ".join(group["skill_uri"].head(5))
            for key, group in asked.groupby(["region_code", "isco08"])}


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse_url(request, tmp_path) -> str:
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    return request.getfixturevalue("pg_url")


def test_skills_demand_matches_its_definition(warehouse_url: str) -> None:
    postings, pairs = _postings(1500, seed=7)
    engine = get_engine(warehouse_url)
    init_warehouse(engine, "SN")
    with engine.begin() as conn:
        bulk_insert(conn, "core", "vacancies", postings)
        bulk_insert(conn, "core", "vacancy_skills", pairs)
    method = load_method(PACKAGE_CONFIG_DIR / "method.yml")
    params = {**method.sql_params(), "run_id": "unit", "currency": "XOF",
              "as_of_date": date(2026, 9, 30), "open_since_date": date(2026, 8, 1)}
    build_layers(engine, params, ["intermediate", "marts", "published"])
    with engine.connect() as conn:
        found = pd.read_sql(sa.text("select quarter, region_code, isco08, skill_uri, "
                                    "vacancies_mentioning, share_of_vacancies, rank "
                                    "from core.pub_skills_demand"), conn)
        top = pd.read_sql(sa.text("select region_code, isco08, top_skills "
                                  "from core.pub_opportunities"), conn)
    key = ["quarter", "region_code", "isco08", "rank"]
    expected = _expected(postings, pairs).sort_values(key).reset_index(drop=True)
    found = found.sort_values(key).reset_index(drop=True)
    assert len(expected) > 200 and (expected["rank"] == 10).any()
    # Both kinds of cell: cut at ten, and with fewer than ten skills (all ranked).
    deepest = expected.groupby(["quarter", "region_code", "isco08"])["rank"].max()
    assert (deepest == 10).any() and (deepest < 10).any()
    assert set(expected["region_code"]) == {"SN-DK", "SN-TH", "SN-SL", "SN"}
    pd.testing.assert_frame_equal(found[expected.columns], expected, check_dtype=False)
    # published.opportunities ranks the same mentions over the last four quarters.
    defined = _top_skills(postings, pairs)
    assert len(top) > 5 and top["top_skills"].notna().sum() > 5
    assert defined[("SN-DK", RARE_ISCO)] == "; ".join(SKILLS[:3])
    assert {(r.region_code, r.isco08): r.top_skills for r in top.itertuples()} == {
        (r.region_code, r.isco08): defined.get((r.region_code, r.isco08))
        for r in top.itertuples()}
