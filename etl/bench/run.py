"""``lmis bench``: the vacancy pipeline after fetching, end to end on N postings, against the limit.

One run, on one warehouse (an embedded DuckDB file, or a scratch database
created on the PostgreSQL server named by ``--warehouse`` and dropped after):

1. generate N landed postings (``etl.bench.generator``; cached by size and seed;
   not timed: it stands for the crawl);
2. **full run**, timed stage by stage: read the landed lines in slices, parse
   and normalise them in ``workers`` processes, then per source
   ``stage_and_load`` (identify, unchanged check, classify, skills, validate,
   stage by bulk load, upsert into core), then ``deduplicate``, the ledgers and
   ``publish`` (SQL models, audit, swap, exports);
3. **limit**: the final normalised rows (``core.vacancies``) written to a file,
   then loaded into an empty table of the same columns with PostgreSQL
   ``COPY`` (psycopg, from the client as the pipeline does) from a CSV file, or
   DuckDB's native ``COPY … FROM 'file.parquet'``, and nothing else; only the
   load is timed;
4. **incremental run** (``incremental`` share of N, default 1%: 80% new
   postings, 20% changed versions of old ones) on the same warehouse, timed the
   same way.

Peak memory is sampled from /proc for this process and its workers together, as
proportional set size (a page shared by processes counts once; plain RSS would
count shared pages once per process). The PostgreSQL server's own memory is not
included; DuckDB's is, since it runs in this process. ``peak_rss_mb`` is the
pipeline's peak (setup, full and incremental runs); the limit phase's untimed
export to Parquet is reported apart (``peak_rss_mb_limit_phase``). The result is
one dict; the command prints it as the last line.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import shutil
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
import yaml

from etl.bench.generator import SOURCES, write_postings
from etl.bench.stages import parse_and_normalise
from etl.settings import PACKAGE_DIR
from etl.timing import current_stage

SLICE_LINES = 500
FULL_END = datetime(2026, 7, 1)


# ----------------------------------------------------------------- memory
class PeakRss:
    """Peak memory (PSS) of this process plus its workers, sampled every ``every`` s.

    Reading ``smaps_rollup`` costs the kernel a walk of the process's pages: once a
    second keeps the monitor below 1% of the loader's time.
    """

    def __init__(self, every: float = 1.0) -> None:
        self.every, self.peak_kb = every, 0
        self.phase = "setup"
        self.peak_by_phase: dict[str, int] = {}
        #: Peak per (phase, innermost timed stage), e.g. ``load/validate``, ``publish/model_x``.
        self.peak_by_stage: dict[str, int] = {}
        #: At the overall peak: (this process, its workers together), to tell which grows.
        self.split_at_peak: tuple[int, int] = (0, 0)
        self._stop = threading.Event()
        # The sampling thread and the run (at the end of a short phase) both sample.
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _rss_kb(pid: int) -> int:
        """Proportional set size: pages shared after fork count once across the processes."""
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    @staticmethod
    def _children(pid: int) -> list[int]:
        out = []
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                out += [int(p) for p in task.read_text().split()]
            except OSError:
                continue
        return out

    def sample(self) -> int:
        with self._lock:
            return self._sample()

    def _sample(self) -> int:
        me = os.getpid()
        own = self._rss_kb(me)
        workers = sum(self._rss_kb(c) for c in self._children(me))
        total = own + workers
        if total > self.peak_kb:
            self.peak_kb, self.split_at_peak = total, (own, workers)
        self.peak_by_phase[self.phase] = max(self.peak_by_phase.get(self.phase, 0), total)
        stage = f"{self.phase}/{current_stage() or '-'}"
        self.peak_by_stage[stage] = max(self.peak_by_stage.get(stage, 0), total)
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def __enter__(self) -> PeakRss:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    @property
    def peak_mb(self) -> float:
        return round(self.peak_kb / 1024, 1)


# -------------------------------------------------------------- warehouse
class ScratchWarehouse:
    """A warehouse for one benchmark: a DuckDB file, or a scratch PostgreSQL database."""

    def __init__(self, url: str | None, workdir: Path, keep: bool = False,
                 duckdb_memory: str | None = None) -> None:
        self.admin_url = url
        self.keep = keep
        self.kind = "duckdb" if not url or url.startswith("duckdb") else "postgresql"
        if self.kind == "duckdb":
            self.path = workdir / f"bench-{uuid.uuid4().hex[:8]}.duckdb"
            # In the URL, DuckDB's settings apply to every connection the engine opens
            # (a SET lasts only as long as the database stays open).
            limit = f"?memory_limit={_memory_setting(duckdb_memory)}" if duckdb_memory else ""
            self.url = f"duckdb:///{self.path}{limit}"
        else:
            self.database = f"lmis_bench_{uuid.uuid4().hex[:8]}"
            self.url = sa.make_url(url).set(database=self.database).render_as_string(
                hide_password=False)

    def __enter__(self) -> ScratchWarehouse:
        if self.kind == "postgresql":
            admin = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'create database "{self.database}"'))
            admin.dispose()
        return self

    def __exit__(self, *exc: object) -> None:
        from etl.warehouse.connection import get_engine

        get_engine(self.url).dispose()
        if self.keep:
            return
        if self.kind == "duckdb":
            for path in (self.path, self.path.with_suffix(".duckdb.wal")):
                path.unlink(missing_ok=True)
        else:
            admin = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'drop database if exists "{self.database}" with (force)'))
            admin.dispose()


def bench_config(workdir: Path) -> Path:
    """The demo country's source configuration, with the volume gate off.

    The incremental run hands a source only its new postings (as a crawl with a
    bookmark does); the fetched-volume gate would read that as a collapse.
    """
    config_dir = PACKAGE_DIR / "config"
    data = yaml.safe_load((config_dir / "demo_sources.yml").read_text(encoding="utf-8"))
    for source in data["sources"]:
        source["min_rows_share"] = 0.0
    shutil.copy(config_dir / data.get("method_file", "method.yml"), workdir / "method.yml")
    data["method_file"] = "method.yml"
    path = workdir / "bench_sources.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def prepare_warehouse(ctx) -> None:
    """Create the scratch warehouse and load the demo's other sources, in a process of
    its own (not timed).

    Airflow runs the warehouse's initialisation and each source's ingestion as tasks
    of their own, in processes of their own. Run here, in the loading process, they
    left it holding what only they use (the ESCO skills tagger the returnees' profiles
    are tagged with, their readers' modules, the heap of building the reference
    dimensions) through the whole vacancy run, and the sampled peak counted it.
    DuckDB's file is free for the child: the engine opens it per transaction.
    """
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(1) as pool:
        # A copy made from the fields alone: no engine or config cached on it, so it pickles.
        pool.apply(_prepare_warehouse, (dataclasses.replace(ctx),))


def _prepare_warehouse(ctx) -> None:
    """In the child: ``init_warehouse`` and :func:`seed_other_sources` (the environment,
    demo folder included, is inherited)."""
    from etl.warehouse.setup import init_warehouse

    init_warehouse(ctx.engine, ctx.config.country)
    seed_other_sources(ctx)
    ctx.engine.dispose()


def seed_other_sources(ctx) -> None:
    """Load the demo country's statistics, survey and returnees (not timed).

    The published tables join vacancies with jobseekers, survey estimates and
    returnees; their audits require rows, so the benchmark warehouse holds the
    demo's small non-vacancy sources, as a real one would.
    """
    from etl.pipelines.returnees import ingest_returnees
    from etl.pipelines.statistics import ingest_statistics
    from etl.pipelines.survey import ingest_survey

    for source in ctx.config.sources:
        if source.kind == "statistics":
            ingest_statistics(ctx, source.name)
        elif source.kind == "survey":
            ingest_survey(ctx, source.name)
        elif source.kind == "returnees":
            ingest_returnees(ctx, source.name)


def prepare_demo_dir(workdir: Path) -> None:
    """The demo's drop folders (generated once) and its environment for the config file."""
    from etl.demo.generator import generate

    demo = workdir / "demo"
    if not (demo / "manifest.json").exists():
        generate(demo)
    os.environ["LMIS_DEMO_DIR"] = str(demo)
    os.environ.setdefault("LMIS_PSEUDONYM_KEY", "bench-only-pseudonym-key-" + "x" * 16)


# --------------------------------------------------------------- pipeline
def bounded_imap(pool, func, jobs, window: int) -> Iterator:
    """``pool.imap`` with at most ``window`` slices in flight, in order.

    ``imap`` would let the workers run ahead of the loader and pile their results
    up in memory; here a slice is handed out only when an earlier one is taken.
    """
    pending: deque = deque()
    for job in jobs:
        pending.append(pool.apply_async(func, (job,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()



def _slices(path: Path, size: int) -> Iterator[list[str]]:
    with path.open(encoding="utf-8") as fh:
        batch: list[str] = []
        for line in fh:
            if line.strip():
                batch.append(line)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch


def run_pipeline(ctx, data_dir: Path, workers: int, timings: dict[str, float],
                 rss: PeakRss | None = None) -> dict:
    """parse → normalise → stage_and_load per source → deduplicate → ledgers → compact →
    publish.

    The ``workers`` parse and normalise only: they are spawned for the loads and
    gone before deduplication, so that their memory is not held (and counted)
    while the warehouse builds and audits the published tables, as a scheduled
    run, which parses in its extract tasks, does not hold it either.
    """
    from etl.pipelines.publish import publish
    from etl.pipelines.vacancies import close_vacancy_run

    # Spawned, not forked: a forked worker inherits the loader's models (classifier,
    # skills, Great Expectations) and copies their pages as soon as Python touches
    # them; a spawned one imports only what parsing and normalising need.
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        per_source = _load_sources(ctx, data_dir, pool, timings, rss)
    if rss is not None:
        rss.phase = "deduplicate"
    ledgers = close_vacancy_run(ctx, per_source, timings=timings)
    if rss is not None:
        rss.phase = "publish"
    start = time.perf_counter()
    publish(ctx, timings=timings)
    timings["publish"] = time.perf_counter() - start
    return {"per_source": per_source,
            "balanced": all(lg.fetched == lg.loaded + lg.quarantined + lg.duplicates
                            + lg.unchanged for lg in ledgers)}


def _load_sources(ctx, data_dir: Path, pool, timings: dict[str, float],
                  rss: PeakRss | None) -> list[dict]:
    """Each source's landed lines, parsed by the pool, through ``stage_and_load``."""
    from etl.pipelines.vacancies import CHUNK_ROWS, stage_and_load

    # The workers keep parsing while the loader codes, validates and loads a chunk:
    # a chunk's worth of slices (plus one per worker) may wait, no more.
    window = -(-CHUNK_ROWS // SLICE_LINES) + 2 * pool._processes
    fetched_at = (ctx.data_interval_end or FULL_END).isoformat()
    country, aliases = ctx.config.country, dict(ctx.config.region_aliases or {})
    per_source = []
    for source in SOURCES:
        path = data_dir / f"{source}.jsonl"
        if not path.exists():
            continue
        jobs = ((lines, source, fetched_at, country, aliases)
                for lines in _slices(path, SLICE_LINES))

        def records(jobs=jobs) -> Iterator[dict]:
            for batch, seconds in bounded_imap(pool, parse_and_normalise, jobs, window):
                for stage, value in seconds.items():
                    timings[stage] = timings.get(stage, 0.0) + value
                yield from batch

        if rss is not None:
            rss.phase = "load"
        counts = stage_and_load(ctx, source, records(), timings=timings)
        per_source.append(counts.to_dict())
    return per_source


# ------------------------------------------------------------------ limit
#: Rows per row group of the limit's Parquet file (DuckDB): small enough that loading it
#: runs under the pipeline's memory limit (measured at 100k: 2.2 s at 512MB, 2.8 s at
#: 256MB, where the default row groups ran out of memory).
LIMIT_ROW_GROUP_ROWS = 20_000

def measure_limit(engine, workdir: Path) -> tuple[float, int]:
    """Seconds to load the final normalised rows with the warehouse's native bulk load only."""
    csv_path = workdir / "limit_rows.csv"
    parquet_path = workdir / "limit_rows.parquet"
    with engine.begin() as conn:
        conn.execute(sa.text("drop table if exists core.bench_limit"))
        conn.execute(sa.text("create table core.bench_limit as "
                             "select * from core.vacancies where 1 = 0"))
    try:
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                raw = conn.connection.driver_connection
                with raw.cursor() as cur, csv_path.open("wb") as fh, cur.copy(
                        "COPY core.vacancies TO STDOUT (FORMAT csv, HEADER)") as copy:
                    for data in copy:
                        fh.write(data)
            start = time.perf_counter()
            with engine.begin() as conn:
                raw = conn.connection.driver_connection
                with raw.cursor() as cur, csv_path.open("rb") as fh, cur.copy(
                        "COPY core.bench_limit FROM STDIN (FORMAT csv, HEADER)") as copy:
                    while data := fh.read(1 << 20):
                        copy.write(data)
            seconds = time.perf_counter() - start
        else:
            # Parquet: DuckDB's own fastest load (its CSV sniffer also trips on the
            # multi-line descriptions), so the limit is the strictest one.
            with engine.begin() as conn:
                raw = conn.connection.driver_connection
                # Not timed, so not held to the run's memory limit: writing the file takes
                # more than 512MB. The timed load runs under the limit, as the pipeline did
                # (docs/benchmarks.md: the uncapped figure). Row groups of
                # LIMIT_ROW_GROUP_ROWS let it: DuckDB reads a whole row group per thread,
                # and one of its default 122,880 rows of descriptions did not fit in 256MB.
                (limit,) = raw.execute("select current_setting('memory_limit')").fetchone()
                raw.execute("SET memory_limit = '4GB'")
                try:
                    raw.execute(f"COPY core.vacancies TO '{parquet_path}' "
                                f"(FORMAT parquet, ROW_GROUP_SIZE {LIMIT_ROW_GROUP_ROWS})")
                finally:
                    raw.execute(f"SET memory_limit = '{limit}'")
            start = time.perf_counter()
            with engine.begin() as conn:
                raw = conn.connection.driver_connection
                raw.execute(f"COPY core.bench_limit FROM '{parquet_path}' (FORMAT parquet)")
            seconds = time.perf_counter() - start
        with engine.connect() as conn:
            rows = conn.execute(sa.text("select count(*) from core.bench_limit")).scalar_one()
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("drop table if exists core.bench_limit"))
        csv_path.unlink(missing_ok=True)
        parquet_path.unlink(missing_ok=True)
    return seconds, int(rows)


# -------------------------------------------------------------------- run
def _memory_setting(value: str) -> str:
    """A DuckDB memory size such as 512MB or 1GB (checked: it is written into a SET)."""
    import re

    if not re.fullmatch(r"\d+(?:\.\d+)?\s*(?:KB|MB|GB|KiB|MiB|GiB)", value.strip(), re.I):
        raise ValueError(f"DuckDB memory limit {value!r} is not like 512MB or 1GB")
    return value.strip()



def data_for(workdir: Path, rows: int, seed: int, incremental: float) -> tuple[Path, Path | None]:
    """Landed postings for the full run and the incremental batch (generated once, cached)."""
    from etl.bench.generator import PostingGenerator

    full = workdir / f"data-{rows}-{seed}"
    extra = round(rows * incremental)
    incr = workdir / f"data-{rows}-{seed}-incr-{extra}" if extra else None
    todo = [d for d in (full, incr) if d and not (d / "manifest.json").exists()]
    if todo:
        gen = PostingGenerator(rows + extra, seed=seed)
        if full in todo:
            write_postings(full, rows, seed=seed, generator=gen)
        if incr in todo:
            write_postings(incr, extra, seed=seed, first_index=rows, changed_share=0.2,
                           generator=gen)
    return full, incr


def run_bench(rows: int, *, warehouse: str | None = None, workdir: Path | None = None,
              seed: int = 2026, incremental: float = 0.01, workers: int | None = None,
              keep: bool = False, duckdb_memory: str | None = "512MB", log=print) -> dict:
    """The benchmark; returns the report dict (see module docstring)."""
    from etl.pipelines.context import RunContext
    from etl.warehouse.connection import tune_allocator

    workdir = (workdir or Path.cwd() / "bench-work").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["LMIS_HOME"] = str(workdir / "home")  # exports and raw files stay in the workdir
    workers = workers or os.cpu_count() or 1
    log(f"generating {rows:,} postings (+{incremental:.0%} incremental) in {workdir} …")
    full_dir, incr_dir = data_for(workdir, rows, seed, incremental)
    manifest = json.loads((full_dir / "manifest.json").read_text())
    config = bench_config(workdir)
    prepare_demo_dir(workdir)
    report: dict = {"rows": rows, "workers": workers, "cores": os.cpu_count()}
    # Before the memory monitor's thread starts and before any worker is spawned (they
    # inherit the settings through the environment): etl.warehouse.connection.tune_allocator.
    tune_allocator(warehouse or "duckdb://")
    with ScratchWarehouse(warehouse, workdir, keep, duckdb_memory) as wh, PeakRss() as rss:
        report["warehouse"] = wh.kind
        start = time.perf_counter()
        ctx = RunContext(run_id=f"bench_full_{uuid.uuid4().hex[:6]}", dag_id="bench",
                         data_interval_start=FULL_END - timedelta(days=1),
                         data_interval_end=FULL_END, warehouse_url=wh.url, config_file=config)
        if wh.kind == "duckdb" and duckdb_memory:
            # DuckDB runs in this process: its buffer cache is our memory. Capped (in
            # the warehouse URL), it spills to disk instead of growing with the warehouse.
            report["duckdb_memory_limit"] = duckdb_memory
        prepare_warehouse(ctx)
        report["init_seconds"] = round(time.perf_counter() - start, 2)
        log(f"warehouse {wh.kind} ready; full run …")
        timings: dict[str, float] = {}
        start = time.perf_counter()
        outcome = run_pipeline(ctx, full_dir, workers, timings, rss)
        seconds = time.perf_counter() - start
        report["peak_rss_mb_full"] = rss.peak_mb
        report["peak_rss_mb_full_loader_workers"] = [round(kb / 1024, 1)
                                                     for kb in rss.split_at_peak]
        rss.phase = "limit"
        with ctx.engine.connect() as conn:
            postings, dupes = conn.execute(sa.text(
                "select count(*), sum(case when is_duplicate then 1 else 0 end) "
                "from core.vacancies")).one()
        log(f"full run {seconds:.1f} s; limit …")
        limit_seconds, limit_rows = measure_limit(ctx.engine, workdir)
        rss.sample()  # the phase is seen even when it ends between two samples
        report.update({
            "seconds": round(seconds, 2),
            "rows_per_second": round(rows / seconds, 1),
            "limit_seconds": round(limit_seconds, 2),
            "limit_rows": limit_rows,
            "ratio": round(seconds / limit_seconds, 2),
            "loaded_postings": int(postings),
            "duplicates_found": int(dupes or 0),
            "duplicate_share_found": round(int(dupes or 0) / max(int(postings), 1), 4),
            "duplicate_share_planted": round(manifest["reposts"] / rows, 4),
            "ledgers_balance": outcome["balanced"],
            "stages": {k: round(v, 2) for k, v in timings.items()},
        })
        if incr_dir is not None:
            log("incremental run …")
            incr_end = FULL_END + timedelta(days=1)
            ictx = RunContext(run_id=f"bench_incr_{uuid.uuid4().hex[:6]}", dag_id="bench",
                              data_interval_start=FULL_END, data_interval_end=incr_end,
                              warehouse_url=wh.url, config_file=config)
            itimings: dict[str, float] = {}
            rss.phase = "incremental"
            start = time.perf_counter()
            run_pipeline(ictx, incr_dir, workers, itimings)
            iseconds = time.perf_counter() - start
            imanifest = json.loads((incr_dir / "manifest.json").read_text())
            report.update({
                "incremental_rows": imanifest["rows"],
                "incremental_changed": imanifest["changed"],
                "incremental_seconds": round(iseconds, 2),
                "incremental_share_of_full": round(iseconds / seconds, 4),
                "incremental_stages": {k: round(v, 2) for k, v in itimings.items()},
            })
    by_phase = {k: round(v / 1024, 1) for k, v in rss.peak_by_phase.items()}
    # The pipeline's peak (setup, full and incremental runs), not the limit's: the limit
    # phase's untimed export of the final rows to Parquet is given 4GB on DuckDB (see
    # measure_limit) and is no part of what a run needs. Its own peak is reported apart.
    report["peak_rss_mb"] = max(v for k, v in by_phase.items() if k != "limit")
    report["peak_rss_mb_limit_phase"] = by_phase.get("limit")
    report["peak_rss_mb_by_phase"] = by_phase
    report["peak_rss_mb_by_stage"] = {k: round(v / 1024, 1) for k, v in rss.peak_by_stage.items()}
    return report
