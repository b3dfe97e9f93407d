"""One open embedded database per pipeline step, checkpointed once at its end.

Why: the engine opens a DuckDB file per transaction and closes it after
(``NullPool``), so that an Airflow task, the CLI and an analyst's notebook in
other processes can take their turn on the single-writer file. But DuckDB
checkpoints when the last connection closes, and also at every commit once the
write-ahead log passes 16 MB: a step that loads a source in 100 chunk
transactions rewrote the database 100 times, each time more of it as the
warehouse grew (measured: 40 commits of 10,000 staged postings took 41.5 s
that way, 11.8 s with one checkpoint at the end). Inside :func:`step_session`
the database stays open for the step and checkpoints when the step ends (or
when the log passes ``BULK_CHECKPOINT_THRESHOLD``); other processes wait for
the step, as they already waited for each of its transactions.

PostgreSQL needs none of this: its pool already keeps connections open, and it
checkpoints on its own schedule.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.engine import Engine

from etl.timing import StageTimer

#: Write-ahead log size that triggers a checkpoint inside a step (DuckDB's default: 16 MB).
BULK_CHECKPOINT_THRESHOLD = "1GB"

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def step_session(engine: Engine, timings: dict[str, float] | None = None,
                 step: str | None = None) -> Iterator[None]:
    """Keep an embedded DuckDB database open (one checkpoint at the end); a no-op elsewhere.

    ``timings`` (optional) receives the checkpoint's seconds as ``checkpoint``, and
    also as ``checkpoint_<step>`` when the step is named, so that a run's report can
    say which step's writes its checkpoints carried.
    """
    if engine.dialect.name != "duckdb":
        yield
        return
    with engine.connect() as keeper:
        keeper.exec_driver_sql(f"SET checkpoint_threshold = '{BULK_CHECKPOINT_THRESHOLD}'")
        try:
            yield
            # The step's work reaches the database file now, not when a later
            # process opens it (after a failure, closing the file checkpoints).
            timer = StageTimer(timings)
            # The step's own key outside, so that "checkpoint" stays the innermost
            # stage the memory monitor reads.
            named = timer(f"checkpoint_{step}") if step else nullcontext()
            with named, timer("checkpoint"):
                keeper.exec_driver_sql("CHECKPOINT")
        finally:
            keeper.exec_driver_sql("RESET checkpoint_threshold")  # an outer session goes on


def holds_warehouse_open(step: Callable[P, R]) -> Callable[P, R]:
    """Run a pipeline step (``step(ctx, …)``) inside :func:`step_session` of ``ctx.engine``.

    A step called with ``timings=`` also gets its closing checkpoint timed there.
    """

    @functools.wraps(step)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        ctx: Any = args[0]
        timings = kwargs.get("timings")
        with step_session(ctx.engine, timings if isinstance(timings, dict) else None,
                          step.__name__):
            return step(*args, **kwargs)

    return wrapper
