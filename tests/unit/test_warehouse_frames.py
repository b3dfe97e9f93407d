"""etl.warehouse.frames: query results as DataFrames."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from etl.warehouse.frames import result_frame


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
