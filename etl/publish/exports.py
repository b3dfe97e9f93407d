"""Exports for portals: every published table as CSV and Parquet, with a data package.

A portal downloads ``LMIS_HOME/exports/latest/`` and needs three things: files it can read
without our database, a machine-readable description of them (a Frictionless
``datapackage.json``: field names, types, descriptions, primary keys) and the guarantee
that it never sees half a release. So a release is written into a hidden temporary folder
and renamed into place in one step, and ``latest`` is switched afterwards (a symlink
replaced with ``os.replace``; a copied folder swapped by renames where symlinks are not
available). Columns, types and descriptions come from ``warehouse_sql/published/columns.yml``;
a published table whose columns differ from it is an error, not a silent export.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.checksums import file_sha256
from etl.publish.columns import Table, published_tables
from etl.settings import home_subdir

PACKAGE_NAME = "reintegration-lmis-published"
LATEST = "latest"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

_ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
}


class ExportError(RuntimeError):
    """The published tables cannot be exported as documented."""


def release_name(value: str) -> str:
    """A folder name for a release (Airflow run ids hold ':' and '+', which some file
    systems and URLs refuse): unsafe characters become '-'."""
    name = _UNSAFE.sub("-", value).strip("-.")
    if not name or name == LATEST:
        raise ExportError(f"invalid export release name {value!r}")
    return name


INFO_COLUMNS = sa.table("columns", sa.column("table_schema"), sa.column("table_name"),
                        sa.column("column_name"), sa.column("data_type"),
                        sa.column("ordinal_position"), schema="information_schema")


def warehouse_columns(conn: sa.Connection, name: str, schema: str = "published"
                      ) -> list[tuple[str, str]]:
    """(column, data type) of a table, in order, from ``information_schema`` (the one
    catalogue DuckDB and PostgreSQL share; SQLAlchemy's reflection differs between them)."""
    query = (sa.select(INFO_COLUMNS.c.column_name, INFO_COLUMNS.c.data_type)
             .where(INFO_COLUMNS.c.table_schema == schema, INFO_COLUMNS.c.table_name == name)
             .order_by(INFO_COLUMNS.c.ordinal_position))
    return [(str(c), str(t)) for c, t in conn.execute(query)]


def _table_columns(conn: sa.Connection, table: Table) -> list[str]:
    columns = warehouse_columns(conn, table.name)
    if not columns:
        raise ExportError(f"published.{table.name} does not exist: run `lmis init` first")
    return [c for c, _ in columns]


def _check_columns(actual: list[str], table: Table) -> None:
    documented = table.column_names
    if actual == documented:
        return
    undocumented = [c for c in actual if c not in documented]
    missing = [c for c in documented if c not in actual]
    detail = []
    if undocumented:
        detail.append(f"not documented: {', '.join(undocumented)}")
    if missing:
        detail.append(f"documented but not in the table: {', '.join(missing)}")
    if not detail:
        detail.append(f"column order differs: table has {actual}")
    raise ExportError(f"published.{table.name} and warehouse_sql/published/columns.yml "
                      f"disagree ({'; '.join(detail)})")


def _convert(value: object, field_type: str) -> object:
    """Driver values to the documented type (DuckDB and psycopg differ in details)."""
    if value is None:
        return None
    if field_type == "integer":
        return int(value)
    if field_type == "number":
        return float(value) if not isinstance(value, float) else value
    if field_type == "boolean":
        return bool(value)
    if field_type == "date" and isinstance(value, datetime):
        return value.date()
    if field_type == "string" and not isinstance(value, str):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


#: Rows per batch read from the warehouse and written to both files: the largest
#: published table (open vacancies) grows with the postings, so it is never held whole.
BATCH_ROWS = 50_000


def _order_by(engine: Engine, sa_table: sa.TableClause, table: Table) -> list:
    """Primary-key order (all columns when there is none), nulls last, strings by code
    point: what Python's sort gives, so DuckDB and PostgreSQL export identical files."""
    keys = list(table.primary_key) or table.column_names
    types = {c.name: c.type for c in table.columns}
    order = []
    for name in keys:
        column = sa_table.c[name]
        if types[name] == "string" and engine.dialect.name == "postgresql":
            column = column.collate("C")
        order.append(column.asc().nulls_last())
    return order


def iter_published(engine: Engine, table: Table, batch_rows: int = BATCH_ROWS
                   ) -> Iterator[list[tuple]]:
    """The rows of ``published.<table>`` in batches, as the driver returns them, in
    primary-key order, so that an unchanged table exports identically; streamed from
    the warehouse. :func:`write_files` types them as documented, a column at a time."""
    with engine.connect() as conn:
        _check_columns(_table_columns(conn, table), table)
        sa_table = sa.table(table.name, *(sa.column(c) for c in table.column_names),
                            schema="published")
        query = sa.select(*sa_table.columns).order_by(*_order_by(engine, sa_table, table))
        # Read with the driver's own cursor: the columns are untyped, so SQLAlchemy's rows
        # would only wrap the same tuples (about 1.2 s of the export at 1M postings). Its
        # own cursor, not a SQLAlchemy result's, which has already buffered rows from it.
        driver = conn.connection.driver_connection
        cursor = (driver.cursor(name=f"export_{table.name}")  # server-side: streamed
                  if engine.dialect.name == "postgresql" else driver.cursor())
        try:
            cursor.execute(str(query.compile(dialect=engine.dialect)))
            while batch := cursor.fetchmany(batch_rows):
                yield batch
        finally:
            cursor.close()


def _csv_cell(value: object, field_type: str) -> str:
    if value is None:
        return ""
    if field_type == "boolean":
        return "true" if value else "false"
    if field_type == "number":
        return repr(float(value))
    if field_type == "datetime" and isinstance(value, datetime):
        return value.isoformat() + ("" if value.tzinfo else "Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.type], metadata={
        "description": c.description, "unit": c.unit}) for c in table.columns])


def typed_array(values: list, field_type: str) -> pa.Array:
    """A column of driver values as an Arrow array of its documented type.

    Arrow converts a whole column in C; only a column it refuses (PostgreSQL's
    ``numeric`` as Decimal for a number, integers for a string, 0/1 for a boolean) is
    converted value by value with :func:`_convert`, the one definition of the types.
    Arrow's own conversions agree with it where they succeed (int, float, date, and
    timestamps as they are), so the files do not depend on which path a column took.
    """
    target = _ARROW_TYPES[field_type]
    try:
        return pa.array(values, type=target)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Not Arrow's Decimal-to-double cast either: it is not correctly rounded
        # (0.333333333333 became 0.33333333333299997), Python's float() is.
        return pa.array([_convert(v, field_type) for v in values], type=target)


#: Documented types whose CSV text is Arrow's cast to string (``None`` stays empty):
#: the same as :func:`_csv_cell` gives: "12", "true"/"false", "2026-03-31".
_ARROW_TEXT_TYPES = frozenset({"string", "integer", "boolean", "date"})


def csv_texts(values: list, array: pa.Array, field_type: str) -> list[str | None]:
    """The CSV cells of a column (``None`` for null, which the writer leaves empty).

    Numbers keep Python's shortest round-trip ``repr`` and timestamps their ISO form
    with ``Z`` for UTC, as the data package documents; Arrow writes both differently,
    so those columns are formatted value by value.
    """
    if field_type in _ARROW_TEXT_TYPES:
        return (array if field_type == "string" else array.cast(pa.string())).to_pylist()
    if field_type == "number":
        return [None if v is None else repr(v) for v in array.to_pylist()]
    return [None if v is None else _csv_cell(_convert(v, field_type), field_type)
            for v in values]


def write_files(csv_path: Path, parquet_path: Path, table: Table,
                batches: Iterable[list[tuple]]) -> None:
    """The CSV (RFC 4180, UTF-8, header; null as an empty cell, booleans true/false) and
    the Parquet file (documented types) of one table, written batch by batch in one pass
    (a Parquet row group per batch), so memory holds one batch, not the table.

    Each batch is converted a column at a time (Arrow, in C) rather than a cell at a
    time: the largest tables (open vacancies, skills in demand) grow with the postings,
    and per-cell conversion was most of the export's time (1M postings: about 7 s).
    """
    types = [c.type for c in table.columns]
    schema = arrow_schema(table)
    with (csv_path.open("w", encoding="utf-8", newline="") as fh,
          pq.ParquetWriter(parquet_path, schema) as parquet):
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(table.column_names)
        wrote = False
        for rows in batches:
            if not rows:
                continue
            columns = [list(values) for values in zip(*rows, strict=True)]
            arrays = [typed_array(values, t) for values, t in zip(columns, types, strict=True)]
            parquet.write_table(pa.Table.from_arrays(arrays, schema=schema))
            writer.writerows(zip(*(csv_texts(values, array, t) for values, array, t
                                   in zip(columns, arrays, types, strict=True)), strict=True))
            wrote = True
        if not wrote:  # an empty table still has its schema, and a row group
            parquet.write_table(schema.empty_table())


def _file_facts(path: Path) -> dict:
    return {"bytes": path.stat().st_size, "hash": f"sha256:{file_sha256(path)}"}


def _schema(table: Table) -> dict:
    schema: dict = {"fields": [
        {"name": c.name, "type": c.type, "description": c.description,
         **({"unit": c.unit} if c.unit else {})}
        for c in table.columns
    ]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    return schema


def _resources(table: Table, folder: Path) -> list[dict]:
    common = {"title": table.title, "description": table.description, "schema": _schema(table)}
    return [
        {"name": table.name, "path": f"{table.name}.csv", "format": "csv",
         "mediatype": "text/csv", "encoding": "utf-8",
         "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
         **common, **_file_facts(folder / f"{table.name}.csv")},
        {"name": f"{table.name}-parquet", "path": f"{table.name}.parquet", "format": "parquet",
         "mediatype": "application/vnd.apache.parquet", **common,
         **_file_facts(folder / f"{table.name}.parquet")},
    ]


def _refreshed_at(engine: Engine) -> str | None:
    """When the published tables were refreshed (from ``published.dataset_metadata``), so
    that the descriptor of an unchanged release does not change with the export time."""
    meta = sa.table("dataset_metadata", sa.column("refreshed_at"), sa.column("method_version"),
                    sa.column("run_id"), schema="published")
    with engine.connect() as conn:
        value = conn.execute(sa.select(sa.func.max(meta.c.refreshed_at))).scalar()
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return value.isoformat() + ("" if getattr(value, "tzinfo", None) else "Z")


def write_release(engine: Engine, folder: Path, release: str) -> dict:
    """Write every documented published table into ``folder`` (which must exist)."""
    resources: list[dict] = []
    for table in published_tables().values():
        write_files(folder / f"{table.name}.csv", folder / f"{table.name}.parquet", table,
                    iter_published(engine, table))
        resources.extend(_resources(table, folder))
    package = {
        "profile": "data-package",
        "name": PACKAGE_NAME,
        "title": "Reintegration LMIS: published tables",
        "description": "Skills gaps, shortage and surplus lists, opportunities, open "
                       "vacancies, labour indicators, skills in demand and returnee "
                       "aggregates, as published by the LMIS. Column documentation: "
                       "docs/data_dictionary.md.",
        "version": release,
        "created": _refreshed_at(engine),
        "resources": resources,
    }
    if package["created"] is None:
        del package["created"]
    (folder / "datapackage.json").write_text(
        json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return package


def _replace_dir(new: Path, final: Path) -> None:
    """Put ``new`` at ``final``; an existing ``final`` is moved aside first, then removed."""
    old = None
    if final.exists() or final.is_symlink():
        old = final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")
        os.rename(final, old)
    os.rename(new, final)
    if old is not None:
        if old.is_symlink() or old.is_file():
            old.unlink()
        else:
            shutil.rmtree(old)


def point_latest(exports: Path, release: str) -> Path:
    """Make ``exports/latest`` show ``release``: a relative symlink swapped atomically, or
    (where symlinks are not allowed) a copy of the release swapped in by renames."""
    latest = exports / LATEST
    tmp = exports / f".{LATEST}-{uuid.uuid4().hex[:8]}"
    try:
        os.symlink(release, tmp, target_is_directory=True)
    except (OSError, NotImplementedError):
        shutil.copytree(exports / release, tmp)
        _replace_dir(tmp, latest)
        return latest
    if latest.is_dir() and not latest.is_symlink():   # a copied folder from an earlier run
        _replace_dir(tmp, latest)
    else:
        os.replace(tmp, latest)
    return latest


def export_published(engine: Engine, release: str, *, target: Path | None = None) -> Path:
    """Export the published tables as release ``release``; return its folder.

    ``target`` is the exports folder (default ``LMIS_HOME/exports``). The release is
    complete or absent: files are written to a temporary folder that is renamed into
    place, and only then is ``latest`` pointed at it. Exporting a release again replaces it.
    """
    exports = Path(target) if target is not None else home_subdir("exports")
    exports.mkdir(parents=True, exist_ok=True)
    name = release_name(release)
    tmp = exports / f".tmp-{name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        write_release(engine, tmp, name)
        _replace_dir(tmp, exports / name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    point_latest(exports, name)
    return exports / name
