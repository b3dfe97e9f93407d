"""``lmis runs SOURCE``: the recent runs of one source, from ``ops.run_ledger``."""

from __future__ import annotations

import argparse
import json
import sys

from etl.commands._common import add_warehouse_args, load_cli_config, warehouse_url


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "runs", help="recent runs of one source: interval, ledger counts, balance, detail",
        description="Lists the newest ledger rows of SOURCE (one per run), with the data "
        "interval each run read and whether its ledger balances "
        "(fetched = loaded + quarantined + duplicates + unchanged).",
    )
    p.add_argument("source", help="source name, as in the source configuration")
    p.add_argument("--limit", type=int, default=20, help="how many runs (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_warehouse_args(p)
    p.set_defaults(func=run)


def _when(value) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M")


def run(args: argparse.Namespace) -> int:
    from etl.ops.status import recent_runs
    from etl.warehouse.connection import get_engine

    config = load_cli_config(args)
    known = [s.name for s in config.sources]
    engine = get_engine(warehouse_url(args))
    rows = recent_runs(engine, args.source, args.limit)
    if not rows and args.source not in known:
        print(f"lmis runs: no source named {args.source!r}; the configuration has: "
              f"{', '.join(known)}", file=sys.stderr)
        return 2
    for row in rows:
        row["balanced"] = row["fetched"] == (row["loaded"] + row["quarantined"]
                                             + row["duplicates"] + row["unchanged"])
    if args.json:
        print(json.dumps(rows, indent=2, default=str))
        return 0
    if not rows:
        print(f"{args.source}: no run recorded yet")
        return 0
    print(f"{'finished':<17} {'interval':<33} {'fetched':>8} {'loaded':>7} {'quar.':>6} "
          f"{'dup.':>6} {'unch.':>6}  {'status':<8} {'balance':<9} run_id")
    for r in rows:
        interval = (f"{_when(r['data_interval_start'])} .. {_when(r['data_interval_end'])[5:]}"
                    if r["data_interval_start"] else "-")
        print(f"{_when(r['finished_at']):<17} {interval:<33} {r['fetched']:>8} {r['loaded']:>7} "
              f"{r['quarantined']:>6} {r['duplicates']:>6} {r['unchanged']:>6}  "
              f"{r['status']:<8} {'ok' if r['balanced'] else 'UNBALANCED':<9} {r['run_id']}")
        if r.get("detail"):
            print(f"{'':<18}{r['detail']}")
    return 0
