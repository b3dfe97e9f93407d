"""``lmis extract jobposting`` through its argument parser, on saved board pages."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from etl.commands.extract_jobposting import add_extract_parser
from etl.normalise.vacancy import EXTRACT_FIELDS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "jobboards"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="lmis extract")
    sub = parser.add_subparsers(dest="kind")
    add_extract_parser(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_prints_one_json_object_per_vacancy_with_documented_keys(capsys) -> None:
    code = run(["jobposting", str(FIXTURES / "careers_page_en_array.html"),
                "--url", "https://careers.kumasiagro.example/careers/"])
    out = capsys.readouterr().out
    records = lines(out)
    assert code == 0 and len(records) == 2
    for record in records:
        assert set(EXTRACT_FIELDS) <= set(record)
    assert records[0]["url"] == "https://careers.kumasiagro.example/careers/warehouse-supervisor"
    assert records[0]["date_posted"] == "2026-08-03"


@pytest.mark.parametrize(
    ("name", "title", "employer", "country", "language"),
    [
        ("wttj_fr_jsonld.html", "Chargé de recrutement", "Atlas Conseil RH", "FR", "fr"),
        ("linkedin_guest_en_jsonld_escaped.html", "Customer Support Specialist", "Paystack",
         "NG", "en"),
        ("jobberman_ng_en_microdata.html", "Sales Representative - FMCG",
         "Greenfield Foods Ltd", "NG", "en"),
        ("emploidakar_sn_fr_graph_broken_jsonld.html", "Assistant de direction",
         "Sahel Logistique SARL", "SN", "fr"),
    ],
)
def test_real_board_structures(capsys, name, title, employer, country, language) -> None:
    assert run(["jobposting", str(FIXTURES / name)]) == 0
    record = lines(capsys.readouterr().out)[0]
    assert (record["title"], record["employer_name"], record["country_code"],
            record["language"]) == (title, employer, country, language)


def test_selectors_file_and_fetched_at_for_relative_dates(tmp_path: Path, capsys) -> None:
    selectors = tmp_path / "tn.yml"
    selectors.write_text(
        "selectors:\n  title: .titre_offre h1\n  employer: .societe\n  location: .lieu\n"
        "  date_posted: .date\n  salary: .salaire\n", encoding="utf-8")
    code = run(["jobposting", str(FIXTURES / "emploitunisie_tn_fr_cp1252.html"),
                "--selectors", str(selectors), "--fetched-at", "2026-09-10T12:00:00Z"])
    record = lines(capsys.readouterr().out)[0]
    assert code == 0
    assert record["date_posted"] == "2026-09-07"  # "il y a 3 jours"
    assert record["employer_name"] == "Industries Méditerranéennes du Sud"
    assert record["salary_currency"] == "TND"


def test_no_vacancy_prints_nothing_and_explains_on_stderr(capsys) -> None:
    code = run(["jobposting", str(FIXTURES / "company_page_no_posting.html")])
    captured = capsys.readouterr()
    assert code == 0 and captured.out == ""
    assert "no vacancy found" in captured.err and "no JobPosting" in captured.err


def test_missing_file_is_an_error_naming_it(capsys, tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    assert run(["jobposting", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err


def test_default_country_applies_when_the_ad_names_none(capsys, tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text('<script type="application/ld+json">{"@type": "JobPosting", "title": '
                    '"Boulanger", "datePosted": "2026-08-01", "hiringOrganization": "Pain d\'Or",'
                    ' "jobLocation": {"address": {"addressLocality": "Dakar"}}}</script>',
                    encoding="utf-8")
    run(["jobposting", str(page), "--country", "sn"])
    record = lines(capsys.readouterr().out)[0]
    assert record["country_code"] == "SN" and record["region_code"] == "SN-DK"
