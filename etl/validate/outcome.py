"""What a validation run hands back to a pipeline.

Kept free of Great Expectations types (except the raw result kept for Data
Docs) so that pipelines, the ops store and the CLI can use it with plain pandas
and strings: the ops tables store text, and the CLI prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class BatchFailure:
    """A failed batch-level expectation: the whole batch must stop here.

    ``message`` is complete on its own (source, suite, expectation, observed
    value) because it ends up in an Airflow log or an e-mail that is read
    without the rest of the context.
    """

    source: str
    suite: str
    expectation: str
    observed_value: str
    message: str


@dataclass(frozen=True)
class ExpectationResultRow:
    """One expectation's result, flattened for ``ops`` (one row per run, suite, expectation)."""

    suite: str
    expectation: str
    column: str | None
    success: bool
    observed_value: str
    unexpected_count: int | None
    level: str
    source: str = ""
    run_id: str = ""


class BatchValidationError(RuntimeError):
    """Raised when a batch-level expectation failed; the run must publish nothing."""

    def __init__(self, failures: list[BatchFailure]):
        self.failures = list(failures)
        lines = [f.message for f in self.failures]
        head = f"{len(lines)} batch-level expectation(s) failed"
        super().__init__(head + ":\n" + "\n".join(f"  - {line}" for line in lines))


@dataclass
class ValidationOutcome:
    """The split of one batch: rows to load, rows to quarantine, and whether the batch may go on.

    ``valid`` and ``quarantined`` together hold every input row exactly once,
    with the caller's index and columns, so a ledger can check
    ``len(valid) + len(quarantined) == len(input)``.
    """

    suite: str
    source: str
    run_id: str
    valid: pd.DataFrame
    quarantined: pd.DataFrame
    batch_failures: list[BatchFailure]
    results: list[ExpectationResultRow]
    gx_result: Any = field(default=None, repr=False)
    """The ``ExpectationSuiteValidationResult`` from GX, kept for Data Docs."""

    @property
    def success(self) -> bool:
        """True when no batch-level expectation failed (quarantined rows do not stop a batch)."""
        return not self.batch_failures

    def raise_for_batch(self) -> None:
        """Stop the run if a batch-level expectation failed."""
        if self.batch_failures:
            raise BatchValidationError(self.batch_failures)

    def summary(self) -> str:
        """A few readable lines for a log or the CLI."""
        status = "OK" if self.success else "BATCH FAILED"
        lines = [
            f"{self.source or '-'} / {self.suite}: {status}; "
            f"{len(self.valid)} valid, {len(self.quarantined)} quarantined, "
            f"{sum(not r.success for r in self.results)} of {len(self.results)} expectations failed"
        ]
        lines += [f"  batch: {f.message}" for f in self.batch_failures]
        lines += [
            f"  rows:  {r.expectation}: {r.observed_value}"
            for r in self.results
            if r.level == "row" and r.unexpected_count
        ]
        return "\n".join(lines)
