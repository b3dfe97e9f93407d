"""Bulk loading of DataFrames: PostgreSQL COPY and DuckDB Arrow appends, never row by row.

Identifiers are quoted by SQLAlchemy's dialect preparer; values travel as data
(COPY rows, an Arrow table), never formatted into SQL.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection


def _qualified(conn: Connection, schema: str, table: str) -> str:
    prep = conn.dialect.identifier_preparer
    return f"{prep.quote_schema(schema)}.{prep.quote(table)}"


def _columns(conn: Connection, columns: Iterable[str]) -> str:
    prep = conn.dialect.identifier_preparer
    return ", ".join(prep.quote(c) for c in columns)


def _clean(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def bulk_insert(conn: Connection, schema: str, table: str, frame: pd.DataFrame) -> int:
    """Append ``frame`` to ``schema.table`` in the caller's transaction; return rows written."""
    if frame.empty:
        return 0
    target = _qualified(conn, schema, table)
    cols = _columns(conn, frame.columns)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {target} ({cols}) FROM STDIN") as copy:
            for row in frame.itertuples(index=False, name=None):
                copy.write_row([_clean(v) for v in row])
        return len(frame)
    if conn.dialect.name == "duckdb":
        raw = conn.connection.driver_connection
        view = f"_lmis_bulk_{id(frame):x}"
        raw.register(view, frame)
        try:
            raw.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {view}")
        finally:
            raw.unregister(view)
        return len(frame)
    frame.to_sql(table, conn, schema=schema, if_exists="append", index=False, method="multi")
    return len(frame)


def delete_where(conn: Connection, schema: str, table: str, **equals: object) -> None:
    """``DELETE FROM schema.table WHERE col = :col …`` with bound values."""
    meta = sa.MetaData()
    tbl = sa.Table(table, meta, *(sa.Column(c) for c in equals), schema=schema)
    conn.execute(sa.delete(tbl).where(*(tbl.c[c] == v for c, v in equals.items())))
