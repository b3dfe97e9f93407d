"""One normalised vacancy record from a raw one, whatever the source.

Raw vacancy keys (what ``etl.sources.jobboard.parse`` and
``etl.sources.pes_feed`` produce; all optional, values as the source wrote
them):

``title``, ``description_html`` or ``description``, ``employer_name``,
``date_posted``, ``valid_through``, ``employment_type`` (str or list),
``locations`` (list of ``{locality, region, country, postal_code, street,
text}``), ``location_text``, ``locality``, ``region``, ``country``,
``job_location_type``, ``remote`` (bool or text), ``applicant_locations``,
``salary`` (number, text or schema.org MonetaryAmount), ``salary_min``,
``salary_max``, ``salary_currency``, ``salary_period``, ``salary_text``,
``source_id``, ``url``, ``canonical_url``, ``page_url``,
``occupational_category``, ``industry``, ``language``, ``page_language``.

The normalised record has exactly ``VACANCY_FIELDS``: the keys printed by
``lmis extract jobposting`` (documented for users in ``docs/vacancies.md``)
plus ``salary_monthly``, ``occupational_category``, ``industry`` and
``source``. Unknown values are ``None``; nothing is guessed silently.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from etl.normalise.dates import iso_or_none, parse_date
from etl.normalise.html_text import markup_text
from etl.normalise.regions import resolve_location
from etl.normalise.salary import parse_salary

EXTRACT_FIELDS: tuple[str, ...] = (
    "url",
    "source_id",
    "title",
    "employer_name",
    "date_posted",
    "valid_through",
    "employment_type",
    "is_remote",
    "locality",
    "country_code",
    "region_code",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "description_text",
    "language",
)
VACANCY_FIELDS: tuple[str, ...] = EXTRACT_FIELDS + (
    "salary_monthly",
    "occupational_category",
    "industry",
    "source",
)

EMPLOYMENT_TYPES = (
    "FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER",
)
# Folded words → schema.org employment type. The last entry (a permanent
# contract) is a fallback, used only when no other type is mentioned.
_EMPLOYMENT_WORDS: list[tuple[str, str]] = [
    (r"part[\s_-]?time|temps partiel|mi-temps|tiempo parcial|teilzeit", "PART_TIME"),
    (r"full[\s_-]?time|temps (?:plein|complet)|tiempo completo|vollzeit", "FULL_TIME"),
    (r"per[\s_-]?diem|vacation|journalier", "PER_DIEM"),
    (r"intern(?:ship)?|stage|stagiaire|apprenti|alternance|apprenticeship|trainee", "INTERN"),
    (r"volunt|benevol", "VOLUNTEER"),
    (r"contractor|freelance|independant|consultant|self[\s-]?employed|contract\b|"
     r"prestataire|auto-entrepreneur", "CONTRACTOR"),
    (r"tempor|\bcdd\b|interim|seasonal|saisonnier|fixed[\s-]?term|duree determinee|"
     r"\btemp\b|casual", "TEMPORARY"),
    # A permanent contract says nothing of hours, but in the boards we read it is
    # advertised as full time unless "temps partiel" is also written (checked above).
    (r"\bcdi\b|permanent|duree indeterminee", "FULL_TIME"),
]
_REMOTE = re.compile(
    r"\b(?:remote|telecommute|work from home|wfh|teletravail(?: total| complet| 100 ?%)?|"
    r"a distance|100 ?% remote|full[\s-]remote|fully remote|anywhere)\b"
)
_NOT_REMOTE = re.compile(r"\b(?:on[\s-]?site|sur site|en presentiel|presentiel|hybrid|hybride)\b")
# Only parameters that are tracking everywhere: dropping a meaningful one would
# make two different ads look like exact duplicates.
_TRACKING_PARAMS = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|yclid|mc_[ce]id|_ga|_gl|xtor|trk|trackingid)$", re.I
)

_STOPWORDS = {
    "en": "the and of to in for with you our we are is will a an on as be this your team "
          "experience work",
    "fr": "le la les des et de du en pour un une vous nous est avec au aux sur dans votre "
          "poste qui que expérience travail",
    "es": "el la los las y de del en para un una con por que es su sus experiencia trabajo",
    "pt": "o a os as e de do da em para um uma com por que é seu sua experiência trabalho",
    "de": "der die das und zu in für mit sie wir ist ein eine auf als den dem ihre erfahrung",
}
_STOPWORD_SETS = {lang: set(words.split()) for lang, words in _STOPWORDS.items()}
_ARABIC = re.compile("[\u0600-\u06ff]")


# ------------------------------------------------------------------ pieces
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text).replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _fallback_clean_title(title: str) -> str:
    """Small cleaner used only while ``etl.normalise.text`` is unavailable."""
    text = html.unescape(str(title))
    text = re.sub(r"\(?\b(?:H\s*/\s*F|F\s*/\s*H|M\s*/\s*F|m\s*/\s*w\s*/\s*d|w\s*/\s*m\s*/\s*d|"
                  r"f\s*/\s*m\s*/\s*d)\b\)?", " ", text, flags=re.I)
    text = re.sub(r"\(\s*e\s*\)|\(\s*ne\s*\)", "", text)
    text = re.sub(r"(?:\bR[ée]f(?:[ée]rence)?\.?|\bRef\.?|\bJob\s*(?:ID|#)|N°)\s*:?\s*[\w/.-]*\d[\w/.-]*",
                  " ", text, flags=re.I)
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"^[\s\-–—|:,/]+|[\s\-–—|:,/]+$", "", text)


def clean_title(title: Any) -> str | None:
    """A display title: "Comptable H/F - Réf. 2024/113" → "Comptable".

    Uses ``etl.normalise.text.clean_display_title`` (shared with ISCO coding)
    when that module is importable, else a small local cleaner.
    """
    if title is None:
        return None
    text = re.sub(r"\s+", " ", html.unescape(str(title))).strip()
    if not text:
        return None
    try:
        from etl.normalise.text import clean_display_title
    except ImportError:
        cleaned = _fallback_clean_title(text)
    else:
        cleaned = clean_display_title(text)
    return cleaned or text


def _without_cut_tag(text: str) -> str:
    """``text`` without a last tag that a truncated feed cut before its ``>``."""
    last = text.rfind("<")
    return text[:last] if last >= 0 and ">" not in text[last:] else text


#: Runs of blanks that are not already one plain space (a single space is left as it is:
#: rewriting each of a description's hundreds of spaces costs more than the rest).
_BLANKS = re.compile(r"[\t\u00a0\u202f][ \t\u00a0\u202f]*| [ \t\u00a0\u202f]+")


def html_to_text(value: Any) -> str | None:
    """Readable text from an HTML description (also when HTML-escaped or cut mid-tag)."""
    if value is None:
        return None
    text = str(value)
    if not text.strip():
        return None
    if re.search(r"&lt;\s*/?\s*(?:p|br|li|ul|div|strong|b|h\d)\b", text, re.I):
        text = html.unescape(text)  # HTML escaped once more than needed
    # Markup: its text (a tag cut mid-way by a truncated feed dropped first); plain text:
    # its entities resolved.
    text = markup_text(_without_cut_tag(text)) if "<" in text else html.unescape(text)
    if "  " in text or "\t" in text or "\u00a0" in text or "\u202f" in text:
        text = _BLANKS.sub(" ", text)
    lines = [line.strip() for line in text.splitlines()]
    out = "\n".join(lines)
    if "\n\n\n" in out:
        out = re.sub(r"\n{3,}", "\n\n", out)
    out = out.strip()
    if "\n\n- " in out:
        out = re.sub(r"\n{2,}(?=- )", "\n", out)  # list items one per line
    return out or None


def employment_type(value: Any) -> str | None:
    """The first schema.org employment type the source names; ``OTHER`` if none is known.

    A list keeps its order (``["FULL_TIME", "TEMPORARY"]`` → ``FULL_TIME``);
    in free text the type mentioned first wins.
    """
    values = value if isinstance(value, list | tuple) else [value]
    texts = [str(v).strip() for v in values if v is not None and str(v).strip()]
    if not texts:
        return None
    for text in texts:
        key = text.upper().replace("-", "_").replace(" ", "_")
        if key in EMPLOYMENT_TYPES:
            return key
    joined = _fold(" ".join(texts))
    # The type mentioned first wins ("CDD - temps plein" → TEMPORARY), as for
    # lists; a permanent contract only counts when nothing else is said.
    found = [(m.start(), code) for pattern, code in _EMPLOYMENT_WORDS[:-1]
             if (m := re.search(pattern, joined))]
    if found:
        return min(found)[1]
    if re.search(_EMPLOYMENT_WORDS[-1][0], joined):
        return _EMPLOYMENT_WORDS[-1][1]
    return "OTHER"


def detect_language(text: str | None, *, min_hits: int = 3) -> str | None:
    """ISO 639-1 code from stopword counts (Arabic by script); ``None`` if unsure."""
    if not text:
        return None
    sample = text[:4000]
    if not sample.isascii():  # letters are counted one by one only when Arabic is present
        arabic = len(_ARABIC.findall(sample))
        letters = sum(1 for c in sample if c.isalpha()) if arabic else 0
        if letters and arabic / letters > 0.3:
            return "ar"
    words = Counter(re.findall(r"[^\W\d_]+", sample.lower()))
    scores = {lang: sum(words[w] for w in stop if w in words)
              for lang, stop in _STOPWORD_SETS.items()}
    best = max(scores, key=lambda k: scores[k])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < min_hits or ranked[0] < 1.5 * ranked[1]:
        return None
    return best


def _language_code(value: Any) -> str | None:
    if not value:
        return None
    match = re.match(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$", str(value))
    if not match:
        names = {"english": "en", "french": "fr", "francais": "fr", "anglais": "en",
                 "arabic": "ar", "arabe": "ar", "spanish": "es", "portuguese": "pt"}
        return names.get(_fold(str(value)).strip())
    return match.group(1).lower()[:2]


def canonical_url(url: Any) -> str | None:
    """The URL that identifies an ad: tracking parameters, fragment and default port dropped.

    ``https://www.adzuna.com/details/1?utm_source=x&utm_medium=api`` and
    ``https://WWW.adzuna.com/details/1`` are the same ad.
    """
    if not url:
        return None
    text = str(url).strip()
    parts = urlsplit(text)
    if not parts.scheme or not parts.netloc:
        return text
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING_PARAMS.match(k)]
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(sorted(query)), ""))


def _is_remote(raw: Mapping[str, Any], title: str | None, location_text: str | None,
               has_place: bool) -> bool | None:
    remote = raw.get("remote")
    if isinstance(remote, bool):
        return remote
    if isinstance(remote, str) and remote.strip():
        folded = _fold(remote).strip()
        if folded in ("true", "yes", "oui", "1", "y"):
            return True
        if folded in ("false", "no", "non", "0", "n"):
            return False
    job_location_type = _fold(str(raw.get("job_location_type") or ""))
    if "telecommute" in job_location_type:
        return True
    signals = " ".join(_fold(t) for t in (remote if isinstance(remote, str) else None,
                                          title, location_text) if t)
    if _NOT_REMOTE.search(signals):
        return False
    if _REMOTE.search(signals):
        return True
    return False if has_place else None


# ------------------------------------------------------------------- entry
def normalise_vacancy(
    raw: dict,
    *,
    source: str,
    fetched_at: datetime,
    default_country: str | None,
    region_aliases: dict[str, str] | None,
) -> dict:
    """The normalised record (``VACANCY_FIELDS``, in that order) for one raw vacancy.

    ``fetched_at`` (a datetime, or an ISO string as stored in a ledger) is the
    reference for relative dates such as "il y a 3 jours".
    """
    fetched_at = _as_datetime(fetched_at)
    locations = raw.get("locations") or []
    location_text = raw.get("location_text")
    locality, country, region = resolve_location(
        locations,
        location_text,
        country=raw.get("country"),
        region=raw.get("region"),
        locality=raw.get("locality"),
        default_country=default_country,
        aliases=region_aliases,
    )
    if country is None and raw.get("applicant_locations"):
        _, country, _ = resolve_location(None, ", ".join(raw["applicant_locations"]))
    title = clean_title(raw.get("title"))
    description = html_to_text(raw.get("description_html") or raw.get("description"))
    salary = parse_salary(
        raw.get("salary"),
        minimum=raw.get("salary_min"),
        maximum=raw.get("salary_max"),
        currency=raw.get("salary_currency"),
        period=raw.get("salary_period"),
        text=raw.get("salary_text"),
        country_code=country,
    )
    language = (
        _language_code(raw.get("language"))
        or detect_language(" ".join(t for t in (title, description) if t))
        or _language_code(raw.get("page_language"))
    )
    employer = raw.get("employer_name")
    employer = re.sub(r"\s+", " ", html.unescape(str(employer))).strip() if employer else None
    url = canonical_url(raw.get("url") or raw.get("canonical_url") or raw.get("page_url"))
    source_id = raw.get("source_id")
    record = {
        "url": url,
        "source_id": str(source_id).strip() if source_id not in (None, "") else None,
        "title": title,
        "employer_name": employer or None,
        "date_posted": iso_or_none(parse_date(raw.get("date_posted"), fetched_at=fetched_at)),
        "valid_through": iso_or_none(parse_date(raw.get("valid_through"), fetched_at=fetched_at)),
        "employment_type": employment_type(raw.get("employment_type")),
        "is_remote": _is_remote(raw, raw.get("title"), location_text or
                                " ".join(str(p.get("text", "")) for p in locations),
                                bool(locations or locality or region)),
        "locality": locality,
        "country_code": country,
        "region_code": region,
        **{k: v for k, v in salary.as_fields().items() if k != "salary_monthly"},
        "description_text": description,
        "language": language,
        "salary_monthly": salary.monthly,
        "occupational_category": _str_or_none(raw.get("occupational_category")),
        "industry": _str_or_none(raw.get("industry")),
        "source": source,
    }
    return {key: record[key] for key in VACANCY_FIELDS}


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"fetched_at {value!r} is not an ISO date-time") from exc


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def problems(record: Mapping[str, Any]) -> list[str]:
    """Why a normalised record cannot be loaded as a vacancy (empty when it can)."""
    out = []
    if not record.get("title"):
        out.append("no title")
    if not (record.get("url") or record.get("source_id")):
        out.append("neither url nor source_id: the vacancy cannot be identified")
    if record.get("date_posted") is None:
        out.append("no date_posted")
    return out
