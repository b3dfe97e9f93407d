"""The run ledger: every record a source fetched is accounted for.

fetched = loaded + quarantined + duplicates + unchanged, per run and source. A
ledger that does not balance is a bug (a record lost somewhere), so recording
an unbalanced ledger raises instead of writing it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from etl.warehouse.sqlfiles import sql_text


class LedgerImbalance(RuntimeError):
    """The counts of a run do not add up."""


def utcnow() -> datetime:
    """Naive UTC: the warehouse stores UTC timestamps without a zone on both engines."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class SourceCounts:
    """What one source's ingest task hands to the ledger task (via XCom: plain data):
    the counts its ledger row is made of. The vacancy and returnee pipelines share it."""

    source: str
    fetched: int = 0
    quarantined: int = 0
    unchanged: int = 0
    duplicates_in_batch: int = 0
    staged: int = 0
    unclassified: int = 0
    detail: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Ledger:
    run_id: str
    source: str
    dag_id: str | None = None
    data_interval_start: datetime | None = None
    data_interval_end: datetime | None = None
    fetched: int = 0
    loaded: int = 0
    quarantined: int = 0
    duplicates: int = 0
    unchanged: int = 0
    unclassified: int = 0
    status: str = "success"
    detail: str | None = None
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None

    @property
    def balanced(self) -> bool:
        return self.fetched == self.loaded + self.quarantined + self.duplicates + self.unchanged

    def check(self) -> None:
        if not self.balanced:
            raise LedgerImbalance(
                f"ledger of {self.source} run {self.run_id} does not balance: fetched "
                f"{self.fetched} != loaded {self.loaded} + quarantined {self.quarantined} + "
                f"duplicates {self.duplicates} + unchanged {self.unchanged}"
            )

    def record(self, engine: Engine) -> None:
        """Write (or rewrite, on a retried run) this run's row in ``ops.run_ledger``."""
        self.check()
        self.finished_at = utcnow()
        with engine.begin() as conn:
            conn.execute(sql_text("ops/delete_ledger_row"), {"run_id": self.run_id,
                                                             "source": self.source})
            conn.execute(sql_text("ops/insert_ledger_row"), asdict(self))

    def summary(self) -> str:
        return (
            f"{self.source:<16} fetched {self.fetched:>6}  loaded {self.loaded:>6}  "
            f"quarantined {self.quarantined:>4}  duplicates {self.duplicates:>5}  "
            f"unchanged {self.unchanged:>5}  {'balanced' if self.balanced else 'UNBALANCED'}"
        )
