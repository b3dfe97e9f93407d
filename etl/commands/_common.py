"""Arguments shared by commands (``--warehouse``, ``--config``) and their resolution."""

from __future__ import annotations

import argparse
import sys

from etl.config.sources import ConfigError, LmisConfig, config_path, load_config


def add_warehouse_args(parser: argparse.ArgumentParser, *, config: bool = True) -> None:
    parser.add_argument("--warehouse", metavar="URL", default=argparse.SUPPRESS,
                        help="SQLAlchemy URL of the warehouse (overrides LMIS_WAREHOUSE_URL)")
    if config:
        parser.add_argument("--config", metavar="FILE",
                            help="source configuration (default: LMIS_CONFIG, "
                            "LMIS_HOME/sources.yml, else the demo configuration)")


def warehouse_url(args: argparse.Namespace) -> str | None:
    return getattr(args, "warehouse", None)


def load_cli_config(args: argparse.Namespace) -> LmisConfig:
    try:
        return load_config(config_path(getattr(args, "config", None)))
    except ConfigError as exc:
        print(f"lmis: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
