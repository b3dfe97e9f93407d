"""Deduplication by blocks (what ``deduplicate`` streams) finds the clusters assign_clusters finds."""

from __future__ import annotations

import random

import pandas as pd

from etl.normalise.dedup import assign_clusters
from etl.pipelines.vacancies import _block_keys, _cluster_block, _merge_clusters

TITLES = ["Comptable", "Chauffeur poids lourd", "Développeur Python", "Infirmier",
          "Comptable confirmé", "Agent de sécurité", "Maçon", "Caissière"]
EMPLOYERS = ["Sahel Logistique SARL", "SAHEL LOGISTIQUE", "Baobab Santé SA", "Teranga BTP",
             None]
DESCRIPTIONS = [
    "Tenue de la comptabilité générale, rapprochements bancaires, déclarations fiscales.",
    "Conduite de camions sur les axes nationaux, entretien du véhicule, livraisons.",
    "Soins aux patients, suivi des dossiers, gardes de nuit et de week-end.",
    "Surveillance des locaux, rondes, contrôle des accès, rapports d'incident.",
]


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        title = rng.choice(TITLES)
        title = rng.choice([title, title.upper(), title + " H/F", "Recrute : " + title])
        rows.append({
            "vacancy_id": f"v{i:04d}", "source": rng.choice(["a", "b", "c"]),
            "source_id": str(i), "url": f"https://x.example/{i}", "title": title,
            "employer_name": rng.choice(EMPLOYERS),
            "region_code": rng.choice(["SN-DK", "SN-TH", None]),
            "country_code": "SN", "locality": rng.choice(["Dakar", "Thiès", None]),
            "date_posted": f"2026-0{rng.randint(1, 3)}-{rng.randint(10, 28)}",
            "description_text": rng.choice(DESCRIPTIONS) + " " + str(rng.randint(1, 3)),
        })
    return pd.DataFrame(rows)


def _partition(ids: pd.Series, clusters: pd.Series) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for vid, cid in zip(ids, clusters, strict=True):
        groups.setdefault(cid, set()).add(vid)
    return {frozenset(g) for g in groups.values()}


def _by_blocks(frame: pd.DataFrame, window_days: int) -> pd.Series:
    keys = _block_keys(frame)
    work = frame.assign(block_key=keys["block_key"], title_key=keys["title_key"])
    cluster = pd.Series(work["vacancy_id"].to_numpy(), index=work.index)
    for key, block in work.groupby("block_key"):
        if not key:
            continue
        block = block.sort_values(["date_posted", "vacancy_id"])
        cluster.loc[block.index] = _cluster_block(block, window_days=window_days)
    return cluster


def test_blocks_give_the_clusters_of_assign_clusters() -> None:
    for seed in range(5):
        frame = _frame(300, seed)
        expected = assign_clusters(frame, window_days=30)
        found = _by_blocks(frame, 30)
        assert _partition(frame["vacancy_id"], found) == \
            _partition(frame["vacancy_id"], expected["cluster_id"]), seed
        assert expected["is_duplicate"].sum() > 20  # the data do hold duplicates


def test_cluster_id_is_the_earliest_posting() -> None:
    frame = _frame(300, 11)
    found = _by_blocks(frame, 30)
    dated = frame.assign(cluster=found)
    for cluster_id, members in dated.groupby("cluster"):
        first = members.sort_values(["date_posted", "vacancy_id"])["vacancy_id"].iloc[0]
        assert cluster_id == first


def test_postings_without_employer_are_never_near_matched() -> None:
    frame = _frame(200, 3)
    keys = _block_keys(frame)
    assert (keys.loc[frame["employer_name"].isna(), "block_key"] == "").all()
    assert (keys.loc[frame["employer_name"].notna(), "block_key"] != "").any()


def test_url_links_merge_clusters_transitively() -> None:
    links = pd.DataFrame({"url": ["u1", "u1", "u2", "u2", "u3"],
                          "cluster_id": ["c3", "c2", "c2", "c1", "c9"]})
    merged = _merge_clusters(links)
    assert merged["c1"] == merged["c2"] == merged["c3"]
    assert merged["c9"] == "c9"
