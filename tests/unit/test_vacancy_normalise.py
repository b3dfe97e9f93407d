"""normalise_vacancy: one record shape whatever the source."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from etl.normalise.vacancy import (
    VACANCY_FIELDS,
    canonical_url,
    clean_title,
    detect_language,
    employment_type,
    html_to_text,
    normalise_vacancy,
    problems,
)

FETCHED = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def norm(raw: dict, **kwargs) -> dict:
    options = dict(source="s", fetched_at=FETCHED, default_country="SN",
                   region_aliases={"Dakar": "SN-DK"})
    options.update(kwargs)
    return normalise_vacancy(raw, **options)


def test_exact_keys_in_order_and_nulls_when_unknown() -> None:
    record = norm({"title": "Boulanger"})
    assert tuple(record) == VACANCY_FIELDS
    assert record["title"] == "Boulanger" and record["source"] == "s"
    assert record["date_posted"] is None and record["salary_min"] is None
    assert record["country_code"] == "SN" and record["is_remote"] is None
    assert problems(record) == ["neither url nor source_id: the vacancy cannot be identified",
                                "no date_posted"]


@pytest.mark.parametrize(("title", "clean"), [
    ("Comptable H/F", "Comptable"),
    ("Customer Support Specialist (m/w/d)", "Customer Support Specialist"),
    ("Comptable confirmé H/F - Réf. 2024/113", "Comptable confirmé"),
    ("Chargé(e) de clientèle", "Chargé de clientèle"),
    ("Plombier &amp; chauffagiste", "Plombier & chauffagiste"),
])
def test_titles_are_cleaned(title, clean) -> None:
    assert clean_title(title) == clean


def test_flat_feed_record() -> None:
    record = norm({
        "source_id": "PES-1", "title": "Maçon H/F", "employer_name": "  BTP   Sahel ",
        "locality": "Dakar", "date_posted": "2026-08-28", "valid_through": "28/09/2026",
        "employment_type": "CDD", "salary_min": "150000", "salary_max": 200000,
        "salary_period": "mois", "salary_currency": "XOF",
        "description": "Travaux de maçonnerie sur chantier. Vous avez trois ans d'expérience.",
    })
    assert record["title"] == "Maçon" and record["employer_name"] == "BTP Sahel"
    assert (record["locality"], record["region_code"]) == ("Dakar", "SN-DK")
    assert record["valid_through"] == "2026-09-28" and record["employment_type"] == "TEMPORARY"
    assert (record["salary_period"], record["salary_monthly"]) == ("MONTH", 175000.0)
    assert record["language"] == "fr"
    assert problems(record) == []


@pytest.mark.parametrize(("value", "code"), [
    ("FULL_TIME", "FULL_TIME"), (["PART_TIME", "FULL_TIME"], "PART_TIME"), ("Full-time", "FULL_TIME"),
    ("full_time", "FULL_TIME"), ("Temps partiel", "PART_TIME"), ("CDI", "FULL_TIME"),
    ("CDI à temps partiel", "PART_TIME"), ("CDD - temps plein", "TEMPORARY"), ("Stage", "INTERN"),
    ("Freelance", "CONTRACTOR"), ("Intérim", "TEMPORARY"), ("Bénévolat", "VOLUNTEER"),
    ("Contrat spécial", "OTHER"), (None, None), ("", None),
])
def test_employment_types(value, code) -> None:
    assert employment_type(value) == code


@pytest.mark.parametrize(("raw", "remote"), [
    ({"job_location_type": "TELECOMMUTE"}, True),
    ({"remote": True}, True),
    ({"remote": "false", "location_text": "Remote"}, False),
    ({"location_text": "Télétravail, Sénégal"}, True),
    ({"location_text": "Dakar (hybride)"}, False),
    ({"location_text": "Dakar"}, False),
    ({}, None),
])
def test_remote_flag(raw, remote) -> None:
    assert norm({"title": "x", **raw})["is_remote"] is remote


def test_relative_date_uses_fetch_time_given_as_string() -> None:
    record = norm({"title": "x", "date_posted": "il y a 3 jours"},
                  fetched_at="2026-09-01T08:00:00+00:00")
    assert record["date_posted"] == "2026-08-29"


def test_description_html_cut_mid_tag_and_entities() -> None:
    text = html_to_text('<p>Must love <strong>dogs</strong>&nbsp;!</p>\n<p class="MsoNormal">At Tribe')
    assert text == "Must love dogs !\n\nAt Tribe"
    assert html_to_text('<p style="color: #2d2d2d; background-col') is None


def test_description_blanks_and_blank_lines_tidied() -> None:
    # Runs of tabs, no-break and narrow no-break spaces become one space; single spaces
    # stay; three or more line breaks become one blank line; list items one per line.
    text = html_to_text("Poste\t \u00a0à  pourvoir\u202f: comptable\n\n\n\n\nProfil :\n\n- Excel\n\n- SQL ")
    assert text == "Poste à pourvoir : comptable\n\nProfil :\n- Excel\n- SQL"


def test_language() -> None:
    assert detect_language("Nous recherchons un comptable pour notre équipe de Dakar, "
                           "avec une expérience dans le secteur.") == "fr"
    assert detect_language("We are looking for an accountant to join our team in Lagos "
                           "with experience in the sector.") == "en"
    assert detect_language("نبحث عن محاسب للانضمام إلى فريقنا") == "ar"
    assert detect_language("Comptable") is None
    # Stopwords counted with repeats: three "the" make English, two do not.
    assert detect_language("the cat, the dog, the bird") == "en"
    assert detect_language("the cat, the dog") is None
    assert norm({"title": "Accountant", "language": "fr-SN"})["language"] == "fr"
    assert norm({"title": "Comptable", "page_language": "en-US"})["language"] == "en"


def test_canonical_url() -> None:
    assert canonical_url("https://WWW.Adzuna.com:443/details/58?utm_source=x&utm_medium=api#top") \
        == "https://www.adzuna.com/details/58"
    assert canonical_url("http://b.example/job?id=3&page=2") == "http://b.example/job?id=3&page=2"
    assert canonical_url("http://b.example/job?page=2&id=3") == "http://b.example/job?id=3&page=2"
    assert canonical_url(None) is None
