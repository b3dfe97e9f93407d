"""Reading, pseudonymising and mapping PES returnee registrations (no warehouse)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from etl.config.sources import ConfigError
from etl.privacy import Pseudonymiser
from etl.sources.returnees import (
    LANDED_FIELDS,
    ReturneeFileError,
    ReturneeMapping,
    age_band,
    map_record,
    parse_landed,
    pseudonymise,
    read_registrations,
    serialise,
)

KEY = b"unit-test-key-0123456789abcdef"
MAPPING = {
    "columns": {
        "person_id": "identifiant", "registered_at": "date_inscription", "sex": "sexe",
        "birth_year": "annee_naissance", "return_date": "date_retour",
        "destination_country": "pays_destination", "occupation_abroad": "metier_etranger",
        "occupation_abroad_code": "code_isco_etranger", "skills": "competences",
        "isced_level": "niveau_isced", "certificate": "certificat",
        "certificate_recognised": "certificat_reconnu", "region": "region_retour",
        "intention": "souhait",
    },
    "personal_columns": ["nom", "prenom", "telephone", "email"],
}
HEADER = ["identifiant", "nom", "prenom", "telephone", "email", "sexe", "annee_naissance",
          "date_retour", "pays_destination", "metier_etranger", "code_isco_etranger",
          "competences", "niveau_isced", "certificat", "certificat_reconnu", "region_retour",
          "souhait", "date_inscription", "adresse"]
ROWS = [
    ["SN 5551234567", "Ndiaye", "Aminata", "+221 77 123 45 67", "aminata.n@exemple.sn", "F",
     "1990", "2025-03-02", "Italie", "Maçon", "7112", "maçonnerie; lire des plans", "3", "oui",
     "non", "Thiès", "emploi", "2025-04-10", "12 rue des Baobabs, Thiès"],
    ["SN5551239999", "Fall", "Cheikh", "+221 76 555 44 33", "cheikh.fall@exemple.sn", "H",
     "2003", "15/01/2025", "MA", "Plombier", "", "plomberie", "2", "non", "", "Dakar",
     "formation; entreprise", "20/02/2025", "Villa 4, Dakar"],
]
PERSONAL = ["SN 5551234567", "5551234567", "5551239999", "Ndiaye", "Aminata", "Fall", "Cheikh",
            "+221 77 123 45 67", "+221 76 555 44 33", "aminata.n@exemple.sn",
            "cheikh.fall@exemple.sn", "rue des Baobabs", "Villa 4"]


def _write_csv(path: Path, rows=ROWS, header=HEADER, delimiter=";") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def mapping() -> ReturneeMapping:
    return ReturneeMapping.model_validate(MAPPING)


def test_landed_bytes_hold_no_personal_data(tmp_path, mapping):
    raw = read_registrations(_write_csv(tmp_path / "export.csv"), mapping)
    result = pseudonymise(raw, mapping, Pseudonymiser(KEY))
    body = serialise(result.records).decode("utf-8")
    for value in PERSONAL:
        assert value not in body, value
    assert result.undeclared_columns == ["adresse"]
    records = parse_landed(serialise(result.records))
    assert [list(r) for r in records] == [list(LANDED_FIELDS)] * 2
    assert records[0]["person_key"] == Pseudonymiser(KEY).pseudonym("SN5551234567")
    assert records[0]["age_band"] == "35-44"        # born 1990, registered 2025
    assert records[1]["age_band"] == "15-24"        # born 2003, registered 2025
    assert records[0]["source_row"] == "export.csv:2"
    assert records[1]["region"] == "Dakar"


def test_birth_year_is_not_landed(tmp_path, mapping):
    raw = read_registrations(_write_csv(tmp_path / "export.csv"), mapping)
    body = serialise(pseudonymise(raw, mapping, Pseudonymiser(KEY)).records).decode()
    assert "1990" not in body and "2003" not in body


def test_xlsx_export_reads_like_csv(tmp_path, mapping):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append([date(2025, 4, 10) if v == "2025-04-10" else v for v in row])
    path = tmp_path / "export.xlsx"
    book.save(path)
    csv_raw = read_registrations(_write_csv(tmp_path / "export.csv"), mapping)
    xlsx_raw = read_registrations(path, mapping)
    p = Pseudonymiser(KEY)
    from_csv = pseudonymise(csv_raw, mapping, p).records
    from_xlsx = pseudonymise(xlsx_raw, mapping, p).records
    for a, b in zip(from_csv, from_xlsx, strict=True):
        assert {k: v for k, v in a.items() if k != "source_row"} == \
            {k: v for k, v in b.items() if k != "source_row"}


def test_missing_mapped_column_names_file_and_column(tmp_path, mapping):
    header = [h if h != "date_inscription" else "inscrit_le" for h in HEADER]
    path = _write_csv(tmp_path / "bad.csv", header=header)
    with pytest.raises(ReturneeFileError, match=r"bad\.csv.*registered_at.*date_inscription"):
        read_registrations(path, mapping)


def test_ragged_line_is_reported_with_its_number(tmp_path, mapping):
    path = _write_csv(tmp_path / "ragged.csv", rows=[ROWS[0], ROWS[1][:-3]])
    with pytest.raises(ReturneeFileError, match=r"ragged\.csv, line 3"):
        read_registrations(path, mapping)


def test_mapping_without_person_id_is_a_config_error():
    class Source:
        name = "pes"
        mapping = {"columns": {"registered_at": "d"}}

    with pytest.raises(ConfigError, match="columns.person_id"):
        ReturneeMapping.from_source(Source())


def _landed(tmp_path, mapping, rows=ROWS):
    raw = read_registrations(_write_csv(tmp_path / "export.csv", rows=rows), mapping)
    return parse_landed(serialise(pseudonymise(raw, mapping, Pseudonymiser(KEY)).records))


def test_map_record_to_staging_values(tmp_path, mapping):
    first, second = _landed(tmp_path, mapping)
    out, problems = map_record(first, mapping, country="SN", region_aliases={"Thiès": "SN-TH"})
    assert problems == []
    assert out["sex"] == "F" and out["region_code"] == "SN-TH"
    assert out["destination_country"] == "IT"
    assert out["registered_at"] == date(2025, 4, 10)
    assert out["isced_level"] == 3
    assert (out["has_certificate"], out["certificate_recognised"]) == (True, False)
    assert (out["wants_job"], out["wants_training"], out["wants_business"]) == (True, False, False)
    out, problems = map_record(second, mapping, country="SN", region_aliases={"Dakar": "SN-DK"})
    assert problems == []
    assert out["sex"] == "M" and out["destination_country"] == "MA"
    assert out["registered_at"] == date(2025, 2, 20)       # day first
    assert out["certificate_recognised"] is None
    assert (out["wants_job"], out["wants_training"], out["wants_business"]) == (False, True, True)


def test_values_not_understood_are_problems_not_nulls(tmp_path, mapping):
    row = list(ROWS[0])
    row[HEADER.index("region_retour")] = "Atlantide"
    row[HEADER.index("souhait")] = "voyager"
    row[HEADER.index("sexe")] = "?"
    row[HEADER.index("date_inscription")] = "bientôt"
    (record,) = _landed(tmp_path, mapping, rows=[row])
    _, problems = map_record(record, mapping, country="SN")
    text = "; ".join(problems)
    for expected in ("Atlantide", "voyager", "sex", "registered_at"):
        assert expected in text


def test_missing_identifier_is_a_problem(tmp_path, mapping):
    row = list(ROWS[0])
    row[0] = ""
    (record,) = _landed(tmp_path, mapping, rows=[row])
    assert record["person_key"] is None
    _, problems = map_record(record, mapping, country="SN", region_aliases={"Thiès": "SN-TH"})
    assert problems == ["person identifier missing"]


@pytest.mark.parametrize(("age", "band"), [(14, "0-14"), (15, "15-24"), (24, "15-24"),
                                           (25, "25-34"), (64, "55-64"), (65, "65+"),
                                           (None, None)])
def test_age_band(age, band):
    assert age_band(age) == band
