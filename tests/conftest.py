"""Shared fixtures: isolated LMIS_HOME, DuckDB warehouses, scratch PostgreSQL databases.

PostgreSQL tests use a real server (default postgresql://postgres@127.0.0.1:5432, or
LMIS_TEST_PG_URL) and a scratch database each, created and dropped here, so they
never depend on the state of the `test` database. Under CI=true a missing server
fails the test; elsewhere it is skipped with a message saying how to provide one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get("LMIS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _pg_available() -> str | None:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


@pytest.fixture
def lmis_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh LMIS_HOME for one test (warehouse, raw files, Airflow home)."""
    home = tmp_path / "lmis_home"
    home.mkdir()
    monkeypatch.setenv("LMIS_HOME", str(home))
    monkeypatch.delenv("LMIS_WAREHOUSE_URL", raising=False)
    monkeypatch.delenv("LMIS_CONFIG", raising=False)
    return home


@pytest.fixture
def duckdb_url(tmp_path: Path) -> str:
    return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a scratch PostgreSQL database, dropped after the test."""
    import sqlalchemy as sa

    problem = _pg_available()
    if problem:
        message = (f"PostgreSQL not reachable at {PG_ADMIN_URL} ({problem}); set "
                   "LMIS_TEST_PG_URL to a server where the user may create databases")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    name = f"lmis_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'create database "{name}"'))
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(
        hide_password=False)
    try:
        yield url
    finally:
        from etl.warehouse.connection import get_engine

        get_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(sa.text(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = :n"),
                {"n": name})
            conn.execute(sa.text(f'drop database if exists "{name}"'))
        admin.dispose()


PUBLISHED = ["skills_gap", "shortage_occupations", "surplus_occupations", "opportunities",
             "vacancies_open", "labour_indicators", "skills_demand", "returnees_summary"]


def run_demo_cli(home: Path, environ: dict[str, str] | None = None, cwd: str | None = None,
                 started=None) -> subprocess.CompletedProcess:
    """`lmis demo` as a user runs it, in a fresh process with its own LMIS_HOME.

    ``started`` (if given) is called with the process once it runs (to stop it early).
    """
    env = {k: v for k, v in (os.environ if environ is None else environ).items()
           if not k.startswith(("AIRFLOW", "LMIS_"))}
    env["LMIS_HOME"] = str(home)
    with subprocess.Popen([sys.executable, "-m", "etl.cli", "demo"], env=env, cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        if started is not None:
            started(proc)
        try:
            out, err = proc.communicate(timeout=1200)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
    assert proc.returncode == 0, out[-2000:] + err[-4000:]
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def published_snapshot(home: Path) -> dict[str, list[tuple]]:
    """Every published table's rows (run_id aside), sorted, from the demo's DuckDB file."""
    import duckdb

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        out = {}
        for name in PUBLISHED:
            cols = [r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_schema = "
                "'published' and table_name = ? and column_name <> 'run_id' "
                "order by ordinal_position", [name]).fetchall()]
            quoted = ", ".join(f'"{c}"' for c in cols)
            out[name] = con.execute(
                f"select {quoted} from published.{name} order by {quoted}").fetchall()
        return out
    finally:
        con.close()


def _demo_runs(home: Path, environ: dict[str, str], cwd: str, started=None) -> dict:
    """`lmis demo` run twice in one LMIS_HOME, the published rows read between the runs."""
    first = run_demo_cli(home, environ, cwd, started)
    snapshot = published_snapshot(home)
    second = run_demo_cli(home, environ, cwd, started)
    return {"home": home, "first": first, "second": second, "snapshot": snapshot,
            "snapshot_now": lambda: published_snapshot(home),
            "manifest": json.loads((home / "demo" / "manifest.json").read_text())}


class _Background:
    """``_demo_runs`` in a thread started when collection ends (see demo_runs)."""

    def __init__(self, home: Path) -> None:
        import threading

        self.result: dict | None = None
        self.error: BaseException | None = None
        self.process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._stopping = False
        # The environment and folder of the session's start: tests that change either
        # (monkeypatch) in the meantime do not leak into the demo's processes.
        self._args = (home, dict(os.environ), os.getcwd())
        self._thread = threading.Thread(target=self._run, name="lmis-demo-runs", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.result = _demo_runs(*self._args, started=self._started)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the fixture
            self.error = exc

    def _started(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self.process = proc
            if self._stopping:
                proc.kill()

    def stop(self) -> None:
        """End the run still going (a session that stopped before needing it)."""
        with self._lock:
            self._stopping = True
            if self.process is not None and self.process.poll() is None:
                self.process.kill()
        self._thread.join(timeout=60)

    def get(self) -> dict:
        self._thread.join()
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


_background_demo: _Background | None = None


def _uses_demo_runs(item: pytest.Item) -> bool:
    return "demo_runs" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests of `lmis demo`'s runs go last (in their order), so that the two runs,
    started in the background when collection ends, overlap with the rest of the suite."""
    items.sort(key=_uses_demo_runs)


def pytest_collection_finish(session: pytest.Session) -> None:
    global _background_demo
    if session.config.option.collectonly or not any(map(_uses_demo_runs, session.items)):
        return
    home = session.config._tmp_path_factory.mktemp("demo_home")
    _background_demo = _Background(home)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _background_demo is not None:
        _background_demo.stop()


@pytest.fixture(scope="session")
def demo_runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`lmis demo` run twice in one LMIS_HOME (shared by the end-to-end and report tests).

    The runs start in the background as soon as the session's tests are collected (a
    process of their own each, as before, on the CPU the test process leaves idle); this
    waits for them. Without that (a test requesting the fixture in another way) they run here.
    """
    if _background_demo is not None:
        return _background_demo.get()
    return _demo_runs(tmp_path_factory.mktemp("demo_home"), dict(os.environ), os.getcwd())
