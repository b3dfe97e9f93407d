"""``lmis demo``: the whole LMIS, end to end, on the embedded defaults.

Generates the demo country's sources (seeded), initialises the warehouse,
serves the sample sites and feeds on a free port of 127.0.0.1, runs the real
Airflow DAGs in order in this process (``dag.test``, SQLite metadata in
LMIS_HOME/airflow) and prints a summary: a ledger line per source, the published
tables with their row counts, and where everything is.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from etl.config.sources import PACKAGE_CONFIG_DIR
from etl.settings import dags_dir, home_subdir, lmis_home

#: The order in which the demo runs the DAGs: ingest first, publish last.
DEMO_DAGS = ("lmis_vacancies", "lmis_observatory", "lmis_employer_survey", "lmis_returnees",
             "lmis_publish")


@dataclass
class DemoResult:
    manifest: dict
    run_ids: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _say(message: str) -> None:
    print(f"[lmis demo] {message}", file=sys.stderr, flush=True)


def prepare(out_dir: Path) -> dict:
    from etl.demo.generator import generate

    return generate(out_dir)


def load_dags() -> dict:
    """The project's DAGs, parsed from dags/ the way Airflow's DAG processor does."""
    from airflow.dag_processing.dagbag import DagBag

    # ``dag.test`` reaches Airflow's execution API through Starlette's TestClient, which
    # warns that it wants httpx2 instead of httpx: Airflow's dependency, nothing a user
    # of ``lmis demo`` or ``lmis backfill`` can act on, printed in the middle of the run.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    bag = DagBag(dag_folder=str(dags_dir()))
    if bag.import_errors:
        problems = "; ".join(f"{k}: {v.splitlines()[-1]}" for k, v in bag.import_errors.items())
        raise RuntimeError(f"DAG import errors: {problems}")
    return bag.dags


def run_demo(logical_date: datetime | None = None) -> DemoResult:
    from etl.airflow_home import configure, migrate_metadata
    from etl.demo.generator import AS_OF
    from etl.demo.server import DemoServer
    from etl.pipelines.context import RunContext
    from etl.warehouse.setup import init_warehouse

    demo_dir = home_subdir("demo")
    _say(f"writing the demo country's sources to {demo_dir}")
    manifest = prepare(demo_dir)
    os.environ["LMIS_CONFIG"] = str(PACKAGE_CONFIG_DIR / "demo_sources.yml")
    os.environ["LMIS_DEMO_DIR"] = str(demo_dir)
    os.environ.setdefault("LMIS_PSEUDONYM_KEY", _demo_pseudonym_key())
    # Task logs of the in-process DAG runs: warnings and errors only, so the summary stands out.
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    configure()
    _say("preparing Airflow metadata (SQLite) in " + os.environ["AIRFLOW_HOME"])
    migrate_metadata()
    ctx = RunContext()
    _say("initialising the warehouse")
    init_warehouse(ctx.engine, ctx.config.country)
    when = logical_date or datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC)
    result = DemoResult(manifest)
    with DemoServer(demo_dir / "sites") as base_url:
        os.environ["LMIS_DEMO_BASE_URL"] = base_url
        _say(f"serving the sample job boards and PES feed at {base_url}")
        dags = load_dags()
        for dag_id in DEMO_DAGS:
            if dag_id not in dags:
                continue
            _say(f"running DAG {dag_id} for {when.date()}")
            started = time.monotonic()
            dag_run = dags[dag_id].test(logical_date=when)
            result.seconds[dag_id] = time.monotonic() - started
            state = str(getattr(dag_run, "state", "unknown"))
            result.run_ids[dag_id] = dag_run.run_id
            if "success" not in state:
                raise RuntimeError(f"DAG {dag_id} ended in state {state}; see the log above")
    return result


def _demo_pseudonym_key() -> str:
    """The demo's own pseudonymisation secret, kept in LMIS_HOME (never in the repository)."""
    path = lmis_home() / "demo_pseudonym.key"
    if not path.exists():
        path.write_text(os.urandom(32).hex(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def summary(result: DemoResult) -> str:
    """The text ``lmis demo`` ends with."""
    import sqlalchemy as sa

    from etl.pipelines.context import RunContext
    from etl.warehouse.connection import describe
    from etl.warehouse.sqlfiles import sql_text

    ctx = RunContext()
    lines = ["", "Reintegration LMIS demo: finished", "", "Run ledger (ops.run_ledger):"]
    run_ids = list(result.run_ids.values())
    with ctx.engine.connect() as conn:
        rows = conn.execute(sql_text("ops/ledger_for_runs").bindparams(
            sa.bindparam("run_ids", expanding=True)), {"run_ids": run_ids}).all()
        for r in rows:
            balance = "balanced" if r.fetched == r.loaded + r.quarantined + r.duplicates + \
                r.unchanged else "NOT BALANCED"
            lines.append(
                f"  {r.source:<16} fetched {r.fetched:>6}  loaded {r.loaded:>6}  quarantined "
                f"{r.quarantined:>4}  duplicates {r.duplicates:>5}  unchanged {r.unchanged:>5}  "
                f"unclassified {r.unclassified:>4}  {balance}"
            )
        dup = conn.execute(sql_text("core/duplicate_share")).one()
        lines.append("")
        found = dup.duplicates / dup.postings if dup.postings else 0.0
        planted = result.manifest["planted_duplicate_share"]
        lines.append(f"Cross-source duplicates: found {dup.duplicates} of {dup.postings} postings "
                     f"({found:.1%}); planted by the generator: {planted:.1%}")
        lines += ["", "Published tables (published.dataset_metadata):"]
        for r in conn.execute(sql_text("ops/published_metadata")).all():
            lines.append(f"  published.{r.table_name:<22} {r.row_count:>6} rows  "
                         f"quality {r.quality_status}  method {r.method_version}")
    from etl.pipelines.returnees import returnees_on_shortage_list

    listed = returnees_on_shortage_list(ctx)
    lines += [
        "",
        f"Returnees whose occupation is on their region's shortage list ({listed['quarter']}): "
        f"{listed['on_shortage_list']} of {listed['assessable']} with a known region and "
        f"occupation ({listed['share_on_shortage_list'] or 0:.1%}); {listed['returnees']} "
        "profiles in all",
    ]
    home = lmis_home()
    lines += [
        "",
        f"Warehouse:   {describe(ctx.engine)}",
        f"Raw files:   {home / 'raw'}",
        f"Exports:     {home / 'exports' / 'latest'}",
        f"Reports:     {home / 'reports' / 'latest' / 'index.html'}",
        f"Data Docs:   {home / 'data_docs' / 'index.html'}",
        f"Airflow:     {home / 'airflow'} (lmis airflow … uses it)",
        f"Demo data:   {home / 'demo'} (invented figures for a demo country, not real data)",
        f"DAG runs:    {json.dumps({k: round(v, 1) for k, v in result.seconds.items()})} seconds",
    ]
    return "\n".join(lines)
