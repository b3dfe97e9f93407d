"""SDMX-ML 2.1 (generic and structure-specific) and SDMX-JSON data messages, read with sdmx1.

sdmx1 parses the messages; this module walks the data sets into raw records for
:mod:`conform`. Two gaps of sdmx1 2.28 are filled here, from the message itself:

* a structure-specific message read without its data structure definition
  (DSD) puts series *attributes* among the key values, since it cannot tell them
  apart; well-known SDMX/ILO attribute ids are moved back to the attributes.
  Pass the DSD (``structure=``) when it is known, as :func:`fetch_sdmx` does.
* the SDMX-JSON reader drops series- and data-set-level attributes (unit,
  unit multiplier, source) and the dataflow reference; they are read from the
  JSON directly.
"""

from __future__ import annotations

import json
import logging
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sdmx
import sdmx.message

from etl.sources.statistics.batch import StatisticsBatch
from etl.sources.statistics.conform import conform_records
from etl.sources.statistics.release import release_for

#: Attribute ids of the SDMX cross-domain and ILO data structures (never dimensions).
KNOWN_ATTRIBUTES = {
    "OBS_STATUS", "OBS_CONF", "CONF_STATUS", "UNIT_MEASURE_TYPE", "UNIT_MULT", "DECIMALS",
    "SOURCE", "NOTE_SOURCE", "NOTE_INDICATOR", "NOTE_CLASSIF", "UPPER_BOUND", "LOWER_BOUND",
    "COMMENT", "COMMENT_OBS", "TIME_FORMAT", "TITLE", "BASE_PER", "EMBARGO_TIME",
}  # fmt: skip
#: Present as attribute in ILO flows but a dimension in some national ones: moved only when
#: the message is read without a DSD *and* the id is not used as a key elsewhere.
MAYBE_ATTRIBUTES = {"UNIT_MEASURE"}

_FLOW_URN = re.compile(r"Dataflow=(?P<agency>[^:]+):(?P<id>[^()]+)\((?P<version>[^)]*)\)")


def _value(v: Any) -> str | None:
    """An attribute/key value from sdmx1 as text (codes are objects with an id)."""
    v = getattr(v, "value", v)
    v = getattr(v, "id", v)
    return None if v is None else str(v)


@contextmanager
def quiet_sdmx():
    """sdmx1 logs a warning for every structure-specific message read without its DSD; that is
    expected here (attributes are recognised by id instead), so silence it while reading."""
    logger = logging.getLogger("sdmx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def message_kind(msg: sdmx.message.Message) -> str:
    if isinstance(msg, sdmx.message.StructureMessage):
        return "structure"
    if isinstance(msg, sdmx.message.DataMessage):
        return "data"
    return type(msg).__name__


def read_sdmx_message(
    path: Path, *, release: str | None = None, structure: Any = None, fmt: str | None = None
) -> StatisticsBatch:
    """Read an SDMX-ML or SDMX-JSON file (format detected by sdmx1)."""
    kwargs = {"structure": structure} if structure is not None else {}
    try:
        with quiet_sdmx():
            msg = sdmx.read_sdmx(path, **kwargs)
    except Exception as exc:  # sdmx1 raises many kinds; name the file
        raise ValueError(f"{path}: not a readable SDMX message ({exc})") from exc
    return batch_from_message(msg, path, release=release, fmt=fmt, dsd_known=structure is not None)


def batch_from_message(
    msg: sdmx.message.Message,
    path: Path,
    *,
    release: str | None = None,
    fmt: str | None = None,
    dsd_known: bool = False,
    flow: str | None = None,
) -> StatisticsBatch:
    """Walk a parsed message into a batch; ``flow`` overrides the dataflow id found in it."""
    head = path.read_bytes()[:4096].lstrip()
    is_json = head.startswith(b"{")
    if message_kind(msg) == "structure":
        n = sum(len(getattr(msg, name, {}) or {}) for name in ("codelist", "structure", "dataflow"))
        return StatisticsBatch.from_records(
            [],
            [],
            source_file=path,
            format="sdmx-ml-structure",
            messages=[f"{path.name} is an SDMX structure message ({n} structures), no data"],
        )
    if fmt is None:
        if is_json:
            fmt = "sdmx-json"
        elif b"StructureSpecificData" in path.read_bytes()[:2048]:
            fmt = "sdmx-ml-structure-specific"
        else:
            fmt = "sdmx-ml-generic"
    prepared = getattr(msg.header, "prepared", None)
    rel = release_for(path, release, prepared)
    json_extra = _json_series_attributes(path) if is_json else None
    records: list[dict] = []
    for ds_no, ds in enumerate(msg.data, start=1):
        flow_id = flow or _flow_id(msg, ds, json_extra)
        for s_no, (series_key, observations) in enumerate(ds.series.items(), start=1):
            for o_no, obs in enumerate(observations, start=1):
                records.append(
                    _record(
                        obs,
                        series_key,
                        flow=flow_id,
                        release=rel,
                        where=f"{path.name}!dataset {ds_no} series {s_no} obs {o_no}",
                        json_extra=json_extra,
                        dsd_known=dsd_known,
                    )
                )
        # Observations outside any series (flat, dimensionAtObservation=AllDimensions)
        flat = [o for o in ds.obs if getattr(o, "series_key", None) is None]
        for o_no, obs in enumerate(flat, start=1):
            records.append(
                _record(
                    obs,
                    None,
                    flow=flow_id,
                    release=rel,
                    where=f"{path.name}!dataset {ds_no} obs {o_no}",
                    json_extra=json_extra,
                    dsd_known=dsd_known,
                )
            )
    kept, rejected = conform_records(records)
    return StatisticsBatch.from_records(kept, rejected, source_file=path, format=fmt)


def _flow_id(msg: Any, ds: Any, json_extra: dict | None) -> str | None:
    for candidate in (ds.described_by, getattr(msg, "dataflow", None), ds.structured_by):
        flow_id = getattr(candidate, "id", None)
        if flow_id and flow_id != "(missing id)":
            return str(flow_id)
    return (json_extra or {}).get("dataflow")


def _record(
    obs: Any,
    series_key: Any,
    *,
    flow: str | None,
    release: str,
    where: str,
    json_extra: dict | None,
    dsd_known: bool,
) -> dict:
    dims: dict[str, str] = {}
    key = obs.key if obs.key is not None else series_key
    for kv_id, kv in key.values.items():
        dims[str(kv_id)] = _value(kv) or ""
    attrs: dict[str, str] = {}
    if series_key is not None:
        for a_id, av in series_key.attrib.items():
            attrs[str(a_id)] = _value(av) or ""
    for a_id, av in obs.attrib.items():
        attrs[str(a_id)] = _value(av) or ""
    if json_extra is not None:
        series_dims = tuple(v for k, v in dims.items() if k != "TIME_PERIOD")
        for a_id, val in json_extra["series"].get(series_dims, {}).items():
            attrs.setdefault(a_id, val)
        for a_id, val in json_extra["dataset"].items():
            attrs.setdefault(a_id, val)
    if not dsd_known:
        for a_id in [d for d in dims if d in KNOWN_ATTRIBUTES or d in MAYBE_ATTRIBUTES]:
            attrs.setdefault(a_id, dims.pop(a_id))
    time_period = dims.pop("TIME_PERIOD", None)
    if time_period is None and obs.dim is not None:
        time_period = _value(obs.dim)
    return {
        "source_row": where,
        "dataflow": flow,
        "indicator": None,
        "dims": dims,
        "time_period": time_period,
        "value": obs.value,
        "attrs": attrs,
        "source": None,
        "release": release,
    }


def _json_series_attributes(path: Path) -> dict:
    """Series/data-set attributes and the dataflow id of an SDMX-JSON 1.0 data message,
    which sdmx1 2.28 does not carry into its model."""
    doc = json.loads(path.read_text(encoding="utf-8-sig"))
    data = doc.get("data", doc)  # SDMX-JSON 1.0 has dataSets at the top; 2.0 wraps in "data"
    structure = data.get("structure") or (data.get("structures") or [{}])[0]
    out: dict[str, Any] = {"series": {}, "dataset": {}, "dataflow": None}
    links = list(structure.get("links", []))
    for ds in data.get("dataSets", []):
        links += ds.get("links", [])
    for link in links:
        m = _FLOW_URN.search(link.get("urn", "") or link.get("href", ""))
        if m:
            out["dataflow"] = m.group("id")
            break
    dims = structure.get("dimensions", {})
    series_dims = dims.get("series", [])
    attributes = structure.get("attributes", {})
    series_attrs = attributes.get("series", [])
    dataset_attrs = attributes.get("dataSet", attributes.get("dataset", []))
    for ds in data.get("dataSets", []):
        for i, idx in enumerate(ds.get("attributes", []) or []):
            if idx is not None and i < len(dataset_attrs):
                out["dataset"][dataset_attrs[i]["id"]] = _json_attr_value(dataset_attrs[i], idx)
        for key, series in (ds.get("series") or {}).items():
            positions = [int(p) for p in key.split(":")] if key else []
            values = tuple(
                series_dims[n]["values"][p]["id"]
                for n, p in enumerate(positions)
                if n < len(series_dims)
            )
            attrs = {}
            for i, idx in enumerate(series.get("attributes", []) or []):
                if idx is not None and i < len(series_attrs):
                    attrs[series_attrs[i]["id"]] = _json_attr_value(series_attrs[i], idx)
            out["series"][values] = attrs
    return out


def _json_attr_value(attr: dict, idx: Any) -> str:
    values = attr.get("values") or []
    if isinstance(idx, int) and 0 <= idx < len(values):
        v = values[idx]
        return str(v.get("id", v.get("name", v.get("value"))))
    return str(idx)
