"""Dates as boards write them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from etl.normalise.dates import parse_date

FETCHED = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-08-28", date(2026, 8, 28)),
        ("2026-8-28 15:08 UTC", date(2026, 8, 28)),
        ("2026-07-06T00:00:00.0000", date(2026, 7, 6)),
        ("2026-07-15T08:33:45Z", date(2026, 7, 15)),
        ("2026-08-28T23:30:00-05:00", date(2026, 8, 28)),  # the local day as written
        ("28 août 2026", date(2026, 8, 28)),
        ("1er septembre 2026", date(2026, 9, 1)),
        ("Publié le 12 mars 2026", date(2026, 3, 12)),
        ("August 28, 2026", date(2026, 8, 28)),
        ("Aug 28 2026", date(2026, 8, 28)),
        ("28/08/2026", date(2026, 8, 28)),
        ("Publication : 12/08/2026", date(2026, 8, 12)),
        ("12.08.26", date(2026, 8, 12)),
        (1783650045, date(2026, 7, 10)),
        ("1783650045000", date(2026, 7, 10)),
        (date(2026, 1, 2), date(2026, 1, 2)),
    ],
)
def test_absolute_dates(value, expected) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("il y a 3 jours", date(2026, 8, 29)),
        ("Publiée il y a 2 semaines", date(2026, 8, 18)),
        ("il y a un mois", date(2026, 8, 2)),
        ("il y a 5 heures", date(2026, 9, 1)),
        ("hier", date(2026, 8, 31)),
        ("Aujourd’hui", date(2026, 9, 1)),
        ("3 days ago", date(2026, 8, 29)),
        ("Posted 30+ days ago", date(2026, 8, 2)),
        ("yesterday", date(2026, 8, 31)),
    ],
)
def test_relative_dates_count_back_from_the_fetch(value, expected) -> None:
    assert parse_date(value, fetched_at=FETCHED) == expected


def test_relative_date_without_fetch_time_is_unknown() -> None:
    assert parse_date("il y a 3 jours") is None


@pytest.mark.parametrize("value", [None, "", "6 mois", "Selon profil", "2026-13-45", "32/01/2026"])
def test_not_dates(value) -> None:
    assert parse_date(value, fetched_at=FETCHED) is None


def test_us_style_when_asked() -> None:
    assert parse_date("08/12/2026", day_first=False) == date(2026, 8, 12)
    assert parse_date("08/12/2026") == date(2026, 12, 8)
