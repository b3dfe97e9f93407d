"""``lmis quarantine``: what is held in quarantine, and why."""

from __future__ import annotations

import argparse

from etl.commands._common import add_warehouse_args, warehouse_url


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "quarantine", help="list the records held in quarantine with the expectation they failed",
        description="One line per dataset, source, run and failed expectation with the number "
        "of records held; the records themselves are in quarantine.<dataset> (column record).",
    )
    p.add_argument("--limit", type=int, default=50, help="lines to show (default 50)")
    add_warehouse_args(p, config=False)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from etl.warehouse.connection import get_engine
    from etl.warehouse.sqlfiles import sql_text

    engine = get_engine(warehouse_url(args))
    with engine.connect() as conn:
        rows = conn.execute(sql_text("cli/quarantine_summary")).all()
    if not rows:
        print("quarantine is empty")
        return 0
    total = sum(r.records for r in rows)
    print(f"{total} record(s) held in quarantine")
    for r in rows[: args.limit]:
        reason = r.failed_expectations if len(r.failed_expectations) < 140 else \
            r.failed_expectations[:137] + "…"
        print(f"  {r.dataset:<20} {r.source:<16} {r.records:>5}  run {r.run_id}  {reason}")
    if len(rows) > args.limit:
        print(f"  … {len(rows) - args.limit} more line(s); use --limit")
    return 0
