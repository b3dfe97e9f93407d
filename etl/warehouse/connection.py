"""Which warehouse to talk to, and an engine for it.

The URL is resolved in the order a data engineer expects from other tools:
an explicit ``--warehouse`` flag, then ``LMIS_WAREHOUSE_URL``, then the Airflow
connection ``lmis_warehouse`` (so production keeps its credentials in Airflow's
secrets backend, not in our config), else an embedded DuckDB file in LMIS_HOME
so that a new user needs no server.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from etl.settings import lmis_home

AIRFLOW_CONN_ID = "lmis_warehouse"

_SCHEME_ALIASES = {
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "psycopg": "postgresql+psycopg",
}


def default_duckdb_url() -> str:
    return f"duckdb:///{lmis_home() / 'warehouse.duckdb'}"


def airflow_connection_to_url(value: str) -> str:
    """Turn an Airflow connection (URI or JSON form) into a SQLAlchemy URL."""
    value = value.strip()
    if value.startswith("{"):
        data = json.loads(value)
        conn_type = data.get("conn_type", "postgres")
        if conn_type == "duckdb":
            return f"duckdb:///{data.get('host') or data.get('schema')}"
        url = sa.URL.create(
            _SCHEME_ALIASES.get(conn_type, conn_type),
            username=data.get("login"),
            password=data.get("password"),
            host=data.get("host"),
            port=data.get("port"),
            database=data.get("schema"),
        )
        return url.render_as_string(hide_password=False)
    scheme, sep, rest = value.partition("://")
    if not sep:
        raise ValueError(f"Airflow connection {AIRFLOW_CONN_ID!r} is not a URI: {value[:40]!r}")
    return f"{_SCHEME_ALIASES.get(scheme, scheme)}://{rest}"


def _airflow_connection_url() -> str | None:
    """The ``lmis_warehouse`` connection, from the environment or Airflow's secrets.

    The environment form (``AIRFLOW_CONN_LMIS_WAREHOUSE``) is read without importing
    Airflow. Airflow's own lookup (metadata DB, secrets backend) is only tried when an
    Airflow home with a metadata database exists, so that a plain CLI call stays fast.
    """
    env_value = os.environ.get(f"AIRFLOW_CONN_{AIRFLOW_CONN_ID.upper()}")
    if env_value:
        return airflow_connection_to_url(env_value)
    airflow_home = os.environ.get("AIRFLOW_HOME")
    if not airflow_home or not os.path.exists(os.path.join(airflow_home, "airflow.db")):
        return None
    try:
        from airflow.models.connection import Connection

        conn = Connection.get_connection_from_secrets(AIRFLOW_CONN_ID)
    except Exception:  # noqa: BLE001 - any lookup failure means "not configured"
        return None
    return airflow_connection_to_url(conn.get_uri())


def resolve_warehouse_url(explicit: str | None = None) -> str:
    """The warehouse URL by the documented order of precedence."""
    for candidate in (explicit, os.environ.get("LMIS_WAREHOUSE_URL")):
        if candidate:
            return normalise_url(candidate)
    from_airflow = _airflow_connection_url()
    if from_airflow:
        return normalise_url(from_airflow)
    return default_duckdb_url()


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme in _SCHEME_ALIASES:
        return f"{_SCHEME_ALIASES[scheme]}://{rest}"
    return url


def tune_allocator(url: str | None = None) -> None:
    """The allocator settings (etl/allocator.py) for a process loading into ``url``.

    A process that loads streams chunk after chunk: glibc and Arrow are told to give
    freed memory back. Called by :func:`get_engine`, before any worker process is
    started; a long run calls it first, before it starts threads of its own, since
    glibc fixes how many arenas it may make when a second thread first allocates.
    """
    from etl.allocator import limit_fragmentation

    limit_fragmentation(mmap_threshold_for(url))


def mmap_threshold_for(url: str | None = None) -> int:
    """glibc's mmap threshold for a process loading into ``url`` (etl/allocator.py)."""
    from etl.allocator import DUCKDB_MMAP_THRESHOLD, MMAP_THRESHOLD

    duckdb = make_url(resolve_warehouse_url(url)).get_backend_name() == "duckdb"
    return DUCKDB_MMAP_THRESHOLD if duckdb else MMAP_THRESHOLD


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """One engine per URL and process (engines hold pools; create them once)."""
    resolved = resolve_warehouse_url(url)
    parsed = make_url(resolved)
    tune_allocator(resolved)
    if parsed.get_backend_name() == "duckdb" and parsed.database:
        os.makedirs(os.path.dirname(os.path.abspath(parsed.database)), exist_ok=True)
        return sa.create_engine(resolved, poolclass=sa.pool.NullPool)
    # Client-side binding: PostgreSQL refuses server-side parameters in utility statements
    # such as CREATE TABLE … AS SELECT, which the model builder uses. Values are still bound
    # (escaped by psycopg), never formatted into SQL by us.
    if parsed.get_backend_name() != "postgresql":
        return sa.create_engine(resolved, pool_pre_ping=True)
    import psycopg

    return sa.create_engine(
        resolved, pool_pre_ping=True, connect_args={"cursor_factory": psycopg.ClientCursor}
    )


def dialect_name(engine: Engine) -> str:
    """``duckdb`` or ``postgresql``: the two dialects the SQL is written for."""
    return engine.dialect.name


def describe(engine: Engine) -> str:
    """The URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)
