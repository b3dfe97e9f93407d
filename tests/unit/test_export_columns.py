"""Exports convert a column at a time (Arrow) and fall back to the per-value definition
(``_convert`` and ``_csv_cell``) only where Arrow refuses a column. Both paths must give
the same Parquet values and the same CSV cells, or a file would depend on the driver."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from etl.publish.exports import _convert, _csv_cell, csv_texts, typed_array

#: Columns as DuckDB and psycopg return them, per documented type, nulls included.
COLUMNS = {
    "string": [
        ["Nurse", None, "Comptable confirmé", "a,b \"quoted\"", ""],
        [5, None, 12],                                  # codes read as integers
        [date(2026, 3, 31), None],                      # a date in a text column
    ],
    "integer": [
        [1, None, -5, 2**40],
        [Decimal("3"), None, Decimal("120")],           # PostgreSQL numeric
        [True, False, None],                            # booleans counted as 0/1
    ],
    "number": [
        [1.0, None, 0.1, 2.5e-7, 1e16, float("nan")],
        [Decimal("1.50"), None, Decimal("0.333333333333")],  # PostgreSQL numeric
        [1, None, 7],                                   # integral numbers
    ],
    "boolean": [
        [True, None, False],
        [1, 0, None],                                   # integers from a driver
    ],
    "date": [
        [date(2026, 1, 2), None, date(1999, 12, 31)],
        [datetime(2026, 1, 2, 23, 30), None],           # a timestamp in a date column
    ],
    "datetime": [
        [datetime(2026, 1, 2, 3, 4, 5), None, datetime(2026, 1, 2, 3, 4, 5, 678)],
        [datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), None],
    ],
}

CASES = [(t, values) for t, columns in COLUMNS.items() for values in columns]


@pytest.mark.parametrize(("field_type", "values"), CASES)
def test_column_conversion_matches_the_per_value_definition(field_type, values):
    array = typed_array(values, field_type)
    expected = [_convert(v, field_type) for v in values]
    got = array.to_pylist()
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        if isinstance(e, float) and e != e:  # NaN
            assert g != g
        elif isinstance(e, datetime) and e.tzinfo is not None:
            # Parquet timestamps are naive UTC, as Arrow stores an aware value.
            assert g == e.astimezone(UTC).replace(tzinfo=None)
        else:
            assert g == e and type(g) is type(e), (g, e)


@pytest.mark.parametrize(("field_type", "values"), CASES)
def test_csv_cells_match_the_per_value_definition(field_type, values):
    array = typed_array(values, field_type)
    cells = csv_texts(values, array, field_type)
    expected = [_csv_cell(_convert(v, field_type), field_type) for v in values]
    # None is written as an empty cell by the csv module, as "" was before.
    assert [c if c is not None else "" for c in cells] == expected
