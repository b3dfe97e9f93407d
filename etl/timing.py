"""Seconds per stage of a pipeline run, for the benchmark's "where the time goes"."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

#: Stages entered and not yet left, innermost last: the benchmark's memory monitor reads
#: it from its own thread to say which stage the peak fell in.
_open_stages: list[str] = []


def current_stage() -> str | None:
    """The innermost stage running now (``None`` outside any timed stage)."""
    try:  # read from another thread: the list may empty between a test and an index
        return _open_stages[-1]
    except IndexError:
        return None


class StageTimer:
    """Adds the wall time of each stage into ``timings`` (when the caller asked for them)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        _open_stages.append(stage)
        try:
            yield
        finally:
            _open_stages.pop()
            if self.timings is not None:
                self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - start
