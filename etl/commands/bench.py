"""``lmis bench``: the vacancy pipeline on N generated postings, timed against the raw load."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "bench",
        help="time the vacancy pipeline end to end on N generated postings",
        description=(
            "Generate N landed job postings (JSON-LD, cached in the work folder), run parse, "
            "normalise, classify, validate, load, deduplicate and publish on them, measure "
            "the limit (the final rows loaded with COPY and nothing else) and an incremental "
            "run with a share of new postings. The last line printed is one JSON object. "
            "A PostgreSQL --warehouse is used to create (and drop) a scratch database."
        ),
    )
    p.add_argument("--rows", type=int, required=True, help="postings to generate and load")
    p.add_argument("--warehouse", help="duckdb:///… or a PostgreSQL server URL "
                   "(default: a DuckDB file in the work folder)")
    p.add_argument("--workdir", type=Path, help="work folder (default: ./bench-work)")
    p.add_argument("--incremental", type=float, default=0.01,
                   help="share of N for the incremental run (0 to skip; default 0.01)")
    p.add_argument("--workers", type=int, help="parse/normalise processes (default: cores)")
    p.add_argument("--duckdb-memory", default="512MB",
                   help="DuckDB memory_limit for the run (default 512MB; '' for DuckDB's default)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--keep", action="store_true", help="keep the scratch warehouse")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.rows < 1:
        print("lmis bench: --rows must be at least 1", file=sys.stderr)
        return 2
    _restart_with_allocator_settings(args.warehouse or "duckdb://")
    from etl.allocator import startup_environment
    from etl.bench.run import run_bench

    # What this process was started with (before anything here sets them while running).
    at_start = {name: os.environ.get(name) for name in startup_environment()}

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    report = run_bench(args.rows, warehouse=args.warehouse, workdir=args.workdir,
                       seed=args.seed, incremental=args.incremental, workers=args.workers,
                       keep=args.keep, duckdb_memory=args.duckdb_memory or None, log=log)
    report["allocator_at_start"] = at_start
    print(json.dumps(report, sort_keys=True), flush=True)
    return 0


def _restart_with_allocator_settings(warehouse: str) -> None:
    """Run this command again in a process started with the allocator settings (once).

    The loading process is measured as a deployment should run it, with the settings
    of etl/allocator.py in its environment from the start (``deploy/`` sets them):
    applied only while running, they held in part, and the DuckDB 1M peak was
    1,486–1,537 MiB against 1,384–1,452 MiB (docs/benchmarks.md, fifteenth round).
    An operator's own values win; does not return when it restarts (POSIX only).
    """
    from etl.allocator import startup_environment
    from etl.warehouse.connection import mmap_threshold_for

    wanted = startup_environment(mmap_threshold_for(warehouse))
    # Started again, the process has every variable (its own values first), so it goes on.
    if os.name != "posix" or all(name in os.environ for name in wanted):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, sys.orig_argv, {**wanted, **os.environ})
