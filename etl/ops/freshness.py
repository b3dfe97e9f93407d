"""Freshness: has each source brought new data within its expected period?

"New data" is a successful run that fetched something not already in the warehouse
unchanged (``fetched > unchanged`` in ``ops.run_ledger``). A board that answers but
only repeats yesterday's postings is therefore stale, which is what the people who
read the published tables need to know. The period is the source's
``schedule.expected_every_hours``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from etl.ops.alerts import Alert, notify

#: A stale source is alerted at most once per this period (the check runs with every DAG run).
REALERT_AFTER = timedelta(hours=24)


def _naive(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


@dataclass
class Freshness:
    source: str
    kind: str
    expected_every_hours: float
    last_success_at: datetime | None
    last_success_run: str | None
    last_new_data_at: datetime | None
    checked_at: datetime

    @property
    def age_hours(self) -> float | None:
        if self.last_new_data_at is None:
            return None
        return (self.checked_at - self.last_new_data_at).total_seconds() / 3600

    @property
    def state(self) -> str:
        """``fresh``, ``stale``, or ``never`` (no run has brought data yet; also stale)."""
        if self.last_new_data_at is None:
            return "never"
        return "stale" if self.age_hours > self.expected_every_hours else "fresh"

    @property
    def is_stale(self) -> bool:
        return self.state != "fresh"

    def describe(self) -> str:
        if self.state == "never":
            return (f"source {self.source} has never brought new data (expected every "
                    f"{self.expected_every_hours:g} h)")
        return (f"source {self.source}: last new data {self.last_new_data_at:%Y-%m-%d %H:%M} UTC, "
                f"{self.age_hours:.1f} h ago; expected every {self.expected_every_hours:g} h")


def source_activity(engine: Engine) -> dict[str, dict]:
    from etl.warehouse.sqlfiles import sql_text

    with engine.connect() as conn:
        rows = conn.execute(sql_text("ops/source_activity")).mappings().all()
    return {r["source"]: dict(r) for r in rows}


def check(engine: Engine, config, *, sources: list[str] | None = None,
          now: datetime | None = None) -> list[Freshness]:
    """Freshness of the enabled sources of ``config`` (or only of ``sources``)."""
    now = _naive(now) or datetime.now(UTC).replace(tzinfo=None)
    activity = source_activity(engine)
    out = []
    for source in config.sources:
        if not source.enabled or (sources is not None and source.name not in sources):
            continue
        row = activity.get(source.name, {})
        out.append(Freshness(
            source=source.name, kind=source.kind,
            expected_every_hours=source.schedule.expected_every_hours,
            last_success_at=row.get("finished_at"), last_success_run=row.get("run_id"),
            last_new_data_at=row.get("last_new_data_at"), checked_at=now,
        ))
    return out


def _recently_alerted(engine: Engine, source: str, now: datetime) -> bool:
    import sqlalchemy as sa

    with engine.connect() as conn:
        return bool(conn.execute(sa.text(
            "select count(*) from ops.alerts where kind = 'stale_source' and source = :s "
            "and raised_at > :since"), {"s": source, "since": now - REALERT_AFTER}).scalar())


def alert_stale(engine: Engine, config, *, sources: list[str] | None = None,
                now: datetime | None = None, dag_id: str | None = None,
                run_id: str | None = None, realert: bool = False) -> list[Freshness]:
    """Check freshness and raise a ``stale_source`` alert per stale source; return the stale.

    A source already alerted in the last 24 h is not alerted again unless ``realert``.
    """
    now = _naive(now) or datetime.now(UTC).replace(tzinfo=None)
    stale = [f for f in check(engine, config, sources=sources, now=now) if f.is_stale]
    for item in stale:
        if not realert and _recently_alerted(engine, item.source, now):
            continue
        notify(Alert(kind="stale_source", source=item.source, severity="warning",
                     dag_id=dag_id, run_id=run_id, message=item.describe(), raised_at=now),
               engine)
    return stale


def publish_lag(engine: Engine, *, now: datetime | None = None) -> tuple[datetime, datetime | None] | None:
    """(newest new data loaded, last publish) when the published tables are older than the data."""
    import sqlalchemy as sa

    with engine.connect() as conn:
        newest = conn.execute(sa.text(
            "select max(finished_at) from ops.run_ledger "
            "where status = 'success' and loaded > 0")).scalar()
        published = conn.execute(sa.text(
            "select max(refreshed_at) from published.dataset_metadata")).scalar()
    if newest is None or (published is not None and published >= newest):
        return None
    return newest, published


def alert_publish_lag(engine: Engine, deadline: timedelta, *, now: datetime | None = None,
                      dag_id: str | None = None, run_id: str | None = None) -> str | None:
    """Alert (``deadline_missed``) when new data has waited longer than ``deadline`` to be published."""
    import sqlalchemy as sa

    now = _naive(now) or datetime.now(UTC).replace(tzinfo=None)
    lag = publish_lag(engine, now=now)
    if lag is None or now - lag[0] <= deadline:
        return None
    newest, published = lag
    message = (f"new data loaded at {newest:%Y-%m-%d %H:%M} UTC is not published after "
               f"{(now - newest).total_seconds() / 3600:.1f} h (deadline "
               f"{deadline.total_seconds() / 3600:g} h); last publish: "
               + (f"{published:%Y-%m-%d %H:%M} UTC" if published else "never"))
    with engine.connect() as conn:
        recent = conn.execute(sa.text(
            "select count(*) from ops.alerts where kind = 'deadline_missed' "
            "and raised_at > :since"), {"since": now - REALERT_AFTER}).scalar()
    if not recent:
        notify(Alert(kind="deadline_missed", source="lmis_publish", severity="error",
                     dag_id=dag_id, run_id=run_id, message=message, raised_at=now), engine)
    return message
