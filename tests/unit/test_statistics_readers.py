"""Each statistics format read into the conformed fact, from saved fixtures."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from etl.sources.statistics import (
    OBSERVATION_COLUMNS,
    REJECTED_COLUMNS,
    observation_key_columns,
    read_statistics_file,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STATS = FIXTURES / "statistics"
ILOSTAT = FIXTURES / "ilostat"
LABELLED = ILOSTAT / "ILOSTAT_bulk_labels_EAR_4MTH_SEX_GEO_CUR_NB_A-filtered-2025-06-01.csv"
STRUCTURE = ILOSTAT / "ILO_structure_codelists_CL_ECO_parentsandsiblings.sdmxml21.xml.gz"


def _one(batch_or_frame, **where):
    frame = getattr(batch_or_frame, "observations", batch_or_frame)
    for column, value in where.items():
        frame = frame[frame[column] == value]
    assert len(frame) == 1, f"{len(frame)} rows match {where}"
    return frame.iloc[0].to_dict()


def test_sdmx_ml_generic_message():
    batch = read_statistics_file(STATS / "sdmx_ml_generic_DF_EMP_TEMP_SEX_OC2_NB_SEN.xml")
    assert batch.format == "sdmx-ml-generic"
    assert list(batch.observations.columns) == OBSERVATION_COLUMNS
    assert len(batch.observations) == 5 and batch.rejected.empty
    row = _one(batch, time_period="2022", classif1="OC2_ISCO08_25")
    assert row["indicator"] == "EMP_TEMP_SEX_OC2_NB"
    assert row["dataflow"] == "DF_EMP_TEMP_SEX_OC2_NB"
    assert (row["ref_area"], row["country_code"]) == ("SEN", "SN")
    assert (row["isco08"], row["isco_level"]) == ("25", 2)
    assert row["obs_value"] == pytest.approx(13.97)
    assert (row["unit"], row["unit_mult"], row["obs_status"]) == ("PS", 3, "B")
    assert (row["period_type"], row["period_start"], row["period_end"]) == (
        "A",
        date(2022, 1, 1),
        date(2022, 12, 31),
    )
    assert row["release"] == "2025-03-14T09:12:44"  # the message's Prepared date
    assert "Break in series" in row["note_source"]
    # NaN with a status is kept, value None, the status says why
    confidential = _one(batch, classif1="OC2_ISCO08_01")
    assert confidential["obs_value"] is None and confidential["obs_status"] == "C"
    total = _one(batch, classif1="OC2_ISCO08_TOTAL")
    assert total["isco08"] is None and total["obs_value"] == pytest.approx(4021.55)


def test_sdmx_ml_structure_specific_without_dsd_separates_attributes():
    batch = read_statistics_file(STATS / "sdmx_ml_structurespecific_DF_UNE_TUNE_SEX_AGE_NB_CIV.xml")
    assert batch.format == "sdmx-ml-structure-specific"
    assert len(batch.observations) == 4
    row = _one(batch, sex="SEX_T", time_period="2024-Q2")
    assert row["age"] == "AGE_YTHADULT_YGE15" and row["classif1"] == "AGE_YTHADULT_YGE15"
    assert (row["period_type"], row["period_start"], row["period_end"]) == (
        "Q",
        date(2024, 4, 1),
        date(2024, 6, 30),
    )
    assert row["unit_mult"] == 3 and row["obs_status"] == "P"
    assert row["source"] == "LFS - Enquête Nationale sur l'Emploi"
    dims = json.loads(row["dimensions"])
    assert "unit_mult" not in dims and "source" not in dims  # attributes, not dimensions
    assert dims["measure"] == "UNE_TUNE_NB"


def test_sdmx_json_message_keeps_series_attributes():
    batch = read_statistics_file(STATS / "sdmx_json_DF_UNE_DEAP_SEX_AGE_RT_SEN.json")
    assert batch.format == "sdmx-json"
    assert len(batch.observations) == 6 and batch.rejected.empty
    row = _one(batch, sex="SEX_F", time_period="2024-Q3")
    assert row["dataflow"] == "DF_UNE_DEAP_SEX_AGE_RT"
    assert row["obs_value"] == pytest.approx(28.05) and row["obs_status"] == "P"
    assert (row["unit"], row["unit_mult"]) == ("PT", 0)  # series attributes, dropped by sdmx1
    missing = _one(batch, sex="SEX_F", time_period="2024-Q2")
    assert missing["obs_value"] is None and missing["obs_status"] == "U"
    assert row["release"].startswith("2025-05-06T11:20:31")


def test_sdmx_csv_1_0_maps_isic_and_rejects_with_reasons():
    batch = read_statistics_file(STATS / "sdmx_csv10_DF_EMP_TEMP_SEX_ECO_NB_SEN.csv")
    assert batch.format == "sdmx-csv-1.0"
    assert batch.rows_read == 10
    assert _one(batch, classif1="ECO_ISIC4_C", sex="SEX_T")["isic4"] == "C"
    assert _one(batch, classif1="ECO_SECTOR_AGR")["isic4"] is None  # aggregate, kept
    reasons = dict(zip(batch.rejected["source_row"], batch.rejected["reject_reason"], strict=True))
    name = "sdmx_csv10_DF_EMP_TEMP_SEX_ECO_NB_SEN.csv"
    assert reasons[f"{name}!line 8"] == "missing value and no observation status"
    assert "ISIC Rev.3" in reasons[f"{name}!line 9"]
    assert "ECO_ISIC4_Z" in reasons[f"{name}!line 10"]
    assert reasons[f"{name}!line 11"] == "non-numeric value 'n/a'"
    assert list(batch.rejected.columns) == REJECTED_COLUMNS
    # a rejected row still says what it was
    bad = batch.rejected[batch.rejected.source_row == f"{name}!line 10"].iloc[0]
    assert bad["classif1"] == "ECO_ISIC4_Z" and bad["obs_value"] == 12.0


def test_sdmx_csv_2_0_rejects_unknown_and_isco88_occupations():
    batch = read_statistics_file(STATS / "sdmx_csv20_DF_EMP_TEMP_SEX_OC2_NB_CIV.csv")
    assert batch.format == "sdmx-csv-2.0"
    assert len(batch.observations) == 4 and len(batch.rejected) == 2
    assert _one(batch, classif1="OC2_ISCO08_83")["sex"] == "SEX_M"
    reasons = " | ".join(batch.rejected["reject_reason"])
    assert "unknown occupation code 'OC2_ISCO08_99'" in reasons
    assert "'OC2_ISCO88_11' is coded in ISCO-88: no ISCO-08 mapping" in reasons


def test_ilostat_bulk_code_csv_periods_and_classifications():
    batch = read_statistics_file(STATS / "ilostat_bulk_code_EMP_UNE_selection.csv")
    assert batch.format == "ilostat-bulk-code"
    assert batch.rows_read == 13
    q = _one(batch, indicator="UNE_TUNE_SEX_AGE_NB", sex="SEX_F")
    assert (q["time_period"], q["period_type"], q["period_start"]) == (
        "2024Q1",
        "Q",
        date(2024, 1, 1),
    )
    m = _one(batch, ref_area="CIV", time_period="2024M03")
    assert (m["period_type"], m["period_end"]) == ("M", date(2024, 3, 31))
    assert (m["age"], m["classif2"], m["isic4"]) == ("AGE_YTHADULT_YGE15", "EC2_ISIC4_C10", "10")
    assert _one(batch, ref_area="SEN", time_period="2024M03")["isic4"] == "C"
    rejected = set(batch.rejected["reject_reason"])
    assert "unknown reference area 'QQQ'" in rejected
    assert "missing value and no observation status" in rejected
    assert any("OC2_ISCO88_41" in r for r in rejected)


def test_ilostat_bulk_unit_mult_from_mapping():
    batch = read_statistics_file(
        STATS / "ilostat_bulk_code_EMP_UNE_selection.csv",
        mapping={"unit_mult": {"EMP_TEMP_SEX_OC2_NB": 3}},
    )
    assert set(
        batch.observations.loc[batch.observations.indicator == "EMP_TEMP_SEX_OC2_NB", "unit_mult"]
    ) == {3}
    assert set(
        batch.observations.loc[batch.observations.indicator != "EMP_TEMP_SEX_OC2_NB", "unit_mult"]
    ) == {0}


def test_real_ilostat_labelled_download():
    batch = read_statistics_file(LABELLED)
    assert batch.format == "ilostat-bulk-labels"
    assert batch.rows_read == 6234  # every line of the real file accounted for
    assert batch.rejected.empty
    obs = batch.observations
    assert set(obs["indicator"]) == {"EAR_4MTH_SEX_GEO_CUR_NB"}  # from the file name
    assert set(obs["release"]) == {"2025-06-01"}
    assert set(obs["classif1"]) == {"GEO_COV_NAT", "GEO_COV_RUR", "GEO_COV_URB"}
    assert set(obs["sex"]) <= {"SEX_T", "SEX_M", "SEX_F", "SEX_O"}
    assert obs["ref_area"].nunique() == 111
    afg = _one(obs, ref_area="AFG", time_period="2020", sex="SEX_T", classif1="GEO_COV_NAT")
    assert afg["obs_value"] == pytest.approx(836.263) and afg["obs_status"] == "B"
    # ILO names that differ from the codelist's are still resolved
    assert {"BOL", "GBR", "USA", "MDA", "CPV"} <= set(obs["ref_area"])
    # the codelist snapshot has no "2021 PPP $": kept as label, not guessed
    assert set(obs["classif2"]) == {"Currency: 2021 PPP $"}


def test_real_ilo_structure_message_has_no_observations():
    batch = read_statistics_file(STRUCTURE)
    assert batch.is_structure and batch.format == "sdmx-ml-structure"
    assert batch.observations.empty and batch.rejected.empty
    assert "structure message" in batch.messages[0]
    assert batch.source_file == str(STRUCTURE)


def test_gzipped_data_message_reads_like_plain(tmp_path):
    plain = STATS / "sdmx_csv20_DF_EMP_TEMP_SEX_OC2_NB_CIV.csv"
    gz = tmp_path / (plain.name + ".gz")
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    a = read_statistics_file(plain, release="r1")
    b = read_statistics_file(gz, release="r1")
    cols = [c for c in OBSERVATION_COLUMNS if c != "source_row"]
    assert a.observations[cols].equals(b.observations[cols])


def test_release_falls_back_to_content_checksum(tmp_path):
    src = STATS / "sdmx_csv10_DF_EMP_TEMP_SEX_ECO_NB_SEN.csv"
    copy = tmp_path / "emp_eco.csv"
    shutil.copy(src, copy)
    first = read_statistics_file(copy).observations["release"].iloc[0]
    assert first.startswith("sha256:")
    assert read_statistics_file(copy, release="2025Q2").observations["release"].iloc[0] == "2025Q2"
    copy.write_text(copy.read_text().replace("887.46", "890.12"))
    assert read_statistics_file(copy).observations["release"].iloc[0] != first


def test_revised_release_matches_on_key_columns(tmp_path):
    """Two releases of the same message: the key pairs every observation, one value differs."""
    src = STATS / "sdmx_ml_generic_DF_EMP_TEMP_SEX_OC2_NB_SEN.xml"
    revised = tmp_path / "revised.xml"
    revised.write_text(
        src.read_text(encoding="utf-8")
        .replace("2025-03-14T09:12:44", "2025-09-30T08:00:00")
        .replace('value="14.82"', 'value="15.07"'),
        encoding="utf-8",
    )
    old = read_statistics_file(src).observations
    new = read_statistics_file(revised).observations
    key = observation_key_columns()
    assert set(key) <= set(OBSERVATION_COLUMNS)
    assert not old.duplicated(key).any()
    merged = old.merge(new, on=key, suffixes=("_old", "_new"))
    assert len(merged) == len(old) == len(new)
    changed = merged[
        merged["obs_value_old"].fillna(-1).astype(float)
        != merged["obs_value_new"].fillna(-1).astype(float)
    ]
    assert len(changed) == 1
    assert changed.iloc[0][["obs_value_old", "obs_value_new"]].tolist() == [14.82, 15.07]
    assert set(merged["release_new"]) == {"2025-09-30T08:00:00"}


def test_sdmx_and_bulk_agree_on_dimensions_of_the_same_observation():
    ml = read_statistics_file(STATS / "sdmx_ml_generic_DF_EMP_TEMP_SEX_OC2_NB_SEN.xml")
    bulk = read_statistics_file(STATS / "ilostat_bulk_code_EMP_UNE_selection.csv")
    cols = [
        "indicator",
        "ref_area",
        "period_type",
        "period_start",
        "sex",
        "age",
        "classif1",
        "classif2",
        "isco08",
    ]
    a = _one(ml, classif1="OC2_ISCO08_52")
    b = _one(bulk, classif1="OC2_ISCO08_52")
    assert {c: a[c] for c in cols} == {c: b[c] for c in cols}


def test_unrecognised_file_without_mapping_is_a_clear_error(tmp_path):
    odd = tmp_path / "table.csv"
    odd.write_text("Région;2023\nDakar;12\n", encoding="utf-8")
    with pytest.raises(ValueError, match="table.csv.*mapping"):
        read_statistics_file(odd)


def test_sdmx_csv_2_0_deletions_and_labels_both(tmp_path):
    path = tmp_path / "ilo_v2_labels.csv"
    path.write_text(
        "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA: Reference area,FREQ: Frequency,MEASURE,SEX: Sex,"
        "OC2,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n"
        "dataflow,ILO:DF_EMP_TEMP_SEX_OC2_NB(1.0),I,SEN: Senegal,A: Annual,EMP_TEMP_NB,SEX_T: Total,"
        "OC2_ISCO08_25: 25 - ICT professionals,2024,15.1,\n"
        "dataflow,ILO:DF_EMP_TEMP_SEX_OC2_NB(1.0),D,SEN: Senegal,A: Annual,EMP_TEMP_NB,SEX_T: Total,"
        "OC2_ISCO08_52: 52 - Sales workers,2024,,\n",
        encoding="utf-8",
    )
    batch = read_statistics_file(path)
    row = _one(batch, classif1="OC2_ISCO08_25")
    assert (row["ref_area"], row["sex"], row["isco08"]) == ("SEN", "SEX_T", "25")
    assert batch.rejected["reject_reason"].iloc[0].startswith("deletion (ACTION=D)")
