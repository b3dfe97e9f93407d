"""Countries (ISO 3166-1 alpha-2) and regions (ISO 3166-2) from ad locations.

Ads name places the way people talk: "Dakar, Sénégal", "Boston, MA",
"Casablanca - Maroc", "Grand Casablanca", "Adelaide, South Australia,
Australia", "USA, CST (UTC-6)". The country is read from codes, English names
and French names (pycountry's own translations); the region from ISO 3166-2
codes and pycountry's subdivision names, top-level subdivisions first.

Many real region names are not ISO names (old regions, cities standing for
their region, local spellings), so each deployment passes ``aliases``: a
mapping from a place name to an ISO 3166-2 code, e.g. ``{"Grand Casablanca":
"MA-06", "Casablanca": "MA-06", "Dakar": "SN-DK"}``. Aliases win over the ISO
names, and an alias's code also gives the country. Unknown places give
``None``, never a guess.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import pycountry

# Names people use that pycountry does not carry.
_COUNTRY_ALIASES = {
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "us": "US", "united states of america": "US",
    "etats-unis": "US", "uk": "GB", "u.k.": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "royaume-uni": "GB", "ivory coast": "CI",
    "cote d'ivoire": "CI", "rdc": "CD", "drc": "CD", "dr congo": "CD", "congo-kinshasa": "CD",
    "republique democratique du congo": "CD", "congo-brazzaville": "CG", "russia": "RU",
    "south korea": "KR", "north korea": "KP", "vietnam": "VN", "laos": "LA", "syria": "SY",
    "iran": "IR", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "moldova": "MD",
    "the netherlands": "NL", "holland": "NL", "cape verde": "CV", "cap-vert": "CV",
    "swaziland": "SZ", "turkey": "TR", "turquie": "TR", "czech republic": "CZ",
    "macedonia": "MK", "palestine": "PS", "gambia": "GM", "the gambia": "GM",
    "guinee": "GN", "guinea-conakry": "GN", "tunisie": "TN", "algerie": "DZ", "maroc": "MA",
    "mauritanie": "MR", "senegal": "SN", "cameroun": "CM", "tchad": "TD", "niger": "NE",
}
_REGION_PREFIX = re.compile(
    r"^(?:region (?:de |du |d'|des |of )?|province (?:de |du |d'|of )?|wilaya (?:de |d')?|"
    r"gouvernorat (?:de |du |d')?|prefecture (?:de |du |d')?|state of |departement (?:de |du |d')?|"
    r"county of |district (?:de |of )?)"
)
_NOT_A_PLACE = re.compile(
    r"^(?:remote|full remote|anywhere|worldwide|partout|teletravail|a distance|multiple locations|"
    r"various|divers|plusieurs|hybrid|hybride|national|nationwide)\b"
)
_REGION_SUFFIX = re.compile(r"\s+(?:region|province|state|county|governorate|prefecture|district)$")


@lru_cache(maxsize=50_000)  # place names repeat across postings; bounded for odd inputs
def fold(text: str) -> str:
    """Accent-free, lower-case, single-spaced: the key for place look-ups."""
    text = unicodedata.normalize("NFKD", str(text).replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", text).strip(" .,;")


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    try:
        french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    except OSError:  # translations not shipped: English names and aliases still work
        french = None
    for country in pycountry.countries:
        code = country.alpha_2
        names = {country.name, getattr(country, "official_name", None),
                 getattr(country, "common_name", None)}
        if french is not None:
            names.add(french.gettext(country.name))
        for name in filter(None, names):
            index.setdefault(fold(name), code)
            # "Congo, The Democratic Republic of the" → also without the inversion.
            if "," in name:
                index.setdefault(fold(name.split(",")[0]), code)
    index.update(_COUNTRY_ALIASES)
    return index


def country_code(value: Any) -> str | None:
    """ISO 3166-1 alpha-2 for a code (alpha-2/alpha-3) or an English/French name."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("addressCountry")
        if value is None:
            return None
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"[A-Za-z]{2}", text):
        found = pycountry.countries.get(alpha_2=text.upper())
        if found:
            return found.alpha_2
        return _COUNTRY_ALIASES.get(text.lower())
    if re.fullmatch(r"[A-Za-z]{3}", text):
        found = pycountry.countries.get(alpha_3=text.upper())
        if found:
            return found.alpha_2
    return _country_index().get(fold(text))


@lru_cache(maxsize=256)
def _subdivision_index(country: str) -> dict[str, str]:
    subs = list(pycountry.subdivisions.get(country_code=country) or [])
    # Top-level subdivisions first so that a name shared with a lower level
    # (a region and its capital province) resolves to the region.
    subs.sort(key=lambda s: (s.parent_code is not None, s.code))
    index: dict[str, str] = {}
    for sub in subs:
        for key in _region_keys(sub.name):
            index.setdefault(key, sub.code)
        index.setdefault(fold(sub.code.split("-", 1)[1]), sub.code)
    return index


def _region_keys(name: str) -> set[str]:
    key = fold(name)
    keys = {key, _REGION_PREFIX.sub("", key), _REGION_SUFFIX.sub("", key)}
    keys.add(re.sub(r"\s*\(.*?\)\s*", " ", key).strip())
    return {k for k in keys if k}


def _fold_aliases(aliases: Mapping[str, str] | None) -> dict[str, str]:
    """The configured aliases by folded name (folded once per distinct alias table)."""
    return _folded_alias_table(tuple((aliases or {}).items()))


@lru_cache(maxsize=64)
def _folded_alias_table(items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {fold(k): v.strip().upper() for k, v in items if v}


def region_code(
    value: Any, country: str | None, aliases: Mapping[str, str] | None = None
) -> str | None:
    """ISO 3166-2 code for a region name or code, or ``None``."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    folded_aliases = _fold_aliases(aliases)
    for key in _region_keys(text):
        if key in folded_aliases:
            return folded_aliases[key]
    if re.fullmatch(r"[A-Za-z]{2}-[A-Za-z0-9]{1,3}", text):
        found = pycountry.subdivisions.get(code=text.upper())
        if found:
            return found.code
    if not country:
        return None
    index = _subdivision_index(country.upper())
    for key in _region_keys(text):
        if key in index:
            # Two-letter keys are codes ("VA"); only accept them written in capitals
            # so that the word "in" or "de" is never read as a region code.
            if len(key) <= 3 and not text.strip().isupper():
                continue
            return index[key]
    return None


def _country_in_text(part: str) -> str | None:
    """A country named in free text. Two-letter codes do not count: in "Boston,
    MA" or "Dakar, SN" they are at least as often a region as a country."""
    part = part.strip()
    if len(part) <= 2:
        return None
    return country_code(part)


def _parts(text: str) -> list[str]:
    text = re.sub(r"\(.*?\)", " ", text)
    return [p.strip() for p in re.split(r"[,;/|]|\s[-–—]\s", text) if p.strip()]


def resolve_location(
    locations: Iterable[Mapping[str, Any]] | None = None,
    text: str | None = None,
    *,
    country: Any = None,
    region: Any = None,
    locality: str | None = None,
    default_country: str | None = None,
    aliases: Mapping[str, str] | None = None,
) -> tuple[str | None, str | None, str | None]:
    """``(locality, country_code, region_code)`` from whatever the ad gave.

    Structured fields (``locations`` from JSON-LD, or explicit ``country`` /
    ``region`` / ``locality``) are trusted before free ``text``. The first
    location of a multi-location ad is used; the others are not lost, they
    stay in the raw record.
    """
    first = next(iter(locations or []), None) or {}
    locality = locality or first.get("locality")
    region_value = region or first.get("region")
    country_value = country or first.get("country")
    text = text or first.get("text")

    cc = country_code(country_value) if country_value else None
    parts = _parts(text) if text else []
    if cc is None:
        for part in reversed(parts):
            cc = _country_in_text(part)
            if cc:
                break
    rc = region_code(region_value, cc or default_country, aliases) if region_value else None
    if rc is None:
        candidates = [locality] if locality else []
        candidates += parts
        for part in candidates:
            if not part or _country_in_text(part):
                continue
            found = region_code(part, cc or default_country, aliases)
            if found:
                rc = found
                break
    if rc and cc is None:
        cc = rc.split("-")[0]
    if rc and cc and not rc.startswith(cc + "-"):
        rc = None  # an alias for another country's region: do not mix countries
    cc = cc or (default_country.upper() if default_country else None)
    if locality is None and parts:
        head = parts[0]
        if not _country_in_text(head) and not _NOT_A_PLACE.search(fold(head)):
            locality = head
    return (locality.strip() if isinstance(locality, str) and locality.strip() else None, cc, rc)
