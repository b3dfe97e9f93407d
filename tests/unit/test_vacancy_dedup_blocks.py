"""Deduplication by blocks (what ``deduplicate`` streams) finds the clusters assign_clusters finds."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd

from etl.normalise.dedup import assign_clusters
from etl.pipelines.vacancy_dedup import (
    _block_keys,
    _cluster_block,
    _clusters_keeping_links,
    _epoch_days,
    _merge_clusters,
    _pairs_in_window,
)

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


# ------------------------------------------- a later run: clusters of earlier runs are kept
SAME = "Tenue de la comptabilité générale, rapprochements bancaires, déclarations fiscales."
OTHER = "Conduite de camions sur les axes nationaux, entretien du véhicule, livraisons."


def _later_run(rows: list[tuple[str, int, str | None, str]], day_of: dict[str, int] | None = None
               ) -> tuple[list[str], dict[str, str]]:
    """Cluster one block of (vacancy_id, day, kept cluster or None if in the run, title)."""
    ids = [r[0] for r in rows]
    days = np.array([r[1] for r in rows])
    titles = [r[3] for r in rows]
    in_run = np.array([r[2] is None for r in rows])
    pairs = _pairs_in_window(titles, days, 30, in_run)
    descriptions = dict.fromkeys(ids, SAME)
    known = dict(zip(ids, days.tolist(), strict=True)) | (day_of or {})
    return _clusters_keeping_links(ids, days, [r[2] for r in rows], pairs, descriptions, known)


def test_a_posting_keeps_its_cluster_whose_first_posting_is_outside_the_window() -> None:
    # q (day 0, not read) and p (day 25) were one vacancy; the run brings n (day 55), the
    # same again. Read back from day 25, p must not become a cluster of its own.
    clusters, moved = _later_run([("p", 25, "q", "comptable"), ("n", 55, None, "comptable")],
                                 {"q": 0})
    assert clusters == ["q", "q"]
    assert moved == {}


def test_an_earlier_new_posting_becomes_the_first_and_members_outside_follow() -> None:
    clusters, moved = _later_run([("n", 5, None, "comptable"), ("a", 10, "a", "comptable"),
                                  ("b", 12, "a", "comptable")])
    assert clusters == ["n", "n", "n"]
    assert moved == {"a": "n"}


def test_a_new_posting_that_matches_two_clusters_merges_them_under_the_earliest() -> None:
    clusters, moved = _later_run([("x", 3, "x", "chauffeur poids lourd"),
                                  ("n", 6, None, "chauffeur poids lourd"),
                                  ("y", 8, "y", "chauffeur poids lourds")])
    assert clusters == ["x", "x", "x"]
    assert moved == {"y": "x"}


def test_old_postings_are_not_compared_again_and_stay_apart() -> None:
    # Two old postings with the same title in different clusters (their descriptions told
    # them apart when they were loaded): a run that brings an unrelated posting leaves them.
    clusters, moved = _later_run([("a", 3, "a", "comptable"), ("b", 4, "b", "comptable"),
                                  ("n", 5, None, "macon")])
    assert clusters == ["a", "b", "n"]
    assert moved == {}


def test_an_edited_first_posting_is_matched_afresh_and_its_cluster_moves_on() -> None:
    ids = ["x", "a", "b"]
    days = np.array([1, 4, 6])
    kept = [None, "x", "x"]  # x was the first; the run loaded an edited x
    pairs = _pairs_in_window(["agent de securite", "comptable", "comptable"], days, 30,
                             np.array([True, False, False]))
    clusters, moved = _clusters_keeping_links(ids, days, kept, pairs,
                                              dict.fromkeys(ids, OTHER), {})
    assert pairs == []
    assert clusters == ["x", "a", "a"]
    assert moved == {"x": "a"}


def test_pairs_of_a_later_run_are_those_of_a_full_run_that_involve_the_run() -> None:
    frame = _frame(120, 5).sort_values(["date_posted", "vacancy_id"]).reset_index(drop=True)
    titles = _block_keys(frame)["title_key"].tolist()
    days = _epoch_days(frame["date_posted"])
    in_run = np.array([i % 3 == 0 for i in range(len(frame))])
    full = set(_pairs_in_window(titles, days, 30))
    later = _pairs_in_window(titles, days, 30, in_run)
    assert len(later) == len(set(later))  # each pair once
    assert set(later) == {(a, b) for a, b in full if in_run[a] or in_run[b]}
    assert set(_pairs_in_window(titles, days, 30, np.ones(len(frame), bool))) == full
    assert len(full) > len(later) > 0
