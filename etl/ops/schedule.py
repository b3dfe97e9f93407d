"""Cron arithmetic for per-source schedules: due checks, next runs, backfill intervals.

Each source declares its own rhythm (``schedule.cron`` in the source configuration);
a DAG runs at the fastest rhythm among its sources and a source whose own cron did
not fire inside the run's data interval sits that run out. Intervals are
``[start, end)`` in UTC, the way Airflow's ``CronDataIntervalTimetable`` cuts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

#: Airflow's cron presets that croniter does not know by name.
PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}


class ScheduleError(ValueError):
    """A cron expression the scheduler would not accept."""


def expression(cron: str) -> str:
    """The five-field form of a cron expression or preset (validated)."""
    from croniter import croniter

    expr = PRESETS.get(cron.strip(), cron.strip())
    if not croniter.is_valid(expr):
        raise ScheduleError(f"not a cron expression or preset: {cron!r}")
    return expr


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def fires_between(cron: str, start: datetime, end: datetime) -> list[datetime]:
    """Fire times of ``cron`` in ``(start, end]`` (UTC, aware)."""
    from croniter import croniter

    start, end = _aware(start), _aware(end)
    it = croniter(expression(cron), start)
    out = []
    while True:
        fire = _aware(it.get_next(datetime))
        if fire > end:
            return out
        out.append(fire)


def is_due(cron: str, start: datetime | None, end: datetime | None) -> bool:
    """Whether a source on ``cron`` has a run ending inside ``(start, end]``.

    A run with no interval (ad-hoc, or an asset-triggered run) is always due: the
    person who started it asked for it.
    """
    if start is None or end is None or start >= end:
        return True
    return bool(fires_between(cron, start, end))


def next_run(cron: str, after: datetime) -> datetime:
    """The next fire time of ``cron`` strictly after ``after`` (UTC, aware)."""
    from croniter import croniter

    return _aware(croniter(expression(cron), _aware(after)).get_next(datetime))


def typical_period(cron: str) -> timedelta:
    """The gap between two fires from a fixed reference (to rank schedules by rhythm)."""
    ref = datetime(2025, 1, 1, tzinfo=UTC)
    first = next_run(cron, ref)
    return next_run(cron, first) - first


def fastest(crons: Iterable[str], default: str) -> str:
    """The cron among ``crons`` that fires most often (``default`` when there is none)."""
    crons = [c for c in crons if c]
    if not crons:
        return default
    return min(crons, key=typical_period)  # ties: the first listed wins


def intervals(cron: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The data intervals ``[a, b)`` of ``cron`` whose start ``a`` lies in ``[start, end]``.

    A backfill of ``2025-01-01 .. 2025-06-30`` on ``@quarterly`` gives Q1 and Q2, the
    intervals a scheduler would have run at 2025-04-01 and 2025-07-01; ``--end`` is
    inclusive, as in ``airflow backfill create --to-date``.
    """
    start, end = _aware(start), _aware(end)
    if end < start:
        raise ScheduleError(f"backfill end {end:%Y-%m-%d} is before its start {start:%Y-%m-%d}")
    out: list[tuple[datetime, datetime]] = []
    a = next_run(cron, start - timedelta(microseconds=1))
    while a <= end:
        b = next_run(cron, a)
        out.append((a, b))
        a = b
    return out
