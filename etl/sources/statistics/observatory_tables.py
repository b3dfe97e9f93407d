"""Employment-observatory tables (CSV or XLSX) read through a mapping.

Observatories in francophone Africa publish tables made for print: a title and
a source line above the table, several header rows with merged year cells,
the region printed once per block, subtotal and total rows, numbers typed as
text with a decimal comma and spaces between thousands, footnote markers glued
to the numbers (``1 310 (a)``, ``4*``), the conventional signs ``..`` (not
available), ``-`` (nil) and ``x`` (confidential), and notes under the table.

The mapping (from the source's YAML configuration, documented with an example in
docs/statistics.md) says where the table is and what its columns mean; every
cell under a period column becomes one observation or one rejected row naming
the sheet, row and column.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd

from etl.sources.statistics import codes
from etl.sources.statistics.batch import StatisticsBatch
from etl.sources.statistics.conform import conform_records
from etl.sources.statistics.periods import parse_period
from etl.sources.statistics.release import release_for

TARGETS = {"region", "occupation", "activity", "sex", "age", "classif1", "classif2", "ignore"}
DEFAULT_SYMBOLS = {
    "..": "N",
    "...": "N",
    "…": "N",
    "-": "N",
    "–": "N",
    "x": "C",
    "X": "C",
    "s": "C",
}
DEFAULT_TOTAL_LABELS = ["total", "ensemble", "total general", "sous-total", "national"]
DEFAULT_STOP = r"^\s*(source|sources|note|notes|lecture|champ|signes conventionnels|\(\w\)|\*)"
# Markers glued to a number: "(a)", "(1)", "*", "**", superscript digits.
_MARKER = re.compile(r"\s*(\([a-z0-9]{1,2}\)|\*{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)\s*$")
_ISCO_LABEL = re.compile(r"^\s*(?P<code>\d{1,4})\b\s*[-–.:]?\s*")
_ISIC_LABEL = re.compile(r"^\s*(?P<code>[A-U]|\d{2,4})\b\s*(?:$|[-–.:]\s*)")
_NOT_CLASSIFIED = re.compile(
    r"^(non (declare|classe|precise|specifie)|nd|autres non classes)", re.I
)


class MappingError(ValueError):
    """The mapping does not fit the table (named column missing, no period column …)."""


def _fold(text: Any) -> str:
    return codes._fold("" if text is None else str(text))


def _is_blank(value: Any) -> bool:
    return (
        value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == ""
    )


def _clean_label(value: Any) -> tuple[str, str | None]:
    """A label cell without its trailing footnote marker: ('Dakar', '(a)')."""
    text = re.sub(r"\s+", " ", str(value)).strip()
    m = _MARKER.search(text)
    if m and m.start() > 0:
        return text[: m.start()].strip(), m.group(1)
    return text, None


def read_table(path: Path, mapping: dict) -> tuple[pd.DataFrame, str]:
    """The sheet (or CSV) as a grid of cells, and its name for ``source_row``."""
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        sheet = mapping.get("sheet", 0)
        try:
            grid = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object)
        except ValueError as exc:
            raise MappingError(f"{path}: {exc}") from exc
        if isinstance(sheet, int):
            sheet = pd.ExcelFile(path).sheet_names[sheet]
        return grid, f"{path.name}!{sheet}"
    # Tables for print are ragged (a one-cell title line above a wide header): read with the
    # csv module and pad, rather than with pandas, which wants rectangular data.
    opts = mapping.get("csv") or {}
    text = path.read_text(encoding=opts.get("encoding", "utf-8-sig"))
    sep = opts.get("sep")
    if sep is None:
        lines = text.splitlines()
        sample = "\n".join(lines[: min(len(lines), 20)])
        try:
            sep = csv.Sniffer().sniff(sample, ";,\t").delimiter
        except csv.Error:
            sep = ";" if sample.count(";") > sample.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame(
        [[c if c.strip() else None for c in r] + [None] * (width - len(r)) for r in rows],
        dtype=object,
    )
    return grid, path.name


def read_observatory_table(
    path: Path, *, mapping: dict, release: str | None = None
) -> StatisticsBatch:
    if not mapping:
        raise MappingError(f"{path}: an observatory table needs a mapping (see docs/statistics.md)")
    for key in ("indicator", "ref_area", "columns"):
        if key not in mapping:
            raise MappingError(f"{path}: mapping lacks {key!r}")
    bad = {t for t in mapping["columns"].values() if t not in TARGETS}
    if bad:
        raise MappingError(f"{path}: mapping targets {sorted(bad)} not in {sorted(TARGETS)}")
    grid, where = read_table(path, mapping)
    skip = int(mapping.get("skip_rows", 0))
    n_header = int(mapping.get("header_rows", 1))
    if skip + n_header > len(grid):
        raise MappingError(f"{where}: table has {len(grid)} rows, fewer than skip_rows+header_rows")
    headers = _joined_headers(grid.iloc[skip : skip + n_header])
    dim_cols, period_cols, ignored = _classify_columns(headers, mapping, where)
    messages = [
        f"{where}: column {h!r} is neither a dimension nor a period; not read" for h in ignored
    ]
    rel = release_for(path, release)
    decimal = mapping.get("decimal", ",")
    thousands = mapping.get("thousands", " ")
    symbols = {**DEFAULT_SYMBOLS, **(mapping.get("symbols") or {})}
    footnotes = {k: v for k, v in (mapping.get("footnotes") or {}).items()}
    total_labels = [_fold(t) for t in mapping.get("total_labels", DEFAULT_TOTAL_LABELS)]
    totals = mapping.get("totals", "keep")
    stop = re.compile(mapping.get("stop_at", DEFAULT_STOP), re.I)
    fill_down = set(mapping.get("fill_down", [next(iter(mapping["columns"]))]))
    constants = dict(mapping.get("constants") or {})
    preset_base = {"unit": mapping.get("unit"), "unit_mult": mapping.get("unit_mult", 0)}

    records: list[dict] = []
    last: dict[int, Any] = {}
    first_data = skip + n_header
    for i in range(first_data, len(grid)):
        cells = grid.iloc[i].tolist()
        excel_row = i + 1
        if all(_is_blank(c) for c in cells):
            continue
        first_text = next((str(c) for c in cells if not _is_blank(c)), "")
        if stop.match(first_text) and all(_is_blank(cells[j]) for j, _, _ in period_cols):
            break  # notes under the table
        raw_dims: dict[str, Any] = {}
        for j, header, target in dim_cols:
            value = cells[j]
            if _is_blank(value) and header in fill_down and j in last:
                value = last[j]
            elif not _is_blank(value):
                last[j] = value
            raw_dims[target] = value
        is_total = any(
            not _is_blank(v) and _is_total(_clean_label(v)[0], total_labels)
            for v in raw_dims.values()
        )
        dims, dim_preset, dim_reasons = _conform_dimensions(
            raw_dims, is_total, total_labels, mapping
        )
        if is_total and totals == "reject":
            dim_reasons.append("totals row (mapping says totals: reject)")
        for j, header, period_text in period_cols:
            value, status, note, value_reason = _parse_value(
                cells[j], decimal=decimal, thousands=thousands, symbols=symbols, footnotes=footnotes
            )
            reasons = list(dim_reasons)
            if value_reason:
                reasons.append(value_reason)
            preset = {**preset_base, **dim_preset, "obs_value": value}
            if status:
                preset["obs_status"] = status
            if note:
                preset["note_source"] = note
            records.append(
                {
                    "source_row": f"{where} row {excel_row} col {_col_letter(j)} ({header})",
                    "dataflow": None,
                    "indicator": mapping["indicator"],
                    "dims": {
                        "REF_AREA": mapping["ref_area"],
                        **{k.upper(): v for k, v in constants.items()},
                        **dims,
                    },
                    "time_period": period_text,
                    "value": None,
                    "attrs": {},
                    "source": mapping.get("source", path.name),
                    "release": rel,
                    "preset": preset,
                    "reject_reason": "; ".join(reasons) or None,
                }
            )
    kept, rejected = conform_records(records)
    fmt = (
        "observatory-xlsx"
        if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}
        else "observatory-csv"
    )
    return StatisticsBatch.from_records(
        kept, rejected, source_file=path, format=fmt, messages=messages
    )


def _col_letter(j: int) -> str:
    letters = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _joined_headers(rows: pd.DataFrame) -> list[list[str]]:
    """Header parts per column; merged cells (empty right of a value) take the value on their left
    in every header row but the last, as a year spans its quarters."""
    parts: list[list[str]] = [[] for _ in range(rows.shape[1])]
    n = len(rows)
    for r in range(n):
        carry = None
        for j, value in enumerate(rows.iloc[r].tolist()):
            text = None if _is_blank(value) else re.sub(r"\s+", " ", str(value)).strip()
            if text and text.endswith(".0") and text[:-2].isdigit():
                text = text[:-2]
            if text is None and r < n - 1 and carry is not None and _spans(rows, r, j):
                text = carry
            if text is not None:
                parts[j].append(text)
                carry = text
            else:
                carry = None if r == n - 1 else carry
    return parts


def _spans(rows: pd.DataFrame, r: int, j: int) -> bool:
    """An empty upper header cell continues its left neighbour when the row below has a label."""
    below = rows.iloc[r + 1 :, j].tolist()
    return any(not _is_blank(v) for v in below)


def _classify_columns(headers: list[list[str]], mapping: dict, where: str):
    wanted = {_fold(k): (k, t) for k, t in mapping["columns"].items()}
    explicit_periods = {_fold(k): v for k, v in (mapping.get("value_columns") or {}).items()}
    ignore = {_fold(k) for k in mapping.get("ignore_columns", [])}
    dim_cols, period_cols, ignored = [], [], []
    found = set()
    for j, parts in enumerate(headers):
        if not parts:
            continue
        joined = " ".join(parts)
        keys = [_fold(joined), *(_fold(p) for p in parts)]
        match = next((wanted[k] for k in keys if k in wanted), None)
        if match:
            if match[1] != "ignore":
                dim_cols.append((j, match[0], match[1]))
            found.add(_fold(match[0]))
            continue
        if any(k in ignore for k in keys):
            continue
        period_text = next((explicit_periods[k] for k in keys if k in explicit_periods), None)
        if period_text is None and mapping.get("value_columns") in (None, "auto"):
            for candidate in (joined, parts[-1], " ".join(parts[-2:])):
                if parse_period(candidate):
                    period_text = candidate
                    break
        if period_text is not None:
            period_cols.append((j, joined, period_text))
        else:
            ignored.append(joined)
    missing = [k for k, _ in wanted.values() if _fold(k) not in found]
    if missing:
        raise MappingError(
            f"{where}: mapped columns {missing} not found in headers {[' '.join(p) for p in headers if p]}"
        )
    if not period_cols:
        raise MappingError(
            f"{where}: no period column found in headers {[' '.join(p) for p in headers if p]}"
        )
    return dim_cols, period_cols, ignored


def _is_total(label: str, total_labels: list[str]) -> bool:
    folded = _fold(label)
    return any(folded == t or folded.startswith(t + " ") for t in total_labels)


def _conform_dimensions(
    raw: dict[str, Any], is_total: bool, total_labels: list[str], mapping: dict
):
    """Observatory labels -> ILO-style codes the conform step understands."""
    dims: dict[str, str] = {}
    preset: dict[str, Any] = {}
    reasons: list[str] = []
    code_maps = {
        k: {_fold(a): b for a, b in v.items()} for k, v in (mapping.get("codes") or {}).items()
    }
    for target, value in raw.items():
        label = "" if _is_blank(value) else _clean_label(value)[0]
        total_here = bool(label) and _is_total(label, total_labels)
        explicit = code_maps.get(target, {}).get(_fold(label)) if label else None
        if target == "region":
            if total_here or (not label and is_total):
                continue  # national level: region_code stays None
            if not label:
                reasons.append("no region")
                continue
            dims["REGION"] = explicit or label
        elif target == "occupation":
            dims["OCU"] = _occupation_code(
                label, explicit, total_here or (not label and is_total), reasons
            )
        elif target == "activity":
            dims["ECO"] = _activity_code(
                label, explicit, total_here or (not label and is_total), reasons
            )
        elif target == "sex":
            sex = _sex_code(label, explicit, is_total)
            if sex is None:
                reasons.append(f"unknown sex {label!r}")
                sex = label
            dims["SEX"] = sex
        elif target == "age":
            dims["AGE"] = explicit or (
                "AGE_TOTAL" if total_here or (not label and is_total) else label
            )
        elif target in {"classif1", "classif2"}:
            dims[target.upper()] = explicit or label or ("TOTAL" if is_total else "")
    return dims, preset, reasons


def _sex_code(label: str, explicit: str | None, is_total: bool) -> str | None:
    if not label:
        return "SEX_T" if is_total else None
    return explicit or codes.normalise_sex(label)


def _occupation_code(label: str, explicit: str | None, total: bool, reasons: list[str]) -> str:
    if explicit:
        return explicit
    if total:
        return "OCU_ISCO08_TOTAL"
    if not label:
        reasons.append("no occupation")
        return ""
    if _NOT_CLASSIFIED.match(_fold(label)):
        return "OCU_ISCO08_X"
    m = _ISCO_LABEL.match(label)
    if not m:
        reasons.append(f"occupation label {label!r} carries no ISCO-08 code")
        return label
    return codes.ilo_occupation_code(m.group("code"))


def _activity_code(label: str, explicit: str | None, total: bool, reasons: list[str]) -> str:
    if explicit:
        return explicit
    if total:
        return "ECO_ISIC4_TOTAL"
    if not label:
        reasons.append("no economic activity")
        return ""
    if _NOT_CLASSIFIED.match(_fold(label)):
        return "ECO_ISIC4_X"
    m = _ISIC_LABEL.match(label)
    if not m:
        reasons.append(f"activity label {label!r} carries no ISIC Rev.4 code")
        return label
    code = m.group("code")
    if code.isalpha():
        return f"ECO_ISIC4_{code}"
    section = codes.isic4_section(code) or ""
    return f"EC2_ISIC4_{section}{code}" if len(code) == 2 else f"ISIC4_{code}"


def _parse_value(
    cell: Any, *, decimal: str, thousands: str, symbols: dict, footnotes: dict
) -> tuple[float | None, str | None, str | None, str | None]:
    """(value, obs_status, note, reject reason) of one table cell."""
    if _is_blank(cell):
        return None, None, None, "empty cell"
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return float(cell), None, None, None
    text = re.sub(r"[\s\u00a0\u202f]+", " ", str(cell)).strip()
    status = note = None
    m = _MARKER.search(text)
    if m and m.start() > 0:
        marker = m.group(1)
        text = text[: m.start()].strip()
        info = footnotes.get(marker) or footnotes.get(marker.strip("()"))
        if isinstance(info, dict):
            status = info.get("obs_status")
            note = info.get("note") or f"note {marker}"
        elif isinstance(info, str):
            note = info
        else:
            note = f"note {marker}"
    if text in symbols:
        sym = symbols[text]
        if isinstance(sym, dict):
            if "value" in sym:
                return float(sym["value"]), sym.get("obs_status", status), note, None
            return None, sym.get("obs_status", "N"), note, None
        return None, str(sym), note, None
    number = text.replace(" ", "")
    if thousands and thousands.strip():
        number = number.replace(thousands, "")
    if decimal != ".":
        if "." in number and decimal in number:
            return None, status, note, f"ambiguous number {str(cell)!r}"
        number = number.replace(decimal, ".")
    try:
        return float(number), status, note, None
    except ValueError:
        return None, status, note, f"non-numeric value {str(cell)!r}"
