"""Keep a long pipeline process from holding memory it has freed (glibc's malloc).

A run streams chunk after chunk of postings (10,000 descriptions of 1–3 KB,
their DataFrame copies, the CSV for COPY, worker results unpickled in the
pool's thread). With glibc's defaults, that pattern makes the process grow with
the number of chunks rather than with the size of one:

* the mmap threshold is dynamic: after a large block is freed, blocks up to its
  size come from the heap instead, where a chunk's freed pages stay behind the
  next chunk's live ones and are not returned;
* every thread that allocates (the multiprocessing pool's result thread, Arrow's
  and the drivers' threads) may get an arena of its own, each fragmenting apart.

With these settings the loading process of ``lmis bench`` on PostgreSQL no
longer grows between 100,000 and 300,000 postings, with run times within their
run-to-run spread. They are applied when an engine is made
(``etl.warehouse.connection.get_engine``), which every pipeline run, ``lmis``
command and Airflow task goes through, before it starts worker processes
(docs/benchmarks.md has the figures). With an embedded DuckDB in the process they
first showed no gain (its buffer pool dominated); since pandas 3 keeps every text
column in Arrow buffers, they (Arrow's pool below included) lower the benchmark's
peak at a million postings on DuckDB by 50–120 MiB when the process starts with them
(:func:`startup_environment`; fifteenth round). There the
mmap threshold is set above DuckDB's 256 KiB buffer blocks, which DuckDB frees and
takes again all the time: mapped one by one, each would cost two system calls and
fresh zeroed pages.

Arrow's buffers (the loader writes every chunk's COPY CSV through Arrow) are
taken from the same tuned malloc instead of Arrow's bundled mimalloc, which keeps
segments it has freed: at PostgreSQL 1M the full run's peak was 1,020 and
1,169 MiB with it, against 1,259 and 1,274 MiB without, in the same time
(docs/benchmarks.md, ninth round). An operator's ``ARROW_DEFAULT_MEMORY_POOL``
wins here too.

The settings are glibc's documented tunables (``mallopt``, and the
``MALLOC_*`` environment variables that child processes read at start-up). Other
C libraries (macOS, musl) are left alone: this is a tuning, not a requirement.
"""

from __future__ import annotations

import ctypes
import logging
import os

log = logging.getLogger(__name__)

#: Blocks of at least this size are mapped on their own and returned on free.
MMAP_THRESHOLD = 256 * 1024
#: The same in a process that opens an embedded DuckDB: above its 256 KiB buffer blocks.
DUCKDB_MMAP_THRESHOLD = 1024 * 1024
#: Free memory at the top of the heap kept for reuse before it is given back.
TRIM_THRESHOLD = 64 * 1024 * 1024
#: Arenas shared by all threads (glibc's default is 8 per core).
ARENA_MAX = 2

# mallopt parameter numbers (glibc malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8

#: The same settings for processes this one starts (glibc reads them at start-up).
ENVIRONMENT = {
    "MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD),
    "MALLOC_TRIM_THRESHOLD_": str(TRIM_THRESHOLD),
    "MALLOC_ARENA_MAX": str(ARENA_MAX),
}

#: Arrow's variable for its default pool, read by processes this one starts.
ARROW_POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


def environment(mmap_threshold: int = MMAP_THRESHOLD) -> dict[str, str]:
    """:data:`ENVIRONMENT` with the mmap threshold given."""
    return {**ENVIRONMENT, "MALLOC_MMAP_THRESHOLD_": str(mmap_threshold)}


def startup_environment(mmap_threshold: int = MMAP_THRESHOLD) -> dict[str, str]:
    """The settings as a process should be started with them, Arrow's pool included.

    Applied while a process runs (:func:`limit_fragmentation`), they hold only in part:
    glibc fixes how many arenas it may make when a second thread first allocates, and
    Arrow's C++ code keeps the default pool it picked on first use. Started with these
    variables, a process has them from its first allocation.
    """
    return {**environment(mmap_threshold), ARROW_POOL_VARIABLE: "system"}


_applied: bool | None = None


def _glibc() -> ctypes.CDLL | None:
    """The C library this process runs on, when it is glibc (its symbols: ``CDLL(None)``)."""
    try:
        version = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):  # no confstr, or not a glibc name
        return None
    return ctypes.CDLL(None) if version.startswith("glibc") else None


def limit_fragmentation(mmap_threshold: int = MMAP_THRESHOLD) -> bool:
    """Apply the settings to this process (once) and to the processes it will start.

    Returns whether this process's allocator was tuned (False off glibc). Settings
    a user put in the environment win: they are neither overwritten for child
    processes nor re-applied here. The first call decides (a process that makes a
    PostgreSQL and a DuckDB engine keeps the settings of the first).
    """
    global _applied
    if _applied is not None:
        return _applied
    if any(name in os.environ for name in ENVIRONMENT):
        _applied = False  # the operator chose: glibc has already read their values
        return _applied
    libc = _glibc()
    if libc is None:
        _applied = False
        return _applied
    ok = all(libc.mallopt(param, value) == 1 for param, value in (
        (_M_MMAP_THRESHOLD, mmap_threshold),
        (_M_TRIM_THRESHOLD, TRIM_THRESHOLD),
        (_M_ARENA_MAX, ARENA_MAX),
    ))
    if ok:
        os.environ.update(environment(mmap_threshold))
        _use_system_arrow_pool()
    else:
        log.warning("glibc refused a mallopt setting; memory may grow with long runs")
    _applied = ok
    return _applied


def _use_system_arrow_pool() -> None:
    """Arrow allocates through malloc (tuned above), here and in the processes started later."""
    if ARROW_POOL_VARIABLE in os.environ:  # the operator chose a pool
        return
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    os.environ[ARROW_POOL_VARIABLE] = "system"
