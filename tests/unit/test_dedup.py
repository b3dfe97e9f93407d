"""assign_clusters: exact and near-duplicate vacancies kept as clusters."""

from __future__ import annotations

import random
import re
import time

import pandas as pd
import pytest

from etl.normalise.blocking import _fold, employer_key, folded_prefix
from etl.normalise.dedup import assign_clusters, duplicate_share
from etl.normalise.text import word_runs

DESC = ("Tenue de la comptabilité générale, rapprochements bancaires, déclarations fiscales "
        "et sociales, participation à la clôture annuelle.")


def row(source: str, source_id: str, title: str, employer: str = "Sahel Logistique",
        region: str = "SN-DK", posted: str = "2026-08-20", url: str | None = None,
        description: str = DESC) -> dict:
    return {"source": source, "source_id": source_id,
            "url": url or f"https://{source}.example/jobs/{source_id}", "title": title,
            "employer_name": employer, "region_code": region, "country_code": "SN",
            "locality": None, "date_posted": posted, "description_text": description}


def clusters(rows: list[dict], **kwargs) -> pd.DataFrame:
    return assign_clusters(pd.DataFrame(rows), **kwargs)


def same(df: pd.DataFrame, i: int, j: int) -> bool:
    return df.loc[i, "cluster_id"] == df.loc[j, "cluster_id"]


def test_same_source_and_id_is_one_cluster() -> None:
    df = clusters([row("a", "1", "Comptable"), row("a", "1", "Comptable (mis à jour)",
                                                   url="https://a.example/other")])
    assert same(df, 0, 1) and df["is_duplicate"].tolist() == [False, True]


def test_same_canonical_url_is_one_cluster() -> None:
    df = clusters([
        row("a", "1", "Cook", employer="X", url="https://Jobs.example/o/1?utm_source=fb"),
        row("b", "9", "Chef cuisinier", employer="Y", url="https://jobs.example/o/1#apply"),
    ])
    assert same(df, 0, 1)


def test_near_duplicate_across_boards() -> None:
    df = clusters([
        row("board_a", "1", "Comptable H/F", employer="Sahel Logistique SARL", posted="2026-08-20"),
        row("board_b", "77", "COMPTABLE", employer="SAHEL LOGISTIQUE S.A.R.L.",
            posted="2026-08-22"),
        row("pes", "P-3", "Comptable", employer="Sahel Logistique", posted="2026-09-10"),
    ])
    assert df["cluster_id"].nunique() == 1
    assert df["is_duplicate"].tolist() == [False, True, True]  # earliest posting represents


@pytest.mark.parametrize(("change", "why"), [
    ({"region": "SN-TH"}, "another region"),
    ({"employer": "Transports Ndiaye"}, "another employer"),
    ({"posted": "2026-10-15"}, "outside the window"),
    ({"title": "Chauffeur poids lourd"}, "another job"),
    ({"description": "Conduite de camions sur l'axe Dakar-Bamako, entretien du véhicule."},
     "another description"),
])
def test_not_merged(change: dict, why: str) -> None:
    base = dict(source="b", source_id="2", title="Comptable")
    df = clusters([row("a", "1", "Comptable"), row(**{**base, **change})])
    assert not same(df, 0, 1), why
    assert not df["is_duplicate"].any()


def test_missing_description_relies_on_title_and_missing_employer_is_exact_only() -> None:
    df = clusters([row("a", "1", "Comptable"), row("b", "2", "Comptable", description=None)])
    assert same(df, 0, 1)
    df = clusters([row("a", "1", "Boulanger", employer=None),
                   row("b", "2", "Boulanger", employer=None)])
    assert not same(df, 0, 1)


def test_window_and_threshold_are_parameters() -> None:
    rows = [row("a", "1", "Comptable", posted="2026-08-01"),
            row("b", "2", "Comptable", posted="2026-08-20")]
    assert same(clusters(rows, window_days=30), 0, 1)
    assert not same(clusters(rows, window_days=7), 0, 1)
    rows = [row("a", "1", "Comptable principal"), row("b", "2", "Comptable")]
    assert not same(clusters(rows, title_threshold=0.95), 0, 1)


def test_region_falls_back_to_country_and_locality() -> None:
    a = row("a", "1", "Comptable", region=None)
    b = row("b", "2", "Comptable", region=None)
    c = row("c", "3", "Comptable", region=None)
    a["locality"], b["locality"], c["locality"] = "Mbour", "MBOUR", "Kaolack"
    df = clusters([a, b, c])
    assert same(df, 0, 1) and not same(df, 0, 2)


def test_cluster_ids_are_deterministic_and_independent_of_row_order() -> None:
    rows = [row("a", "1", "Comptable", posted="2026-08-20"),
            row("b", "2", "Comptable", posted="2026-08-21"),
            row("c", "3", "Chauffeur", employer="T", posted="2026-08-21")]
    first = clusters(rows).set_index("source_id")
    second = clusters(list(reversed(rows))).set_index("source_id")
    pd.testing.assert_series_equal(first["cluster_id"], second["cluster_id"].loc[first.index])
    assert first.loc["1", "is_duplicate"] == second.loc["1", "is_duplicate"] == False  # noqa: E712


def test_input_index_and_columns_are_kept() -> None:
    df = pd.DataFrame([row("a", "1", "x"), row("a", "2", "y")], index=[10, 20])
    df["extra"] = [1, 2]
    out = assign_clusters(df)
    assert list(out.index) == [10, 20] and "extra" in out.columns
    assert "cluster_id" not in df.columns  # the input is not modified


def test_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match="employer_name"):
        assign_clusters(pd.DataFrame([{"source": "a", "source_id": "1", "url": None,
                                       "title": "x", "date_posted": None}]))


def test_empty_frame() -> None:
    out = assign_clusters(pd.DataFrame(columns=["source", "source_id", "url", "title",
                                                "employer_name", "date_posted"]))
    assert len(out) == 0 and "cluster_id" in out.columns
    assert duplicate_share(out) == 0.0


def test_employer_key() -> None:
    assert employer_key("Sonatel S.A.") == employer_key("SONATEL SA") == "sonatel"
    assert employer_key("Société Générale Sénégal") == "societe generale senegal"


def test_planted_duplicate_share_is_recovered_at_scale() -> None:
    """20,000 postings with a known share of reposts: found within 2 points, quickly.

    Many employers post similar titles (the hard case for near-dedup): each
    original gets 0–3 reposts on other sources, with the title noise real
    boards add (gender markers, case, reference numbers) and a few days' delay.
    """
    rng = random.Random(7)
    titles = ["Comptable", "Chauffeur poids lourd", "Infirmier", "Développeur web",
              "Vendeur en boutique", "Agent de sécurité", "Électricien bâtiment", "Maçon",
              "Assistant de direction", "Technicien de maintenance", "Caissier", "Magasinier"]
    words = ["gestion", "suivi", "clients", "stocks", "rapports", "équipe", "chantier", "sécurité", "ventes", "comptabilité", "maintenance", "livraison", "accueil", "planning", "qualité"]
    regions = ["SN-DK", "SN-TH", "SN-SL", "SN-DB", "SN-KL", "SN-ZG"]
    rows, planted = [], 0
    for n in range(8_000):
        employer = f"Entreprise {n % 900}"
        title = rng.choice(titles)
        region = rng.choice(regions)
        day = rng.randrange(0, 360)
        description = " ".join(rng.choice(words) for _ in range(40))
        posted = (pd.Timestamp("2026-01-01") + pd.Timedelta(days=day)).date().isoformat()
        rows.append(row("pes", f"o{n}", title, employer, region, posted,
                        description=description))
        for k in range(rng.choice([0, 0, 1, 1, 2, 3])):
            planted += 1
            noisy = rng.choice([f"{title} H/F", title.upper(), f"{title} - Réf. {n}{k}", title])
            repost = (pd.Timestamp(posted) + pd.Timedelta(days=rng.randrange(0, 10)))
            rows.append(row(f"board_{k}", f"r{n}-{k}", noisy, employer.upper(), region,
                            repost.date().isoformat(), description=description))
    while len(rows) < 20_000:  # pad with distinct originals
        n = len(rows)
        rows.append(row("pes", f"x{n}", f"Poste {n}", f"Autre {n}", "SN-DK", "2026-06-01",
                        description=f"description {n}"))
    df = pd.DataFrame(rows[:20_000])
    planted_share = planted / len(rows)
    started = time.perf_counter()
    out = assign_clusters(df)
    elapsed = time.perf_counter() - started
    found = duplicate_share(out)
    print(f"planted {planted_share:.4f} found {found:.4f} in {elapsed:.2f}s")
    assert abs(found - planted_share) <= 0.02, (found, planted_share)
    assert elapsed < 60, f"took {elapsed:.1f}s"


def test_folded_prefix_is_the_prefix_of_the_whole_fold() -> None:
    # Descriptions are folded only as far as the comparison reads; that must give what
    # folding all of them gives, wherever the cut falls (in a word, in a run of blanks
    # or punctuation, between a letter and its accent).
    rng = random.Random(3)
    pool = [*"abcdeXYZ0189", " ", "  ", "\n", "-", "’", "'", ",.;", "é", "E\u0301", "ﬁ", "ß",
            "\u05d0\u05b0", "\u0430", "İ", "\u00a0", "<b>", "Ingénieur "]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randrange(0, 400))) for _ in range(3000)]
    for chars in (1, 7, 50, 150, 1500):
        assert [t for t in texts if folded_prefix(t, chars) != _fold(t)[:chars]] == []
    assert folded_prefix(None, 10) == "" and folded_prefix(float("nan"), 10) == ""


def test_word_runs_is_the_regular_expression_it_replaces() -> None:
    rng = random.Random(4)
    pool = [*"abz09 \t\n-_'.,;:!?/", "\u00e9", "\u0430", "\u00a0", "\ud800", "\U0001f600"]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randrange(0, 60))) for _ in range(5000)]
    assert [t for t in texts if word_runs(t) != re.sub(r"[^a-z0-9]+", " ", t).strip()] == []


def test_region_key_of_one_posting_is_the_frames_region_key():
    """Records prepared in workers are keyed one by one (etl.normalise.blocking); the rules
    on a frame use _region_keys. Both must give the same region for the same posting."""
    from etl.normalise.blocking import region_key
    from etl.normalise.dedup import _region_keys

    frame = pd.DataFrame({
        "region_code": ["SN-DK", None, None, "", None, float("nan")],
        "country_code": ["SN", "SN", None, "SN", "SN", "SN"],
        "locality": ["Dakar", "Thiès Ville", "Saint-Louis", "  ", None, "Kaolack"],
    })
    expected = _region_keys(frame).tolist()
    got = [region_key(r, c, loc) for r, c, loc in
           zip(frame["region_code"], frame["country_code"], frame["locality"], strict=True)]
    assert got == expected
    assert got[0] == "SN-DK" and got[1] == "SN|thies ville" and got[2] == "|saint louis"
    assert got[3] == "" and got[4] == ""
