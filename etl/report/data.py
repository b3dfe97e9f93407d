"""What the bulletin shows, read from the published tables (and the run ledger).

Every query is a file in ``warehouse_sql/report/`` so that an analyst can check what a
figure of the bulletin means by reading SQL, and the same files run on DuckDB and
PostgreSQL. The bulletin reads ``published`` (the contract with portals), the reference
dimensions for titles in both languages, and ``ops.run_ledger`` for data quality; never
the candidate or intermediate tables, so that it cannot show something that was not
published.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from etl.warehouse.sqlfiles import sql_text

TREND_QUARTERS = 8


class ReportDataError(RuntimeError):
    """The warehouse has nothing published to report on (or is not an LMIS warehouse)."""


@dataclass
class ReportData:
    """The frames behind each section of the bulletin, for one quarter."""

    quarter: str
    quarters: list[str]
    regions: pd.DataFrame
    metadata: pd.DataFrame
    headline: dict[str, Any]
    open_by_region: pd.DataFrame
    shortage: pd.DataFrame
    surplus: pd.DataFrame
    heatmap: pd.DataFrame
    trends: pd.DataFrame
    skills: pd.DataFrame
    returnees: pd.DataFrame
    matches: pd.DataFrame
    latest_vacancies: pd.DataFrame
    source_runs: pd.DataFrame
    source_releases: dict[str, str] = field(default_factory=dict)

    @property
    def refreshed_at(self) -> datetime | None:
        if self.metadata.empty:
            return None
        return pd.Timestamp(self.metadata["refreshed_at"].max()).to_pydatetime()

    @property
    def run_id(self) -> str | None:
        if self.metadata.empty:
            return None
        return str(self.metadata.sort_values("refreshed_at")["run_id"].iloc[-1])

    @property
    def method_version(self) -> str | None:
        if self.metadata.empty:
            return None
        return str(self.metadata.sort_values("refreshed_at")["method_version"].iloc[-1])


def quarter_window(quarter: str, count: int) -> list[str]:
    """The ``count`` quarters ending with ``quarter``, oldest first (``2026Q3`` labels)."""
    try:
        year, q = int(quarter[:4]), int(quarter[5:])
        if quarter[4] != "Q" or not 1 <= q <= 4:
            raise ValueError
    except (ValueError, IndexError):
        raise ReportDataError(f"not a quarter label (YYYYQn): {quarter!r}") from None
    index = year * 4 + q - 1
    return [f"{i // 4}Q{i % 4 + 1}" for i in range(index - count + 1, index + 1)]


def _read(conn, name: str, **params: Any) -> pd.DataFrame:
    return pd.read_sql(sql_text(f"report/{name}"), conn, params=params)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with SQL nulls as ``None`` (pandas gives NaN, NA or NaT)."""
    out = []
    for row in frame.to_dict("records"):
        out.append({k: _none(v) for k, v in row.items()})
    return out


def _none(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def load_report_data(engine: Engine, *, top_n: int = 10, vacancies_n: int = 25) -> ReportData:
    """Read every section's rows for the newest published quarter."""
    with engine.connect() as conn:
        try:
            quarter = _read(conn, "latest_quarter")["latest_quarter"].iloc[0]
        except (pd.errors.DatabaseError, DBAPIError) as exc:
            first = str(exc.__cause__ or exc).splitlines()[0][:300]
            raise ReportDataError(
                "cannot read published.skills_gap: is this an LMIS warehouse that has been "
                f"initialised (`lmis init`) and published to? ({first})") from exc
        if _none(quarter) is None:
            raise ReportDataError(
                "published.skills_gap is empty: nothing has been published yet "
                "(run the publish DAG, or `lmis demo`)")
        quarters = quarter_window(str(quarter), TREND_QUARTERS)
        metadata = _read(conn, "release_metadata")
        prev_quarter = quarter_window(str(quarter), 5)[0]
        headline = records(_read(conn, "headline", quarter=quarter,
                                 prev_quarter=prev_quarter))[0]
        data = ReportData(
            quarter=str(quarter),
            quarters=quarters,
            regions=_read(conn, "regions"),
            metadata=metadata,
            headline=headline,
            open_by_region=_read(conn, "open_vacancies_by_region"),
            shortage=_read(conn, "shortage_list", quarter=quarter, top_n=top_n),
            surplus=_read(conn, "surplus_list", quarter=quarter, top_n=top_n),
            heatmap=_read(conn, "rating_heatmap", quarter=quarter),
            trends=_read(conn, "vacancy_trends", quarter=quarter, first_quarter=quarters[0]),
            skills=_read(conn, "top_skills", quarter=quarter, top_n=top_n),
            returnees=_read(conn, "returnees_by_region"),
            matches=_read(conn, "returnee_opportunities", top_n=top_n),
            latest_vacancies=_read(conn, "latest_vacancies", top_n=vacancies_n),
            source_runs=_read(conn, "source_runs"),
        )
    data.source_releases = parse_source_releases(metadata)
    return data


def parse_source_releases(metadata: pd.DataFrame) -> dict[str, str]:
    """Source -> release used, merged over the tables of the newest publishing run.

    ``source_releases`` is a JSON object written by the publish step; a value that is not
    valid JSON is reported as an error naming the table, not skipped.
    """
    merged: dict[str, str] = {}
    for row in records(metadata):
        text = row.get("source_releases") or "{}"
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ReportDataError(
                f"published.dataset_metadata row {row.get('table_name')!r}: source_releases "
                f"is not JSON ({exc.msg}): {text[:80]!r}") from None
        if not isinstance(value, dict):
            raise ReportDataError(
                f"published.dataset_metadata row {row.get('table_name')!r}: source_releases "
                f"is not a JSON object: {text[:80]!r}")
        for source, release in value.items():
            merged[str(source)] = str(release)
    return dict(sorted(merged.items()))
