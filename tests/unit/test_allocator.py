"""The allocator settings of long runs (etl.allocator), observed in fresh processes.

glibc's default mmap threshold is dynamic: once a 1 MiB block mapped on its own
is freed, the next one of that size comes from the heap (where freed chunks
stay). With the settings applied it is mapped again, so freeing it returns the
memory. ``mallinfo2().hblkhd`` (bytes in blocks mapped on their own) shows which.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

#: What both probes start with: glibc's malloc statistics through ctypes.
MALLINFO = r"""
import ctypes, json, os, sys
from etl import allocator

class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
"""

PROBE = MALLINFO + r"""
applied = allocator.limit_fragmentation() if sys.argv[1] == "tuned" else False
mapped = []
for _ in range(2):
    before = libc.mallinfo2().hblkhd
    block = libc.malloc(1 << 20)
    mapped.append(libc.mallinfo2().hblkhd - before >= 1 << 20)
    libc.free(block)
import pyarrow as pa
print(json.dumps({"applied": applied, "mapped": mapped,
                  "env": {k: os.environ.get(k) for k in allocator.ENVIRONMENT},
                  "arrow_pool": pa.default_memory_pool().backend_name,
                  "arrow_env": os.environ.get(allocator.ARROW_POOL_VARIABLE)}))
"""


def _fresh(code: str, arg: str, env: dict[str, str] | None = None):
    """What ``code`` prints as JSON, in a new interpreter without our MALLOC_* or Arrow pool variables."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("MALLOC_") and k != "ARROW_DEFAULT_MEMORY_POOL"}
    out = subprocess.run([sys.executable, "-c", code, arg], capture_output=True, text=True,
                         check=True, env={**clean, **(env or {})})
    return json.loads(out.stdout)


def _probe(mode: str, env: dict[str, str] | None = None) -> dict:
    return _fresh(PROBE, mode, env)


def _glibc_with_mallinfo2() -> bool:
    version = os.confstr("CS_GNU_LIBC_VERSION") if hasattr(os, "confstr") else None
    if not version or not version.startswith("glibc"):
        return False
    major, minor = (int(x) for x in version.split()[1].split(".")[:2])
    return (major, minor) >= (2, 33)


pytestmark = pytest.mark.skipif(not _glibc_with_mallinfo2(),
                                reason="needs glibc 2.33+ (mallopt, mallinfo2)")


def test_defaults_move_a_freed_large_block_to_the_heap() -> None:
    # The behaviour the settings exist for: without them the second block is not mapped.
    assert _probe("default")["mapped"] == [True, False]


def test_settings_keep_large_blocks_mapped_and_reach_child_processes() -> None:
    result = _probe("tuned")
    assert result["applied"] is True
    assert result["mapped"] == [True, True]
    assert result["env"] == {"MALLOC_MMAP_THRESHOLD_": str(256 * 1024),
                             "MALLOC_TRIM_THRESHOLD_": str(64 * 1024 * 1024),
                             "MALLOC_ARENA_MAX": "2"}


def test_arrow_allocates_through_the_tuned_malloc_here_and_in_child_processes() -> None:
    assert _probe("default")["arrow_pool"] != "system"  # Arrow's own (mimalloc or jemalloc)
    result = _probe("tuned")
    assert result["arrow_pool"] == "system"
    assert result["arrow_env"] == "system"


def test_an_operator_choice_of_arrow_pool_wins() -> None:
    result = _probe("tuned", {"ARROW_DEFAULT_MEMORY_POOL": "mimalloc"})
    assert result["applied"] is True
    assert result["arrow_pool"] == "mimalloc"
    assert result["arrow_env"] == "mimalloc"


def test_an_operator_setting_in_the_environment_wins() -> None:
    result = _probe("tuned", {"MALLOC_ARENA_MAX": "4"})
    assert result["applied"] is False
    assert result["env"]["MALLOC_ARENA_MAX"] == "4"
    assert result["env"]["MALLOC_MMAP_THRESHOLD_"] is None


ENGINE_PROBE = MALLINFO + r"""
from etl.warehouse.connection import get_engine
get_engine(sys.argv[1])

def mapped(size):
    out = []
    for _ in range(2):  # the second block of a size shows the threshold in force
        before = libc.mallinfo2().hblkhd
        block = libc.malloc(size)
        out.append(libc.mallinfo2().hblkhd - before >= size)
        libc.free(block)
    return out

print(json.dumps({"env": {k: os.environ.get(k) for k in allocator.ENVIRONMENT},
                  "arrow_env": os.environ.get(allocator.ARROW_POOL_VARIABLE),
                  "buffer_block_mapped": mapped(256 * 1024 + 64),
                  "large_block_mapped": mapped(4 << 20)}))
"""


def test_postgresql_engines_apply_the_settings() -> None:
    result = _fresh(ENGINE_PROBE, "postgresql+psycopg://nobody@127.0.0.1:1/none")  # no connection
    assert result["env"] == {"MALLOC_MMAP_THRESHOLD_": str(256 * 1024),
                             "MALLOC_TRIM_THRESHOLD_": str(64 * 1024 * 1024),
                             "MALLOC_ARENA_MAX": "2"}
    assert result["arrow_env"] == "system"
    assert result["buffer_block_mapped"] == [True, True]
    assert result["large_block_mapped"] == [True, True]


def test_duckdb_engines_apply_them_with_its_buffer_blocks_left_in_the_heap() -> None:
    # DuckDB frees and takes again 256 KiB buffer blocks all the time: they stay in the
    # heap (the threshold is above them); larger blocks are still mapped and given back.
    result = _fresh(ENGINE_PROBE, "duckdb:///:memory:")
    assert result["env"] == {"MALLOC_MMAP_THRESHOLD_": str(1024 * 1024),
                             "MALLOC_TRIM_THRESHOLD_": str(64 * 1024 * 1024),
                             "MALLOC_ARENA_MAX": "2"}
    assert result["arrow_env"] == "system"
    assert result["buffer_block_mapped"][1] is False
    assert result["large_block_mapped"] == [True, True]
