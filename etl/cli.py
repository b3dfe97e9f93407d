"""The ``lmis`` command.

Sub-commands live in ``etl/commands/``, one module each, so that a capability
brings its own command without editing a central list: every module there that
defines ``register(subparsers)`` is loaded. ``register`` adds a sub-parser with a
one-line ``help`` (what ``lmis --help`` lists) and sets ``func`` to a callable
taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from etl import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lmis",
        description="Reintegration LMIS: ingest vacancies, observatory statistics and employer "
        "surveys; publish skills-gap and opportunity tables.",
    )
    parser.add_argument(
        "--warehouse",
        metavar="URL",
        help="SQLAlchemy URL of the warehouse (default: LMIS_WAREHOUSE_URL, then the Airflow "
        "connection lmis_warehouse, then a DuckDB file in LMIS_HOME)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
