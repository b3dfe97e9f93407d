"""Raw tables out of CSV and XLSX files, before any survey-tool logic.

Exports reach us after passing through several hands: Kobo's CSV uses ``;`` and
quotes every value, Excel re-saves in Windows-1252, R writes UTF-8 with a BOM.
So the encoding and the delimiter are detected rather than assumed, and every row
keeps the line number a person would see when opening the file, for error
messages and quarantine.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

#: Delimiters tried, in order of preference when several parse equally well.
CANDIDATE_DELIMITERS = (";", ",", "\t", "|")
SNIFF_LINES = 50


class SurveyReadError(ValueError):
    """The file cannot be read as a survey export; the message names the file."""


@dataclass
class RawTable:
    """One sheet or CSV file: headers as written, rows as lists of cell values."""

    name: str
    source: str  # label used in source_row, e.g. "export.xlsx!occupations"
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    ragged: list[tuple[int, list[Any]]] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None

    def label(self, row_number: int) -> str:
        return f"{self.source} row {row_number}"


def decode_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Text and the encoding it was read with.

    A BOM decides; otherwise strict UTF-8, then Windows-1252 (what Excel on a
    French or English Windows writes), then Latin-1 which never fails.
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding), encoding
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise SurveyReadError(
        f"{path}: cannot decode as UTF-8, Windows-1252 or Latin-1"
    )  # pragma: no cover


def detect_delimiter(text: str) -> str:
    """The candidate delimiter that splits the first lines into the most columns,
    consistently (same count on every sampled record)."""
    sample_lines = text.splitlines()[:SNIFF_LINES]
    sample = "\n".join(sample_lines)
    best, best_score = ",", (0, 0)
    for delimiter in CANDIDATE_DELIMITERS:
        try:
            records = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
        except csv.Error:
            continue
        # the last sampled record may be cut in the middle of a quoted field
        records = [r for r in records[:-1] if r] if len(records) > 2 else [r for r in records if r]
        if not records:
            continue
        width = len(records[0])
        consistent = sum(1 for r in records if len(r) == width)
        score = (consistent if width > 1 else 0, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _is_hxl_row(row: list[str]) -> bool:
    """Kobo adds a second header row of HXL hashtags when the form defines them."""
    cells = [c.strip() for c in row if c and c.strip()]
    return bool(cells) and all(c.startswith("#") for c in cells)


def read_csv_table(path: Path, *, name: str | None = None, data: bytes | None = None) -> RawTable:
    raw = path.read_bytes() if data is None else data
    text, encoding = decode_bytes(raw, path)
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise SurveyReadError(f"{path} line {reader.line_num}: {exc}") from exc
    if not records or not any(cell.strip() for cell in records[0]):
        raise SurveyReadError(f"{path}: no header row")
    headers = records[0]
    table = RawTable(
        name=name or path.stem,
        source=path.name,
        headers=headers,
        encoding=encoding,
        delimiter=delimiter,
    )
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank line, nothing to lose
        if number == 2 and _is_hxl_row(record):
            continue
        if len(record) != len(headers):
            table.ragged.append((number, record))
            continue
        table.rows.append(record)
        table.row_numbers.append(number)
    return table


def _cell(value: Any) -> Any:
    # openpyxl gives datetime for date cells; keep ISO text so JSON output and
    # comparisons with CSV exports agree.
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def read_xlsx_tables(path: Path) -> list[RawTable]:
    """Every non-empty sheet of a workbook, in workbook order."""
    import openpyxl  # imported here: CSV-only users should not pay for it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SurveyReadError(f"{path}: not a readable XLSX workbook ({exc})") from exc
    tables: list[RawTable] = []
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header_row = next(rows, None)
            if header_row is None:
                continue
            last = max((i for i, h in enumerate(header_row) if h not in (None, "")), default=-1)
            if last < 0:
                continue
            headers = ["" if h is None else str(h) for h in header_row[: last + 1]]
            table = RawTable(name=sheet.title, source=f"{path.name}!{sheet.title}", headers=headers)
            for number, row in enumerate(rows, start=2):
                cells = [_cell(v) for v in row]
                if all(v in (None, "") for v in cells):
                    continue
                extra = [v for v in cells[last + 1 :] if v not in (None, "")]
                if extra:
                    table.ragged.append((number, cells))
                    continue
                cells = cells[: last + 1] + [None] * (last + 1 - len(cells))
                table.rows.append(cells)
                table.row_numbers.append(number)
            tables.append(table)
    finally:
        workbook.close()
    if not tables:
        raise SurveyReadError(f"{path}: the workbook has no sheet with a header row")
    return tables
