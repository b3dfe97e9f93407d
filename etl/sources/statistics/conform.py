"""Turn what a reader found into conformed observations, or rejected rows with a reason.

Every reader produces *raw records* (plain dicts, one per observation) and hands
them here, so the rules below are the same for SDMX, ILOSTAT bulk files and
observatory tables:

``{"source_row": "file.xml!series 2 obs 1", "dataflow": "DF_…" | None,
"indicator": str | None, "dims": {"REF_AREA": "SEN", "SEX": "SEX_T", "OC2": "OC2_ISCO08_25"},
"time_period": "2024-Q1", "value": "12.5" | 12.5 | None, "attrs": {"OBS_STATUS": "B", …},
"source": default source, "release": vintage, "preset": {conformed field: value},
"reject_reason": reason already found by the reader, or None}``

Policy (see docs/statistics.md):

* A missing value *with* an observation status (confidential ``C``, not
  available ``N``, unreliable ``U`` …) is kept with ``obs_value`` None: the status
  says why. A missing value with no status is rejected.
* A value that is not a number is rejected (``non-numeric value 'n/a'``).
* An unknown reference area, region, sex, period, or an occupation / activity code
  that maps to no ISCO-08 / ISIC Rev.4 code in the warehouse is rejected with the
  code named. Aggregates (TOTAL, not classified X, broad sectors) are kept with
  ``isco08`` / ``isic4`` None.
"""

from __future__ import annotations

import json
import math
from typing import Any

from etl.sources.statistics import codes
from etl.sources.statistics.batch import OBSERVATION_COLUMNS
from etl.sources.statistics.periods import parse_period

#: Dimensions with their own conformed column (everything else is a classification).
STANDARD_DIMENSIONS = {"REF_AREA", "FREQ", "MEASURE", "INDICATOR", "SEX", "REGION", "TIME_PERIOD"}
#: Unit dimensions some national flows use; they feed ``unit`` / ``unit_mult``.
UNIT_DIMENSIONS = {"UNIT_MEASURE", "UNIT_MEASURE_TYPE", "UNIT_MULT", "UNIT"}
#: National flows name their occupation / activity dimensions freely; bare codes in these are
#: read as ISCO-08 / ISIC Rev.4.
OCCUPATION_DIMENSIONS = {"OCCUPATION", "ISCO", "ISCO08", "ISCO_08", "PROFESSION"}
ACTIVITY_DIMENSIONS = {"ACTIVITY", "ISIC", "ISIC4", "ISIC_REV4", "ECONOMIC_ACTIVITY", "BRANCHE"}
UNIT_TYPE_SUFFIXES = {"NB", "RT", "DT", "IN", "GR"}
MISSING_TEXT = {"", "nan", "NaN", "NA", "null", "None"}


def observation_key_columns() -> list[str]:
    """Columns that identify one observation across releases (vintages).

    Two rows with equal values in these columns are the same observation in
    different releases: the later release revises the earlier. The period is
    identified by type and first day, not by its spelling (``2024Q1`` and
    ``2024-Q1`` are the same quarter). ``source`` is part of the key because
    ILOSTAT publishes the same indicator, area and year from several surveys.
    ``age`` is derived from ``classif1``/``classif2`` but kept for readability.
    """
    return [
        "indicator",
        "ref_area",
        "region_code",
        "period_type",
        "period_start",
        "sex",
        "age",
        "classif1",
        "classif2",
        "source",
    ]


def conform_records(records: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    """Split raw records into (conformed observations, rejected rows with ``reject_reason``)."""
    kept: list[dict] = []
    rejected: list[dict] = []
    for record in records:
        row, reason = conform_record(record)
        if reason is None:
            kept.append(row)
        else:
            row["reject_reason"] = reason
            rejected.append(row)
    return kept, rejected


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value).strip()
    return text if text and text not in MISSING_TEXT else None


def parse_number(value: Any) -> tuple[float | None, str | None]:
    """(number, None), (None, None) when missing, or (None, reason) when not a number."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, f"non-numeric value {value!r}"
    if isinstance(value, (int, float)):
        f = float(value)
        return (None, None) if math.isnan(f) else (f, None)
    text = str(value).strip()
    if text in MISSING_TEXT:
        return None, None
    try:
        f = float(text)
    except ValueError:
        return None, f"non-numeric value {text!r}"
    if math.isnan(f) or math.isinf(f):
        return None, None if math.isnan(f) else f"non-finite value {text!r}"
    return f, None


def _indicator(record: dict[str, Any], dims: dict[str, str]) -> str | None:
    if record.get("indicator"):
        return str(record["indicator"])
    if dims.get("INDICATOR"):
        return dims["INDICATOR"]
    flow = record.get("dataflow")
    if not flow:
        return None
    if flow.startswith("DF_"):
        # ILO convention: dataflow DF_<indicator>, one MEASURE per flow.
        return flow[3:]
    return f"{flow}.{dims['MEASURE']}" if dims.get("MEASURE") else flow


def conform_record(record: dict[str, Any]) -> tuple[dict, str | None]:
    """One raw record -> (row with OBSERVATION_COLUMNS, reject reason or None)."""
    dims: dict[str, str] = {
        str(k).upper(): str(v).strip() for k, v in (record.get("dims") or {}).items() if _text(v)
    }
    attrs: dict[str, str] = {
        str(k).upper(): str(v).strip() for k, v in (record.get("attrs") or {}).items() if _text(v)
    }
    preset: dict[str, Any] = dict(record.get("preset") or {})
    row: dict[str, Any] = dict.fromkeys(OBSERVATION_COLUMNS)
    row["source_row"] = record.get("source_row")
    row["release"] = record.get("release")
    row["dataflow"] = record.get("dataflow")
    row["dimensions"] = json.dumps(
        {k.lower(): v for k, v in dims.items() if k != "TIME_PERIOD"}, sort_keys=True
    )
    row["time_period"] = _text(record.get("time_period"))
    reasons: list[str] = []
    if record.get("reject_reason"):
        reasons.append(str(record["reject_reason"]))

    row["indicator"] = _indicator(record, dims)
    if not row["indicator"]:
        reasons.append("no indicator: the file names no dataflow or indicator")

    # reference area and region
    ref_area = dims.get("REF_AREA") or preset.get("ref_area")
    if ref_area:
        area = codes.resolve_area(ref_area)
        row["ref_area"] = str(ref_area).upper()
        subdivision = codes.resolve_subdivision(ref_area) if area is None else None
        if subdivision is not None:
            # National offices and PES publish regional series with ISO 3166-2 areas.
            row["country_code"], row["region_code"] = subdivision
        elif area is None:
            reasons.append(f"unknown reference area {ref_area!r}")
        else:
            row["country_code"] = area.country_code
    else:
        reasons.append("no reference area")
    region = dims.get("REGION")
    if region:
        row["region_code"] = codes.resolve_region(region, row["country_code"])
        if row["region_code"] is None:
            reasons.append(
                f"unknown region {region!r} for country {row['country_code'] or ref_area!r}"
            )

    # period
    period = parse_period(row["time_period"])
    if period is None:
        reasons.append(f"unparseable time period {row['time_period']!r}")
    else:
        row["period_type"] = period.period_type
        row["period_start"] = period.start
        row["period_end"] = period.end

    # sex
    if dims.get("SEX"):
        row["sex"] = codes.normalise_sex(dims["SEX"])
        if row["sex"] is None:
            reasons.append(f"unknown sex code {dims['SEX']!r}")

    # classifications, in the order the source gives them
    classif = [
        (dim, code)
        for dim, code in dims.items()
        if dim not in STANDARD_DIMENSIONS and dim not in UNIT_DIMENSIONS
    ]
    if classif:
        row["classif1"] = classif[0][1]
    if len(classif) == 2:
        row["classif2"] = classif[1][1]
    elif len(classif) > 2:
        # More classifications than the fact has columns: keep them all, '|'-separated.
        row["classif2"] = "|".join(code for _, code in classif[1:])
    for dim, code in classif:
        if dim == "AGE" or code.startswith("AGE_"):
            row["age"] = row["age"] or code
        mapping = None
        if codes.is_occupation_code(code):
            mapping = codes.map_occupation(code)
            target = ("isco08", "isco_level")
        elif dim in OCCUPATION_DIMENSIONS:
            mapping = codes.map_isco08(code)
            target = ("isco08", "isco_level")
        elif codes.is_activity_code(code):
            mapping = codes.map_activity(code)
            target = ("isic4", None)
        elif dim in ACTIVITY_DIMENSIONS:
            mapping = codes.map_isic4(code)
            target = ("isic4", None)
        if mapping is None:
            continue
        if mapping.reject_reason:
            reasons.append(mapping.reject_reason)
        elif mapping.code is not None:
            row[target[0]] = mapping.code
            if target[1]:
                row[target[1]] = mapping.level

    # value, status, unit
    row["obs_status"] = _text(attrs.get("OBS_STATUS")) or preset.get("obs_status")
    if "obs_value" in preset:
        value, value_reason = preset["obs_value"], None
    else:
        value, value_reason = parse_number(record.get("value"))
    row["obs_value"] = value
    if value_reason:
        reasons.append(value_reason)
    elif value is None and not row["obs_status"]:
        reasons.append("missing value and no observation status")

    row["unit"] = (
        dims.get("UNIT_MEASURE")
        or attrs.get("UNIT_MEASURE")
        or dims.get("UNIT_MEASURE_TYPE")
        or attrs.get("UNIT_MEASURE_TYPE")
        or dims.get("UNIT")
        or preset.get("unit")
    )
    if not row["unit"] and row["indicator"]:
        suffix = row["indicator"].rsplit("_", 1)[-1]
        row["unit"] = suffix if suffix in UNIT_TYPE_SUFFIXES else None
    mult = dims.get("UNIT_MULT") or attrs.get("UNIT_MULT") or preset.get("unit_mult") or 0
    try:
        row["unit_mult"] = int(float(mult))
    except (TypeError, ValueError):
        row["unit_mult"] = 0
        reasons.append(f"unit multiplier {mult!r} is not an integer")

    row["note_source"] = _text(attrs.get("NOTE_SOURCE")) or preset.get("note_source")
    row["source"] = _text(attrs.get("SOURCE")) or record.get("source") or "unknown"
    for key, value in preset.items():
        if key in row and row[key] is None and key not in {"obs_value"}:
            row[key] = value
    return row, ("; ".join(reasons) if reasons else None)
