"""The French observatory workbook read through its mapping."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from etl.sources.statistics import read_statistics_file
from etl.sources.statistics.observatory_tables import MappingError

WORKBOOK = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "statistics"
    / "observatoire_emploi_senegal_2024.xlsx"
)

JOBSEEKERS = yaml.safe_load(
    """
sheet: "Tableau 3.2"
skip_rows: 3
header_rows: 2
columns:
  "Région": region
  "Profession (CITP-08)": occupation
ignore_columns: ["Variation T2/T2 (%)"]
indicator: JOBSEEKERS_REG_NB
ref_area: SEN
constants: {sex: SEX_T}
unit: PS
source: "ANPEJ, fichier des demandeurs d'emploi"
footnotes:
  "(a)": {obs_status: P, note: "Donnée provisoire"}
  "(b)": {obs_status: B, note: "Rupture de série"}
  "*": {obs_status: U, note: "Effectif inférieur à 5"}
"""
)

UNEMPLOYMENT = {
    "sheet": "Tableau 2.1",
    "skip_rows": 3,
    "header_rows": 2,
    "columns": {"Région": "region", "Sexe": "sex"},
    "indicator": "UNE_DEAP_RT_REGION",
    "ref_area": "SEN",
    "unit": "PT",
    "footnotes": {"(a)": {"obs_status": "P"}},
}


@pytest.fixture(scope="module")
def jobseekers():
    return read_statistics_file(WORKBOOK, mapping=JOBSEEKERS, release="2024-T2")


def _cell(batch, row: int, col: str):
    hits = [
        r
        for frame in (batch.observations, batch.rejected)
        for r in frame.to_dict(orient="records")
        if f"row {row} col {col} " in r["source_row"]
    ]
    assert len(hits) == 1, hits
    return hits[0]


def test_every_cell_under_a_period_is_accounted_for(jobseekers):
    # 11 data rows x 4 quarter columns; the variation column and the notes are not data
    assert jobseekers.format == "observatory-xlsx"
    assert jobseekers.rows_read == 44
    assert set(jobseekers.observations["release"]) == {"2024-T2"}
    assert (
        jobseekers.observations["source_row"]
        .str.startswith("observatoire_emploi_senegal_2024.xlsx!Tableau 3.2 row ")
        .all()
    )


def test_merged_year_headers_and_quarters(jobseekers):
    first = _cell(jobseekers, 6, "C")
    assert first["time_period"] == "2023 T3"
    assert (first["period_type"], first["period_start"], first["period_end"]) == (
        "Q",
        date(2023, 7, 1),
        date(2023, 9, 30),
    )
    assert _cell(jobseekers, 6, "F")["period_start"] == date(2024, 4, 1)


def test_thousands_separators_footnotes_and_symbols(jobseekers):
    assert _cell(jobseekers, 6, "C")["obs_value"] == 1234.0  # "1 234" with a narrow nbsp
    provisional = _cell(jobseekers, 6, "E")  # "1 310 (a)"
    assert (provisional["obs_value"], provisional["obs_status"], provisional["note_source"]) == (
        1310.0,
        "P",
        "Donnée provisoire",
    )
    assert _cell(jobseekers, 6, "F")["obs_value"] == 1352.0  # typed as a number
    not_available = _cell(jobseekers, 8, "E")  # ".."
    assert (not_available["obs_value"], not_available["obs_status"]) == (None, "N")
    confidential = _cell(jobseekers, 10, "C")  # "x"
    assert (confidential["obs_value"], confidential["obs_status"]) == (None, "C")
    small = _cell(jobseekers, 10, "E")  # "4*"
    assert (small["obs_value"], small["obs_status"]) == (4.0, "U")
    nil = _cell(jobseekers, 14, "C")  # "-"
    assert (nil["obs_value"], nil["obs_status"]) == (None, "N")


def test_regions_filled_down_and_occupations_coded(jobseekers):
    row = _cell(jobseekers, 11, "D")  # region blank in the sheet: Thiès from above
    assert (row["region_code"], row["classif1"], row["isco08"], row["isco_level"]) == (
        "SN-TH",
        "OC2_ISCO08_52",
        "52",
        2,
    )
    assert _cell(jobseekers, 14, "F")["region_code"] == "SN-KE"  # "Kédougou" with accent
    assert (row["ref_area"], row["country_code"], row["sex"]) == ("SEN", "SN", "SEX_T")


def test_totals_rows_are_kept_as_totals(jobseekers):
    subtotal = _cell(jobseekers, 9, "C")  # "Total Dakar"
    assert (subtotal["region_code"], subtotal["classif1"], subtotal["isco08"]) == (
        "SN-DK",
        "OCU_ISCO08_TOTAL",
        None,
    )
    national = _cell(jobseekers, 16, "F")  # "Ensemble", occupation blank
    assert (national["region_code"], national["classif1"], national["obs_value"]) == (
        None,
        "OCU_ISCO08_TOTAL",
        10611.0,
    )


def test_totals_can_be_rejected_by_the_mapping():
    batch = read_statistics_file(WORKBOOK, mapping={**JOBSEEKERS, "totals": "reject"})
    assert batch.rows_read == 44
    assert (batch.rejected["reject_reason"].str.contains("totals row")).sum() == 12


def test_rejected_cells_say_why(jobseekers):
    assert "no ISCO-08 group '99'" in _cell(jobseekers, 12, "C")["reject_reason"]
    assert _cell(jobseekers, 15, "C")["reject_reason"].startswith("empty cell")
    assert "non-numeric value 'n.d.'" in _cell(jobseekers, 15, "E")["reject_reason"]
    assert len(jobseekers.rejected) == 6


def test_decimal_commas_sex_labels_and_unknown_region():
    batch = read_statistics_file(WORKBOOK, mapping=UNEMPLOYMENT)
    obs = batch.observations
    women = obs[(obs.region_code == "SN-DK") & (obs.sex == "SEX_F") & (obs.time_period == "2023")]
    assert women["obs_value"].tolist() == [22.4] and women["obs_status"].tolist() == ["P"]
    assert set(obs["sex"]) == {"SEX_M", "SEX_F", "SEX_T"}  # Hommes / Femmes / Ensemble
    assert obs.loc[
        (obs.region_code == "SN-SL") & (obs.time_period == "2023") & (obs.sex == "SEX_M"),
        "obs_value",
    ].tolist() == [11.05]
    assert set(obs["period_type"]) == {"A"}
    assert (
        batch.rejected["reject_reason"].tolist()
        == ["unknown region 'Casamance' for country 'SN'"] * 2
    )


def test_mapping_that_does_not_fit_is_a_clear_error():
    with pytest.raises(MappingError, match="Métier"):
        read_statistics_file(WORKBOOK, mapping={**JOBSEEKERS, "columns": {"Métier": "occupation"}})
    with pytest.raises(MappingError, match="indicator"):
        read_statistics_file(WORKBOOK, mapping={"ref_area": "SEN", "columns": {}})


def test_csv_table_with_semicolons(tmp_path):
    table = tmp_path / "demandeurs_2024.csv"
    table.write_text(
        "Demandeurs d'emploi par région\n"
        "Région;Sexe;2023;2024\n"
        "Dakar;Femmes;1 204,0;1 310\n"
        ";Hommes;x;2 001\n",
        encoding="utf-8",
    )
    mapping = {
        "skip_rows": 1,
        "header_rows": 1,
        "columns": {"Région": "region", "Sexe": "sex"},
        "indicator": "JOBSEEKERS_REG_NB",
        "ref_area": "SEN",
        "csv": {"sep": ";"},
    }
    batch = read_statistics_file(table, mapping=mapping)
    assert batch.format == "observatory-csv"
    values = {
        (r["sex"], r["time_period"]): r["obs_value"] for r in batch.observations.to_dict("records")
    }
    assert values == {
        ("SEX_F", "2023"): 1204.0,
        ("SEX_F", "2024"): 1310.0,
        ("SEX_M", "2023"): None,
        ("SEX_M", "2024"): 2001.0,
    }
    assert (
        batch.observations["release"].iloc[0]
        == "sha256:" + __import__("hashlib").sha256(table.read_bytes()).hexdigest()[:16]
    )


def test_symbol_meaning_and_label_codes_come_from_the_mapping(tmp_path):
    table = tmp_path / "emplois.csv"
    table.write_text(
        "Profession;2024\n25 - Spécialistes TIC;-\nNon déclaré;12\nVendeurs de rue;7\n",
        encoding="utf-8",
    )
    mapping = {
        "columns": {"Profession": "occupation"},
        "indicator": "JOBS_NB",
        "ref_area": "SEN",
        "symbols": {"-": {"value": 0}},
        "codes": {"occupation": {"Vendeurs de rue": "OC4_ISCO08_9520"}},
    }
    batch = read_statistics_file(table, mapping=mapping)
    by_code = {r["classif1"]: r for r in batch.observations.to_dict("records")}
    assert by_code["OC2_ISCO08_25"]["obs_value"] == 0.0  # "-" means nil here
    assert by_code["OCU_ISCO08_X"]["isco08"] is None  # "Non déclaré": not classified
    assert (by_code["OC4_ISCO08_9520"]["isco08"], by_code["OC4_ISCO08_9520"]["isco_level"]) == (
        "9520",
        4,
    )
    assert batch.rejected.empty
