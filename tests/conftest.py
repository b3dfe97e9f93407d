"""Shared fixtures: isolated LMIS_HOME, DuckDB warehouses, scratch PostgreSQL databases.

PostgreSQL tests use a real server (default postgresql://postgres@127.0.0.1:5432, or
LMIS_TEST_PG_URL) and a scratch database each, created and dropped here, so they
never depend on the state of the `test` database. Under CI=true a missing server
fails the test; elsewhere it is skipped with a message saying how to provide one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get("LMIS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _pg_available() -> str | None:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


@pytest.fixture
def lmis_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh LMIS_HOME for one test (warehouse, raw files, Airflow home)."""
    home = tmp_path / "lmis_home"
    home.mkdir()
    monkeypatch.setenv("LMIS_HOME", str(home))
    monkeypatch.delenv("LMIS_WAREHOUSE_URL", raising=False)
    monkeypatch.delenv("LMIS_CONFIG", raising=False)
    return home


@pytest.fixture
def duckdb_url(tmp_path: Path) -> str:
    return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a scratch PostgreSQL database, dropped after the test."""
    import sqlalchemy as sa

    problem = _pg_available()
    if problem:
        message = (f"PostgreSQL not reachable at {PG_ADMIN_URL} ({problem}); set "
                   "LMIS_TEST_PG_URL to a server where the user may create databases")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    name = f"lmis_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'create database "{name}"'))
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(
        hide_password=False)
    try:
        yield url
    finally:
        from etl.warehouse.connection import get_engine

        get_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(sa.text(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = :n"),
                {"n": name})
            conn.execute(sa.text(f'drop database if exists "{name}"'))
        admin.dispose()
