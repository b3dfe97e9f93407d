"""Advertised pay to min / max / ISO 4217 / period / monthly."""

from __future__ import annotations

import pytest

from etl.normalise.salary import currency_code, parse_number, parse_salary


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("$55k - $100k", None, (55000, 100000, "USD", None, None)),
        ("35 000 € - 40 000 € brut par an", "FR", (35000, 40000, "EUR", "YEAR", 3125.0)),
        ("250 000 FCFA/mois", "SN", (250000, 250000, "XOF", "MONTH", 250000.0)),
        ("250 000 FCFA/mois", "CM", (250000, 250000, "XAF", "MONTH", 250000.0)),
        ("12,50 € de l'heure", "FR", (12.5, 12.5, "EUR", "HOUR", 2166.62)),
        ("£30,000 per annum", "GB", (30000, 30000, "GBP", "YEAR", 2500.0)),
        ("55-100k USD per year", None, (55000, 100000, "USD", "YEAR", 6458.33)),
        ("jusqu'à 4 000 DH par mois", "MA", (None, 4000, "MAD", "MONTH", 4000.0)),
        ("à partir de 1 500 DT par mois", "TN", (1500, None, "TND", "MONTH", 1500.0)),
        ("CDI 35h, 2 000 €/mois", "FR", (2000, 2000, "EUR", "MONTH", 2000.0)),
        ("$25 - $30 an hour", "CA", (25, 30, "CAD", "HOUR", 4766.58)),
        ("NGN 150,000 - 250,000 monthly", "NG", (150000, 250000, "NGN", "MONTH", 200000.0)),
        ("Selon profil", "SN", (None, None, None, None, None)),
    ],
)
def test_free_text(text, country, expected) -> None:
    s = parse_salary(text, country_code=country)
    assert (s.minimum, s.maximum, s.currency, s.period, s.monthly) == expected


def test_monetary_amount_with_quantitative_value() -> None:
    s = parse_salary({"@type": "MonetaryAmount", "currency": "EUR", "value": {
        "@type": "QuantitativeValue", "minValue": 30000, "maxValue": "40000",
        "unitText": "YEAR"}})
    assert (s.minimum, s.maximum, s.currency, s.period, s.monthly) == (
        30000, 40000, "EUR", "YEAR", 2916.67)


def test_explicit_fields_as_feeds_give_them() -> None:
    s = parse_salary(minimum="106437", maximum="158322", period="PA", currency="USD")
    assert (s.minimum, s.maximum, s.period, s.monthly) == (106437, 158322, "YEAR", 11031.62)


def test_zero_means_not_given_and_no_period_means_no_monthly() -> None:
    assert parse_salary(minimum=0, maximum=0).minimum is None
    assert parse_salary(minimum=85389, maximum=116975, currency="USD").monthly is None


def test_inverted_range_is_put_in_order() -> None:
    s = parse_salary(minimum=5000, maximum=3000, period="MONTH")
    assert (s.minimum, s.maximum) == (3000, 5000)


@pytest.mark.parametrize(("text", "value"), [
    ("85,389", 85389), ("35 000", 35000), ("35\u202f000", 35000), ("12,50", 12.5),
    ("1.500.000", 1500000), ("3.5k", 3500), ("1,234.56", 1234.56), ("1.234,56", 1234.56),
])
def test_numbers(text, value) -> None:
    assert parse_number(text) == value


def test_currency_codes_need_to_be_named() -> None:
    assert currency_code("XOF") == "XOF"
    assert currency_code("$", "AU") == "AUD"
    assert currency_code("dirhams", "AE") == "AED"
    assert currency_code("3000 par mois") is None
