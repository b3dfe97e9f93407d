"""``lmis airflow …``: the airflow CLI with the project's Airflow home."""

from __future__ import annotations

import argparse
import os
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "airflow", help="run the airflow command with the project's Airflow home (LMIS_HOME/airflow)",
        description="Passes the remaining arguments to airflow, e.g. "
        "`lmis airflow dags list-import-errors`.",
        add_help=False,
    )
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from etl.airflow_home import configure

    configure()
    os.execv(sys.executable, [sys.executable, "-m", "airflow", *args.args])
    return 0  # pragma: no cover - execv does not return
