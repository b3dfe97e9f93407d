"""``lmis backfill``: run a DAG for every data interval of a past date range, in order.

Each interval runs the real DAG in this process (``dag.test``, like ``lmis demo``) as a
*bounded* run: drop-folder files that landed after the interval are left to their own
interval, exactly as the scheduled run of that interval would have done. After each
interval of an ingest DAG the publish DAG runs as of that interval's end, so the
published tables go through the same states as under the scheduler; the last state is
what the scheduled runs would have left. Re-running a backfill changes nothing: the
files of an interval are read again and found unchanged.

On a deployment (CeleryExecutor), use Airflow's own backfill instead; its runs are
bounded too (run type ``backfill``) and the publish DAG follows through the assets::

    airflow backfill create --dag-id lmis_observatory --from-date 2025-01-01 \\
        --to-date 2025-06-30 --max-active-runs 1 --reprocess-behavior completed
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime

from etl.commands._common import add_warehouse_args, warehouse_url

INGEST_KINDS = {
    "lmis_vacancies": ("jobboard", "pes_api"),
    "lmis_observatory": ("statistics",),
    "lmis_employer_survey": ("survey",),
    "lmis_returnees": ("returnees",),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "backfill", help="run an ingest DAG (then publish) for each interval of a past date range",
        description=(__doc__ or "").split("\n\n")[0] + " Intervals follow the DAG's schedule "
        "(the fastest schedule.cron of its sources); --end is inclusive.",
    )
    p.add_argument("--dag", required=True, choices=sorted(INGEST_KINDS),
                   help="the ingest DAG to backfill")
    p.add_argument("--start", required=True, type=_date, help="first day (YYYY-MM-DD)")
    p.add_argument("--end", required=True, type=_date, help="last day, inclusive (YYYY-MM-DD)")
    p.add_argument("--no-publish", dest="publish", action="store_false",
                   help="do not run lmis_publish after each interval")
    p.add_argument("--dry-run", action="store_true", help="list the intervals and stop")
    add_warehouse_args(p, config=True)
    p.set_defaults(func=run)


def _date(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _say(message: str) -> None:
    print(f"[lmis backfill] {message}", file=sys.stderr, flush=True)


def backfill(dag_id: str, start: datetime, end: datetime, *, publish: bool = True,
             progress=_say) -> list[dict]:
    """Run ``dag_id`` (then publish) for each interval; return one summary dict per run."""
    from etl.airflow_home import configure, migrate_metadata
    from etl.demo.run import load_dags
    from etl.ops.schedule import intervals
    from etl.orchestration import DEFAULT_CRON, plan

    kind_default = {"lmis_vacancies": "vacancies", "lmis_observatory": "statistics",
                    "lmis_employer_survey": "survey", "lmis_returnees": "returnees"}[dag_id]
    cron = plan(*INGEST_KINDS[dag_id], default_cron=DEFAULT_CRON[kind_default]).cron
    todo = intervals(cron, start, end)
    if not todo:
        progress(f"no interval of {cron!r} starts between {start:%Y-%m-%d} and {end:%Y-%m-%d}")
        return []
    _check_warehouse()
    configure()
    migrate_metadata()
    dags = load_dags()
    if dag_id not in dags:
        raise SystemExit(f"lmis backfill: DAG {dag_id} is not in the DAG folder")
    out = []
    for number, (a, b) in enumerate(todo, 1):
        label = f"{number}/{len(todo)} {dag_id} {a:%Y-%m-%d %H:%M} .. {b:%Y-%m-%d %H:%M}"
        progress(f"{label}: running")
        for run_dag in [dag_id, *(["lmis_publish"] if publish else [])]:
            started = time.monotonic()
            dag_run = dags[run_dag].test(logical_date=b, run_conf={"lmis_bounded": True})
            state = str(getattr(dag_run, "state", "unknown"))
            seconds = time.monotonic() - started
            out.append({"dag_id": run_dag, "interval_start": a, "interval_end": b,
                        "run_id": dag_run.run_id, "state": state, "seconds": seconds})
            progress(f"{label}: {run_dag} {state.split('.')[-1]} in {seconds:.1f} s "
                     f"(run {dag_run.run_id})")
            if "success" not in state:
                raise RuntimeError(f"{run_dag} for {a:%Y-%m-%d} .. {b:%Y-%m-%d} ended in "
                                   f"state {state}; stopping the backfill here (the intervals "
                                   "before it are complete; re-run from this one)")
    return out


def _check_warehouse() -> None:
    """Stop before Airflow starts if the warehouse has no schema (a run would retry for minutes)."""
    from etl.warehouse.connection import describe, get_engine
    from etl.warehouse.migrate import applied, discover

    engine = get_engine(None)
    done = applied(engine)
    missing = [m.path.name for m in discover() if m.version not in done]
    if missing:
        raise RuntimeError(f"the warehouse {describe(engine)} is not initialised or not up to "
                           f"date ({len(missing)} migration(s) pending, first "
                           f"{missing[0]}): run `lmis init` first")


def run(args: argparse.Namespace) -> int:
    from etl.ops.schedule import intervals
    from etl.orchestration import DEFAULT_CRON, plan

    if getattr(args, "config", None):
        os.environ["LMIS_CONFIG"] = args.config
    if warehouse_url(args):
        os.environ["LMIS_WAREHOUSE_URL"] = warehouse_url(args)
    if args.dry_run:
        kind = {"lmis_vacancies": "vacancies", "lmis_observatory": "statistics",
                "lmis_employer_survey": "survey", "lmis_returnees": "returnees"}[args.dag]
        cron = plan(*INGEST_KINDS[args.dag], default_cron=DEFAULT_CRON[kind]).cron
        for a, b in intervals(cron, args.start, args.end):
            print(f"{args.dag}  {a:%Y-%m-%d %H:%M} .. {b:%Y-%m-%d %H:%M}  (run at {b:%Y-%m-%d})")
        return 0
    try:
        runs = backfill(args.dag, args.start, args.end, publish=args.publish)
    except RuntimeError as exc:
        print(f"lmis backfill: {exc}", file=sys.stderr)
        return 1
    print(f"{len(runs)} run(s) succeeded")
    return 0
