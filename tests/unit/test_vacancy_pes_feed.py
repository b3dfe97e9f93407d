"""PES/API feed mapping on four real API responses, and CSV/XLSX registers.

The responses are in tests/fixtures/vacancy_api/ (provenance in
tests/fixtures/SOURCES.md). The mappings below are written as a user would
write them in the source configuration.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from etl.normalise.vacancy import normalise_vacancy
from etl.sources.pes_feed import FeedError, extract_path, read_register, records_from_document

API = Path(__file__).resolve().parents[1] / "fixtures" / "vacancy_api"
FETCHED = datetime(2026, 7, 16, 6, 0, tzinfo=UTC)

MAPPINGS = yaml.safe_load("""
adzuna:
  records_path: results
  fields:
    source_id: id
    title: title
    employer_name: company.display_name
    description: description
    date_posted: created
    location_text: location.display_name
    country: location.area[0]
    region: location.area[1]
    locality: location.area[-1]
    salary_min: salary_min
    salary_max: salary_max
    salary_period: {const: YEAR}      # Adzuna salaries are annual
    salary_currency: {const: USD}
    employment_type: contract_time
    occupational_category: category.label
    url: redirect_url
usajobs:
  records_path: SearchResult.SearchResultItems[*].MatchedObjectDescriptor
  fields:
    source_id: PositionID
    title: PositionTitle
    employer_name: OrganizationName
    url: PositionURI
    location_text: PositionLocationDisplay
    country: {const: US}
    salary_min: PositionRemuneration[0].MinimumRange
    salary_max: PositionRemuneration[0].MaximumRange
    salary_period: PositionRemuneration[0].RateIntervalCode
    salary_currency: {const: USD}
    date_posted: PublicationStartDate
    description: UserArea.Details.JobSummary
    remote: UserArea.Details.RemoteIndicator
remotive:
  records_path: jobs
  fields:
    source_id: id
    url: url
    title: title
    employer_name: company_name
    employment_type: job_type
    date_posted: publication_date
    location_text: candidate_required_location
    salary_text: salary
    description: description
    occupational_category: category
    remote: {const: true}
remoteok:
  records_path: ""
  fields:
    source_id: id
    url: url
    title: position
    employer_name: company
    date_posted: [date, epoch]
    location_text: location
    salary_min: salary_min
    salary_max: salary_max
    salary_period: {const: YEAR}
    salary_currency: {const: USD}
    description: description
    remote: {const: true}
""")
FILES = {
    "adzuna": "adzuna_us_search_response.json",
    "usajobs": "usajobs_search_response.json",
    "remotive": "remotive_remote_jobs_response.json",
    "remoteok": "remoteok_api_response.json",
}


def mapped(name: str) -> tuple[list[dict], list[dict]]:
    doc = json.loads((API / FILES[name]).read_text(encoding="utf-8"))
    mapping = MAPPINGS[name]
    raws, rejects = records_from_document(doc, records_path=mapping["records_path"],
                                          fields=mapping["fields"], where=FILES[name])
    records = [normalise_vacancy(r, source=name, fetched_at=FETCHED, default_country=None,
                                 region_aliases=None) for r in raws]
    return records, rejects


def test_adzuna() -> None:
    records, rejects = mapped("adzuna")
    doc = json.loads((API / FILES["adzuna"]).read_text(encoding="utf-8"))
    assert len(records) == len(doc["results"]) and rejects == []
    first = records[0]
    assert (first["source_id"], first["title"], first["employer_name"]) == (
        "5801147013", "Senior Software Developer", "SSG")
    assert first["date_posted"] == "2026-07-15"
    assert (first["country_code"], first["region_code"]) == ("US", "US-VA")
    assert (first["salary_min"], first["salary_max"], first["salary_period"]) == (
        85389, 116975, "YEAR")
    assert first["salary_monthly"] == round((85389 + 116975) / 2 / 12, 2)
    assert first["employment_type"] == "FULL_TIME"
    assert "utm_" not in first["url"] and first["url"].startswith("https://www.adzuna.com/")
    assert {r["region_code"] for r in records} >= {"US-MA", "US-TX"}


def test_usajobs() -> None:
    records, rejects = mapped("usajobs")
    assert len(records) == 3 and rejects == []
    first = records[0]
    assert first["source_id"] == "PHMSA.PSRG-2026-0018"
    assert first["employer_name"] == "Pipeline and Hazardous Materials Safety Administration"
    assert first["date_posted"] == "2026-07-06" and first["country_code"] == "US"
    assert (first["salary_min"], first["salary_max"], first["salary_period"]) == (
        106437, 158322, "YEAR")
    assert first["is_remote"] is True and records[1]["is_remote"] is False
    assert first["url"] == "https://www.usajobs.gov/job/875440800"  # default port dropped
    assert records[1]["title"].startswith("IT Specialist (APPSW)")


def test_remotive_free_text_salary_and_cut_html() -> None:
    records, rejects = mapped("remotive")
    assert len(records) == 4 and rejects == []
    by_id = {r["source_id"]: r for r in records}
    sales = by_id["2091048"]
    assert (sales["salary_min"], sales["salary_max"], sales["salary_currency"]) == (
        55000, 100000, "USD")
    assert sales["salary_period"] is None and sales["salary_monthly"] is None
    assert sales["description_text"].startswith("Must Love Dogs!!")
    assert "<" not in sales["description_text"]
    assert sales["country_code"] == "US" and sales["is_remote"] is True
    assert by_id["2091047"]["employment_type"] == "PART_TIME"
    assert by_id["2091047"]["country_code"] == "CA"
    assert by_id["2091047"]["salary_min"] is None  # empty salary string
    assert by_id["2086540"]["country_code"] is None  # "Worldwide"


def test_remoteok_legal_notice_rejected_with_reason_and_zero_salaries_null() -> None:
    records, rejects = mapped("remoteok")
    doc = json.loads((API / FILES["remoteok"]).read_text(encoding="utf-8"))
    assert len(records) + len(rejects) == len(doc)  # every element accounted for
    assert len(rejects) == 1
    assert "record 0" in rejects[0]["where"] and "no title" in rejects[0]["reason"]
    assert "legal" in rejects[0]["reason"]
    assert all(r["salary_min"] is None and r["salary_max"] is None for r in records)
    first = records[0]
    assert first["date_posted"] == "2026-07-10"
    assert first["country_code"] == "AU" and first["region_code"] == "AU-SA"
    assert first["title"] == "Australian English Voice Actor Adelaide"


def test_paths() -> None:
    doc = {"a": [{"b": 1}, {"b": 2}], "c": {"d": "x"}}
    assert extract_path(doc, "a[*].b") == [1, 2]
    assert extract_path(doc, "a[-1].b") == 2
    assert extract_path(doc, "c.d") == "x"
    assert extract_path(doc, "c.missing") is None
    assert extract_path(doc, "a[5].b") is None
    with pytest.raises(FeedError, match="no records"):
        records_from_document(doc, records_path="nothing", fields={"title": "x"})
    with pytest.raises(FeedError, match="not a list"):
        records_from_document(doc, records_path="c.d", fields={"title": "x"})


# ------------------------------------------------------------------ registers
FIELDS = {"source_id": "N° offre", "title": "Intitulé", "employer_name": "Employeur",
          "locality": "Région", "date_posted": "Date de publication",
          "salary_min": "Salaire", "salary_currency": {"const": "XOF"},
          "salary_period": {"const": "MONTH"}}


def test_csv_register_semicolons_cp1252_and_rejects_with_row(tmp_path: Path) -> None:
    path = tmp_path / "registre.csv"
    path.write_bytes(
        ("N° offre;Intitulé;Employeur;Région;Date de publication;Salaire\r\n"
         "A-1;Maçon H/F;BTP Sahel;Dakar;28/08/2026;150 000\r\n"
         "A-2;;Clinique du Cap;Dakar;29/08/2026;\r\n"
         ";;;;;\r\n"
         "A-3;Infirmière;Clinique du Cap;Thiès;30/08/2026;300 000\r\n").encode("cp1252"))
    raws, rejects = read_register(path, fields=FIELDS)
    assert [r["source_id"] for r in raws] == ["A-1", "A-3"]
    assert len(rejects) == 1 and rejects[0]["where"] == f"{path} row 3"
    record = normalise_vacancy(raws[0], source="pes", fetched_at=FETCHED, default_country="SN",
                               region_aliases={"Dakar": "SN-DK"})
    assert (record["title"], record["region_code"], record["date_posted"]) == (
        "Maçon", "SN-DK", "2026-08-28")
    assert (record["salary_min"], record["salary_currency"]) == (150000, "XOF")


def test_xlsx_register(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Notes"
    ws = wb.create_sheet("Offres")
    ws.append(["N° offre", "Intitulé", "Employeur", "Région", "Date de publication", "Salaire"])
    ws.append(["B-1", "Chauffeur", "Transports Ndiaye", "Thiès", datetime(2026, 8, 21), 175000])
    ws.append(["B-2", None, "Transports Ndiaye", "Thiès", datetime(2026, 8, 22), None])
    path = tmp_path / "registre.xlsx"
    wb.save(path)
    raws, rejects = read_register(path, fields=FIELDS, sheet="Offres")
    assert len(raws) == 1 and raws[0]["salary_min"] == 175000
    assert rejects[0]["where"].endswith("row 3")
    record = normalise_vacancy(raws[0], source="pes", fetched_at=FETCHED, default_country="SN",
                               region_aliases=None)
    assert record["date_posted"] == "2026-08-21" and record["region_code"] == "SN-TH"
    with pytest.raises(FeedError, match="no sheet 'Feuil1'"):
        read_register(path, fields=FIELDS, sheet="Feuil1")


def test_register_with_wrong_mapping_is_an_error_naming_columns(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("id,job\n1,Cook\n", encoding="utf-8")
    with pytest.raises(FeedError, match="none of the mapped columns"):
        read_register(path, fields={"title": "Intitulé"})
