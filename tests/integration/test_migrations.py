"""Migrations and reference dimensions on DuckDB and on a real PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.settings import sql_dir
from etl.warehouse.connection import get_engine
from etl.warehouse.migrate import MigrationError, discover, migrate
from etl.warehouse.setup import init_warehouse

SCHEMAS = {"raw", "staging", "core", "quarantine", "ops", "published"}


def _check_init(url: str) -> None:
    engine = get_engine(url)
    first = init_warehouse(engine, "SN")
    assert [m.version for m in first.applied] == [m.version for m in discover()]
    with engine.connect() as conn:
        schemas = set(conn.execute(sa.text(
            "select schema_name from information_schema.schemata")).scalars())
        assert schemas >= SCHEMAS
        levels = dict(conn.execute(sa.text(
            "select isco_level, count(*) from core.dim_occupation group by isco_level")).all())
        sections = conn.execute(sa.text(
            "select count(*) from core.dim_activity where isic_level = 1")).scalar_one()
        regions = conn.execute(sa.text(
            "select region_code from core.dim_region order by region_code")).scalars().all()
        recorded = conn.execute(sa.text("select count(*) from ops.schema_migrations")).scalar_one()
    assert levels == {1: 10, 2: 43, 3: 130, 4: 436}
    assert sections == 21
    assert "SN" in regions and "SN-DK" in regions and len(regions) == 15
    assert recorded == len(first.applied)
    second = init_warehouse(engine, "SN")
    assert second.applied == []


def test_init_on_duckdb_applies_everything_once(duckdb_url: str) -> None:
    _check_init(duckdb_url)


@pytest.mark.postgres
def test_init_on_postgresql_applies_everything_once(pg_url: str) -> None:
    _check_init(pg_url)


def test_changed_applied_migration_is_an_error(tmp_path: Path, duckdb_url: str) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(sql_dir() / "migrations", folder)
    engine = get_engine(duckdb_url)
    migrate(engine, folder)
    first = sorted(folder.glob("0003_*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited after it was applied\n")
    with pytest.raises(MigrationError, match="0003_"):
        migrate(engine, folder)


def test_badly_named_migration_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "1_first.sql").write_text("select 1")
    with pytest.raises(MigrationError, match="NNNN_name.sql"):
        discover(folder)


def _dialect_only_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir(parents=True)
    (folder / "0001_schemas.sql").write_text(
        (sql_dir() / "migrations" / "0001_schemas.sql").read_text())
    (folder / "0003_pg_only.sql").write_text(
        "-- dialect: postgresql\ncreate table core.only_on_postgresql (x integer);\n")
    (folder / "0004_everywhere.sql").write_text("create table core.everywhere (x integer);\n")
    return folder


@pytest.mark.parametrize("kind", ["duckdb", "postgresql"])
def test_dialect_only_migration_runs_on_its_dialect_and_is_recorded_on_all(
        kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("duckdb_url" if kind == "duckdb" else "pg_url")
    engine = get_engine(url)
    applied = migrate(engine, _dialect_only_folder(tmp_path))
    assert [m.version for m in applied] == ["0001", "0003", "0004"]
    inspector = sa.inspect(engine)
    assert inspector.has_table("everywhere", schema="core")
    assert inspector.has_table("only_on_postgresql", schema="core") == (kind == "postgresql")
    assert migrate(engine, _dialect_only_folder(tmp_path / "again")) == []
