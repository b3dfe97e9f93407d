"""The production set-up for real: Airflow's CeleryExecutor on this machine's PostgreSQL and Redis.

Starts, through ``deploy/run.sh`` and an environment file made from
``deploy/lmis.env.example``, the Airflow API server, scheduler, DAG processor, a Celery
worker and the LMIS log server, against a scratch metadata database, a scratch
PostgreSQL warehouse and Redis at 127.0.0.1. Unpausing the vacancy and publish DAGs
(after the observatory, survey and returnee drop folders were loaded the same way into
both warehouses, since the published tables' audits want rows from every source)
lets the scheduler create the vacancy run of the latest interval (the test's source
configuration puts the boards on a yearly cron that ends on the demo's reference
date), whose asset event triggers the publish DAG. The test then checks that:

* every task of both runs ran on the Celery worker (its Celery task id is recorded on
  the task instance and appears as executed in the worker's log), in the host pool;
* the published tables equal those of the same two DAGs run in-process (``dag.test``)
  into a second scratch warehouse, and every ledger row balances.

Under CI=true, missing PostgreSQL, Redis or Celery provider fail the test; elsewhere
they skip it. Every process started here is stopped (its whole process group).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from etl.settings import project_dir

pytestmark = [pytest.mark.celery, pytest.mark.slow, pytest.mark.timeout(1200)]

PG_ADMIN_URL = os.environ.get("LMIS_TEST_PG_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("LMIS_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
AS_OF = "2026-10-15"
#: Yearly on the demo's reference date: the latest complete interval ends on AS_OF.
BOARD_CRON = "0 0 15 10 *"
PUBLISHED = ["skills_gap", "shortage_occupations", "surplus_occupations", "opportunities",
             "vacancies_open", "labour_indicators", "skills_demand", "returnees_summary"]
COMPONENTS = ("api-server", "scheduler", "dag-processor", "worker", "log-server")

#: The other sources the published tables need (their audits want rows), loaded the same
#: way into both warehouses before the vacancy and publish DAGs run.
PRELOAD = r"""
import sys
from datetime import datetime, timedelta
from etl.pipelines.context import RunContext
from etl.pipelines.returnees import ingest_returnees
from etl.pipelines.statistics import ingest_statistics
from etl.pipelines.survey import ingest_survey
from etl.warehouse.setup import init_warehouse

end = datetime.fromisoformat(sys.argv[1])
ctx = RunContext(run_id="preload", dag_id="test_preload", data_interval_start=end - timedelta(days=1),
                 data_interval_end=end)
if sys.argv[2] == "init":
    init_warehouse(ctx.engine, ctx.config.country)
ingest_statistics(ctx, "observatory")
ingest_survey(ctx, "employer_survey")
ingest_returnees(ctx, "returnees")
"""

EMBEDDED = r"""
import sys
from datetime import datetime, UTC
from etl.airflow_home import configure, migrate_metadata
from etl.demo.run import load_dags

configure()
migrate_metadata()
dags = load_dags()
when = datetime.fromisoformat(sys.argv[1]).replace(tzinfo=UTC)
for dag_id in ("lmis_vacancies", "lmis_publish"):
    run = dags[dag_id].test(logical_date=when)
    print("@@", dag_id, run.run_id, run.state, flush=True)
    if "success" not in str(run.state):
        sys.exit(f"{dag_id} ended {run.state}")
"""


def _missing(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _check_services() -> None:
    import importlib.util

    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        _missing(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}")
    host, port = re.match(r"redis://([^:/]+):(\d+)", REDIS_URL).groups()
    try:
        with socket.create_connection((host, int(port)), timeout=3) as sock:
            sock.sendall(b"PING\r\n")
            if not sock.recv(64).startswith(b"+PONG"):
                raise OSError("no PONG")
    except OSError as exc:
        _missing(f"Redis not reachable at {REDIS_URL}: {exc}")
    if importlib.util.find_spec("airflow.providers.celery") is None:
        _missing("apache-airflow-providers-celery is not installed "
                 "(pip install -r deploy/requirements-celery.txt -c deploy/constraints.txt)")
    from importlib.metadata import version

    major, minor = (int(x) for x in version("celery").split(".")[:2])
    if (major, minor) >= (5, 7):
        pytest.fail(f"celery {version('celery')} is installed; the Celery provider needs "
                    "celery<5.7 (see deploy/constraints.txt)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _url(database: str) -> str:
    import sqlalchemy as sa

    return sa.engine.make_url(PG_ADMIN_URL).set(database=database).render_as_string(
        hide_password=False)


def _plain(url: str) -> str:
    """``postgresql://`` form (Airflow connection URI) of a SQLAlchemy URL."""
    return re.sub(r"^postgresql\+psycopg://", "postgresql://", url)


def _admin():
    import sqlalchemy as sa

    return sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _create_databases(names: list[str]) -> None:
    import sqlalchemy as sa

    engine = _admin()
    with engine.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'create database "{name}"'))
    engine.dispose()


def _drop_databases(names: list[str]) -> None:
    import sqlalchemy as sa

    engine = _admin()
    with engine.connect() as conn:
        for name in names:
            conn.execute(sa.text("select pg_terminate_backend(pid) from pg_stat_activity "
                                 "where datname = :n"), {"n": name})
            conn.execute(sa.text(f'drop database if exists "{name}"'))
    engine.dispose()


def _env_file(path: Path, values: dict[str, str]) -> dict[str, str]:
    """deploy/lmis.env.example with this test's values; returns the resulting environment."""
    template = (project_dir() / "deploy" / "lmis.env.example").read_text(encoding="utf-8")
    out, env = [], {}
    for line in template.splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match and match.group(1) in values:
            line = f"{match.group(1)}={values[match.group(1)]}"
        elif match and "<" in match.group(2):
            raise AssertionError(f"the test does not fill {match.group(1)} of the template")
        out.append(line)
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            env[match.group(1)] = match.group(2)
    extra = {k: v for k, v in values.items() if k not in env}
    out += [f"{k}={v}" for k, v in extra.items()]
    env.update(extra)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return env


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    """SIGTERM each component's process group, then SIGKILL what is left after 30 s."""
    for proc in processes.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    for proc in processes.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    for proc in processes.values():
        # The group may hold children (Celery's pool, uvicorn) after its leader exited.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return "(no log)"


def _wait(what: str, predicate, timeout: float, logs: Path, interval: float = 2.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n" + "\n".join(
        f"--- {c}.log\n{_tail(logs / f'{c}.log')}" for c in COMPONENTS))


def _snapshot(url: str) -> dict[str, list[tuple]]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    out = {}
    with engine.connect() as conn:
        for name in PUBLISHED:
            cols = [r[0] for r in conn.execute(sa.text(
                "select column_name from information_schema.columns where table_schema = "
                "'published' and table_name = :t and column_name <> 'run_id' "
                "order by ordinal_position"), {"t": name})]
            quoted = ", ".join(f'"{c}"' for c in cols)
            out[name] = [tuple(r) for r in conn.execute(sa.text(
                f'select {quoted} from published."{name}" order by {quoted}'))]
    engine.dispose()
    return out


@pytest.fixture(scope="module")
def celery_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    _check_services()
    import sqlalchemy as sa
    import yaml

    from etl.demo.generator import generate
    from etl.demo.server import DemoServer

    tmp = tmp_path_factory.mktemp("celery")
    tag = uuid.uuid4().hex[:8]
    meta_db, wh_celery, wh_embedded = (f"lmis_t_{tag}_meta", f"lmis_t_{tag}_wh_celery",
                                       f"lmis_t_{tag}_wh_embedded")
    demo_dir = tmp / "demo"
    generate(demo_dir, scale=0.3)  # a smaller country: the same paths, a third of the rows
    config = yaml.safe_load((project_dir() / "etl" / "config" / "demo_sources.yml")
                            .read_text(encoding="utf-8"))
    for source in config["sources"]:
        if source["kind"] in ("jobboard", "pes_api"):
            source["schedule"] = {"cron": BOARD_CRON, "expected_every_hours": 24 * 400}
    config_file = tmp / "sources.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    # The method and mapping files are found beside the configuration, else in the package.
    pseudonym_key = secrets.token_hex(32)
    queue = f"lmis_test_{tag}"
    processes: dict[str, subprocess.Popen] = {}
    logs = tmp / "logs"
    logs.mkdir()
    _create_databases([meta_db, wh_celery, wh_embedded])
    try:
        with contextlib.ExitStack() as stack:
            base_url = stack.enter_context(DemoServer(demo_dir / "sites"))
            common = {"LMIS_CONFIG": str(config_file), "LMIS_DEMO_DIR": str(demo_dir),
                      "LMIS_DEMO_BASE_URL": base_url, "LMIS_PSEUDONYM_KEY": pseudonym_key}
            # 1. The embedded run: the same DAGs in-process, into their own warehouse.
            base_env = {k: v for k, v in os.environ.items()
                        if not k.startswith(("AIRFLOW", "LMIS_"))}
            embedded_env = {**base_env, **common, "LMIS_HOME": str(tmp / "home_embedded"),
                            "LMIS_WAREHOUSE_URL": _url(wh_embedded),
                            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING"}
            def embedded() -> float:
                started = time.monotonic()
                proc = subprocess.run([sys.executable, "-c", PRELOAD, AS_OF, "init"],
                                      env=embedded_env, capture_output=True, text=True,
                                      timeout=600, cwd=project_dir())
                assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
                proc = subprocess.run([sys.executable, "-c", EMBEDDED, AS_OF],
                                      env=embedded_env, capture_output=True, text=True,
                                      timeout=900, cwd=project_dir())
                assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
                return time.monotonic() - started

            # It shares nothing with the deployment (own LMIS_HOME with SQLite metadata, own
            # warehouse; the demo server only serves files): it runs while the deployment
            # starts and works, and is waited for (on every path) before the yield.
            stack.enter_context(pool := ThreadPoolExecutor(max_workers=1))
            embedded_done = pool.submit(embedded)

            # 2. The deployment: environment file from the template, init, components.
            api_port, log_port = _free_port(), _free_port()
            env_values = {
                **common,
                "LMIS_HOME": str(tmp / "home_celery"),
                "LMIS_PROJECT_DIR": str(project_dir()),
                "LMIS_PYTHON": sys.executable,
                "AIRFLOW_CONN_LMIS_WAREHOUSE": _plain(_url(wh_celery)),
                "AIRFLOW_HOME": str(tmp / "airflow"),
                "AIRFLOW__CORE__DAGS_FOLDER": str(project_dir() / "dags"),
                "AIRFLOW__CORE__FERNET_KEY": _fernet_key(),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": _url(meta_db),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": _url(meta_db),
                "AIRFLOW__CELERY__BROKER_URL": REDIS_URL,
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + _url(meta_db),
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
                "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
                "AIRFLOW__API__PORT": str(api_port),
                "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL":
                    f"http://127.0.0.1:{api_port}/execution/",
                "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(log_port),
                "LMIS_CELERY_HOSTNAME": f"lmis-test-{tag}@%h",
            }
            env_file = tmp / "lmis.env"
            deploy_env = {**base_env, **_env_file(env_file, env_values)}
            run_sh = str(project_dir() / "deploy" / "run.sh")
            init = subprocess.run([run_sh, str(env_file), "init"], env=base_env,
                                  capture_output=True, text=True, timeout=300)
            assert init.returncode == 0, init.stdout[-2000:] + init.stderr[-4000:]

            def preload() -> None:
                done = subprocess.run([sys.executable, "-c", PRELOAD, AS_OF, "-"],
                                      env={**deploy_env, "LMIS_WAREHOUSE_URL": _url(wh_celery)},
                                      capture_output=True, text=True, timeout=600,
                                      cwd=project_dir())
                assert done.returncode == 0, done.stderr[-4000:]

            # The DAGs are paused at creation (lmis.env.example): the components start while
            # the other sources are preloaded, and the vacancy DAG is unpaused only after.
            stack.enter_context(preloader := ThreadPoolExecutor(max_workers=1))
            preload_done = preloader.submit(preload)
            started = time.monotonic()
            for component in COMPONENTS:
                log = (logs / f"{component}.log").open("w")
                processes[component] = subprocess.Popen(
                    [run_sh, str(env_file), component], env=base_env, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True, cwd=tmp)
            health_url = f"http://127.0.0.1:{api_port}/api/v2/monitor/health"
            _wait("the API server to report a healthy scheduler and DAG processor",
                  lambda: _healthy(health_url), 180, logs)
            meta = sa.create_engine(_url(meta_db))
            _wait("the DAG processor to register lmis_vacancies and lmis_publish",
                  lambda: _registered(meta, ["lmis_vacancies", "lmis_publish"]), 180, logs)
            for dag_id in ("lmis_publish", "lmis_vacancies"):
                if dag_id == "lmis_vacancies":
                    preload_done.result()
                out = subprocess.run([sys.executable, "-m", "airflow", "dags", "unpause", dag_id],
                                     env=deploy_env, capture_output=True, text=True, timeout=120)
                assert out.returncode == 0, out.stderr[-2000:]
            publish_run = _wait("the publish run triggered by the vacancy run",
                                lambda: _finished_publish(meta, logs), 720, logs, 3.0)
            celery_seconds = time.monotonic() - started
            with meta.connect() as conn:
                runs = [dict(r) for r in conn.execute(sa.text(
                    "select dag_id, run_id, run_type, state, data_interval_start, "
                    "data_interval_end from dag_run where dag_id in "
                    "('lmis_vacancies', 'lmis_publish')")).mappings()]
                tis = [dict(r) for r in conn.execute(sa.text(
                    "select dag_id, run_id, task_id, state, queue, pool, hostname, "
                    "external_executor_id from task_instance where dag_id in "
                    "('lmis_vacancies', 'lmis_publish')")).mappings()]
            meta.dispose()
            # A task instance is marked success (through the execution API) just before its
            # Celery task returns; wait for the worker to log each one as done.
            ids = [t["external_executor_id"] for t in tis if t["external_executor_id"]]
            _wait("the worker to log every Celery task as succeeded",
                  lambda: all(f"execute_workload[{i}] succeeded" in _tail(
                      logs / "worker.log", 10**8) for i in ids), 90, logs)
            warehouse = sa.create_engine(_url(wh_celery))
            with warehouse.connect() as conn:
                ledgers = [dict(r) for r in conn.execute(sa.text(
                    "select source, fetched, loaded, quarantined, duplicates, unchanged "
                    "from ops.run_ledger")).mappings()]
            warehouse.dispose()
            listening = {port: _listen_addresses(port) for port in (api_port, log_port)}
            embedded_seconds = embedded_done.result()
            yield {
                "publish_run": publish_run, "runs": runs, "tis": tis, "queue": queue,
                "worker_log": (logs / "worker.log").read_text(encoding="utf-8",
                                                              errors="replace"),
                "celery": _snapshot(_url(wh_celery)), "embedded": _snapshot(_url(wh_embedded)),
                "wh_celery": _url(wh_celery), "seconds": (embedded_seconds, celery_seconds),
                "env_file": env_file, "api_port": api_port, "log_port": log_port,
                "ledgers": ledgers, "listening": listening,
            }
    finally:
        _stop(processes)
        from etl.warehouse.connection import get_engine

        get_engine.cache_clear()
        _drop_databases([meta_db, wh_celery, wh_embedded])
        _forget_queue(queue)


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _healthy(url: str) -> bool:
    import requests

    try:
        data = requests.get(url, timeout=5).json()
    except Exception:  # noqa: BLE001 - not up yet
        return False
    return all((data.get(k) or {}).get("status") == "healthy"
               for k in ("metadatabase", "scheduler", "dag_processor"))


def _registered(meta, dag_ids: list[str]) -> bool:
    import sqlalchemy as sa

    try:
        with meta.connect() as conn:
            found = {r[0] for r in conn.execute(sa.text("select dag_id from dag"))}
    except Exception:  # noqa: BLE001
        return False
    return set(dag_ids) <= found


def _finished_publish(meta, logs: Path) -> dict | None:
    import sqlalchemy as sa

    with meta.connect() as conn:
        failed = conn.execute(sa.text(
            "select dag_id, task_id, state from task_instance where dag_id in "
            "('lmis_vacancies', 'lmis_publish') and state in ('failed', 'upstream_failed', "
            "'up_for_retry')")).all()
        if failed:
            raise AssertionError(f"tasks failed under the CeleryExecutor: {failed}\n"
                                 + _tail(logs / "worker.log", 6000))
        row = conn.execute(sa.text(
            "select run_id, state, run_type from dag_run where dag_id = 'lmis_publish' "
            "and state = 'success'")).mappings().first()
    return dict(row) if row else None


def _listen_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    import ipaddress

    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state != "0A" or int(hex_port, 16) != port:  # 0A = LISTEN
                continue
            raw = bytes.fromhex(address)
            # /proc prints each 32-bit word in host (little-endian) order.
            words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            ip = ipaddress.ip_address(words)
            if getattr(ip, "ipv4_mapped", None):
                ip = ip.ipv4_mapped
            found.add(str(ip))
    return found


def _forget_queue(queue: str) -> None:
    """Delete this test's keys from the broker (Redis keeps nothing on disk anyway)."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = [k for k in client.scan_iter(match=f"*{queue}*")]
        if keys:
            client.delete(*keys)
    except Exception:  # noqa: BLE001 - cleaning up is best effort
        pass


def test_vacancy_run_was_scheduled_for_the_demo_interval(celery_run: dict) -> None:
    vacancy = [r for r in celery_run["runs"] if r["dag_id"] == "lmis_vacancies"]
    assert len(vacancy) == 1, vacancy
    run = vacancy[0]
    assert run["run_type"] == "scheduled" and run["state"] == "success"
    assert run["data_interval_end"].date().isoformat() == AS_OF
    assert celery_run["publish_run"]["run_type"] == "asset_triggered"


def test_every_task_ran_on_the_celery_worker(celery_run: dict) -> None:
    tis = celery_run["tis"]
    tasks = {(t["dag_id"], t["task_id"]) for t in tis}
    assert ("lmis_publish", "publish_tables") in tasks
    assert {"ingest_board_a", "ingest_board_b", "ingest_pes_feed",
            "deduplicate_and_record"} <= {t for d, t in tasks if d == "lmis_vacancies"}
    worker_log = celery_run["worker_log"]
    for ti in tis:
        assert ti["state"] == "success", ti
        assert ti["queue"] == celery_run["queue"], ti
        celery_id = ti["external_executor_id"]
        assert celery_id, f"{ti['task_id']} has no Celery task id: not run by the CeleryExecutor"
        assert re.search(rf"Task execute_workload\[{re.escape(celery_id)}\] succeeded",
                         worker_log), f"{ti['task_id']} ({celery_id}) not in the worker's log"
        if ti["task_id"].startswith("ingest_"):
            assert ti["pool"] == "lmis_host_127_0_0_1", ti


def test_published_tables_equal_the_embedded_run(celery_run: dict) -> None:
    celery, embedded = celery_run["celery"], celery_run["embedded"]
    assert sum(len(rows) for rows in embedded.values()) > 0
    assert len(embedded["vacancies_open"]) > 0 and len(embedded["skills_demand"]) > 0
    for name in PUBLISHED:
        assert celery[name] == embedded[name], (
            f"published.{name}: {len(celery[name])} rows under Celery, "
            f"{len(embedded[name])} embedded")


def test_ledgers_balance_in_the_celery_warehouse(celery_run: dict) -> None:
    ledgers = celery_run["ledgers"]
    assert {"board_a", "board_b", "pes_feed"} <= {r["source"] for r in ledgers}
    for r in ledgers:
        assert r["fetched"] > 0, r
        assert r["fetched"] == r["loaded"] + r["quarantined"] + r["duplicates"] + r["unchanged"]


def test_api_server_and_log_server_listen_on_loopback_only(celery_run: dict) -> None:
    assert celery_run["api_port"] != celery_run["log_port"]
    for port, addresses in celery_run["listening"].items():
        assert addresses, f"nothing listens on port {port}"
        assert addresses <= {"127.0.0.1", "::1"}, f"port {port} listens on {addresses}"
    print(json.dumps({"embedded_s": round(celery_run["seconds"][0], 1),
                      "celery_s": round(celery_run["seconds"][1], 1)}))
