"""``lmis status``: per source, last successful run, ledger, freshness, next run, quarantine."""

from __future__ import annotations

import argparse
import json
import sys

from etl.commands._common import add_warehouse_args, load_cli_config, warehouse_url


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "status", help="per source: last run, ledger, freshness, next run, quarantine, alerts",
        description="Reads ops.run_ledger, ops.task_failures, ops.alerts and the quarantine "
        "tables of the warehouse. A source is stale when no run brought new data within its "
        "schedule.expected_every_hours. With --alert, stale sources (and published tables "
        "lagging new data) are also alerted (log, ops.alerts, webhook/e-mail when configured) "
        "and the exit code is 1 when any source is stale, for use from cron or a monitor.",
    )
    add_warehouse_args(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--alert", action="store_true",
                   help="raise alerts for stale sources; exit 1 if any source is stale")
    p.set_defaults(func=run)


def _when(value) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M")


def run(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from etl.ops.freshness import alert_publish_lag, alert_stale
    from etl.ops.status import sources_status
    from etl.orchestration import publish_deadline_hours
    from etl.warehouse.connection import describe, get_engine

    config = load_cli_config(args)
    engine = get_engine(warehouse_url(args))
    try:
        statuses = sources_status(engine, config)
    except Exception as exc:  # noqa: BLE001 - e.g. a warehouse not initialised, or busy
        print(f"lmis status: cannot read the warehouse {describe(engine)}: "
              f"{type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        print("  (run `lmis init` first; an embedded DuckDB warehouse cannot be read while a "
              "run writes to it)", file=sys.stderr)
        return 2
    lag = None
    if args.alert:
        alert_stale(engine, config)
        lag = alert_publish_lag(engine, timedelta(hours=publish_deadline_hours()))
    if args.json:
        print(json.dumps({"warehouse": describe(engine),
                          "sources": [s.as_json() for s in statuses],
                          "publish_lag": lag}, indent=2))
    else:
        print(f"Warehouse: {describe(engine)}")
        print(f"{'source':<18}{'kind':<11}{'state':<7}{'last new data':<18}{'age h':>8}"
              f"{'every h':>8}  {'last success':<18}{'fetched':>8}{'loaded':>8}{'quar.':>6}"
              f"  {'next run':<17}{'in quarantine':>14}{'fail 24h':>9}")
        for s in statuses:
            f = s.freshness
            ledger = s.last_ledger or {}
            age = "-" if f.age_hours is None else f"{f.age_hours:.1f}"
            print(f"{s.source:<18}{s.kind:<11}{f.state:<7}{_when(f.last_new_data_at):<18}"
                  f"{age:>8}{f.expected_every_hours:>8g}  {_when(ledger.get('finished_at')):<18}"
                  f"{ledger.get('fetched', '-'):>8}{ledger.get('loaded', '-'):>8}"
                  f"{ledger.get('quarantined', '-'):>6}  {_when(s.next_run_at):<17}"
                  f"{sum(s.quarantine.values()):>14}{s.failures_last_day:>9}")
        stale = [s.source for s in statuses if s.freshness.is_stale]
        print("")
        print(f"Stale: {', '.join(stale)}" if stale else "Every source is fresh.")
        if lag:
            print(f"Publish deadline missed: {lag}")
        print("Details of a source: lmis runs SOURCE")
    if args.alert and any(s.freshness.is_stale for s in statuses):
        return 1
    return 0
