"""``lmis bench`` at toy size on DuckDB: the report's shape and its counts, never its timings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.allocator import DUCKDB_MMAP_THRESHOLD, startup_environment

REQUIRED = {"rows", "warehouse", "seconds", "rows_per_second", "peak_rss_mb", "limit_seconds",
            "ratio", "stages", "incremental_seconds", "incremental_share_of_full"}


@pytest.mark.timeout(600)
def test_bench_reports_one_json_line_with_matching_counts(tmp_path: Path) -> None:
    # Without allocator variables of its own, as a user's shell starts it.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MALLOC_") and k != "ARROW_DEFAULT_MEMORY_POOL"}
    done = subprocess.run(
        [sys.executable, "-m", "etl.cli", "bench", "--rows", "400", "--incremental", "0.05",
         "--workdir", str(tmp_path)],
        capture_output=True, text=True, check=False, timeout=600, env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report.keys() >= REQUIRED
    assert report["warehouse"] == "duckdb"
    assert report["rows"] == 400
    # Every generated posting is valid: all are loaded, and the limit loads the same rows.
    assert report["loaded_postings"] == 400 == report["limit_rows"]
    assert report["ledgers_balance"] is True
    assert report["incremental_rows"] == 20
    assert abs(report["duplicate_share_found"] - report["duplicate_share_planted"]) <= 0.05
    for stage in ("parse", "normalise", "prepare", "classify", "validate", "stage", "upsert",
                  "dedup_blocks", "publish"):
        assert stage in report["stages"], stage
    # The figures are rounded in the report, and at toy size the limit takes milliseconds, so
    # only the ratio's presence and sign are checked here, never its value (no timing tests).
    assert report["ratio"] > 0 and report["limit_seconds"] > 0
    # The headline peak is the pipeline's, never the limit's untimed Parquet export.
    phases = report["peak_rss_mb_by_phase"]
    assert {"load", "publish", "incremental", "limit"} <= phases.keys()
    assert report["peak_rss_mb"] == max(v for k, v in phases.items() if k != "limit")
    assert report["peak_rss_mb_limit_phase"] == phases["limit"]
    assert not list(tmp_path.glob("bench-*.duckdb")), "the scratch warehouse is removed"
    # The command started itself again with the allocator settings for DuckDB in its
    # environment, so that the measured process had them from its start.
    assert report["allocator_at_start"] == startup_environment(DUCKDB_MMAP_THRESHOLD)
