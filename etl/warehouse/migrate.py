"""Schema migrations: ``warehouse_sql/migrations/NNNN_name.sql`` applied in order.

Each applied file is recorded with its SHA-256 in ``ops.schema_migrations``. A
second run applies nothing; a recorded migration whose file has since changed is
an error, because the warehouse would no longer match what the files say (write a
new migration instead). The same files run on DuckDB and PostgreSQL, except a file
whose first line is ``-- dialect: <name>`` (e.g. an index only PostgreSQL needs):
elsewhere it is recorded as applied without running, so that the list of applied
migrations is the same on every warehouse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.checksums import file_sha256
from etl.settings import sql_dir
from etl.warehouse.sqlfiles import split_statements, sql_text

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_DIALECT = re.compile(r"^--\s*dialect:\s*([a-z]+)\s*$")


class MigrationError(RuntimeError):
    """The warehouse and the migration files disagree."""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def dialect(self) -> str | None:
        """The only dialect this migration runs on (first line ``-- dialect: x``), if any."""
        first = self.sql.split("\n", 1)[0]
        match = _DIALECT.match(first.strip())
        return match.group(1) if match else None

    @property
    def checksum(self) -> str:
        return file_sha256(self.path)


def discover(directory: Path | None = None) -> list[Migration]:
    directory = directory or sql_dir() / "migrations"
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path}: migration files are named NNNN_name.sql")
        found.append(Migration(match.group(1), match.group(2), path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration numbers in {directory}")
    return found


def applied(engine: Engine) -> dict[str, str]:
    """version -> checksum of what the warehouse has recorded."""
    if not sa.inspect(engine).has_table("schema_migrations", schema="ops"):
        return {}
    with engine.connect() as conn:
        rows = conn.execute(sql_text("ops/applied_migrations")).all()
    return {row.version: row.checksum for row in rows}


def migrate(engine: Engine, directory: Path | None = None) -> list[Migration]:
    """Apply pending migrations, each in its own transaction; return those applied."""
    done = applied(engine)
    pending = []
    for migration in discover(directory):
        recorded = done.get(migration.version)
        if recorded is None:
            pending.append(migration)
        elif recorded != migration.checksum:
            raise MigrationError(
                f"migration {migration.path.name} was applied with checksum {recorded[:12]}… "
                f"but the file now has {migration.checksum[:12]}…: applied migrations must not "
                "change; add a new migration instead"
            )
    for migration in pending:
        statements = split_statements(migration.sql)
        if migration.dialect not in (None, engine.dialect.name):
            statements = []  # recorded below as applied, so every warehouse lists it
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
            conn.execute(
                sql_text("ops/record_migration"),
                {
                    "version": migration.version,
                    "name": migration.name,
                    "checksum": migration.checksum,
                    "applied_at": datetime.now(UTC).replace(tzinfo=None),
                },
            )
    return pending
