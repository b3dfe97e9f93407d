"""Reference periods as statistics offices write them.

ILOSTAT bulk files write ``2024``, ``2024Q1`` and ``2024M03``; SDMX writes
``2024``, ``2024-Q1`` and ``2024-03`` (and sometimes ``2024-M03``); French
observatory tables write ``2024 T1``, ``T1 2024``, ``1er trimestre 2024`` or
``mars 2024``. All become a period type (A, Q, M) and first/last day, while the
text as given is kept in ``time_period``.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Period:
    period_type: str  # 'A', 'Q' or 'M'
    start: date
    end: date

    @property
    def canonical(self) -> str:
        """ILOSTAT form: 2024, 2024Q1, 2024M03."""
        if self.period_type == "A":
            return str(self.start.year)
        if self.period_type == "Q":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}M{self.start.month:02d}"


_FR_MONTHS = {
    "janv": 1, "janvier": 1, "fevr": 2, "fevrier": 2, "fev": 2, "mars": 3, "avr": 4, "avril": 4,
    "mai": 5, "juin": 6, "juil": 7, "juillet": 7, "aout": 8, "sept": 9, "septembre": 9,
    "oct": 10, "octobre": 10, "nov": 11, "novembre": 11, "dec": 12, "decembre": 12,
}  # fmt: skip

_ANNUAL = re.compile(r"^(\d{4})$")
_QUARTER = [
    re.compile(r"^(?P<y>\d{4})\s*-?\s*[QT](?P<q>[1-4])$"),  # 2024Q1, 2024-Q1, 2024 T1
    re.compile(r"^[QT](?P<q>[1-4])\s*-?\s*(?P<y>\d{4})$"),  # T1 2024, Q1-2024
    re.compile(r"^(?P<q>[1-4])\s*(?:er|e|eme|nd)?\s*trim(?:estre)?\.?\s*(?P<y>\d{4})$"),
]
_MONTH = [
    re.compile(r"^(?P<y>\d{4})\s*-?\s*M?(?P<m>0[1-9]|1[0-2])$"),  # 2024M03, 2024-03, 2024-M03
    re.compile(r"^(?P<y>\d{4})M(?P<m>[1-9])$"),
]
_FR_MONTH = re.compile(r"^(?P<name>[a-z]+)\.?\s*(?P<y>\d{4})$")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower().strip()


def parse_period(text: object) -> Period | None:
    """The period a label denotes, or None when it is not a period we understand."""
    if text is None:
        return None
    raw = str(text).strip()
    if raw.endswith(".0") and raw[:-2].isdigit():  # a year read from a spreadsheet as a float
        raw = raw[:-2]
    upper = raw.upper()
    if m := _ANNUAL.match(upper):
        y = int(m.group(1))
        return Period("A", date(y, 1, 1), date(y, 12, 31))
    for pattern in _QUARTER[:2]:
        if m := pattern.match(upper):
            return _quarter(int(m.group("y")), int(m.group("q")))
    for pattern in _MONTH:
        if m := pattern.match(upper):
            return _month(int(m.group("y")), int(m.group("m")))
    folded = _fold(raw)
    if m := _QUARTER[2].match(folded):
        return _quarter(int(m.group("y")), int(m.group("q")))
    if (m := _FR_MONTH.match(folded)) and m.group("name") in _FR_MONTHS:
        return _month(int(m.group("y")), _FR_MONTHS[m.group("name")])
    return None


def _quarter(year: int, q: int) -> Period:
    first = 3 * (q - 1) + 1
    last = first + 2
    return Period("Q", date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1]))


def _month(year: int, month: int) -> Period:
    return Period("M", date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
