"""``lmis init``: create or upgrade the warehouse."""

from __future__ import annotations

import argparse
import sys

from etl.commands._common import add_warehouse_args, load_cli_config, warehouse_url


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "init", help="create or upgrade the warehouse schemas and load reference dimensions",
        description="Apply pending migrations from warehouse_sql/migrations (recorded with "
        "checksums in ops.schema_migrations) and load ISCO-08, ISIC Rev.4 and the regions of "
        "the configured country.",
    )
    add_warehouse_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from etl.warehouse.connection import describe, get_engine
    from etl.warehouse.migrate import MigrationError
    from etl.warehouse.setup import init_warehouse

    config = load_cli_config(args)
    engine = get_engine(warehouse_url(args))
    try:
        result = init_warehouse(engine, config.country)
    except MigrationError as exc:
        print(f"lmis init: {exc}", file=sys.stderr)
        return 1
    print(f"warehouse: {describe(engine)}")
    if result.applied:
        for migration in result.applied:
            print(f"  applied {migration.version}_{migration.name}")
    else:
        print("  schema up to date: no migration applied")
    for table, count in result.dimensions.items():
        print(f"  core.{table}: {count} rows")
    return 0
