"""``read_statistics_file``: one entry point that recognises the format from the bytes."""

from __future__ import annotations

import csv
import gzip
import io
import tempfile
from pathlib import Path

from etl.sources.statistics.batch import StatisticsBatch
from etl.sources.statistics.ilostat_bulk import bulk_variant, read_ilostat_bulk
from etl.sources.statistics.observatory_tables import read_observatory_table
from etl.sources.statistics.sdmx_csv import read_sdmx_csv, sdmx_csv_version
from etl.sources.statistics.sdmx_files import read_sdmx_message

XLSX_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"


def detect_format(path: Path, head: bytes | None = None) -> str:
    """'sdmx-xml', 'sdmx-json', 'sdmx-csv', 'ilostat-bulk', 'xlsx' or 'csv' (observatory)."""
    head = head if head is not None else path.open("rb").read(8192)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if stripped.startswith(b"<"):
        return "sdmx-xml"
    if stripped.startswith(b"{"):
        return "sdmx-json"
    text = stripped.decode("utf-8", errors="replace")
    first_line = text.splitlines()[0] if text else ""
    try:
        header = next(csv.reader([first_line], csv.Sniffer().sniff(first_line, ",;\t")))
    except (csv.Error, StopIteration):
        header = next(csv.reader([first_line]), [])
    header = [h.strip() for h in header]
    if sdmx_csv_version(header):
        return "sdmx-csv"
    if bulk_variant(header):
        return "ilostat-bulk"
    return "csv"


def read_statistics_file(
    path: Path, *, mapping: dict | None = None, release: str | None = None
) -> StatisticsBatch:
    """Read any supported statistics file into conformed observations and rejected rows.

    Formats: SDMX-ML 2.1 generic / structure-specific data and structure messages,
    SDMX-JSON 1.0 data, SDMX-CSV 1.0 and 2.0, ILOSTAT bulk CSV (code or labelled), and
    observatory CSV/XLSX tables (these need ``mapping``). ``.gz`` files are read decompressed.
    ``release`` names the vintage; without it the message's prepared date, a date in the file
    name, or the content checksum is used.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    head = path.open("rb").read(8192)
    if head.startswith(GZIP_MAGIC):
        # Decompress beside nothing else: a temporary copy keeps the readers path-based.
        with tempfile.TemporaryDirectory() as tmp:
            inner = Path(tmp) / path.name.removesuffix(".gz")
            inner.write_bytes(gzip.decompress(path.read_bytes()))
            batch = read_statistics_file(inner, mapping=mapping, release=release)
        batch.source_file = str(path)
        return batch
    kind = detect_format(path, head)
    if kind in {"sdmx-xml", "sdmx-json"}:
        return read_sdmx_message(path, release=release)
    if kind == "sdmx-csv":
        return read_sdmx_csv(path, release=release)
    if kind == "ilostat-bulk":
        return read_ilostat_bulk(path, mapping=mapping, release=release)
    if mapping is None:
        raise ValueError(
            f"{path}: not SDMX nor an ILOSTAT bulk file; an observatory table needs a mapping "
            f"(first bytes: {io.BytesIO(head).read(80)!r})"
        )
    return read_observatory_table(path, mapping=mapping, release=release)
