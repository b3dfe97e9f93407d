"""PES returnee registrations: reading exports, pseudonymising them, mapping them to staging.

Three steps, in this order, because the registrations are personal data of people
in a vulnerable situation:

1. :func:`read_registrations` reads a CSV or XLSX export into rows of strings
   (nothing is written anywhere);
2. :func:`pseudonymise` keeps only the columns the source mapping names (an allow
   list: a column the mapping does not name, such as a name, phone number, e-mail,
   address or document number, never leaves this function), replaces the person
   identifier by its keyed hash and the birth year/date/age by an age band.
   :func:`serialise` turns the result into the bytes that are landed in ``raw``;
3. :func:`parse_landed` + :func:`map_record` read those landed bytes back and map
   each record to the staging columns (codes, booleans, dates), returning the
   problems of a record instead of dropping it.

The mapping lives in the source configuration (``mapping:`` of a ``kind: returnees``
source) and is validated by :class:`ReturneeMapping`; see ``docs/returnees.md``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from etl.config.sources import ConfigError
from etl.normalise.dates import parse_date
from etl.normalise.regions import country_code, fold, region_code
from etl.privacy import Pseudonymiser


class ReturneeFileError(ValueError):
    """A registration export cannot be read as configured; the message names the file."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReturneeColumns(_Strict):
    """Which column of the export holds each field (``None``: the export has no such field)."""

    person_id: str
    registered_at: str
    sex: str | None = None
    birth_year: str | None = None
    birth_date: str | None = None
    age: str | None = None
    return_date: str | None = None
    destination_country: str | None = None
    occupation_abroad: str | None = None
    occupation_abroad_code: str | None = None
    occupation_before: str | None = None
    occupation_before_code: str | None = None
    skills: str | None = None
    isced_level: str | None = None
    certificate: str | None = None
    certificate_recognised: str | None = None
    region: str | None = None
    intention: str | None = None


class ReturneeValues(_Strict):
    """How the export writes coded values (compared accent- and case-insensitively)."""

    sex: dict[str, str] = {"m": "M", "h": "M", "homme": "M", "male": "M", "masculin": "M",
                           "f": "F", "femme": "F", "female": "F", "feminin": "F",
                           "o": "O", "autre": "O", "other": "O"}
    yes: list[str] = ["oui", "o", "yes", "y", "1", "vrai", "true", "x"]
    no: list[str] = ["non", "n", "no", "0", "faux", "false"]
    intention: dict[str, str] = {
        "emploi": "job", "job": "job", "employment": "job", "travail": "job",
        "formation": "training", "training": "training",
        "entreprise": "business", "business": "business", "creation d'entreprise": "business",
        "auto-emploi": "business", "self-employment": "business",
    }
    intention_separator: str = r"[;,|+/]"


class ReturneeMapping(_Strict):
    columns: ReturneeColumns
    # Columns known to hold personal data: never read past this module. Listing them
    # lets the pipeline tell them apart from columns nobody declared (reported by name).
    personal_columns: list[str] = []
    values: ReturneeValues = ReturneeValues()
    delimiter: str | None = None      # CSV only; sniffed among ; , tab when absent
    encoding: str | None = None       # CSV only; utf-8 (with or without BOM), else cp1252
    sheet: str | int | None = 0       # XLSX only
    day_first: bool = True
    language: str | None = None       # of the free texts; default: the configuration's

    @classmethod
    def from_source(cls, source: Any) -> ReturneeMapping:
        raw = getattr(source, "mapping", None)
        if not raw:
            raise ConfigError(
                f"source {source.name!r}: a returnees source needs a `mapping:` with at least "
                "columns.person_id and columns.registered_at (see docs/returnees.md)"
            )
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
                for err in exc.errors(include_url=False)
            )
            raise ConfigError(f"source {source.name!r}: mapping: {problems}") from None


# What a landed (pseudonymised) registration holds, in this order. Nothing else is landed.
LANDED_FIELDS = (
    "source_row", "person_key", "sex", "age_band", "return_date", "destination_country",
    "occupation_abroad", "occupation_abroad_code", "occupation_before",
    "occupation_before_code", "skills", "isced_level", "certificate", "certificate_recognised",
    "region", "intention", "registered_at",
)
# Fields copied as written (trimmed) from the export into the landed record.
_COPIED = (
    "sex", "return_date", "destination_country", "occupation_abroad", "occupation_abroad_code",
    "occupation_before", "occupation_before_code", "skills", "isced_level", "certificate",
    "certificate_recognised", "region", "intention", "registered_at",
)
AGE_BANDS = ((15, 24), (25, 34), (35, 44), (45, 54), (55, 64))


@dataclass
class RawRegistrations:
    """The rows of one export as strings, and its header."""

    path: Path
    header: list[str]
    rows: list[dict[str, str]]


@dataclass
class Pseudonymised:
    records: list[dict[str, str | None]]
    undeclared_columns: list[str] = field(default_factory=list)


def _decode(data: bytes, encoding: str | None, path: Path) -> str:
    if encoding:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ReturneeFileError(f"{path}: not {encoding}: {exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def _read_csv(path: Path, mapping: ReturneeMapping) -> RawRegistrations:
    text = _decode(path.read_bytes(), mapping.encoding, path)
    delimiter = mapping.delimiter
    if delimiter is None:
        first = text.split("\n", 1)[0]
        delimiter = max([";", ",", "\t"], key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ReturneeFileError(f"{path}: empty file") from None
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise ReturneeFileError(
                f"{path}, line {number}: {len(values)} fields where the header has "
                f"{len(header)} (delimiter {delimiter!r})"
            )
        row = dict(zip(header, (v.strip() for v in values), strict=True))
        row["__row__"] = str(number)
        rows.append(row)
    return RawRegistrations(path, header, rows)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(path: Path, mapping: ReturneeMapping) -> RawRegistrations:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any openpyxl failure: say which file
        raise ReturneeFileError(f"{path}: not a readable XLSX workbook: {exc}") from None
    try:
        sheet = (book.worksheets[mapping.sheet] if isinstance(mapping.sheet, int)
                 else book[mapping.sheet]) if mapping.sheet is not None else book.active
    except (IndexError, KeyError):
        raise ReturneeFileError(f"{path}: no sheet {mapping.sheet!r}") from None
    values = sheet.iter_rows(values_only=True)
    try:
        header = [_cell(h) for h in next(values)]
    except StopIteration:
        raise ReturneeFileError(f"{path}: empty sheet") from None
    rows = []
    for number, cells in enumerate(values, start=2):
        texts = [_cell(c) for c in cells][: len(header)]
        if not any(texts):
            continue
        texts += [""] * (len(header) - len(texts))
        row = dict(zip(header, texts, strict=True))
        row["__row__"] = str(number)
        rows.append(row)
    book.close()
    return RawRegistrations(path, header, rows)


def read_registrations(path: Path, mapping: ReturneeMapping) -> RawRegistrations:
    """Rows of a CSV or XLSX export as strings; raises if a mapped column is missing."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw = _read_xlsx(path, mapping)
    elif suffix in (".csv", ".txt", ".tsv"):
        raw = _read_csv(path, mapping)
    else:
        raise ReturneeFileError(f"{path}: unsupported file type {suffix!r} (CSV or XLSX)")
    wanted = {k: v for k, v in mapping.columns.model_dump().items() if v}
    missing = sorted(f"{name} ({column!r})" for name, column in wanted.items()
                     if column not in raw.header)
    if missing:
        raise ReturneeFileError(
            f"{path}: columns named by the mapping are missing: {', '.join(missing)}; "
            f"the file has: {', '.join(raw.header)}"
        )
    return raw


def age_band(age: int | None) -> str | None:
    """Ten-year bands from 15 (the bands the published tables use); ``'0-14'`` below 15."""
    if age is None or age < 0:
        return None
    if age < 15:
        return "0-14"
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "65+"


def _age(row: Mapping[str, str], columns: ReturneeColumns, on: date | None,
         day_first: bool) -> int | None:
    """Age at registration from whichever of age, birth date or birth year the export has."""
    if columns.age and re.fullmatch(r"\d{1,3}", row.get(columns.age, "")):
        return int(row[columns.age])
    if on is None:
        return None
    if columns.birth_date and row.get(columns.birth_date):
        born = parse_date(row[columns.birth_date], day_first=day_first)
        if born is not None:
            return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if columns.birth_year and re.fullmatch(r"\d{4}", row.get(columns.birth_year, "")):
        # Age reached during the registration year: exact to a year, and that is all a band needs.
        return on.year - int(row[columns.birth_year])
    return None


def pseudonymise(raw: RawRegistrations, mapping: ReturneeMapping,
                 pseudonymiser: Pseudonymiser) -> Pseudonymised:
    """Keep only the mapped fields, hash the identifier, turn birth data into an age band."""
    columns = mapping.columns
    mapped = {v for v in columns.model_dump().values() if v}
    declared = mapped | set(mapping.personal_columns)
    undeclared = [h for h in raw.header if h and h not in declared]
    records = []
    for row in raw.rows:
        registered = parse_date(row.get(columns.registered_at), day_first=mapping.day_first)
        record: dict[str, str | None] = dict.fromkeys(LANDED_FIELDS)
        record["source_row"] = f"{raw.path.name}:{row['__row__']}"
        record["person_key"] = pseudonymiser.pseudonym(row.get(columns.person_id))
        record["age_band"] = age_band(_age(row, columns, registered, mapping.day_first))
        for name in _COPIED:
            column = getattr(columns, name)
            if column:
                record[name] = row.get(column) or None
        records.append(record)
    return Pseudonymised(records, undeclared)


def serialise(records: Iterable[Mapping[str, str | None]]) -> bytes:
    """The landed form: UTF-8 CSV with exactly :data:`LANDED_FIELDS`, in input order."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(LANDED_FIELDS), lineterminator="\n",
                            extrasaction="raise")
    writer.writeheader()
    for record in records:
        writer.writerow({k: ("" if record.get(k) is None else record[k]) for k in LANDED_FIELDS})
    return buffer.getvalue().encode("utf-8")


def parse_landed(data: bytes) -> list[dict[str, str | None]]:
    """Records back from landed bytes (a pure function: re-runnable on raw)."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    if reader.fieldnames is None or tuple(reader.fieldnames) != LANDED_FIELDS:
        raise ReturneeFileError(f"landed returnee file has columns {reader.fieldnames}, "
                                f"expected {list(LANDED_FIELDS)}")
    return [{k: (v or None) for k, v in row.items()} for row in reader]


def _lookup(value: str | None, table: Mapping[str, str]) -> tuple[str | None, bool]:
    """(mapped value, understood?) with accent/case-insensitive keys."""
    if value is None:
        return None, True
    folded = {fold(k): v for k, v in table.items()}
    key = fold(value)
    return (folded[key], True) if key in folded else (None, False)


def _yes_no(value: str | None, values: ReturneeValues) -> tuple[bool | None, bool]:
    if value is None:
        return None, True
    key = fold(value)
    if key in {fold(v) for v in values.yes}:
        return True, True
    if key in {fold(v) for v in values.no}:
        return False, True
    return None, False


def map_record(
    record: Mapping[str, str | None],
    mapping: ReturneeMapping,
    *,
    country: str,
    region_aliases: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Staging fields (all but occupation and skill coding) and the record's problems.

    A value that is present but not understood is a problem (the record is
    quarantined with it), never a silent null.
    """
    values = mapping.values
    problems: list[str] = []
    out: dict[str, Any] = {
        "source_row": record.get("source_row"),
        "person_key": record.get("person_key"),
        "age_band": record.get("age_band"),
    }
    if not out["person_key"]:
        problems.append("person identifier missing")

    out["sex"], ok = _lookup(record.get("sex"), values.sex)
    if not ok:
        problems.append(f"sex not understood: {record.get('sex')!r}")

    for name in ("registered_at", "return_date"):
        text = record.get(name)
        parsed = parse_date(text, day_first=mapping.day_first) if text else None
        if text and parsed is None:
            problems.append(f"{name} not a date: {text!r}")
        out[name] = parsed
    if out["registered_at"] is None and not record.get("registered_at"):
        problems.append("registered_at missing")

    text = record.get("destination_country")
    out["destination_country"] = country_code(text) if text else None
    if text and out["destination_country"] is None:
        problems.append(f"destination country not recognised: {text!r}")

    text = record.get("region")
    out["region_code"] = region_code(text, country, region_aliases) if text else None
    if text and out["region_code"] is None:
        problems.append(f"region of return not recognised: {text!r}")

    text = record.get("isced_level")
    out["isced_level"] = None
    if text:
        match = re.fullmatch(r"(?:isced\s*)?(\d)", fold(text))
        if match:
            out["isced_level"] = int(match.group(1))
        else:
            problems.append(f"ISCED level not a digit 0-8: {text!r}")

    out["has_certificate"], ok = _yes_no(record.get("certificate"), values)
    if not ok:
        problems.append(f"certificate not yes/no: {record.get('certificate')!r}")
    out["certificate_recognised"], ok = _yes_no(record.get("certificate_recognised"), values)
    if not ok:
        problems.append(
            f"certificate_recognised not yes/no: {record.get('certificate_recognised')!r}")

    text = record.get("intention")
    wants = {"job": None, "training": None, "business": None}
    if text:
        wants = dict.fromkeys(wants, False)
        for part in re.split(values.intention_separator, text):
            if not part.strip():
                continue
            kind, ok = _lookup(part.strip(), values.intention)
            if not ok or kind not in wants:
                problems.append(f"intention not understood: {part.strip()!r}")
            else:
                wants[kind] = True
    out["wants_job"], out["wants_training"], out["wants_business"] = (
        wants["job"], wants["training"], wants["business"])

    for name in ("occupation_abroad", "occupation_abroad_code", "occupation_before",
                 "occupation_before_code", "skills"):
        out[name] = record.get(name)
    return out, problems
