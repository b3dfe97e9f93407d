"""Employment-observatory statistics: SDMX, ILOSTAT bulk files and observatory tables.

Public entry points:

* :func:`read_statistics_file` — any supported file into a :class:`StatisticsBatch`.
* :func:`fetch_sdmx` — a filtered data query against an SDMX REST endpoint.
* :func:`observation_key_columns` — columns identifying an observation across releases.

See docs/statistics.md.
"""

from etl.sources.statistics.batch import (
    OBSERVATION_COLUMNS,
    REJECTED_COLUMNS,
    StatisticsBatch,
)
from etl.sources.statistics.conform import observation_key_columns
from etl.sources.statistics.read import read_statistics_file
from etl.sources.statistics.sdmx_fetch import fetch_sdmx

__all__ = [
    "OBSERVATION_COLUMNS",
    "REJECTED_COLUMNS",
    "StatisticsBatch",
    "fetch_sdmx",
    "observation_key_columns",
    "read_statistics_file",
]
