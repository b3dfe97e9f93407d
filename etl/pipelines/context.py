"""What every pipeline step needs: the run's identity, its data interval, config and warehouse.

Airflow tasks build one from their context; the CLI and tests build one directly.
Only identifiers and paths cross task boundaries (through XCom), never DataFrames.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path

from sqlalchemy.engine import Engine

from etl.config.method import Method, load_method
from etl.config.sources import LmisConfig, config_path, config_relative, load_config
from etl.pipelines.ledger import utcnow
from etl.warehouse.connection import get_engine


def _naive_utc(value: datetime | None) -> datetime | None:
    """Airflow hands aware datetimes; the warehouse stores naive UTC."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


@dataclass
class RunContext:
    run_id: str = field(default_factory=lambda: f"cli__{uuid.uuid4().hex[:12]}")
    dag_id: str | None = None
    data_interval_start: datetime | None = None
    data_interval_end: datetime | None = None
    warehouse_url: str | None = None
    config_file: Path = field(default_factory=config_path)

    @cached_property
    def config(self) -> LmisConfig:
        return load_config(self.config_file)

    @cached_property
    def method(self) -> Method:
        return load_method(config_relative(self.config_file, self.config.method_file))

    @cached_property
    def engine(self) -> Engine:
        return get_engine(self.warehouse_url)

    @property
    def as_of(self) -> date:
        """The run's reference date: the end of its data interval (today for ad-hoc runs)."""
        end = self.data_interval_end or utcnow()
        return end.date() if isinstance(end, datetime) else end

    @classmethod
    def from_airflow(cls, context: dict) -> RunContext:
        """From an Airflow task context (``get_current_context()`` or ``**context``)."""
        dag_run = context.get("dag_run")
        end = context.get("data_interval_end") or context.get("logical_date") \
            or getattr(dag_run, "run_after", None)
        return cls(
            run_id=str(context.get("run_id") or getattr(dag_run, "run_id", None)),
            dag_id=getattr(context.get("dag"), "dag_id", None),
            data_interval_start=_naive_utc(context.get("data_interval_start")),
            data_interval_end=_naive_utc(end),
        )
