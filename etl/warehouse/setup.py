"""``lmis init``: bring a warehouse to the current schema and load the reference dimensions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from etl.warehouse.migrate import Migration, migrate
from etl.warehouse.reference import load_reference_dimensions
from etl.warehouse.roles import ensure_roles


@dataclass
class InitResult:
    applied: list[Migration]
    dimensions: dict[str, int]


def init_warehouse(engine: Engine, country_code: str) -> InitResult:
    applied = migrate(engine)
    dims = load_reference_dimensions(engine, country_code)
    ensure_roles(engine)  # PostgreSQL: loader and reader roles (skipped on DuckDB)
    return InitResult(applied, dims)
