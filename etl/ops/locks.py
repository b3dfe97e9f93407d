"""Run locks: two runs of the same source never write to the warehouse at once.

``max_active_runs=1`` keeps one DAG from overlapping itself, but a backfill, a manual
``lmis`` command or a second scheduler can still start a second writer for the same
source. Every writing step therefore holds a named lock for its whole duration:

* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection
  held for the duration. The server releases it when that connection ends, so a task
  that is SIGKILLed cannot leave a stale lock behind.
* DuckDB: an exclusive ``flock`` on a file beside the database
  (``warehouse.duckdb.locks/<name>.lock``). The kernel releases it when the process
  dies, for the same reason. The holder writes who it is into the file so that the
  waiting side can say who it waits for.

The second run waits up to ``wait_seconds`` (default ``LMIS_LOCK_WAIT_SECONDS``, 900 s)
and then fails with :class:`SourceLocked`, which names the lock and its holder.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

DEFAULT_WAIT_SECONDS = 900.0
POLL_SECONDS = 0.5


class SourceLocked(RuntimeError):
    """Another run holds the lock of this source; nothing was written by this run."""


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: enough for a person to find the other run."""

    name: str
    run_id: str | None
    host: str
    pid: int
    since: str

    @classmethod
    def me(cls, name: str, run_id: str | None) -> Holder:
        return cls(name, run_id, socket.gethostname(), os.getpid(),
                   datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))

    def describe(self) -> str:
        return (f"run {self.run_id or '(ad hoc)'} on {self.host} pid {self.pid} "
                f"since {self.since}")


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_lock`` (same on every host)."""
    digest = hashlib.sha256(f"lmis:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def default_wait() -> float:
    value = os.environ.get("LMIS_LOCK_WAIT_SECONDS")
    return float(value) if value else DEFAULT_WAIT_SECONDS


@contextmanager
def source_lock(engine: Engine, name: str, *, run_id: str | None = None,
                wait_seconds: float | None = None) -> Iterator[Holder]:
    """Hold the lock ``name`` (usually a source name) for the duration of the block."""
    wait = default_wait() if wait_seconds is None else wait_seconds
    me = Holder.me(name, run_id)
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine, name, me, wait):
            yield me
    elif engine.dialect.name == "duckdb":
        with _file_lock(_duckdb_lock_dir(engine) / f"{name}.lock", me, wait):
            yield me
    else:  # pragma: no cover - only the two dialects the SQL is written for
        raise NotImplementedError(f"no run lock for {engine.dialect.name}")


def _pg_holder(conn: sa.Connection, key: int) -> str:
    """What PostgreSQL says about the session holding the advisory lock."""
    row = conn.execute(sa.text(
        "select a.pid, a.client_addr, a.application_name, a.backend_start "
        "from pg_locks l join pg_stat_activity a on a.pid = l.pid "
        "where l.locktype = 'advisory' and l.granted "
        "and ((l.classid::bigint << 32) | l.objid::bigint) = :key"), {"key": key}
    ).first()
    if row is None:
        return "another session (gone by now)"
    return f"PostgreSQL backend pid {row.pid} from {row.client_addr or 'local socket'} " \
           f"connected since {row.backend_start:%Y-%m-%d %H:%M:%S}"


@contextmanager
def _pg_lock(engine: Engine, name: str, me: Holder, wait: float) -> Iterator[None]:
    key = lock_key(name)
    deadline = time.monotonic() + wait
    # A connection of its own, in autocommit, so the lock outlives the pipeline's
    # transactions and is independent of them.
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        while not conn.execute(sa.text("select pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            if time.monotonic() >= deadline:
                holder = _pg_holder(conn, key)
                raise SourceLocked(
                    f"lock {name!r} is held by {holder}; waited {wait:.0f} s. Another run of "
                    f"{name} is writing; this run ({me.run_id or 'ad hoc'}) wrote nothing.")
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            conn.execute(sa.text("select pg_advisory_unlock(:k)"), {"k": key})
    finally:
        conn.close()


def _duckdb_lock_dir(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        from etl.settings import home_subdir

        return home_subdir("locks")
    path = Path(f"{os.path.abspath(database)}.locks")
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def _file_lock(path: Path, me: Holder, wait: float) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SourceLocked(
                        f"lock {me.name!r} ({path}) is held by {_file_holder(path)}; waited "
                        f"{wait:.0f} s. Another run of {me.name} is writing; this run "
                        f"({me.run_id or 'ad hoc'}) wrote nothing.") from None
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me.__dict__).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _file_holder(path: Path) -> str:
    try:
        return Holder(**json.loads(path.read_text(encoding="utf-8"))).describe()
    except (OSError, ValueError, TypeError):
        return "another process"
