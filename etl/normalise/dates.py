"""Dates as job boards write them → ``datetime.date``.

Boards write ISO strings, ``2026-8-28 15:08 UTC``, ``28/08/2026``, ``28 août
2026``, ``August 28, 2026``, Unix epochs, and relative phrases ("il y a 3
jours", "posted 2 weeks ago", "hier"). Relative phrases only mean something
against the time the page was fetched, so ``fetched_at`` is required for them
and a relative date without it is unknown (``None``), not guessed.

The calendar date is the one written: ``2026-08-28T23:30:00-05:00`` is the
28th, not converted to UTC, because the board's local day is what a reader of
the ad saw. Numeric ``dd/mm/yyyy`` is read day first (the convention of the
countries this system serves); pass ``day_first=False`` for US-style sources.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january jan janvier janv",
        "february feb fevrier fevr fev",
        "march mar mars",
        "april apr avril avr",
        "may mai",
        "june jun juin",
        "july jul juillet juil",
        "august aug aout",
        "september sep sept septembre",
        "october oct octobre",
        "november nov novembre",
        "december dec decembre",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_UNITS = {
    "second": 0, "seconde": 0, "sec": 0, "minute": 0, "min": 0, "hour": 0, "heure": 0, "h": 0,
    "day": 1, "jour": 1, "j": 1, "d": 1,
    "week": 7, "semaine": 7, "sem": 7, "w": 7,
    "month": 30, "mois": 30,
    "year": 365, "an": 365, "annee": 365,
}
_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "un": 1, "une": 1, "two": 2, "deux": 2, "three": 3, "trois": 3,
    "four": 4, "quatre": 4, "five": 5, "cinq": 5, "six": 6, "seven": 7, "sept": 7,
}
_RELATIVE_WORDS = {
    "today": 0, "aujourd'hui": 0, "aujourdhui": 0, "just posted": 0, "a l'instant": 0,
    "yesterday": 1, "hier": 1, "avant-hier": 2, "avant hier": 2,
}

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?$",
    re.I,
)
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})(?:\s+.*)?$")
_NUMERIC_ANYWHERE = re.compile(r"(?<!\d)(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?!\d)")
_ISO_ANYWHERE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_YMD_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:\s+.*)?$")
_RELATIVE = re.compile(
    r"(?:il y a|depuis|posted|publiee?|mis a jour)?\s*(?:plus de\s+|over\s+|about\s+|environ\s+)?"
    r"(\d+|an?|one|two|three|four|five|six|seven|une?|deux|trois|quatre|cinq|six|sept)\+?\s*"
    r"(seconde?s?|secs?|minutes?|mins?|heures?|hours?|hrs?|h|jours?|days?|j|d|semaines?|sem|"
    r"weeks?|w|mois|months?|ans?|annees?|years?)\b\s*(?:ago)?",
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()


def _safe_date(year: int, month: int, day: int) -> date | None:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(
    value: object,
    *,
    fetched_at: datetime | None = None,
    day_first: bool = True,
) -> date | None:
    """A calendar date from a board's date value, or ``None`` when unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(float(value))
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{9,13}", text):
        return _from_epoch(float(text))

    match = _ISO.match(text)
    if match:
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))
    iso_prefix = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if iso_prefix:  # ISO with something odd after it ("2026-07-06T00:00:00.0000")
        return _safe_date(int(iso_prefix[1]), int(iso_prefix[2]), int(iso_prefix[3]))
    match = _YMD_SLASH.match(text)
    if match:
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))

    folded = _fold(text)
    folded = re.sub(r"^(?:publiee?|posted|date|mise? en ligne|mis a jour|updated|le|on|:|\s)+",
                    "", folded).strip()
    match = _NUMERIC.match(folded) or _NUMERIC_ANYWHERE.search(folded)
    if match:
        a, b, year = int(match[1]), int(match[2]), int(match[3])
        day, month = (a, b) if day_first else (b, a)
        if month > 12 and day <= 12:
            day, month = month, day
        return _safe_date(year, month, day)

    match = _ISO_ANYWHERE.search(folded)  # "Mis à jour le 2026-08-28"
    if match:
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))
    written = _written_date(folded)
    if written is not None:
        return written
    return _relative_date(folded, fetched_at)


def _from_epoch(seconds: float) -> date | None:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).date()
    except (OverflowError, OSError, ValueError):
        return None


def _written_date(folded: str) -> date | None:
    """"28 août 2026", "1er septembre 2026", "August 28, 2026", "Aug 28 2026"."""
    tokens = re.findall(r"[a-z]+|\d+", folded)
    month = year = day = None
    for i, token in enumerate(tokens):
        if token.isalpha() and month is None and token.rstrip(".") in MONTHS:
            month = MONTHS[token]
            numbers_after = [t for t in tokens[i + 1 : i + 3] if t.isdigit()]
            numbers_before = [t for t in tokens[max(0, i - 2) : i] if t.isdigit()]
            for num in numbers_before[-1:] + numbers_after:
                n = int(num)
                if n >= 1000 and year is None:
                    year = n
                elif 1 <= n <= 31 and day is None:
                    day = n
    if month is None or year is None:
        return None
    return _safe_date(year, month, day or 1)


def _relative_date(folded: str, fetched_at: datetime | None) -> date | None:
    base = fetched_at.date() if fetched_at is not None else None
    for phrase, days in _RELATIVE_WORDS.items():
        if re.search(rf"(?:^|\b){re.escape(phrase)}(?:\b|$)", folded):
            return base - timedelta(days=days) if base else None
    if not re.search(r"il y a|\bago\b|\bdepuis\b|\bposted\b", folded):
        return None  # "6 mois" alone is a duration (a contract), not a date
    match = _RELATIVE.search(folded)
    if not match or base is None:
        return None
    amount_text, unit = match[1], match[2]
    amount = int(amount_text) if amount_text.isdigit() else _WORD_NUMBERS.get(amount_text, 1)
    unit = unit.rstrip("s") if unit not in ("mois", "s") else unit
    unit = {"hr": "hour", "heure": "heure", "annee": "annee"}.get(unit, unit)
    per = _UNITS.get(unit, _UNITS.get(unit.rstrip("e")))
    if per is None:
        return None
    return base - timedelta(days=amount * per)


def iso_or_none(value: date | None) -> str | None:
    return value.isoformat() if value else None
