"""PES vacancy feeds: paginated JSON APIs and CSV/XLSX vacancy registers.

Public employment services publish vacancies as JSON APIs (page, offset or
cursor pagination) or as registers exported from their case-management system.
Both are mapped to the raw vacancy keys of ``etl.normalise.vacancy`` by a
field mapping kept in the source configuration, so a new feed is a YAML entry,
not code:

.. code-block:: yaml

    records_path: SearchResult.SearchResultItems[*].MatchedObjectDescriptor
    fields:
      source_id: PositionID
      title: PositionTitle
      salary_min: PositionRemuneration[0].MinimumRange
      salary_period: PositionRemuneration[0].RateIntervalCode
      country: {const: US}
      description: [UserArea.Details.JobSummary, QualificationSummary]

A path is dotted keys with ``[n]`` list indexes and ``[*]`` for "every item";
a list of paths means "the first that has a value"; ``{const: …}`` is a fixed
value; ``{path: …, default: …}`` a path with a fallback. Records that cannot
be vacancies (RemoteOK's legal notice, rows without a title) are returned as
rejects with the reason, never dropped silently.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from etl.sources.http_client import FetchError

LandCallback = Callable[[dict[str, Any], bytes], Any]
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\*|-?\d+)\]")


class FeedError(ValueError):
    """A feed document or register that cannot be read; names the URL/file and why."""


# --------------------------------------------------------------------- paths
def _tokens(path: str) -> list[str | int]:
    out: list[str | int] = []
    for key, index in _TOKEN.findall(path):
        if key:
            out.append(key)
        elif index == "*":
            out.append("*")
        else:
            out.append(int(index))
    return out


def extract_path(doc: Any, path: str) -> Any:
    """Value at ``path`` (see the module docstring); ``None`` when absent.

    With ``[*]`` the result is a list of the values found under every item.
    """
    if path in ("", "$", "."):
        return doc
    values: list[Any] = [doc]
    wildcard = False
    for token in _tokens(path):
        nxt: list[Any] = []
        for value in values:
            if token == "*":
                wildcard = True
                if isinstance(value, list):
                    nxt.extend(value)
            elif isinstance(token, int):
                if isinstance(value, list) and -len(value) <= token < len(value):
                    nxt.append(value[token])
            elif isinstance(value, Mapping) and token in value:
                nxt.append(value[token])
        values = nxt
        if not values:
            return [] if wildcard else None
    if wildcard:
        return values
    return values[0] if values else None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def map_value(record: Any, spec: Any, lookup: Callable[[Any, str], Any] = extract_path) -> Any:
    if isinstance(spec, str):
        return lookup(record, spec)
    if isinstance(spec, list):
        for item in spec:
            value = map_value(record, item, lookup)
            if not _empty(value):
                return value
        return None
    if isinstance(spec, Mapping):
        if "const" in spec:
            return spec["const"]
        value = map_value(record, spec.get("path") or spec.get("paths") or [], lookup)
        return spec.get("default") if _empty(value) else value
    raise FeedError(f"field mapping entry {spec!r} is not a path, a list of paths or a mapping")


def map_record(
    record: Any, fields: Mapping[str, Any], lookup: Callable[[Any, str], Any] = extract_path
) -> dict[str, Any]:
    """The raw vacancy keys of one record under a field mapping (empty values left out)."""
    raw: dict[str, Any] = {}
    for key, spec in fields.items():
        value = map_value(record, spec, lookup)
        if not _empty(value):
            raw[key] = value
    return raw


def _reject(where: str, reason: str, record: Any) -> dict[str, Any]:
    return {"where": where, "reason": reason, "record": record}


def records_from_document(
    doc: Any,
    *,
    records_path: str,
    fields: Mapping[str, Any],
    required: Iterable[str] = ("title",),
    where: str = "document",
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Map the records of one decoded JSON document; return ``(raws, rejects)``."""
    records = extract_path(doc, records_path)
    if records is None:
        raise FeedError(f"{where}: no records at {records_path!r}")
    if isinstance(records, Mapping):
        records = [records]
    if not isinstance(records, list):
        raise FeedError(f"{where}: {records_path!r} is a {type(records).__name__}, not a list")
    raws, rejects = [], []
    required = tuple(required)
    for number, record in enumerate(records):
        here = f"{where} record {number}"
        if not isinstance(record, Mapping):
            rejects.append(_reject(here, f"record is a {type(record).__name__}, not an object",
                                   record))
            continue
        raw = map_record(record, fields)
        missing = [k for k in required if _empty(raw.get(k))]
        if missing:
            rejects.append(_reject(
                here,
                f"no {', '.join(missing)} (record keys: {', '.join(list(record)[:8])})",
                record,
            ))
            continue
        raws.append(raw)
    return raws, rejects


# ---------------------------------------------------------------- JSON APIs
@dataclass
class FeedConfig:
    """One paginated JSON API. ``from_source`` builds it from the YAML source entry.

    ``pagination``: ``page`` (``page_param`` = 1, 2 …), ``offset``
    (``offset_param`` advanced by the records received), ``cursor`` (the value
    at ``cursor_path`` sent back as ``cursor_param``, or the URL at
    ``next_url_path``), or ``none``. Pages stop at an empty page, at
    ``total_pages_path``/``total_path`` when the API gives them, or at
    ``max_pages``.
    """

    name: str
    url: str
    fields: dict[str, Any]
    records_path: str = "results"
    pagination: str = "page"
    page_param: str = "page"
    page_start: int = 1
    size_param: str | None = None
    page_size: int | None = None
    offset_param: str = "offset"
    cursor_param: str = "cursor"
    cursor_path: str | None = None
    next_url_path: str | None = None
    total_pages_path: str | None = None
    total_path: str | None = None
    required: tuple[str, ...] = ("title",)
    allowed_hosts: set[str] = field(default_factory=set)
    allow_private: bool = False
    rate_per_second: float = 1.0
    max_pages: int = 1000

    def __post_init__(self) -> None:
        if self.pagination not in ("page", "offset", "cursor", "none"):
            raise ValueError(f"feed {self.name}: pagination must be page, offset, cursor or none")
        if self.pagination == "cursor" and not (self.cursor_path or self.next_url_path):
            raise ValueError(f"feed {self.name}: cursor pagination needs cursor_path or next_url_path")
        if not self.allowed_hosts:
            self.allowed_hosts = {urlsplit(self.url).hostname or ""}

    @classmethod
    def from_source(cls, source: Any) -> FeedConfig:
        """From an ``etl.config.sources.PesApiSource`` (or anything shaped like it)."""
        optional = {
            key: getattr(source, key)
            for key in ("size_param", "page_size", "offset_param", "cursor_param", "cursor_path",
                        "next_url_path", "total_path", "page_start")
            if getattr(source, key, None) is not None
        }
        return cls(
            name=source.name,
            url=source.url,
            fields=dict(source.fields),
            records_path=source.records_path,
            pagination=source.pagination,
            page_param=source.page_param,
            total_pages_path=getattr(source, "total_pages_path", None),
            allowed_hosts=set(source.allowed_hosts),
            allow_private=source.allow_private,
            rate_per_second=source.rate_per_second,
            max_pages=source.max_pages,
            **optional,
        )


@dataclass
class FeedOutcome:
    raws: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    pages_fetched: int = 0
    not_modified: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    stopped_because: str | None = None


def _with_params(url: str, params: Mapping[str, Any]) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query.extend((k, str(v)) for k, v in params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def read_feed(
    client: Any,
    config: FeedConfig,
    *,
    land: LandCallback,
    max_pages: int | None = None,
) -> FeedOutcome:
    """Walk a JSON API, landing each page before mapping its records."""
    outcome = FeedOutcome()
    limit = max_pages or config.max_pages
    page, offset, cursor = config.page_start, 0, None
    next_url: str | None = None
    seen_urls: set[str] = set()
    while True:
        if outcome.pages_fetched >= limit:
            outcome.stopped_because = f"max_pages ({limit}) reached"
            break
        params: dict[str, Any] = {}
        if config.size_param and config.page_size:
            params[config.size_param] = config.page_size
        if config.pagination == "page":
            params[config.page_param] = page
        elif config.pagination == "offset":
            params[config.offset_param] = offset
        elif config.pagination == "cursor" and cursor is not None:
            params[config.cursor_param] = cursor
        url = next_url or _with_params(config.url, params)
        if url in seen_urls:
            outcome.stopped_because = f"pagination loops back to {url}"
            break
        seen_urls.add(url)
        try:
            result = client.get(url)
        except FetchError as exc:
            outcome.failures.append((exc.url, exc.reason))
            outcome.stopped_because = f"page failed: {exc}"
            break
        outcome.pages_fetched += 1
        land({**result.meta(), "source": config.name, "kind": "feed_page"}, result.body)
        if result.status != 200:
            outcome.failures.append((url, f"HTTP {result.status}"))
            outcome.stopped_because = f"{url} answered HTTP {result.status}"
            break
        try:
            doc = json.loads(result.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            outcome.failures.append((url, f"not JSON: {exc}"))
            outcome.stopped_because = f"{url} is not JSON"
            break
        try:
            raws, rejects = records_from_document(
                doc, records_path=config.records_path, fields=config.fields,
                required=config.required, where=url,
            )
        except FeedError as exc:
            outcome.failures.append((url, str(exc)))
            outcome.stopped_because = str(exc)
            break
        outcome.raws.extend(raws)
        outcome.rejects.extend(rejects)
        received = len(raws) + len(rejects)
        if config.pagination == "none" or received == 0:
            outcome.stopped_because = "single page" if config.pagination == "none" else "empty page"
            break
        if config.pagination == "page":
            total_pages = _as_int(extract_path(doc, config.total_pages_path)) if config.total_pages_path else None
            if total_pages is not None and page - config.page_start + 1 >= total_pages:
                outcome.stopped_because = f"last page ({total_pages})"
                break
            page += 1
        elif config.pagination == "offset":
            offset += received
            total = _as_int(extract_path(doc, config.total_path)) if config.total_path else None
            if total is not None and offset >= total:
                outcome.stopped_because = f"all {total} records read"
                break
        else:
            if config.next_url_path:
                found = extract_path(doc, config.next_url_path)
                next_url = urljoin(url, str(found)) if found else None
                if not next_url:
                    outcome.stopped_because = "no next URL"
                    break
            else:
                cursor = extract_path(doc, config.cursor_path or "")
                if _empty(cursor):
                    outcome.stopped_because = "no next cursor"
                    break
    return outcome


# ---------------------------------------------------------------- registers
def _column_lookup(row: Mapping[str, Any], name: str) -> Any:
    if name in row:
        return row[name]
    wanted = re.sub(r"\s+", " ", name).strip().lower()
    for key, value in row.items():
        if key is not None and re.sub(r"\s+", " ", str(key)).strip().lower() == wanted:
            return value
    return None


def _decode_text(data: bytes, where: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FeedError(f"{where}: neither UTF-8 nor Windows-1252")  # pragma: no cover


def _csv_rows(path: Path) -> list[dict[str, Any]]:
    text = _decode_text(path.read_bytes(), str(path))
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return list(csv.DictReader(io.StringIO(text), dialect=dialect))


def _xlsx_rows(path: Path, sheet: str | None) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for bad files
        raise FeedError(f"{path}: not a readable XLSX file ({exc})") from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise FeedError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)})")
        ws = workbook[sheet] if sheet else workbook.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header: list[str] | None = None
        out: list[dict[str, Any]] = []
        for values in rows:
            if header is None:
                if values and any(v not in (None, "") for v in values):
                    header = [str(v).strip() if v is not None else "" for v in values]
                continue
            out.append(dict(zip(header, values, strict=False)))
        return out
    finally:
        workbook.close()


def read_register(
    path: Path | str,
    *,
    fields: Mapping[str, Any],
    sheet: str | None = None,
    required: Iterable[str] = ("title",),
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Map a CSV or XLSX vacancy register; rejects name the file and the row.

    Row numbers are those a user sees in a spreadsheet (header = row 1).
    """
    path = Path(path)
    if not path.exists():
        raise FeedError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path, sheet)
    elif suffix in (".csv", ".txt", ".tsv"):
        rows = _csv_rows(path)
    else:
        raise FeedError(f"{path}: unsupported register format {suffix!r} (CSV or XLSX)")
    if rows:
        columns = {str(c).strip().lower() for c in rows[0] if c is not None}
        named = {s.strip().lower() for s in _spec_paths(fields.values())}
        if named and not named & columns:
            raise FeedError(
                f"{path}: none of the mapped columns ({', '.join(sorted(named))}) is in the "
                f"header ({', '.join(sorted(columns))})"
            )
    raws, rejects = [], []
    required = tuple(required)
    for number, row in enumerate(rows, start=2):
        if all(_empty(v) for v in row.values()):
            continue  # blank spreadsheet row: nothing to account for
        raw = map_record(row, fields, lookup=_column_lookup)
        missing = [k for k in required if _empty(raw.get(k))]
        if missing:
            rejects.append(_reject(f"{path} row {number}", f"no {', '.join(missing)}", dict(row)))
            continue
        raws.append(raw)
    return raws, rejects


def _spec_paths(specs: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for spec in specs:
        if isinstance(spec, str):
            out.append(spec)
        elif isinstance(spec, list):
            out.extend(_spec_paths(spec))
        elif isinstance(spec, Mapping) and "const" not in spec:
            out.extend(_spec_paths([spec.get("path") or spec.get("paths") or []]))
    return out
