"""The PostgreSQL reader role reads ``published`` and nothing else (a real server).

A scratch database is initialised with `lmis init`'s code (roles with names unique to the
test, since roles are shared by the whole server); the test then logs in *as the reader
role* and tries every kind of access. Also: the loader owns the schemas, a re-run is
idempotent and revokes a stray grant, a published table created later is readable by
default privileges, and DuckDB or a user without rights get a clear "skipped".
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from etl.publish.columns import published_tables
from etl.warehouse.connection import get_engine
from etl.warehouse.roles import ensure_roles
from etl.warehouse.setup import init_warehouse

PASSWORD = "reader-test-pw-1"


@pytest.fixture
def roles(pg_url, monkeypatch):
    suffix = uuid.uuid4().hex[:8]
    names = {"loader": f"lmis_loader_t{suffix}", "reader": f"lmis_reader_t{suffix}"}
    monkeypatch.setenv("LMIS_LOADER_ROLE", names["loader"])
    monkeypatch.setenv("LMIS_READER_ROLE", names["reader"])
    engine = get_engine(pg_url)
    init_warehouse(engine, "SN")
    yield {"url": pg_url, "engine": engine, **names}
    # Roles outlive databases: drop what they hold here, then the roles themselves.
    with engine.begin() as conn:
        for role in (names["reader"], names["loader"]):
            conn.execute(sa.text(f'reassign owned by "{role}" to current_user'))
            conn.execute(sa.text(f'drop owned by "{role}"'))
    engine.dispose()
    admin = sa.create_engine(sa.engine.make_url(pg_url).set(database="postgres"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for role in (names["reader"], names["loader"]):
            conn.execute(sa.text(f'drop role if exists "{role}"'))
    admin.dispose()


def _login_as(roles: dict, role: str) -> sa.Engine:
    """Give ``role`` a login (what an administrator does for a portal) and connect as it."""
    with roles["engine"].begin() as conn:
        conn.execute(sa.text(f"alter role \"{role}\" login password '{PASSWORD}'"))
    url = sa.engine.make_url(roles["url"]).set(username=role, password=PASSWORD)
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def _denied(engine: sa.Engine, statement: str) -> bool:
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(statement))
    except sa.exc.DBAPIError as exc:
        assert exc.orig.sqlstate == "42501", f"{statement}: {exc.orig}"   # insufficient_privilege
        return True
    return False


def test_reader_reads_published_and_nothing_else(roles):
    with roles["engine"].begin() as conn:
        conn.execute(sa.text(
            "insert into published.dataset_metadata values ('skills_gap', "
            "timestamp '2026-10-15 06:00:00', 'run-1', '2026.1', '{}', 0, 'passed')"))
    reader = _login_as(roles, roles["reader"])
    with reader.connect() as conn:
        assert conn.execute(sa.text("select current_user")).scalar() == roles["reader"]
        for name in published_tables():
            conn.execute(sa.text(f"select * from published.{name}")).all()
        assert conn.execute(sa.text(
            "select run_id from published.dataset_metadata")).scalar() == "run-1"
    for table in ("core.vacancies", "core.dim_region", "core.returnee_profiles",
                  "raw.landed_files", "ops.schema_migrations", "ops.run_ledger",
                  "staging.vacancies", "quarantine.vacancies"):
        assert _denied(reader, f"select * from {table}"), table
    for statement in (
        "insert into published.dataset_metadata values ('x', timestamp '2026-01-01 00:00:00', "
        "'r', 'v', '{}', 0, 'passed')",
        "update published.dataset_metadata set row_count = 1",
        "delete from published.dataset_metadata",
        "delete from published.skills_gap",
        "create table published.mine (a integer)",
        "create table core.mine (a integer)",
    ):
        assert _denied(reader, statement), statement
    reader.dispose()


def test_loader_owns_and_writes_the_schemas(roles):
    with roles["engine"].connect() as conn:
        owners = dict(conn.execute(sa.text(
            "select nspname, pg_get_userbyid(nspowner) from pg_namespace "
            "where nspname in ('raw', 'staging', 'core', 'quarantine', 'ops', 'published')")).all())
    assert owners == {s: roles["loader"] for s in
                      ("raw", "staging", "core", "quarantine", "ops", "published")}
    loader = _login_as(roles, roles["loader"])
    with loader.begin() as conn:
        conn.execute(sa.text("delete from published.dataset_metadata"))
        conn.execute(sa.text("insert into core.indicator_roles values ('X', 'jobseekers')"))
        conn.execute(sa.text("create table core.built_by_loader as select 1 as a"))
        conn.execute(sa.text("drop table core.built_by_loader"))
    loader.dispose()


def test_rerun_is_idempotent_and_revokes_stray_grants(roles):
    reader = roles["reader"]
    with roles["engine"].begin() as conn:
        conn.execute(sa.text(f'grant usage on schema core to "{reader}"'))
        conn.execute(sa.text(f'grant select on core.dim_region to "{reader}"'))
        conn.execute(sa.text(f'grant insert on published.skills_gap to "{reader}"'))
    again = ensure_roles(roles["engine"])
    assert again.applied and again.reader_role == reader
    ensure_roles(roles["engine"])
    with roles["engine"].connect() as conn:
        checks = conn.execute(sa.text(
            "select has_schema_privilege(:r, 'core', 'usage'), "
            "has_table_privilege(:r, 'core.dim_region', 'select'), "
            "has_table_privilege(:r, 'published.skills_gap', 'insert'), "
            "has_table_privilege(:r, 'published.skills_gap', 'select')"), {"r": reader}).one()
    assert tuple(checks) == (False, False, False, True)


def test_published_table_created_later_is_readable(roles):
    """A later migration adds a published table: default privileges let the reader in."""
    with roles["engine"].begin() as conn:
        conn.execute(sa.text("create table published.added_later (a integer)"))
        conn.execute(sa.text("insert into published.added_later values (1)"))
        conn.execute(sa.text("create table core.added_later (a integer)"))
    reader = _login_as(roles, roles["reader"])
    with reader.connect() as conn:
        assert conn.execute(sa.text("select a from published.added_later")).scalar() == 1
    assert _denied(reader, "select * from core.added_later")
    reader.dispose()


def test_without_rights_roles_are_skipped_with_a_message(roles):
    user = f"lmis_nobody_t{uuid.uuid4().hex[:8]}"
    with roles["engine"].begin() as conn:
        conn.execute(sa.text(f"create role \"{user}\" login password '{PASSWORD}'"))
    try:
        url = sa.engine.make_url(roles["url"]).set(username=user, password=PASSWORD)
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        result = ensure_roles(engine, loader=f"{user}_l", reader=f"{user}_r")
        engine.dispose()
        assert not result.applied
        assert "roles skipped" in result.message and "CREATEROLE" in result.message
    finally:
        with roles["engine"].begin() as conn:
            conn.execute(sa.text(f'drop owned by "{user}"'))
            conn.execute(sa.text(f'drop role "{user}"'))


def test_duckdb_has_no_roles(tmp_path):
    engine = sa.create_engine(f"duckdb:///{tmp_path / 'w.duckdb'}")
    result = ensure_roles(engine)
    assert not result.applied and "duckdb has no roles" in result.message
    engine.dispose()
