"""The documented columns of the published tables (``warehouse_sql/published/columns.yml``).

One file documents every published column (description, type, unit) and each table's
primary key, so that the exports' ``datapackage.json``, the data dictionary and the
tests that compare it with the warehouse can never disagree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from etl.settings import sql_dir

#: Frictionless Table Schema types used by the published tables.
FIELD_TYPES = ("string", "integer", "number", "boolean", "date", "datetime")


class ColumnsFileError(ValueError):
    """``columns.yml`` is malformed or disagrees with the warehouse."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    unit: str
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def columns_file() -> Path:
    return sql_dir() / "published" / "columns.yml"


def _column(path: Path, table: str, raw: object) -> Column:
    if not isinstance(raw, dict):
        raise ColumnsFileError(f"{path}: {table}: each column must be a mapping, got {raw!r}")
    missing = {"name", "type", "description"} - raw.keys()
    if missing:
        raise ColumnsFileError(f"{path}: {table}.{raw.get('name', '?')}: missing "
                               f"{', '.join(sorted(missing))}")
    if raw["type"] not in FIELD_TYPES:
        raise ColumnsFileError(f"{path}: {table}.{raw['name']}: type {raw['type']!r} is not "
                               f"one of {', '.join(FIELD_TYPES)}")
    if not str(raw["description"]).strip():
        raise ColumnsFileError(f"{path}: {table}.{raw['name']}: empty description")
    return Column(str(raw["name"]), str(raw["type"]), str(raw.get("unit") or ""),
                  " ".join(str(raw["description"]).split()))


def parse_columns(path: Path) -> dict[str, Table]:
    """Read and check a columns file; errors name the file, table and column."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ColumnsFileError(f"column documentation not found: {path}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("tables"), dict):
        raise ColumnsFileError(f"{path}: expected a top-level 'tables:' mapping")
    tables: dict[str, Table] = {}
    for name, spec in data["tables"].items():
        if not isinstance(spec, dict) or not spec.get("columns"):
            raise ColumnsFileError(f"{path}: table {name}: no columns")
        columns = tuple(_column(path, name, c) for c in spec["columns"])
        names = [c.name for c in columns]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ColumnsFileError(f"{path}: table {name}: duplicated column(s) {duplicated}")
        key = tuple(spec.get("primary_key") or ())
        unknown = [k for k in key if k not in names]
        if unknown:
            raise ColumnsFileError(f"{path}: table {name}: primary key column(s) {unknown} "
                                   "are not columns of the table")
        tables[name] = Table(name, str(spec.get("title") or name),
                             " ".join(str(spec.get("description") or "").split()), key, columns)
    return tables


@lru_cache(maxsize=1)
def published_tables() -> dict[str, Table]:
    """The documented published tables, in the order of ``columns.yml``."""
    return parse_columns(columns_file())
