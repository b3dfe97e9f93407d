"""Query results as DataFrames.

Why a helper: pandas reads SQLAlchemy ``Row`` objects through its generic
sequence path, about ten times slower than plain tuples. Deduplication reads
every posting of the run this way, a million rows in a full run.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Result


def result_frame(result: Result) -> pd.DataFrame:
    """All rows of ``result``, with its column names (also when there are no rows)."""
    columns = list(result.keys())
    return pd.DataFrame([tuple(row) for row in result], columns=columns)
