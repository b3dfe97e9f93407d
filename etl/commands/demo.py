"""``lmis demo``: run the whole LMIS end to end on the embedded defaults."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "demo", help="generate the demo country and run every DAG end to end (DuckDB, SQLite)",
        description="Writes the seeded demo sources into LMIS_HOME/demo, serves the sample "
        "job boards and PES feed on 127.0.0.1, runs the ingest DAGs and the publish DAG in "
        "this process and prints a summary.",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from etl.demo.run import run_demo, summary

    result = run_demo()
    print(summary(result))
    return 0
