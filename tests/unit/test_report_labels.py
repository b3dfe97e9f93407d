"""The bulletin's words: evidence translated clause by clause, numbers, suppression, quarters."""

from __future__ import annotations

import re

import pytest

from etl.report.data import ReportDataError, quarter_window
from etl.report.labels import _EVIDENCE_FR, Labels, country_name, translate_evidence
from etl.settings import sql_dir


@pytest.mark.parametrize(("english", "french"), [
    ("tight: 1.25 new vacancies per registered jobseeker",
     "marché tendu : 1,25 nouvelle(s) offre(s) par demandeur d'emploi inscrit"),
    ("slack: 0.2 new vacancies per registered jobseeker",
     "marché détendu : 0,2 nouvelle(s) offre(s) par demandeur d'emploi inscrit"),
    ("vacancies up 75% on a year earlier", "offres en hausse de 75 % sur un an"),
    ("vacancies down 38% on a year earlier", "offres en baisse de 38 % sur un an"),
    ("54% of surveyed vacancies hard to fill", "54 % des postes enquêtés difficiles à pourvoir"),
    ("only 12% of surveyed vacancies hard to fill",
     "seulement 12 % des postes enquêtés difficiles à pourvoir"),
    ("employers filled only 48% of vacancies", "les employeurs n'ont pourvu que 48 % des postes"),
    ("employers filled 91% of vacancies", "les employeurs ont pourvu 91 % des postes"),
    ("81% of employers report missing skills",
     "81 % des employeurs signalent des compétences manquantes"),
    ("advertised wages up 10%", "salaires proposés en hausse de 10 %"),
    ("advertised wages down 4%", "salaires proposés en baisse de 4 %"),
    ("all 3 available indicators within their thresholds",
     "les 3 indicateurs disponibles sont dans leurs seuils"),
])
def test_each_evidence_clause_has_its_french_rendering(english: str, french: str) -> None:
    assert translate_evidence(english, "fr") == french


def test_evidence_sentence_is_translated_clause_by_clause_keeping_the_inner_semicolon() -> None:
    english = ("vacancies up 75% on a year earlier; only 1 indicator(s) available; "
               "at least 2 needed; advertised wages up 10%")
    assert translate_evidence(english, "fr") == (
        "offres en hausse de 75 % sur un an ; seulement 1 indicateur(s) disponible(s) ; il en "
        "faut au moins 2 ; salaires proposés en hausse de 10 %")


def test_unknown_clause_is_kept_in_english_not_dropped() -> None:
    text = "vacancies up 20% on a year earlier; a clause added later"
    assert translate_evidence(text, "fr") == "offres en hausse de 20 % sur un an ; a clause added later"
    assert translate_evidence(text, "en") == text


def _evidence_literals(sql: str) -> set[str]:
    """The fixed words of the evidence clauses written by a skills-gap SQL model."""
    literals = {literal.strip(" :;%") for literal in re.findall(r"'([^']*)'", sql)}
    return {w for w in literals if w}


def test_every_evidence_clause_of_the_sql_models_has_a_translation() -> None:
    """Drift guard: a clause added to the skills-gap SQL must be added to the translations."""
    patterns = " | ".join(p.pattern.replace("\\(", "(").replace("\\)", ")")
                          for p, _ in _EVIDENCE_FR)
    mart = (sql_dir() / "marts" / "fct_skills_gap.sql").read_text(encoding="utf-8")
    published = (sql_dir() / "published" / "skills_gap.sql").read_text(encoding="utf-8")
    section = mart[mart.index("concat_ws"):] + published[published.index("coalesce(\n"):]
    literals = _evidence_literals(section)
    assert {"tight", "slack", "on a year earlier", "needed"} <= literals, literals
    missing = sorted(w for w in literals if w not in patterns)
    assert not missing, f"evidence clauses without a French translation: {missing}"


def test_numbers_and_percentages_follow_the_language() -> None:
    fr, en = Labels("fr"), Labels("en")
    assert fr.number(12345.678, 1) == "12\u202f345,7"
    assert en.number(12345.678, 1) == "12,345.7"
    assert fr.percent(0.304, signed=True) == "+30\u202f%"
    assert en.percent(-0.125, 1, signed=True) == "−12.5%"
    assert en.number(None) == "n/a" and fr.number(float("nan")) == "n.d."


def test_a_suppressed_count_reads_suppressed_never_zero() -> None:
    fr, en = Labels("fr"), Labels("en")
    assert fr.count(None, suppressed=True) == "masqué"
    assert en.count(None, suppressed=True) == "suppressed"
    assert en.count(0) == "0"


def test_occupation_name_prefers_the_title_of_the_language() -> None:
    fr, en = Labels("fr"), Labels("en")
    assert fr.occupation_name("7212", "Welders and flamecutters", "Soudeurs et oxycoupeurs") \
        == "7212 Soudeurs et oxycoupeurs"
    assert en.occupation_name("7212", "Welders and flamecutters", "Soudeurs") \
        == "7212 Welders and flamecutters"
    assert fr.occupation_name("7212", "Welders and flamecutters", None) \
        == "7212 Welders and flamecutters"
    assert fr.occupation_name("7212", "Welders", float("nan")) == "7212 Welders"
    assert en.occupation_name("9999", None, None) == "9999"


def test_ratings_and_statuses_are_translated() -> None:
    fr = Labels("fr")
    assert fr.rating_name("major_shortage") == "pénurie forte"
    assert fr.status_name("failed: expect_column_values_to_not_be_null") \
        == "échec: expect_column_values_to_not_be_null"


def test_unknown_language_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="fr, en"):
        Labels("de")


def test_country_name_in_french() -> None:
    assert country_name("Senegal", "fr") == "Sénégal"
    assert country_name("Senegal", "en") == "Senegal"


def test_quarter_window_crosses_years() -> None:
    assert quarter_window("2026Q2", 8) == ["2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3",
                                           "2025Q4", "2026Q1", "2026Q2"]
    assert quarter_window("2026Q1", 1) == ["2026Q1"]


@pytest.mark.parametrize("label", ["2026-Q1", "2026Q5", "Q1 2026", ""])
def test_quarter_window_rejects_labels_that_are_not_quarters(label: str) -> None:
    with pytest.raises(ReportDataError, match="quarter label"):
        quarter_window(label, 8)
