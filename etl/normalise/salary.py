"""Advertised pay → minimum, maximum, ISO 4217 currency, period, monthly value.

Inputs come in every shape: a bare number, schema.org ``MonetaryAmount`` with
a ``QuantitativeValue`` (``minValue``/``maxValue``/``value``/``unitText``), or
free text such as ``"$55k - $100k"``, ``"35 000 € - 40 000 € brut par an"``,
``"250 000 FCFA/mois"`` or ``"12,50 € de l'heure"``.

Rules that matter for statistics:

* a currency is only set when the ad names it (symbol, code or word); ``$``
  becomes the local dollar where the country has one (CAD, AUD …), USD
  otherwise; ``FCFA`` becomes XAF in the CEMAC countries, XOF elsewhere;
* a period is only set when the ad names it; without a period there is no
  monthly equivalent, because guessing annual vs monthly from the magnitude
  would silently bias the advertised-wage indicator;
* zero means "not given" (RemoteOK writes 0/0), so it becomes ``None``;
* the monthly equivalent is the midpoint of the range times a conversion
  factor: 12 months, 52/12 weeks, ``DAYS_PER_MONTH`` working days and
  ``HOURS_PER_MONTH`` hours (40 h × 52 / 12). Countries with other legal
  working weeks can pass their own hours.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

import pycountry

PERIODS = ("HOUR", "DAY", "WEEK", "MONTH", "YEAR")
HOURS_PER_MONTH = 173.33
DAYS_PER_MONTH = 21.67

_CEMAC = {"CM", "CF", "TD", "CG", "GQ", "GA"}
_LOCAL_DOLLAR = {"CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD", "HK": "HKD", "LR": "LRD",
                 "NA": "NAD", "JM": "JMD", "TT": "TTD", "GY": "GYD", "BZ": "BZD", "FJ": "FJD"}

# Longest first: "US$" before "$", "F CFA" before "CFA".
_CURRENCY_WORDS: list[tuple[str, str]] = [
    (r"us\s?\$", "USD"), (r"usd", "USD"), (r"dollars? us", "USD"), (r"ca\$|c\$", "CAD"),
    (r"a\$|au\$", "AUD"), (r"€|eur\b|euros?\b", "EUR"), (r"£|gbp|pounds? sterling", "GBP"),
    (r"f\s?cfa|fcfa|\bcfa\b|francs? cfa", "CFA"), (r"xof", "XOF"), (r"xaf", "XAF"),
    (r"\bmad\b|\bdhs?\b|dirhams?", "DIRHAM"), (r"\baed\b", "AED"),
    (r"\bdzd\b|\bda\b|dinars? algeriens?", "DZD"), (r"\btnd\b|\bdt\b|dinars? tunisiens?", "TND"),
    (r"₦|\bngn\b|naira", "NGN"), (r"ksh|\bkes\b", "KES"), (r"gh₵|ghs|cedis?", "GHS"),
    (r"\betb\b|\bbirr\b", "ETB"), (r"\bgnf\b|francs? guineens?", "GNF"), (r"₹|\binr\b", "INR"),
    (r"\bzar\b", "ZAR"), (r"\bchf\b", "CHF"), (r"\$", "DOLLAR"),
]
_PERIOD_WORDS: list[tuple[str, str]] = [
    (r"\bph\b|per hour|an hour|hourly|/\s?h(?:our|r)?\b|de l'heure|par heure|horaire|/heure", "HOUR"),
    (r"\bpd\b|per day|a day|daily|/\s?(?:day|jour|j)\b|par jour|journalier|/jour", "DAY"),
    (r"\bpw\b|per week|a week|weekly|/\s?(?:week|wk|semaine)\b|par semaine|hebdomadaire", "WEEK"),
    (r"\bpm\b|per month|a month|monthly|/\s?(?:month|mo|mois|m)\b|par mois|mensuel|/mois", "MONTH"),
    (r"\bpa\b|per year|a year|per annum|annual|yearly|/\s?(?:year|yr|an|annee)\b|par an\b|annuel|"
     r"k€/an|brut annuel", "YEAR"),
]
_UNIT_CODES = {
    "HOUR": "HOUR", "HOURLY": "HOUR", "PH": "HOUR", "H": "HOUR",
    "DAY": "DAY", "DAILY": "DAY", "PD": "DAY",
    "WEEK": "WEEK", "WEEKLY": "WEEK", "PW": "WEEK", "WK": "WEEK",
    "MONTH": "MONTH", "MONTHLY": "MONTH", "PM": "MONTH", "MOIS": "MONTH",
    "YEAR": "YEAR", "YEARLY": "YEAR", "ANNUAL": "YEAR", "PA": "YEAR", "ANNUM": "YEAR", "AN": "YEAR",
    "PER YEAR": "YEAR", "PER MONTH": "MONTH", "PER HOUR": "HOUR", "PER DAY": "DAY",
    "PER WEEK": "WEEK",
}
_NUMBER = re.compile(r"(\d[\d\s\u00a0\u202f.,']*\d|\d)\s*([kKmM]\b|[kK](?=€|\$|£)|mille\b)?")


@dataclass(frozen=True)
class Salary:
    minimum: float | None = None
    maximum: float | None = None
    currency: str | None = None
    period: str | None = None
    monthly: float | None = None

    def as_fields(self) -> dict[str, Any]:
        data = asdict(self)
        return {
            "salary_min": data["minimum"],
            "salary_max": data["maximum"],
            "salary_currency": data["currency"],
            "salary_period": data["period"],
            "salary_monthly": data["monthly"],
        }


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'")
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).lower()


def parse_number(text: str) -> float | None:
    """``"85,389"`` → 85389, ``"35 000"`` → 35000, ``"12,50"`` → 12.5, ``"3.5k"`` → 3500."""
    if text is None:
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    match = _NUMBER.search(str(text))
    if not match:
        return None
    return _number_from_match(match)


def _number_from_match(match: re.Match[str]) -> float | None:
    digits = re.sub(r"[\s\u00a0\u202f']", "", match.group(1))
    suffix = (match.group(2) or "").lower()
    if "." in digits and "," in digits:
        decimal = "." if digits.rfind(".") > digits.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        digits = digits.replace(thousands, "").replace(decimal, ".")
    else:
        for sep in (",", "."):
            if sep in digits:
                parts = digits.split(sep)
                if len(parts) > 2 or (len(parts[-1]) == 3 and not suffix):
                    digits = digits.replace(sep, "")
                else:
                    digits = digits.replace(sep, ".")
    try:
        value = float(digits)
    except ValueError:
        return None
    if suffix in ("k", "mille"):
        value *= 1000
    elif suffix == "m":
        value *= 1_000_000
    return value


def currency_code(text: str | None, country_code: str | None = None) -> str | None:
    """ISO 4217 code named in a text, resolved by country where ambiguous."""
    if not text:
        return None
    raw = str(text).strip()
    if re.fullmatch(r"[A-Za-z]{3}", raw) and pycountry.currencies.get(alpha_3=raw.upper()):
        return raw.upper()
    folded = _fold(raw)
    for pattern, code in _CURRENCY_WORDS:
        if re.search(pattern, folded):
            if code == "DOLLAR":
                return _LOCAL_DOLLAR.get((country_code or "").upper(), "USD")
            if code == "CFA":
                return "XAF" if (country_code or "").upper() in _CEMAC else "XOF"
            if code == "DIRHAM":
                return "AED" if (country_code or "").upper() == "AE" else "MAD"
            return code
    for token in re.findall(r"\b[A-Z]{3}\b", raw):
        if pycountry.currencies.get(alpha_3=token):
            return token
    return None


def period_code(text: str | None) -> str | None:
    """One of ``PERIODS`` from a unit code or words, or ``None``."""
    if not text:
        return None
    key = str(text).strip().upper().replace("_", " ")
    if key in _UNIT_CODES:
        return _UNIT_CODES[key]
    folded = _fold(str(text))
    for pattern, code in _PERIOD_WORDS:
        if re.search(pattern, folded):
            return code
    return None


def monthly_equivalent(
    minimum: float | None,
    maximum: float | None,
    period: str | None,
    *,
    hours_per_month: float = HOURS_PER_MONTH,
    days_per_month: float = DAYS_PER_MONTH,
) -> float | None:
    values = [v for v in (minimum, maximum) if v is not None]
    if not values or period not in PERIODS:
        return None
    mid = sum(values) / len(values)
    factor = {
        "HOUR": hours_per_month,
        "DAY": days_per_month,
        "WEEK": 52 / 12,
        "MONTH": 1.0,
        "YEAR": 1 / 12,
    }[period]
    return round(mid * factor, 2)


def _numbers_in_text(text: str) -> list[tuple[float, str]]:
    """Numbers that can be pay, with their k/m suffix ("" when none)."""
    values = []
    for match in _NUMBER.finditer(text):
        tail = text[match.end() : match.end() + 8].lower()
        # "35h", "39 heures", "10 %", "5 ans d'expérience" are not pay.
        if not match.group(2) and re.match(
            r"\s*(?:h\b|heures?|hours?|hrs?|%|ans\b|years?|jours?\b|days?\b)", tail
        ):
            continue
        value = _number_from_match(match)
        if value is not None and value > 0:
            values.append((value, (match.group(2) or "").lower()))
    return values


def parse_salary_text(text: str, *, country_code: str | None = None) -> Salary:
    folded = _fold(text)
    currency = currency_code(text, country_code)
    period = period_code(text)
    numbers = _numbers_in_text(folded)[:2]
    if not numbers:
        return Salary(currency=currency, period=period)
    if len(numbers) == 1:
        value = numbers[0][0]
        if re.search(r"jusqu'?a|up to|maximum|max\.?\b", folded):
            return _finish(None, value, currency, period)
        if re.search(r"a partir de|from|minimum|min\.?\b|starting at|des\b", folded):
            return _finish(value, None, currency, period)
        return _finish(value, value, currency, period)
    (low, low_suffix), (high, high_suffix) = numbers
    # "55-100k": the suffix written once applies to both ends of the range.
    if high_suffix and not low_suffix and low < 1000:
        low *= 1000 if high_suffix in ("k", "mille") else 1_000_000
    return _finish(low, high, currency, period)


def _finish(
    low: float | None, high: float | None, currency: str | None, period: str | None
) -> Salary:
    low = low if low else None
    high = high if high else None
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Salary(low, high, currency, period, monthly_equivalent(low, high, period))


def parse_salary(
    raw: Any = None,
    *,
    minimum: Any = None,
    maximum: Any = None,
    currency: str | None = None,
    period: str | None = None,
    text: str | None = None,
    country_code: str | None = None,
) -> Salary:
    """One ``Salary`` from whatever the source gave; explicit arguments win."""
    low = parse_number(minimum) if minimum not in (None, "") else None
    high = parse_number(maximum) if maximum not in (None, "") else None
    cur = currency_code(currency, country_code) if currency else None
    per = period_code(period) if period else None

    found = Salary()
    if isinstance(raw, dict):
        found = _from_monetary_amount(raw, country_code)
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        found = Salary(float(raw), float(raw))
    elif isinstance(raw, str) and raw.strip():
        found = parse_salary_text(raw, country_code=country_code)
    if text and found.minimum is None and found.maximum is None and low is None and high is None:
        found = parse_salary_text(text, country_code=country_code)
    elif text:
        from_text = parse_salary_text(text, country_code=country_code)
        found = Salary(found.minimum, found.maximum, found.currency or from_text.currency,
                       found.period or from_text.period)

    low = low if low is not None else found.minimum
    high = high if high is not None else found.maximum
    return _finish(low, high, cur or found.currency, per or found.period)


def _from_monetary_amount(node: dict[str, Any], country_code: str | None) -> Salary:
    currency = currency_code(_scalar(node.get("currency")), country_code)
    period = period_code(_scalar(node.get("unitText")))
    value = node.get("value")
    if isinstance(value, list):
        value = value[0] if value else None
    low = high = None
    if isinstance(value, dict):
        period = period_code(_scalar(value.get("unitText"))) or period
        low = parse_number(value.get("minValue")) if value.get("minValue") not in (None, "") else None
        high = parse_number(value.get("maxValue")) if value.get("maxValue") not in (None, "") else None
        single = value.get("value")
        if low is None and high is None and single not in (None, ""):
            if isinstance(single, str) and not re.fullmatch(r"[\d\s.,]+", single.strip()):
                parsed = parse_salary_text(single, country_code=country_code)
                return Salary(parsed.minimum, parsed.maximum, currency or parsed.currency,
                              period or parsed.period)
            low = high = parse_number(single)
    elif isinstance(value, str) and value.strip():
        parsed = parse_salary_text(value, country_code=country_code)
        return Salary(parsed.minimum, parsed.maximum, currency or parsed.currency,
                      period or parsed.period)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        low = high = float(value)
    else:
        low = parse_number(node.get("minValue")) if node.get("minValue") not in (None, "") else None
        high = parse_number(node.get("maxValue")) if node.get("maxValue") not in (None, "") else None
    return Salary(low, high, currency, period)


def _scalar(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return None if value is None else str(value)
