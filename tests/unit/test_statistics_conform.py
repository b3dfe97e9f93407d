"""Periods, code mappings and conform rules, on small inputs."""

from __future__ import annotations

from datetime import date

import pytest

from etl.sources.statistics import codes
from etl.sources.statistics.conform import conform_record, observation_key_columns, parse_number
from etl.sources.statistics.periods import parse_period


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2024", "A", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024Q1", "Q", date(2024, 1, 1), date(2024, 3, 31)),
        ("2024-Q4", "Q", date(2024, 10, 1), date(2024, 12, 31)),
        ("2024 T2", "Q", date(2024, 4, 1), date(2024, 6, 30)),
        ("T3 2023", "Q", date(2023, 7, 1), date(2023, 9, 30)),
        ("1er trimestre 2024", "Q", date(2024, 1, 1), date(2024, 3, 31)),
        ("2024M03", "M", date(2024, 3, 1), date(2024, 3, 31)),
        ("2024-02", "M", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-M02", "M", date(2023, 2, 1), date(2023, 2, 28)),
        ("févr. 2024", "M", date(2024, 2, 1), date(2024, 2, 29)),
        (2021.0, "A", date(2021, 1, 1), date(2021, 12, 31)),
    ],
)
def test_periods(text, kind, start, end):
    period = parse_period(text)
    assert (period.period_type, period.start, period.end) == (kind, start, end)


@pytest.mark.parametrize("text", ["", "2024Q5", "2024M13", "Variation T2/T2 (%)", "24", None])
def test_not_periods(text):
    assert parse_period(text) is None


def test_canonical_period_form():
    assert parse_period("2024-Q1").canonical == "2024Q1"
    assert parse_period("2024-03").canonical == "2024M03"


@pytest.mark.parametrize(
    ("code", "isco", "level"),
    [("OC2_ISCO08_25", "25", 2), ("OCU_ISCO08_2", "2", 1), ("OC2_ISCO08_01", "01", 2),
     ("OC4_ISCO08_2512", "2512", 4), ("OC2_ISCO08_TOTAL", None, None), ("OCU_SKILL_L2", None, None)],
)  # fmt: skip
def test_occupation_codes_map_to_isco08(code, isco, level):
    mapping = codes.map_occupation(code)
    assert mapping.reject_reason is None
    assert (mapping.code, mapping.level) == (isco, level)


@pytest.mark.parametrize(
    ("code", "reason"),
    [("OC2_ISCO08_99", "no ISCO-08 group '99'"), ("OC2_ISCO88_11", "ISCO-88"),
     ("OCU_ISCO68_2", "ISCO-68"), ("OC4_ISCO08_2520", "no ISCO-08 group '2520'")],
)  # fmt: skip
def test_unmapped_occupation_codes_are_reported(code, reason):
    assert reason in codes.map_occupation(code).reject_reason


@pytest.mark.parametrize(
    ("code", "isic"),
    [("ECO_ISIC4_C", "C"), ("EC2_ISIC4_C10", "10"), ("EC2_ISIC4_A01", "01"),
     ("ECO_ISIC4_LMN", None), ("ECO_AGGREGATE_MAN", None), ("ECO_ISIC4_X", None)],
)  # fmt: skip
def test_activity_codes_map_to_isic4(code, isic):
    mapping = codes.map_activity(code)
    assert mapping.reject_reason is None and mapping.code == isic


def test_unmapped_activity_codes_are_reported():
    assert "ISIC Rev.3" in codes.map_activity("EC2_ISIC3_D15").reject_reason
    assert "division 99 is in section U, not Z" in codes.map_activity("EC2_ISIC4_Z99").reject_reason
    assert "no ISIC Rev.4 '04'" in codes.map_activity("EC2_ISIC4_B04").reject_reason
    assert "unknown ILO" in codes.map_activity("ECO_SECTOR_FOO").reject_reason


def test_areas_regions_and_labels():
    assert codes.resolve_area("SEN") == codes.Area("SEN", "SN")
    assert codes.resolve_area("sn") == codes.Area("SN", "SN")
    assert codes.resolve_area("X01") == codes.Area("X01", None)  # ILO aggregate: World
    assert codes.resolve_area("QQQ") is None
    assert codes.area_from_label("Côte d'Ivoire").ref_area == "CIV"
    assert codes.resolve_region("THIES", "SN") == "SN-TH"
    assert codes.resolve_region("sn-dk", "SN") == "SN-DK"
    assert codes.resolve_region("Dakar", "CI") is None
    assert codes.obs_status_from_label("Break in series") == "B"
    assert codes.classification_from_label("Area type: Urban") == "GEO_COV_URB"
    assert (
        codes.classification_from_label(
            "Occupation (ISCO-08), 2 digit level: 25 - Information and communications technology professionals"
        )
        == "OC2_ISCO08_25"
    )
    assert codes.classification_from_label("Currency: 2021 PPP $") is None
    assert [codes.normalise_sex(s) for s in ("Femmes", "_T", "M", "SEX_F", "??")] == [
        "SEX_F", "SEX_T", "SEX_M", "SEX_F", None,
    ]  # fmt: skip


def test_parse_number():
    assert parse_number("12.5") == (12.5, None)
    assert parse_number("NaN") == (None, None)
    assert parse_number(float("nan")) == (None, None)
    assert parse_number("12,5") == (None, "non-numeric value '12,5'")  # SDMX uses '.'


def _record(**over):
    record = {
        "source_row": "t!1",
        "dataflow": "DF_EMP_TEMP_SEX_OC2_NB",
        "dims": {
            "REF_AREA": "SEN",
            "FREQ": "A",
            "MEASURE": "EMP_TEMP_NB",
            "SEX": "SEX_T",
            "OC2": "OC2_ISCO08_25",
        },
        "time_period": "2024",
        "value": "3.5",
        "attrs": {},
        "release": "r1",
    }
    record.update(over)
    return record


def test_conform_record_collects_every_reason():
    row, reason = conform_record(
        _record(
            dims={"REF_AREA": "QQQ", "SEX": "SEX_Q", "OC2": "OC2_ISCO08_99"},
            time_period="2024Q9",
            value="abc",
        )
    )
    for part in ("unknown reference area 'QQQ'", "unknown sex code 'SEX_Q'",
                 "unparseable time period '2024Q9'", "OC2_ISCO08_99", "non-numeric value 'abc'"):  # fmt: skip
        assert part in reason
    assert row["classif1"] == "OC2_ISCO08_99" and row["source_row"] == "t!1"


def test_conform_national_flow_without_ilo_conventions():
    row, reason = conform_record(
        _record(
            dataflow="LFS_REG",
            dims={
                "REF_AREA": "SN",
                "REGION": "Louga",
                "MEASURE": "UNEMP",
                "OCCUPATION": "7126",
                "SEX": "F",
            },
            attrs={"OBS_STATUS": "A", "UNIT_MULT": "3"},
        )
    )
    assert reason is None
    assert (row["indicator"], row["region_code"], row["sex"]) == ("LFS_REG.UNEMP", "SN-LG", "SEX_F")
    assert (row["isco08"], row["isco_level"], row["unit_mult"]) == ("7126", 4, 3)


def test_more_than_two_classifications_are_all_kept():
    row, reason = conform_record(
        _record(
            dims={
                "REF_AREA": "SEN",
                "SEX": "SEX_T",
                "AGE": "AGE_YTHADULT_YGE15",
                "OC2": "OC2_ISCO08_25",
                "CBR": "CBR_BIR_FOREIGN",
            }
        )
    )
    assert reason is None
    assert (row["classif1"], row["classif2"]) == (
        "AGE_YTHADULT_YGE15",
        "OC2_ISCO08_25|CBR_BIR_FOREIGN",
    )
    assert row["isco08"] == "25"


def test_key_columns_name_conformed_columns_and_not_values():
    key = observation_key_columns()
    assert "obs_value" not in key and "release" not in key and "obs_status" not in key
    assert {"indicator", "ref_area", "period_start", "period_type", "classif1"} <= set(key)
