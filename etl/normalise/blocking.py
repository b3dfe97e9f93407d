"""Blocking keys of deduplication: pure functions of one posting, without pandas.

Near duplicates are looked for only inside a block (same normalised employer and
region, :mod:`etl.normalise.dedup`), between similar titles. The keys are computed
where a record is prepared, in the worker processes of a large load
(:mod:`etl.pipelines.vacancy_records`), which import neither pandas nor the
warehouse; and on postings read back from the warehouse, by the same functions.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from etl.normalise.text import drop_combining_marks, word_runs
from etl.normalise.vacancy import clean_title

_LEGAL_FORMS = re.compile(
    r"\b(?:sarl|sarlu|sa|sas|sasu|suarl|gie|eurl|sci|ltd|limited|llc|llp|inc|incorporated|corp|"
    r"corporation|co|company|plc|gmbh|ag|bv|nv|spa|srl|pty|group|groupe|holding|cie)\b"
)


def _fold(text: Any) -> str:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return word_runs(drop_combining_marks(str(text).replace("’", "'")).lower())


def folded_prefix(text: Any, chars: int) -> str:
    """``_fold(text)[:chars]``, folding only as much of a long text as that needs.

    Folding keeps prefixes (each character folds on its own; a word or a run of
    blanks cut at the end only changes what comes after it), so when the fold of a
    slice is longer than ``chars``, its first ``chars`` are those of the whole
    text's fold. Descriptions are compared on their first 1,500 folded characters.
    """
    if isinstance(text, str) and len(text) > chars + chars // 4:
        folded = _fold(text[: chars + chars // 4])
        if len(folded) > chars:
            return folded[:chars]
    return _fold(text)[:chars]


def employer_key(name: Any) -> str:
    """"Sonatel S.A." and "SONATEL SA" → "sonatel"."""
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return ""
    return _employer_key(str(name))


@lru_cache(maxsize=200_000)  # a million postings name about 20,000 employers, spelt a few ways
def _employer_key(name: str) -> str:
    folded = _fold(name)
    folded = re.sub(r"\b([a-z]) (?=[a-z]\b)", r"\1", folded)  # "s a" → "sa"
    return re.sub(r"\s+", " ", _LEGAL_FORMS.sub(" ", folded)).strip()


def title_key(title: Any) -> str:
    """Cleaned title ("H/F", references removed), accent-free, lower case."""
    if title is None or (isinstance(title, float) and math.isnan(title)):
        return ""
    return _title_key(str(title))


@lru_cache(maxsize=200_000)  # a million postings carry about 50,000 distinct titles
def _title_key(title: str) -> str:
    return _fold(clean_title(title) or "")


def _as_text(value: Any) -> str:
    """'' for a missing value (None, NaN, pandas' NA), else the value as text."""
    if value is None or type(value).__name__ == "NAType" or value != value:
        return ""
    return str(value)


def region_key(region_code: Any, country_code: Any, locality: Any) -> str:
    """One posting's region for blocking: its region code, else country and folded locality
    ("SN|dakar"), else ''."""
    region = _as_text(region_code)
    if region:
        return region
    place = _fold(locality)
    return f"{_as_text(country_code)}|{place}" if place else ""


def block_keys(employer_name: Any, region_code: Any, country_code: Any, locality: Any,
               title: Any) -> tuple[str, str]:
    """(block key, title key) of one posting, for deduplication by blocks.

    The block is employer × region ('' when either, or the title, is missing: such a
    posting is only deduplicated exactly). Pure and memoised per employer and title, so
    that it runs where a record is prepared (``etl.pipelines.vacancy_records``) and on
    postings read back from the warehouse alike. Postings in the warehouse always have
    a date (their first sighting at the latest), the other condition of blocking.
    """
    employer = employer_key(employer_name)
    region = region_key(region_code, country_code, locality)
    title = title_key(title)
    return (f"{employer}\x1f{region}" if employer and region and title else ""), title
