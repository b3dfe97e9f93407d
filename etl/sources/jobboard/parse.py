"""Parse a stored job-board page into raw vacancy dicts: a pure function.

``parse_job_page`` never fetches and never raises on bad pages: the crawler
has already landed the bytes, so a parse bug is fixed by re-parsing raw. It
tries, in order of how much the board itself vouches for the data:

1. schema.org ``JobPosting`` in JSON-LD (see ``jsonld.py`` for the repairs);
2. schema.org ``JobPosting`` in microdata;
3. the CSS selectors configured for the board.

The first that yields a posting wins; when exactly one posting was found by
(1) or (2), fields it lacks are filled from the selectors, which is how real
boards with thin JSON-LD are read. No posting gives ``vacancies=[]`` and a
``reason`` that says what was tried.

The output dicts use the *raw vacancy keys* documented in
``etl.normalise.vacancy`` (``title``, ``employer_name``, ``date_posted``,
``locations``, ``salary`` …): still the board's own values, not normalised.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from etl.sources.jobboard.charset import decode_html
from etl.sources.jobboard.jsonld import NodeIndex, collect_nodes, load_jsonld, type_names
from etl.sources.jobboard.microdata import find_typed, microdata_items

log = logging.getLogger(__name__)

#: Selector keys understood in a board's ``selectors`` configuration, and the
#: raw vacancy key each fills. Aliases let configurations read naturally.
SELECTOR_FIELDS: dict[str, str] = {
    "title": "title",
    "employer": "employer_name",
    "employer_name": "employer_name",
    "company": "employer_name",
    "location": "location_text",
    "locality": "locality",
    "region": "region",
    "country": "country",
    "date": "date_posted",
    "date_posted": "date_posted",
    "valid_through": "valid_through",
    "employment_type": "employment_type",
    "contract": "employment_type",
    "salary": "salary_text",
    "description": "description_html",
    "source_id": "source_id",
    "url": "url",
    "occupational_category": "occupational_category",
    "industry": "industry",
    "remote": "remote",
}
_HTML_FIELDS = {"description_html"}


@dataclass
class ParseResult:
    """What a page yielded, and why not when it yielded nothing."""

    vacancies: list[dict[str, Any]]
    reason: str | None = None
    method: str | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)


# ----------------------------------------------------------------- helpers
def _text(value: Any) -> str | None:
    """A scalar text from a JSON-LD value (string, number, list, or {name/@value})."""
    if value is None:
        return None
    if isinstance(value, list):
        for item in value:
            text = _text(item)
            if text:
                return text
        return None
    if isinstance(value, dict):
        for key in ("@value", "name", "value", "legalName", "codeValue"):
            if key in value:
                return _text(value[key])
        return None
    if isinstance(value, bool):
        return str(value).lower()
    text = str(value).strip()
    return text or None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _place(value: Any, index: NodeIndex) -> dict[str, Any] | None:
    value = index.resolve(value)
    if isinstance(value, str):
        return {"text": value.strip()} if value.strip() else None
    if not isinstance(value, dict):
        return None
    address = index.resolve(value.get("address"))
    out: dict[str, Any] = {}
    if isinstance(address, list):
        address = address[0] if address else None
    if isinstance(address, str):
        out["text"] = address.strip()
    elif isinstance(address, dict):
        out.update(
            locality=_text(address.get("addressLocality")),
            region=_text(address.get("addressRegion")),
            country=_text(index.resolve(address.get("addressCountry"))),
            postal_code=_text(address.get("postalCode")),
            street=_text(address.get("streetAddress")),
        )
    # A Place may itself be a City/Country/AdministrativeArea with only a name.
    if not any(out.values()) and _text(value.get("name")):
        out["text"] = _text(value.get("name"))
    out = {k: v for k, v in out.items() if v}
    return out or None


def _salary(value: Any, index: NodeIndex) -> Any:
    value = index.resolve(value)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        inner = index.resolve(value.get("value"))
        resolved = dict(value)
        if isinstance(inner, dict | list):
            resolved["value"] = inner
        return resolved
    return value


def _identifier(value: Any) -> str | None:
    for item in _as_list(value):
        if isinstance(item, dict):
            text = _text(item.get("value")) or _text(item.get("@value")) or _text(item.get("name"))
        else:
            text = _text(item)
        if text:
            return text
    return None


def _from_posting(node: dict[str, Any], index: NodeIndex) -> dict[str, Any]:
    """Raw vacancy keys from one JobPosting node (JSON-LD or microdata shaped)."""
    org = index.resolve(node.get("hiringOrganization"))
    if isinstance(org, list):
        org = org[0] if org else None
    employer = org.strip() if isinstance(org, str) else _text(org) if org else None
    locations = [p for p in (_place(v, index) for v in _as_list(node.get("jobLocation"))) if p]
    applicant = [
        t for t in (_text(index.resolve(v)) for v in _as_list(node.get("applicantLocationRequirements"))) if t
    ]
    description = node.get("description")
    if isinstance(description, list):
        description = "\n".join(str(d) for d in description if d)
    raw = {
        "title": _text(node.get("title")) or _text(node.get("name")),
        "description_html": description if isinstance(description, str) else _text(description),
        "employer_name": employer,
        "date_posted": _text(node.get("datePosted")),
        "valid_through": _text(node.get("validThrough")),
        "employment_type": [t for t in (_text(v) for v in _as_list(node.get("employmentType"))) if t]
        or None,
        "locations": locations or None,
        "job_location_type": _text(node.get("jobLocationType")),
        "applicant_locations": applicant or None,
        "salary": _salary(node.get("baseSalary") or node.get("estimatedSalary"), index),
        "salary_currency": _text(node.get("salaryCurrency")),
        "source_id": _identifier(node.get("identifier")),
        "url": _text(node.get("url")),
        "occupational_category": _text(index.resolve(node.get("occupationalCategory"))),
        "industry": _text(index.resolve(node.get("industry"))),
        "language": _text(node.get("inLanguage")),
    }
    return {k: v for k, v in raw.items() if v not in (None, "", [])}


# ------------------------------------------------------------------ methods
def _jsonld_postings(soup: BeautifulSoup, warnings: list[str]) -> tuple[list[dict], str]:
    scripts = [
        s for s in soup.find_all("script")
        if "ld+json" in str(s.get("type") or "").lower().replace(" ", "")
    ]
    if not scripts:
        return [], "no JSON-LD block"
    values: list[Any] = []
    broken = 0
    for number, script in enumerate(scripts, start=1):
        body = script.string if script.string is not None else script.get_text()
        if not body or not body.strip():
            continue
        try:
            decoded, repairs = load_jsonld(body)
        except ValueError as exc:
            broken += 1
            warnings.append(f"JSON-LD block {number} unreadable: {exc}")
            continue
        if repairs:
            warnings.append(f"JSON-LD block {number} repaired: {', '.join(repairs)}")
        values.extend(decoded)
    nodes = collect_nodes(values)
    index = NodeIndex(nodes)
    postings = [n for n in nodes if "JobPosting" in type_names(n)]
    if not postings:
        types = sorted({t for n in nodes for t in type_names(n)})
        return [], (
            f"{len(scripts)} JSON-LD block(s), {broken} unreadable, no JobPosting"
            + (f" (types: {', '.join(types[:8])})" if types else "")
        )
    out, seen = [], set()
    for posting in postings:
        raw = _from_posting(posting, index)
        key = (raw.get("title"), raw.get("source_id"), raw.get("url"), raw.get("date_posted"))
        if key in seen:  # the same posting in @graph and in a nested reference
            continue
        seen.add(key)
        out.append(raw)
    return out, ""


def _microdata_postings(soup: BeautifulSoup) -> tuple[list[dict], str]:
    items = microdata_items(soup)
    if not items:
        return [], "no microdata"
    postings = find_typed(items, "JobPosting")
    if not postings:
        return [], f"{len(items)} microdata item(s), no JobPosting"
    index = NodeIndex([])
    return [_from_posting(p, index) for p in postings], ""


def _select_value(scope: Tag, spec: Any) -> Any:
    if isinstance(spec, str):
        spec = {"selector": spec}
    if not isinstance(spec, dict) or not spec.get("selector"):
        return None
    el = scope.select_one(spec["selector"])
    if el is None:
        return None
    attr = spec.get("attr")
    if attr:
        value = el.get(attr)
        value = " ".join(value) if isinstance(value, list) else value
    elif spec.get("html"):
        value = el.decode_contents().strip()
    else:
        value = el.get_text(" ", strip=True)
    if value and spec.get("regex"):
        match = re.search(spec["regex"], str(value))
        if match is None:
            return None
        value = match.group(1) if match.groups() else match.group(0)
    return value


def _selector_postings(
    soup: BeautifulSoup, selectors: Mapping[str, Any], url: str
) -> tuple[list[dict], str]:
    unknown = set(selectors) - set(SELECTOR_FIELDS) - {"item", "source_id_from_url"}
    if unknown:
        return [], f"unknown selector keys {sorted(unknown)} (known: {sorted(SELECTOR_FIELDS)})"
    scopes: list[Tag]
    if selectors.get("item"):
        scopes = list(soup.select(selectors["item"]))
        if not scopes:
            return [], f"item selector {selectors['item']!r} matched nothing"
    else:
        scopes = [soup]
    out = []
    for scope in scopes:
        raw: dict[str, Any] = {}
        for key, spec in selectors.items():
            target = SELECTOR_FIELDS.get(key)
            if target is None:
                continue
            if target in _HTML_FIELDS and isinstance(spec, str):
                spec = {"selector": spec, "html": True}
            value = _select_value(scope, spec)
            if value not in (None, ""):
                raw[target] = value
        if raw.get("url"):
            raw["url"] = urljoin(url, raw["url"])
        if raw.get("title"):
            out.append(raw)
    if not out:
        return [], f"selector {_describe(selectors.get('title'))} matched no title"
    return out, ""


def _describe(spec: Any) -> str:
    if isinstance(spec, dict):
        return repr(spec.get("selector"))
    return repr(spec)


def _page_info(soup: BeautifulSoup, url: str, headers: Mapping[str, str] | None) -> dict[str, Any]:
    info: dict[str, Any] = {"page_url": url}
    html_tag = soup.find("html")
    if isinstance(html_tag, Tag) and html_tag.get("lang"):
        info["page_language"] = str(html_tag["lang"]).strip()
    elif headers:
        for k, v in headers.items():
            if k.lower() == "content-language" and v:
                info["page_language"] = v.split(",")[0].strip()
    canonical = soup.find("link", rel=lambda r: r and "canonical" in r)
    if isinstance(canonical, Tag) and canonical.get("href"):
        info["canonical_url"] = urljoin(url, str(canonical["href"]))
    else:
        og = soup.find("meta", attrs={"property": "og:url"})
        if isinstance(og, Tag) and og.get("content"):
            info["canonical_url"] = urljoin(url, str(og["content"]))
    return info


# ---------------------------------------------------------------- the entry
def parse_job_page(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    selectors: dict | None = None,
    fetched_at: datetime | None = None,
) -> ParseResult:
    """Raw vacancies found in one stored page (see the module docstring).

    ``fetched_at`` is recorded on each vacancy so that relative dates ("il y a
    3 jours") can be resolved later against the time the page was fetched.
    """
    warnings: list[str] = []
    if not body or not body.strip():
        return ParseResult([], reason="empty body", warnings=warnings)
    text, encoding, how = decode_html(body, headers)
    if how in ("detected", "fallback"):
        warnings.append(f"charset not declared; read as {encoding} ({how})")
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as exc:  # lxml copes with nearly anything; never crash on a page
        return ParseResult([], reason=f"HTML unreadable: {exc}", encoding=encoding)
    page = _page_info(soup, url, headers)

    reasons: list[str] = []
    vacancies: list[dict[str, Any]] = []
    method: str | None = None
    for name, finder in (
        ("json-ld", lambda: _jsonld_postings(soup, warnings)),
        ("microdata", lambda: _microdata_postings(soup)),
    ):
        try:
            found, why = finder()
        except Exception as exc:  # a page must never crash the batch
            log.exception("%s extraction failed on %s", name, url)
            found, why = [], f"{name} extraction failed: {exc.__class__.__name__}: {exc}"
        if found:
            vacancies, method = found, name
            break
        reasons.append(why)

    if selectors:
        try:
            selected, why = _selector_postings(soup, selectors, url)
        except Exception as exc:  # e.g. an invalid CSS selector in the configuration
            selected, why = [], f"selectors failed: {exc.__class__.__name__}: {exc}"
        if not vacancies:
            if selected:
                vacancies, method = selected, "selectors"
            else:
                reasons.append(why)
        elif len(vacancies) == 1 and len(selected) == 1:
            filled = [k for k, v in selected[0].items() if k not in vacancies[0]]
            for key in filled:
                vacancies[0][key] = selected[0][key]
            if filled:
                warnings.append(f"filled from selectors: {', '.join(sorted(filled))}")
    else:
        reasons.append("no selectors configured")

    if not vacancies:
        return ParseResult([], reason="; ".join(r for r in reasons if r), encoding=encoding,
                           warnings=warnings)

    id_pattern = (selectors or {}).get("source_id_from_url")
    for raw in vacancies:
        raw.setdefault("url", page.get("canonical_url") or url)
        raw["url"] = urljoin(url, raw["url"])
        for key, value in page.items():
            raw.setdefault(key, value)
        if id_pattern and not raw.get("source_id"):
            match = re.search(id_pattern, raw["url"]) or re.search(id_pattern, url)
            if match:
                raw["source_id"] = match.group(1) if match.groups() else match.group(0)
        raw["extraction_method"] = method
        if fetched_at is not None:
            raw["fetched_at"] = (
                fetched_at.isoformat() if isinstance(fetched_at, datetime) else str(fetched_at)
            )
    return ParseResult(vacancies, reason=None, method=method, encoding=encoding, warnings=warnings)
