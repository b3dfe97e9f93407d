"""Reading SQL from ``warehouse_sql/``.

All SQL lives in files so that analysts can read and review it without reading
Python. Values are always bound as parameters (``:name``), never formatted in.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sqlparse
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import TextClause

from etl.settings import sql_dir


def sql_path(relative: str) -> Path:
    path = sql_dir() / relative
    if not path.suffix:
        path = path.with_suffix(".sql")
    if not path.is_file():
        raise FileNotFoundError(f"SQL file not found: {path}")
    return path


@lru_cache(maxsize=256)
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def sql_text(relative: str) -> TextClause:
    """A single statement from ``warehouse_sql/<relative>.sql`` as a bindable clause."""
    return text(_read(sql_path(relative)))


def split_statements(sql: str) -> list[str]:
    """Split a script into statements (sqlparse knows about quotes and comments)."""
    statements = []
    for statement in sqlparse.split(sql):
        stripped = sqlparse.format(statement, strip_comments=True).strip().rstrip(";").strip()
        if stripped:
            statements.append(stripped)
    return statements


def run_script(conn: Connection, relative: str, params: dict | None = None) -> None:
    """Run every statement of a script file, in order, in the caller's transaction."""
    for statement in split_statements(_read(sql_path(relative))):
        conn.execute(text(statement), params or {})
