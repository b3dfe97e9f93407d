"""``lmis report``: build the labour-market bulletin from the current published tables."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl.commands._common import add_warehouse_args, load_cli_config, warehouse_url


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report", help="build the labour-market bulletin (static HTML) from the published tables",
        description="Writes LMIS_HOME/reports/<release>/index.html, a self-contained page "
        "(charts drawn at build time, no script, no network) with the quarter's headline "
        "figures, shortage and surplus lists, ratings by occupation group and region, vacancy "
        "trends, skills asked, returnees against open vacancies, data quality and the method "
        "version, and points LMIS_HOME/reports/latest to it.",
    )
    add_warehouse_args(p)
    p.add_argument("--language", choices=["fr", "en"],
                   help="language of the bulletin (default: `language` of the configuration)")
    p.add_argument("--release", metavar="NAME",
                   help="folder name of this edition (default: <quarter>-<published at>)")
    p.add_argument("--out-dir", metavar="DIR", type=Path,
                   help="reports folder (default: LMIS_HOME/reports)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from etl.report import ReportDataError, build_report
    from etl.warehouse.connection import describe, get_engine

    language = args.language or load_cli_config(args).language
    engine = get_engine(warehouse_url(args))
    try:
        index = build_report(engine, language=language, release=args.release,
                             out_dir=args.out_dir)
    except (ReportDataError, ValueError) as exc:
        print(f"lmis report: {exc} (warehouse {describe(engine)})", file=sys.stderr)
        return 1
    print(f"bulletin: {index}")
    print(f"latest:   {index.parent.parent / 'latest' / 'index.html'}")
    return 0
