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
from etl.warehouse.models import build_layers, build_table
from etl.warehouse.setup import init_warehouse
from etl.warehouse.skill_counts import maintain_skill_counts

REGIONS = ["SN-DK", "SN-TH", "SN-SL", None, "SN"]
ISCO = ["2512", "7112", "4110", None]
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


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse_url(request, tmp_path) -> str:
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    return request.getfixturevalue("pg_url")


def _top_skills(postings: pd.DataFrame, pairs: pd.DataFrame) -> dict[tuple[str, str], str]:
    """published.opportunities.top_skills by definition: per region x unit group, the five
    skills most asked by the regional postings of the last four quarters (ties by label;
    these skills have no label, so the label is the URI)."""
    counted = postings[~postings["is_duplicate"] & postings["isco08"].notna()
                       & postings["region_code"].notna()].copy()
    counted["quarter_index"] = [d.year * 4 + (d.month - 1) // 3 for d in counted["date_posted"]]
    latest = max(d.year * 4 + (d.month - 1) // 3 for d in
                 postings.loc[~postings["is_duplicate"] & postings["isco08"].notna(),
                              "date_posted"])
    recent = counted[counted["quarter_index"] > latest - 4]
    asked = (recent.merge(pairs, on="vacancy_id").groupby(["region_code", "isco08", "skill_uri"])
             .size().rename("n").reset_index()
             .sort_values(["region_code", "isco08", "n", "skill_uri"],
                          ascending=[True, True, False, True]))
    return {key: "; ".join(group["skill_uri"].head(5))
            for key, group in asked.groupby(["region_code", "isco08"])}


def _build(engine) -> None:
    method = load_method(PACKAGE_CONFIG_DIR / "method.yml")
    params = {**method.sql_params(), "run_id": "unit", "currency": "XOF",
              "as_of_date": date(2026, 9, 30), "open_since_date": date(2026, 8, 1)}
    build_layers(engine, params, ["intermediate", "marts", "published"])


def _assert_published_as_defined(engine, postings: pd.DataFrame, pairs: pd.DataFrame) -> None:
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
    assert set(expected["region_code"]) == {"SN-DK", "SN-TH", "SN-SL", "SN"}
    pd.testing.assert_frame_equal(found[expected.columns], expected, check_dtype=False)
    defined = _top_skills(postings, pairs)
    assert len(top) > 5 and top["top_skills"].notna().sum() > 5
    assert {(r.region_code, r.isco08): r.top_skills for r in top.itertuples()} == {
        (r.region_code, r.isco08): defined.get((r.region_code, r.isco08))
        for r in top.itertuples()}


def _load(engine, postings: pd.DataFrame, pairs: pd.DataFrame) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("delete from core.vacancy_skills"))
        conn.execute(sa.text("delete from core.vacancies"))
        bulk_insert(conn, "core", "vacancies", postings)
        bulk_insert(conn, "core", "vacancy_skills", pairs)


def test_skills_demand_matches_its_definition(warehouse_url: str) -> None:
    postings, pairs = _postings(1500, seed=7)
    engine = get_engine(warehouse_url)
    init_warehouse(engine, "SN")
    _load(engine, postings, pairs)
    _build(engine)
    _assert_published_as_defined(engine, postings, pairs)


def _changed(postings: pd.DataFrame, pairs: pd.DataFrame, seed: int
             ) -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[int, str]]]:
    """The postings after a day's run: a few new, re-clustered, moved or reloaded with new
    skills (new content and run, nothing else different); and the (quarter, unit group)
    cells that any of this touched, old place and new."""
    rng = random.Random(seed)
    after = postings.copy()
    touched: set[tuple[int, str]] = set()

    def cell(row) -> tuple[int, str] | None:
        if row["is_duplicate"] or row["isco08"] is None or pd.isna(row["isco08"]):
            return None
        d = row["date_posted"]
        return (d.year * 4 + (d.month - 1) // 3, row["isco08"])

    # Changes stay within three of the six cells, so that a build which counted every
    # cell again would be told apart: moves, duplicates and reclassification in the third
    # quarter's 2512 and 7112; reloads (the content alone changed) in the second quarter's
    # 4110, which nothing else touches.
    within = ["2512", "7112"]
    moved = rng.sample([i for i, r in after.iterrows()
                        if r["date_posted"].month >= 7 and r["isco08"] in within], 30)
    reloaded = rng.sample([i for i, r in after.iterrows()
                           if r["date_posted"].month < 7 and r["isco08"] == "4110"
                           and not r["is_duplicate"]], 10)
    new_pairs = pairs.copy()
    for n, i in enumerate(moved + reloaded):
        before = cell(after.iloc[i])
        vid = after.at[i, "vacancy_id"]
        if i in reloaded:  # other skills, same place
            after.at[i, "content_hash"] = vid + "-v2"
            after.at[i, "loaded_run_id"] = "day2"
            new_pairs = pd.concat([
                new_pairs[new_pairs["vacancy_id"] != vid],
                pd.DataFrame({"vacancy_id": vid, "skill_uri": rng.sample(SKILLS, 3)})])
        elif n % 3 == 0:
            after.at[i, "region_code"] = rng.choice([r for r in REGIONS
                                                     if r != after.at[i, "region_code"]])
        elif n % 3 == 1:
            after.at[i, "is_duplicate"] = not after.at[i, "is_duplicate"]
        else:
            after.at[i, "isco08"] = next(c for c in within if c != after.at[i, "isco08"])
        touched |= {c for c in (before, cell(after.iloc[i])) if c}
    fresh, fresh_pairs = _postings(30, seed=seed + 1)
    fresh["vacancy_id"] = fresh["source_id"] = fresh["cluster_id"] = [
        f"n{i:05d}" for i in range(len(fresh))]
    fresh["is_duplicate"] = False
    fresh["isco08"] = "2512"
    fresh["date_posted"] = date(2026, 9, 15)
    fresh_pairs["vacancy_id"] = "n" + fresh_pairs["vacancy_id"].str[1:]
    touched |= {c for c in (cell(r) for _, r in fresh.iterrows()) if c}
    return (pd.concat([after, fresh], ignore_index=True),
            pd.concat([new_pairs, fresh_pairs], ignore_index=True), touched)


def test_skill_counts_are_kept_up_to_date_cell_by_cell(warehouse_url: str) -> None:
    """After a day's changes, the published skills are those of the new postings by
    definition, and only the cells the changes touched were counted again."""
    postings, pairs = _postings(1500, seed=11)
    engine = get_engine(warehouse_url)
    init_warehouse(engine, "SN")
    _load(engine, postings, pairs)
    _build(engine)
    after, after_pairs, touched = _changed(postings, pairs, seed=12)
    _load(engine, after, after_pairs)
    with engine.connect() as conn:
        all_cells = conn.execute(sa.text(
            "select count(*) from (select distinct quarter_index, isco08 "
            "from core.vacancy_skill_counts) as c")).scalar_one()
    _build(engine)
    _assert_published_as_defined(engine, after, after_pairs)
    # A build with nothing changed counts no cell again; one after the changes, exactly
    # the touched ones (fewer than all: the point of keeping the counts).
    method = load_method(PACKAGE_CONFIG_DIR / "method.yml")
    with engine.begin() as conn:
        assert maintain_skill_counts(conn) == 0
    assert 0 < len(touched) < all_cells
    _load(engine, postings, pairs)
    with engine.begin() as conn:
        build_table(conn, "intermediate", "int_vacancy_postings",
                    {**method.sql_params(), "currency": "XOF"})
        assert maintain_skill_counts(conn) == len(touched)
