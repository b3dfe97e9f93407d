"""parse_job_page on board pages built from real page structures (tests/fixtures/jobboards)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from etl.normalise.vacancy import normalise_vacancy
from etl.sources.jobboard.charset import decode_html
from etl.sources.jobboard.jsonld import load_jsonld
from etl.sources.jobboard.parse import parse_job_page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "jobboards"
FETCHED = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
SELECTORS = {
    "rekrute_ma_fr_selectors.html": {
        "title": "h1", "employer": ".recruiter-name", "location": ".job-location",
        "date_posted": ".newjob", "employment_type": ".tagContrat", "salary": ".salary",
        "description": ".job-description",
        "source_id": {"selector": ".refId", "regex": r"(\d+)"},
    },
    "emploitunisie_tn_fr_cp1252.html": {
        "title": ".titre_offre h1", "employer": ".societe", "location": ".lieu",
        "date_posted": ".date", "employment_type": ".contrat", "salary": ".salaire",
        "description": ".description", "source_id": ".ref",
    },
}


def parse_fixture(name: str, **kwargs) -> object:
    return parse_job_page((FIXTURES / name).read_bytes(), url=f"https://board.example/{name}",
                          selectors=SELECTORS.get(name), fetched_at=FETCHED, **kwargs)


def normalised(name: str, aliases: dict[str, str] | None = None) -> list[dict]:
    result = parse_fixture(name)
    assert result.vacancies, result.reason
    return [normalise_vacancy(v, source="test", fetched_at=FETCHED, default_country=None,
                              region_aliases=aliases) for v in result.vacancies]


@pytest.mark.parametrize(
    ("name", "method", "title", "employer", "date_posted", "country"),
    [
        ("wttj_fr_jsonld.html", "json-ld", "Chargé de recrutement", "Atlas Conseil RH",
         "2026-08-28", "FR"),
        ("linkedin_guest_en_jsonld_escaped.html", "json-ld", "Customer Support Specialist",
         "Paystack", "2026-08-20", "NG"),
        ("emploidakar_sn_fr_graph_broken_jsonld.html", "json-ld", "Assistant de direction",
         "Sahel Logistique SARL", "2026-08-28", "SN"),
        ("jobberman_ng_en_microdata.html", "microdata", "Sales Representative - FMCG",
         "Greenfield Foods Ltd", "2026-08-25", "NG"),
        ("rekrute_ma_fr_selectors.html", "selectors", "Comptable Confirmé - Casablanca",
         "Atlas Distribution S.A.", "2026-08-12", None),
        ("emploitunisie_tn_fr_cp1252.html", "selectors", "Technicien de maintenance",
         "Industries Méditerranéennes du Sud", "2026-08-29", "TN"),
    ],
)
def test_boards_give_title_employer_date_country(name, method, title, employer, date_posted,
                                                 country) -> None:
    result = parse_fixture(name)
    assert result.method == method, result.reason
    record = normalised(name)[0]
    assert record["title"] == title
    assert record["employer_name"] == employer
    assert record["date_posted"] == date_posted
    assert record["country_code"] == country


def test_rekrute_country_comes_from_region_alias() -> None:
    record = normalised("rekrute_ma_fr_selectors.html", {"Casablanca et région": "MA-06"})[0]
    assert (record["country_code"], record["region_code"]) == ("MA", "MA-06")
    assert record["source_id"] == "164873"
    assert (record["salary_min"], record["salary_max"], record["salary_currency"],
            record["salary_period"]) == (9000, 12000, "MAD", "MONTH")


def test_graph_with_id_reference_comments_and_control_characters() -> None:
    result = parse_fixture("emploidakar_sn_fr_graph_broken_jsonld.html")
    assert any("repaired" in w for w in result.warnings)
    raw = result.vacancies[0]
    assert raw["employer_name"] == "Sahel Logistique SARL"  # resolved from an @id in another block
    assert raw["employment_type"] == ["FULL_TIME", "TEMPORARY"]
    assert [loc["locality"] for loc in raw["locations"]] == ["Dakar", "Thiès"]
    record = normalised("emploidakar_sn_fr_graph_broken_jsonld.html")[0]
    assert record["region_code"] == "SN-DK" and record["salary_currency"] == "XOF"
    assert record["salary_min"] == 350000 and record["salary_period"] == "MONTH"
    assert "\t" not in record["description_text"] and "assistanat" in record["description_text"]


def test_html_escaped_jsonld_and_double_escaped_description() -> None:
    record = normalised("linkedin_guest_en_jsonld_escaped.html")[0]
    assert record["description_text"].startswith("Paystack helps businesses")
    assert "<" not in record["description_text"] and "&lt;" not in record["description_text"]
    assert "- Resolve merchant questions by email and chat" in record["description_text"]
    assert record["url"] == (
        "https://ng.linkedin.com/jobs/view/customer-support-specialist-at-paystack-4012345678")
    assert record["language"] == "en" and record["valid_through"] == "2026-09-19"


def test_top_level_array_gives_two_postings_with_string_and_object_employers() -> None:
    records = normalised("careers_page_en_array.html")
    assert [r["title"] for r in records] == ["Warehouse Supervisor",
                                             "Field Agronomist (Remote, Ashanti Region)"]
    assert {r["employer_name"] for r in records} == {"Kumasi Agro Processing Ltd"}
    first, second = records
    assert first["url"] == "https://board.example/careers/warehouse-supervisor"
    assert (first["salary_min"], first["salary_currency"], first["salary_period"]) == (
        4500, "GHS", None)
    assert first["date_posted"] == "2026-08-03" and first["country_code"] == "GH"
    assert second["is_remote"] is True and second["employment_type"] == "CONTRACTOR"
    assert (second["salary_min"], second["salary_period"]) == (250, "DAY")
    assert "utm_source" not in second["url"]


def test_windows_1252_page_labelled_latin1() -> None:
    result = parse_fixture("emploitunisie_tn_fr_cp1252.html")
    assert result.encoding == "cp1252"
    record = normalised("emploitunisie_tn_fr_cp1252.html")[0]
    text = record["description_text"]
    assert "d’œuvre" in text and "150 €" in text  # bytes 0x92, 0x9C and 0x80
    assert record["employer_name"] == "Industries Méditerranéennes du Sud"
    assert record["employment_type"] == "TEMPORARY"  # "CDD - temps plein": the contract wins
    assert record["locality"] == "Sfax" and record["region_code"] == "TN-61"


def test_microdata_nested_items() -> None:
    raw = parse_fixture("jobberman_ng_en_microdata.html").vacancies[0]
    assert raw["locations"] == [{"locality": "Abuja", "region": "Federal Capital Territory",
                                 "country": "Nigeria"}]
    assert raw["source_id"] == "8k2m4q"
    record = normalised("jobberman_ng_en_microdata.html")[0]
    assert (record["salary_min"], record["salary_max"], record["salary_currency"]) == (
        150000, 250000, "NGN")
    # The unrelated Organization item in the sidebar is not the employer.
    assert record["employer_name"] == "Greenfield Foods Ltd"


def test_page_without_posting_gives_reason_not_crash() -> None:
    result = parse_fixture("company_page_no_posting.html")
    assert result.vacancies == []
    assert "no JobPosting" in result.reason and "Organization" in result.reason


def test_unrecoverable_jsonld_gives_reason() -> None:
    result = parse_fixture("broken_jsonld_unrecoverable.html")
    assert result.vacancies == []
    assert "1 unreadable" in result.reason
    assert any("unreadable" in w for w in result.warnings)


def test_malformed_html_still_read_and_selectors_fill_gaps() -> None:
    selectors = {"title": ".job-title", "location": ".location", "description": ".description"}
    result = parse_job_page((FIXTURES / "malformed_html_sn_fr.html").read_bytes(),
                            url="https://b.example/x", selectors=selectors, fetched_at=FETCHED)
    assert result.method == "json-ld"
    raw = result.vacancies[0]
    assert raw["employer_name"] == "Bâti Plus Sénégal"
    assert "basse tension" in raw["description_html"]  # filled from selectors
    assert any("filled from selectors" in w for w in result.warnings)


@pytest.mark.parametrize("body", [b"", b"   ", b"\x00\x01\x02garbage", b"<html><body>",
                                  "<p>caf\u00e9</p>".encode("utf-16")])
def test_junk_never_crashes(body: bytes) -> None:
    result = parse_job_page(body, url="https://b.example/x")
    assert result.vacancies == [] and result.reason


def test_bad_selector_configuration_is_a_reason_not_a_crash() -> None:
    result = parse_job_page(b"<html><body><h1>x</h1></body></html>", url="https://b.example/x",
                            selectors={"title": "h1[", "salary": ".s"})
    assert result.vacancies == [] and "selectors failed" in result.reason
    result = parse_job_page(b"<h1>x</h1>", url="https://b.example/x", selectors={"titel": "h1"})
    assert result.vacancies == [] and "unknown selector keys ['titel']" in result.reason


def test_item_selector_reads_several_postings_on_one_page() -> None:
    page = b"""<html><body>
      <div class="j"><h2>Cook</h2><span class="c">Hotel A</span></div>
      <div class="j"><h2>Waiter</h2><span class="c">Hotel B</span></div>
      <div class="j"><span class="c">no title here</span></div></body></html>"""
    result = parse_job_page(page, url="https://b.example/list",
                            selectors={"item": ".j", "title": "h2", "employer": ".c"})
    assert [(v["title"], v["employer_name"]) for v in result.vacancies] == [
        ("Cook", "Hotel A"), ("Waiter", "Hotel B")]


# ----------------------------------------------------------------- JSON-LD repairs
@pytest.mark.parametrize(
    ("text", "repair"),
    [
        ('{"title": "a\tb\nc"}', None),  # raw control characters in strings: strict=False
        ('{"title": "a"\x0b}', "control-characters"),  # outside a string: not JSON whitespace
        ('{"title": "x", // comment\n "url": "https://e.org/a//b" /* c */}', "comments/trailing-commas"),
        ('{"title": "x", "tags": ["a", "b",],}', "comments/trailing-commas"),
        ("{&quot;title&quot;: &quot;x&quot;}", "html-unescape"),
        ('<!-- {"title": "x"} -->', None),
        ('<![CDATA[ {"title": "x"} ]]>', None),
    ],
)
def test_jsonld_repairs(text: str, repair: str | None) -> None:
    values, repairs = load_jsonld(text)
    assert values[0]["title"].startswith(("a", "x"))
    assert repairs == ([repair] if repair else [])
    if "url" in values[0]:
        assert values[0]["url"] == "https://e.org/a//b"  # "//" inside a string is kept


def test_jsonld_several_objects_in_one_block() -> None:
    values, _ = load_jsonld('{"@type": "Organization"}\n{"@type": "JobPosting", "title": "t"}')
    assert [v["@type"] for v in values] == ["Organization", "JobPosting"]


def test_jsonld_invalid_raises_with_position() -> None:
    with pytest.raises(ValueError, match="invalid JSON-LD"):
        load_jsonld('{"title": ')


def test_base_salary_shapes() -> None:
    def page(salary) -> bytes:
        posting = {"@type": "JobPosting", "title": "t", "baseSalary": salary,
                   "datePosted": "2026-08-01"}
        return f'<script type="application/ld+json">{json.dumps(posting)}</script>'.encode()

    def fields(salary) -> tuple:
        raw = parse_job_page(page(salary), url="https://b.example/x").vacancies[0]
        rec = normalise_vacancy(raw, source="t", fetched_at=FETCHED, default_country="SN",
                                region_aliases=None)
        return rec["salary_min"], rec["salary_max"], rec["salary_currency"], rec["salary_period"]

    assert fields(150000) == (150000, 150000, None, None)
    assert fields({"@type": "MonetaryAmount", "currency": "XOF", "value": {
        "@type": "QuantitativeValue", "minValue": "200000", "maxValue": 300000,
        "unitText": "MONTH"}}) == (200000, 300000, "XOF", "MONTH")
    assert fields({"@type": "MonetaryAmount", "currency": "EUR", "value": 15.5,
                   "unitText": "HOUR"}) == (15.5, 15.5, "EUR", "HOUR")
    assert fields("Entre 250 000 et 300 000 FCFA par mois") == (250000, 300000, "XOF", "MONTH")
    assert fields("Selon profil") == (None, None, None, None)


# ----------------------------------------------------------------- charset order
def test_charset_header_beats_meta_and_bad_header_falls_back() -> None:
    body = '<meta charset="utf-8"><p>Société</p>'.encode("cp1252")
    text, enc, how = decode_html(body, {"Content-Type": "text/html; charset=windows-1252"})
    assert (enc, how) == ("cp1252", "header") and "Société" in text
    # The meta says UTF-8 but the bytes are not: detection takes over, no mojibake.
    text, enc, how = decode_html(body, None)
    assert (enc, how) == ("cp1252", "detected") and "Société" in text
    utf8 = '<meta charset="iso-8859-1"><p>Société</p>'.encode()
    text, enc, how = decode_html(utf8, {"content-type": "text/html; charset=UTF-8"})
    assert (enc, how) == ("utf-8", "header") and "Société" in text
