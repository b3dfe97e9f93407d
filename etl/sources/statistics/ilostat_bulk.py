"""ILOSTAT bulk downloads: the code CSV and the labelled CSV.

The code variant has the columns ``ref_area, source, indicator, sex, classif1,
classif2, time, obs_value, obs_status, note_classif, note_indicator,
note_source`` (codes such as ``SEN``, ``SEX_T``, ``OC2_ISCO08_25``, periods
``2024``, ``2024Q1``, ``2024M03``). The labelled variant, what the ILOSTAT data
explorer downloads, has ``ref_area.label, source.label, indicator.label, …``
(UTF-8 with a byte-order mark) and names instead of codes: areas, sex, status
and the classifications are turned back into codes with the ILO codelists; a
classification label that no codelist knows (``Currency: 2021 PPP $`` is newer
than the codelist snapshot) is kept as its label text rather than guessed.

The labelled file does not carry the indicator code; it is taken from the
mapping (``{"indicator": "EAR_4MTH_SEX_GEO_CUR_NB"}``) or the file name, which
ILOSTAT writes as ``<INDICATOR>_<FREQ>-filtered-<date>.csv``. Values in
thousands are recognised from the indicator label ``… (thousands)``; the code
CSV does not say, so ``{"unit_mult": 3}`` (or a dict by indicator) in the
mapping sets it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from etl.sources.statistics import codes
from etl.sources.statistics.batch import StatisticsBatch
from etl.sources.statistics.conform import conform_records
from etl.sources.statistics.release import release_for

CODE_COLUMNS = [
    "ref_area", "source", "indicator", "sex", "classif1", "classif2", "time", "obs_value",
    "obs_status", "note_classif", "note_indicator", "note_source",
]  # fmt: skip
REQUIRED_CODE = {"ref_area", "indicator", "time", "obs_value"}
REQUIRED_LABELS = {"ref_area.label", "time", "obs_value"}
_INDICATOR_IN_NAME = re.compile(
    r"(?:^|_)(?P<ind>[A-Z]{3}_[A-Z0-9_]+?_(?:NB|RT|DT|IN|GR))_(?P<freq>[AQM])(?:[-_.]|$)"
)


def bulk_variant(columns: list[str]) -> str | None:
    cols = {c.strip().lstrip("\ufeff") for c in columns}
    if cols >= REQUIRED_LABELS:
        return "labels"
    if cols >= REQUIRED_CODE:
        return "code"
    return None


def indicator_from_filename(name: str) -> str | None:
    stem = name.rsplit(".", 1)[0].removeprefix("ILOSTAT_bulk_labels_").removeprefix("ILOSTAT_bulk_")
    m = _INDICATOR_IN_NAME.search(stem)
    return m.group("ind") if m else None


def _unit_mult(mapping: dict, indicator: str | None) -> int | None:
    value = mapping.get("unit_mult")
    if isinstance(value, dict):
        value = value.get(indicator)
    return None if value is None else int(value)


def read_ilostat_bulk(
    path: Path, *, mapping: dict | None = None, release: str | None = None
) -> StatisticsBatch:
    mapping = dict(mapping or {})
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a readable ILOSTAT bulk CSV ({exc})") from exc
    frame.columns = [c.strip().lstrip("\ufeff") for c in frame.columns]
    variant = bulk_variant(list(frame.columns))
    if variant is None:
        raise ValueError(
            f"{path}: not an ILOSTAT bulk file (columns {list(frame.columns)[:6]} …; "
            f"expected {sorted(REQUIRED_CODE)} or {sorted(REQUIRED_LABELS)})"
        )
    rel = release_for(path, release)
    records = [
        (_code_record if variant == "code" else _label_record)(
            dict(zip(frame.columns, row, strict=True)), path, line_no, rel, mapping
        )
        for line_no, row in enumerate(frame.itertuples(index=False, name=None), start=2)
    ]
    kept, rejected = conform_records(records)
    return StatisticsBatch.from_records(
        kept, rejected, source_file=path, format=f"ilostat-bulk-{variant}"
    )


def _classif_dims(values: list[str]) -> dict[str, str]:
    # Named after the code's family (OC2, AGE, ECO …) like ILO's SDMX dimensions, so that
    # the same observation read from SDMX or bulk gets the same classif1/classif2.
    dims: dict[str, str] = {}
    for n, value in enumerate(values, start=1):
        if value:
            family = value.split("_", 1)[0] if "_" in value else f"CLASSIF{n}"
            key = family if family not in dims else f"{family}_{n}"
            dims[key] = value
    return dims


def _code_record(cells: dict, path: Path, line_no: int, rel: str, mapping: dict) -> dict[str, Any]:
    indicator = cells.get("indicator") or mapping.get("indicator")
    dims = {"REF_AREA": cells.get("ref_area", ""), "SEX": cells.get("sex", "")}
    dims.update(_classif_dims([cells.get("classif1", ""), cells.get("classif2", "")]))
    preset: dict[str, Any] = {}
    mult = _unit_mult(mapping, indicator)
    if mult is not None:
        preset["unit_mult"] = mult
    return {
        "source_row": f"{path.name}!line {line_no}",
        "dataflow": None,
        "indicator": indicator,
        "dims": dims,
        "time_period": cells.get("time"),
        "value": cells.get("obs_value"),
        "attrs": {
            "OBS_STATUS": cells.get("obs_status", ""),
            "NOTE_SOURCE": cells.get("note_source", ""),
            "SOURCE": cells.get("source", ""),
        },
        "source": mapping.get("source"),
        "release": rel,
        "preset": preset,
    }


def _label_record(cells: dict, path: Path, line_no: int, rel: str, mapping: dict) -> dict[str, Any]:
    reasons: list[str] = []
    indicator = (
        cells.get("indicator") or mapping.get("indicator") or indicator_from_filename(path.name)
    )
    if not indicator:
        reasons.append("labelled file: indicator code not in the mapping nor the file name")
    area_label = cells.get("ref_area.label", "")
    area = codes.area_from_label(area_label) if area_label else None
    if area is None:
        reasons.append(f"unknown reference area {area_label!r}")
    sex_label = cells.get("sex.label", "")
    sex = codes.normalise_sex(sex_label) if sex_label else None
    if sex_label and sex is None:
        reasons.append(f"unknown sex {sex_label!r}")
    classifs = []
    for col in ("classif1.label", "classif2.label"):
        label = cells.get(col, "")
        classifs.append(codes.classification_from_label(label) or label if label else "")
    status_label = cells.get("obs_status.label", "")
    status = codes.obs_status_from_label(status_label) if status_label else None
    if status_label and status is None:
        reasons.append(f"unknown observation status {status_label!r}")
    preset: dict[str, Any] = {}
    mult = _unit_mult(mapping, indicator)
    if mult is None and re.search(r"\(thousands\)\s*$", cells.get("indicator.label", "")):
        mult = 3
    if mult is not None:
        preset["unit_mult"] = mult
    dims = {"REF_AREA": area.ref_area if area else "", "SEX": sex or ""}
    dims.update(_classif_dims(classifs))
    return {
        "source_row": f"{path.name}!line {line_no}",
        "dataflow": None,
        "indicator": indicator,
        "dims": dims,
        "time_period": cells.get("time"),
        "value": cells.get("obs_value"),
        "attrs": {
            "OBS_STATUS": status or "",
            "NOTE_SOURCE": cells.get("note_source.label", ""),
            "SOURCE": cells.get("source.label", ""),
        },
        "source": mapping.get("source"),
        "release": rel,
        "preset": preset,
        "reject_reason": "; ".join(reasons) or None,
    }
