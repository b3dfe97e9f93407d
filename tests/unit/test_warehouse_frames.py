"""etl.warehouse.frames: query results as DataFrames."""

from __future__ import annotations

import datetime as dt
import tracemalloc

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.warehouse.frames import result_frame, streamed_frame


def test_result_frame_keeps_names_values_and_empty_results() -> None:
    engine = sa.create_engine("duckdb:///:memory:")
    with engine.connect() as conn:
        frame = result_frame(conn.execute(sa.text(
            "select * from (values ('a', 1, date '2026-01-02', null), ('b', 2, null, 'x')) "
            "as t(vacancy_id, n, date_posted, note) order by vacancy_id")))
        empty = result_frame(conn.execute(sa.text("select 1 as n, 'x' as label where false")))
    assert list(frame.columns) == ["vacancy_id", "n", "date_posted", "note"]
    assert frame["vacancy_id"].tolist() == ["a", "b"] and frame["n"].tolist() == [1, 2]
    assert frame["date_posted"].tolist() == [dt.date(2026, 1, 2), None]
    assert pd.isna(frame["note"].iat[0]) and frame["note"].iat[1] == "x"
    assert list(empty.columns) == ["n", "label"] and empty.empty


# Ten rows in batches of three: the first batch has only nulls in `label`, `day` and `at`,
# the last one row; `share` is numeric (Decimal from PostgreSQL, coerced to float).
MIXED = """
select i as n,
       case when i > 3 then 'label ' || i end as label,
       cast(i as numeric) / 4 as share,
       case when i > 3 then date '2026-01-01' + cast(i as integer) end as day,
       case when i > 3 then timestamp '2026-01-01 10:00:00' + i * interval '1 hour' end as at
from (select cast(g as integer) as i from generate_series(1, 10) as t(g)) as s
order by i
"""


@pytest.mark.parametrize("engine_kind", ["duckdb", "postgresql"])
def test_streamed_frame_types_batches_as_one_read(engine_kind: str,
                                                 request: pytest.FixtureRequest) -> None:
    url = ("duckdb:///:memory:" if engine_kind == "duckdb"
           else request.getfixturevalue("pg_url"))
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        whole = pd.read_sql(sa.text(MIXED), conn)
        streamed = streamed_frame(conn, sa.text(MIXED), batch_rows=3)
        empty = streamed_frame(conn, sa.text("select 1 as n, 'x' as label where false"))
    engine.dispose()
    pd.testing.assert_frame_equal(streamed, whole)
    assert isinstance(streamed["label"].dtype, pd.StringDtype)
    assert streamed["share"].dtype == "float64"
    assert streamed["label"].isna().sum() == 3 and streamed["label"].iat[9] == "label 10"
    assert list(empty.columns) == ["n", "label"] and empty.empty


def _traced_peak(read) -> int:
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streamed_frame_holds_one_batch_of_python_rows_at_a_time() -> None:
    # 200,000 rows of three strings: as Python tuples and str objects they take tens of
    # MB, which pd.read_sql holds all at once; the finished frame keeps its strings in
    # Arrow buffers, which tracemalloc does not see.
    query = sa.text("select 'vacancy-' || range as vacancy_id, 'title ' || (range % 997) "
                    "as title, 'R' || (range % 7) as region_code from range(200000)")
    engine = sa.create_engine("duckdb:///:memory:")
    with engine.connect() as conn:
        whole = _traced_peak(lambda: pd.read_sql(query, conn))
        streamed = _traced_peak(lambda: streamed_frame(conn, query, batch_rows=10_000))
        assert len(streamed_frame(conn, query, batch_rows=10_000)) == 200_000
    assert streamed * 4 < whole, (streamed, whole)
