"""Bulk loads (etl.warehouse.bulk): what goes in comes back, on PostgreSQL and DuckDB.

PostgreSQL's COPY takes one of three writers (Arrow CSV, pandas CSV, rows); each
must keep NULL apart from the empty string and carry text with quotes, commas
and line breaks, dates, times, whole numbers with gaps and booleans unchanged.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.warehouse import bulk
from etl.warehouse.bulk import bulk_insert

_TABLE = """create table t (k integer, txt text, d date, ts timestamp, n bigint,
                            x double precision, flag boolean)"""


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "k": [1, 2, 3, 4],
        "txt": ['Il a dit "oui", puis\nnon; café ;\r\n fin', "", None, "\\N"],
        "d": [dt.date(2026, 3, 31), None, dt.date(1999, 12, 31), dt.date(2026, 1, 1)],
        "ts": pd.to_datetime(["2026-07-01 10:00:00.123456", None, "2026-01-01 00:00:00",
                             "2026-02-03 04:05:06"], format="ISO8601"),
        "n": [5.0, None, 7.0, 2.0**40],  # an integer column with a gap arrives as floats
        "x": [0.1, None, 1e-05, -3.5],
        "flag": [True, None, False, True],
    })


def _rows(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text("select * from t order by k"))]


def _expected() -> list[tuple]:
    return [
        (1, 'Il a dit "oui", puis\nnon; café ;\r\n fin', dt.date(2026, 3, 31),
         dt.datetime(2026, 7, 1, 10, 0, 0, 123456), 5, 0.1, True),
        (2, "", None, None, None, None, None),
        (3, None, dt.date(1999, 12, 31), dt.datetime(2026, 1, 1), 7, 1e-05, False),
        (4, "\\N", dt.date(2026, 1, 1), dt.datetime(2026, 2, 3, 4, 5, 6), 2**40, -3.5, True),
    ]


@pytest.fixture(params=["duckdb", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path) -> sa.Engine:
    url = (f"duckdb:///{tmp_path / 'w.duckdb'}" if request.param == "duckdb"
           else request.getfixturevalue("pg_url"))
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("drop table if exists t"))
        conn.execute(sa.text(_TABLE))
    yield engine
    engine.dispose()


def test_bulk_insert_round_trips_nulls_empty_text_and_types(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        assert bulk_insert(conn, "public" if engine.dialect.name == "postgresql" else "main",
                           "t", _frame()) == 4
    assert _rows(engine) == _expected()


@pytest.mark.parametrize("writer", ["arrow", "pandas", "rows"])
def test_every_postgresql_copy_writer_loads_the_same_rows(pg_url: str, writer: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text("drop table if exists t"))
        conn.execute(sa.text(_TABLE))
    used = []
    arrow, pandas_csv = bulk._copy_arrow_csv, bulk._copy_csv
    monkeypatch.setattr(bulk, "_copy_arrow_csv", lambda *a: writer == "arrow" and bool(
        used.append("arrow") or arrow(*a)))
    monkeypatch.setattr(bulk, "_copy_csv", lambda *a: used.append("pandas") or pandas_csv(*a))
    frame = _frame()
    if writer == "pandas":  # the \\N cell would send it to the row path: not in this frame
        frame = frame[frame["txt"].ne("\\N") | frame["txt"].isna()]
    try:
        with engine.begin() as conn:
            bulk_insert(conn, "public", "t", frame)
        expected = [r for r in _expected() if writer != "pandas" or r[1] != "\\N"]
        assert _rows(engine) == expected
        assert used[-1:] == ([writer] if writer != "rows" else [])
    finally:
        engine.dispose()


def test_columns_arrow_cannot_write_fall_back_to_pandas(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text("drop table if exists t2"))
        conn.execute(sa.text("create table t2 (k integer, v text)"))
        # Mixed object values (a number and a text) have no Arrow type: pandas writes them.
        bulk_insert(conn, "public", "t2", pd.DataFrame({"k": [1, 2], "v": [3, "trois"]}))
        assert bulk._arrow_slices(pd.DataFrame({"v": [3, "trois"]})) is None
    with engine.connect() as conn:
        assert list(conn.execute(sa.text("select k, v from t2 order by k"))) == [(1, "3"), (2, "trois")]
    engine.dispose()
