"""ISCO-08 title classifier: behaviour on French and English titles, noise,
nonsense and declared occupational categories."""

from __future__ import annotations

import csv

import pytest

from etl.normalise.isco import (
    Classification,
    IscoClassifier,
    get_classifier,
    parse_occupational_category,
)
from etl.normalise.isco_eval import calibrate, evaluate, load_eval_set
from etl.settings import REFERENCE_DIR


@pytest.fixture(scope="module")
def clf() -> IscoClassifier:
    return get_classifier()


@pytest.mark.parametrize(
    ("title", "code"),
    [
        # French, gender forms and markers
        ("Comptable confirmé H/F", "2411"),
        ("Vendeuse", "5223"),
        ("Vendeur/Vendeuse (m/w/d)", "5223"),
        ("Caissière", "5230"),
        ("Infirmière diplômée d'état", "2221"),
        ("Assistante de direction - Réf 2023/45", "3343"),
        # abbreviations
        ("Chauffeur PL", "8332"),
        ("Responsable RH", "1212"),
        ("Ingénieur BTP", "2142"),
        # English, seniority and noise
        ("Senior Software Developer", "2512"),
        ("Accountant, chartered", "2411"),
        ("Web Developer (Remote) #8812", "2513"),
        ("ELECTRICIAN - URGENT", "7411"),
    ],
)
def test_titles_coded(clf: IscoClassifier, title: str, code: str) -> None:
    result = clf.classify(title)
    assert result.isco08 == code, result
    assert result.label == clf.structure[code]
    assert 0.0 <= result.confidence <= 1.0
    assert result.confidence >= clf.threshold


def test_misspelt_title_is_corrected_by_fuzzy_stage(clf: IscoClassifier) -> None:
    result = clf.classify("Comptabe")
    assert result.isco08 == "2411"
    assert result.method == "fuzzy"


@pytest.mark.parametrize(
    "title", ["xkcd blorf", "Offre d'emploi H/F", "", "12345", "Lorem ipsum dolor sit amet"]
)
def test_nonsense_left_unclassified(clf: IscoClassifier, title: str) -> None:
    result = clf.classify(title)
    assert result.isco08 is None
    assert result.label is None
    assert result.method == "unclassified"
    assert result.confidence < clf.threshold


def test_occupational_category_isco_code_wins(clf: IscoClassifier) -> None:
    result = clf.classify("Comptable", occupational_category="ISCO-08 7411")
    assert result == Classification("7411", clf.structure["7411"], 1.0, "occupational_category")


def test_occupational_category_soc_without_crosswalk_is_ignored(clf: IscoClassifier) -> None:
    # "15-1252.00" (O*NET-SOC) contains "1252", which must not be read as ISCO.
    result = clf.classify("Comptable", occupational_category="15-1252.00")
    assert result.isco08 == "2411"
    assert result.method != "occupational_category"


def test_occupational_category_soc_with_crosswalk() -> None:
    assert parse_occupational_category("13-2011.00", {"2411"}, {"13-2011": "2411"}) == "2411"
    assert parse_occupational_category("9999", {"2411"}) is None
    assert parse_occupational_category(None, {"2411"}) is None


def test_threshold_makes_low_confidence_unclassified() -> None:
    strict = IscoClassifier(threshold=0.99)
    assert strict.classify("Technicien de maintenance").isco08 is None
    loose = IscoClassifier(threshold=0.0)
    assert loose.classify("Technicien de maintenance").isco08 is not None


def test_classify_many_keeps_order_and_agrees_with_classify(clf: IscoClassifier) -> None:
    titles = ["Chauffeur PL", "xkcd", "Comptable H/F", "Chauffeur PL", None]
    many = clf.classify_many(titles)
    assert [r.isco08 for r in many] == ["8332", None, "2411", "8332", None]
    assert many[2] == clf.classify("Comptable H/F")


def test_description_used_when_title_says_nothing(clf: IscoClassifier) -> None:
    res = clf.classify("Offre H/F", description="Comptable. Vous tiendrez la comptabilité.")
    assert res.isco08 == "2411"
    assert res.method == "description"


def test_swappable_index_and_bad_code_rejected() -> None:
    structure = {"2": "Professionals", "24": "x", "241": "x", "2411": "Accountants"}
    small = IscoClassifier([("bean counter", "2411", 1.0)], structure=structure, soc_crosswalk={})
    assert small.classify("Bean Counter H/F").isco08 == "2411"
    with pytest.raises(ValueError, match="9999"):
        IscoClassifier([("x", "9999", 1.0)], structure=structure, soc_crosswalk={})


def test_eval_titles_not_in_dictionaries_verbatim() -> None:
    from etl.normalise.isco_supplement import SUPPLEMENT

    labels: set[str] = {t.casefold() for t, _ in SUPPLEMENT}
    for name in ("isco08_index.csv", "isco08_index_fr.csv"):
        with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                labels.add(row["title"].casefold().strip())
                labels.update(p.casefold().strip() for p in row["title"].split("/"))
    test_rows = load_eval_set(split="test")
    assert len(test_rows) >= 150
    assert {r.lang for r in test_rows} == {"en", "fr"}
    verbatim = [r.title for r in test_rows if r.title.casefold() in labels]
    assert verbatim == []


def test_eval_set_meets_acceptance_thresholds(clf: IscoClassifier) -> None:
    report = evaluate(clf, load_eval_set(split="test"))
    assert report.coverage >= 0.85
    assert report.accuracy(2) >= 0.80
    assert report.accuracy(4) >= 0.65
    assert report.accuracy(1) >= report.accuracy(2) >= report.accuracy(4)


def test_calibration_picks_a_threshold_from_the_grid(clf: IscoClassifier) -> None:
    grid = [0.3, 0.5, 0.7, 0.9]
    best, table = calibrate(clf, load_eval_set(split="dev"), grid)
    assert best in grid
    assert [t for t, _, _ in table] == grid
    coverages = [r.coverage for _, r, _ in table]
    assert coverages == sorted(coverages, reverse=True)  # stricter threshold, fewer codes
    assert clf.threshold == get_classifier().threshold  # restored
