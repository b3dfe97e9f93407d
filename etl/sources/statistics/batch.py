"""The result of reading one statistics file or SDMX response.

Every reader returns a :class:`StatisticsBatch` so that the pipeline treats an
SDMX message, an ILOSTAT bulk file and an observatory workbook the same way:
conformed observations on one side, rejected rows with their reason and their
place in the source on the other, so the ledger can balance
(read = observations + rejected).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: Conformed observation columns, in this order (the contract with the warehouse loader).
OBSERVATION_COLUMNS: list[str] = [
    "indicator",
    "dataflow",
    "ref_area",
    "country_code",
    "region_code",
    "time_period",
    "period_type",
    "period_start",
    "period_end",
    "sex",
    "age",
    "classif1",
    "classif2",
    "isco08",
    "isco_level",
    "isic4",
    "obs_value",
    "unit",
    "unit_mult",
    "obs_status",
    "note_source",
    "source",
    "release",
    # Every dimension as the source gave it (lower-case id -> code), as sorted JSON text:
    # the conformed columns fold some dimensions together (FREQ, MEASURE), this keeps them.
    "dimensions",
    # Where the observation came from: "file.xml!series 3 obs 2", "file.xlsx!Sheet1 row 14".
    "source_row",
]

#: Rejected rows carry whatever could be conformed, plus why they were rejected.
REJECTED_COLUMNS: list[str] = [*OBSERVATION_COLUMNS, "reject_reason"]

#: Formats a batch can come from (``StatisticsBatch.format``).
FORMATS = (
    "sdmx-ml-generic",
    "sdmx-ml-structure-specific",
    "sdmx-ml-structure",
    "sdmx-json",
    "sdmx-csv-1.0",
    "sdmx-csv-2.0",
    "ilostat-bulk-code",
    "ilostat-bulk-labels",
    "observatory-csv",
    "observatory-xlsx",
)


def empty_observations() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in OBSERVATION_COLUMNS})


def empty_rejected() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in REJECTED_COLUMNS})


@dataclass
class StatisticsBatch:
    """Observations read from one source file or response, and the rows that were not kept."""

    observations: pd.DataFrame
    rejected: pd.DataFrame
    source_file: str
    format: str
    #: Human-readable remarks (e.g. "structure message: no observations").
    messages: list[str] = field(default_factory=list)

    @property
    def is_structure(self) -> bool:
        """True for an SDMX structure message, which carries codelists but no data."""
        return self.format == "sdmx-ml-structure"

    @property
    def rows_read(self) -> int:
        return len(self.observations) + len(self.rejected)

    @classmethod
    def from_records(
        cls,
        kept: list[dict],
        rejected: list[dict],
        *,
        source_file: str | Path,
        format: str,
        messages: list[str] | None = None,
    ) -> StatisticsBatch:
        # dtype=object keeps Python values (int levels, None rather than NaN) so that JSON
        # output and SQL binds see exactly what the reader decided.
        obs = (
            pd.DataFrame(kept, columns=OBSERVATION_COLUMNS, dtype=object)
            if kept
            else empty_observations()
        )
        rej = (
            pd.DataFrame(rejected, columns=REJECTED_COLUMNS, dtype=object)
            if rejected
            else empty_rejected()
        )
        return cls(obs, rej, str(source_file), format, list(messages or []))
