"""SDMX-CSV 1.0 and 2.0 data messages, read with pandas.

sdmx1 2.28 reads only SDMX-CSV 2.x, and only with the data structure definition
at hand (it cannot tell dimensions from attributes otherwise); SDMX-CSV 1.0
(first column ``DATAFLOW``, what sdmx.ilo.org serves for
``application/vnd.sdmx.data+csv;version=1.0.0``) it does not read at all. Both
are simple enough to read here. Without a DSD, a column is an attribute when
its id is a well-known SDMX/ILO attribute and a dimension otherwise; a DSD, when
given, decides instead.

Labels: ``labels=both`` files write ``SEN: Senegal`` in each cell and
``REF_AREA: Reference area`` in the header; the code before ``": "`` is kept.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from etl.sources.statistics.batch import StatisticsBatch
from etl.sources.statistics.conform import conform_records
from etl.sources.statistics.release import release_for
from etl.sources.statistics.sdmx_files import KNOWN_ATTRIBUTES, MAYBE_ATTRIBUTES

_FLOW_REF = re.compile(r"^(?:(?P<agency>[^:]+):)?(?P<id>[^()]+?)(?:\((?P<version>[^)]*)\))?$")
V1_FIRST = "DATAFLOW"
V2_FIRST = "STRUCTURE"
V2_FIXED = {"STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION", "SERIES_KEY", "OBS_KEY"}


def sdmx_csv_version(header: list[str]) -> str | None:
    """'1.0', '2.0' or None, from the first header cell."""
    if not header:
        return None
    first = header[0].split(":", 1)[0].strip().lstrip("\ufeff")
    if first == V1_FIRST:
        return "1.0"
    if re.fullmatch(r"STRUCTURE(\[.\])?", first):
        return "2.0"
    return None


def flow_id(ref: str) -> str:
    """'ILO:DF_EMP_TEMP_SEX_OC2_NB(1.0)' -> 'DF_EMP_TEMP_SEX_OC2_NB'."""
    m = _FLOW_REF.match(ref.strip())
    return m.group("id") if m else ref.strip()


def _code(cell: Any) -> str:
    text = "" if cell is None else str(cell)
    return text.split(": ", 1)[0].strip()


def read_sdmx_csv(
    path: Path,
    *,
    release: str | None = None,
    dimension_ids: list[str] | None = None,
    attribute_ids: list[str] | None = None,
) -> StatisticsBatch:
    """Read an SDMX-CSV 1.0 or 2.0 file; ``dimension_ids``/``attribute_ids`` from a DSD if known."""
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=None, engine="python"
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a readable SDMX-CSV file ({exc})") from exc
    columns = [_code(c) for c in frame.columns]
    frame.columns = columns
    version = sdmx_csv_version(columns)
    if version is None:
        raise ValueError(f"{path}: not SDMX-CSV (first column {columns[:1]!r})")
    if "OBS_VALUE" not in columns:
        raise ValueError(f"{path}: SDMX-CSV without an OBS_VALUE column")
    fixed = {V1_FIRST} if version == "1.0" else V2_FIXED
    rel = release_for(path, release)
    records: list[dict] = []
    for line_no, row in enumerate(frame.itertuples(index=False, name=None), start=2):
        cells = dict(zip(columns, row, strict=True))
        # 1.0: DATAFLOW = "ILO:DF_X(1.0)"; 2.0: STRUCTURE = dataflow|datastructure|dataprovision
        # and STRUCTURE_ID the reference: either way its id is the best name for the flow.
        flow = flow_id(cells[V1_FIRST] if version == "1.0" else cells.get("STRUCTURE_ID", ""))
        dims: dict[str, str] = {}
        attrs: dict[str, str] = {}
        for col in columns:
            if col in fixed or col in {"OBS_VALUE", "TIME_PERIOD"}:
                continue
            value = _code(cells[col])
            if dimension_ids is not None:
                (dims if col in dimension_ids else attrs)[col] = value
            elif (
                col in KNOWN_ATTRIBUTES
                or col in MAYBE_ATTRIBUTES
                or (attribute_ids and col in attribute_ids)
            ):
                attrs[col] = value
            else:
                dims[col] = value
        reason = None
        if version == "2.0" and _code(cells.get("ACTION", "")) == "D":
            reason = "deletion (ACTION=D): the observation is withdrawn, not a value"
        records.append(
            {
                "source_row": f"{path.name}!line {line_no}",
                "dataflow": flow,
                "indicator": None,
                "dims": dims,
                "time_period": cells.get("TIME_PERIOD"),
                "value": cells.get("OBS_VALUE"),
                "attrs": attrs,
                "source": None,
                "release": rel,
                "reject_reason": reason,
            }
        )
    kept, rejected = conform_records(records)
    return StatisticsBatch.from_records(
        kept, rejected, source_file=path, format=f"sdmx-csv-{version}"
    )
