"""Crawl one job board: listing pages → detail pages, incrementally.

The crawler fetches and hands every response to ``land(meta, body)`` *before*
anything parses it (the caller writes the raw file and the ledger row), then
only reads listing pages for two things: the detail links and the next page.
Detail pages are not parsed here at all; ``parse.parse_job_page`` does that
later from the landed bytes.

Incremental by a ``Bookmark`` (kept by the caller in ``ops``, JSON-serialisable):

* every listing page is requested conditionally (ETag / Last-Modified from the
  previous run); on 304 the links and next page remembered from last time are
  used, so an unchanged board costs one 304 per listing page and nothing else;
* detail pages already seen are not fetched again unless ``revisit_seen`` (then
  conditionally), so a daily run fetches what is new; a listed page whose bytes
  did not change is reported as unchanged, not as new;
* ``max_pages`` caps *all* page requests of the run (listing + detail); the
  crawl interleaves them newest listing first, so a capped run still gets the
  newest ads, and what it missed is fetched next run (it is not in ``seen``).

``listed_urls`` in the outcome lists every detail URL the board still lists
today (from fresh or remembered listings): that is what ``last_seen`` and the
"active" flag of a vacancy are updated from.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup

from etl.sources.http_client import CacheEntry, FetchError, FetchFailed, FetchResult
from etl.sources.jobboard.charset import decode_html

log = logging.getLogger(__name__)

LandCallback = Callable[[dict[str, Any], bytes], Any]


@dataclass
class BoardConfig:
    """How to walk one board. ``from_source`` builds it from the YAML source entry.

    ``pagination``: ``next_link`` (follow ``next_selector`` until there is no
    next link), ``page_param`` (set ``page_param`` = start, start+1 … on the
    start URL until a page lists no detail link or answers 404), or ``none``.
    ``detail_url_pattern`` optionally filters the links ``detail_link_selector``
    finds (a regex searched in the absolute URL).
    """

    name: str
    start_url: str
    detail_link_selector: str = "a[href]"
    pagination: str = "next_link"
    next_selector: str = "a[rel~=next], link[rel~=next]"
    page_param: str = "page"
    page_start: int = 1
    detail_url_pattern: str | None = None
    selectors: dict[str, Any] | None = None
    allowed_hosts: set[str] = field(default_factory=set)
    allow_private: bool = False
    rate_per_second: float = 1.0
    max_pages: int = 500
    language: str | None = None
    revisit_seen: bool = False

    def __post_init__(self) -> None:
        if self.pagination not in ("next_link", "page_param", "none"):
            raise ValueError(
                f"board {self.name}: pagination must be next_link, page_param or none, "
                f"not {self.pagination!r}"
            )
        if not self.allowed_hosts:
            self.allowed_hosts = {urlsplit(self.start_url).hostname or ""}

    @classmethod
    def from_source(cls, source: Any) -> BoardConfig:
        """From an ``etl.config.sources.JobBoardSource`` (or anything shaped like it)."""
        pagination = getattr(source, "pagination", None)
        kwargs: dict[str, Any] = {}
        if pagination is not None:
            kwargs["pagination"] = pagination.mode
            kwargs["next_selector"] = pagination.next_selector
            kwargs["page_param"] = pagination.param
            kwargs["page_start"] = pagination.start
        return cls(
            name=source.name,
            start_url=source.start_url,
            detail_link_selector=source.detail_link_selector,
            selectors=dict(source.selectors) if source.selectors else None,
            allowed_hosts=set(source.allowed_hosts),
            allow_private=source.allow_private,
            rate_per_second=source.rate_per_second,
            max_pages=source.max_pages,
            language=getattr(source, "language", None),
            **kwargs,
        )


@dataclass
class Bookmark:
    """What a board looked like after the last run (stored as JSON in ``ops``).

    ``seen``: detail URL → ``{"etag", "last_modified", "sha256", "first_seen"}``.
    ``listings``: listing URL → validators plus the ``links`` and ``next`` read
    from it, reused when the page answers 304. ``newest_date`` is the newest
    ``date_posted`` loaded so far; the pipeline sets it after parsing.
    """

    seen: dict[str, dict[str, Any]] = field(default_factory=dict)
    listings: dict[str, dict[str, Any]] = field(default_factory=dict)
    newest_date: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"seen": self.seen, "listings": self.listings, "newest_date": self.newest_date}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Bookmark:
        data = data or {}
        return cls(dict(data.get("seen") or {}), dict(data.get("listings") or {}),
                   data.get("newest_date"))

    def copy(self) -> Bookmark:
        return Bookmark.from_json(
            {"seen": {k: dict(v) for k, v in self.seen.items()},
             "listings": {k: dict(v) for k, v in self.listings.items()},
             "newest_date": self.newest_date}
        )


@dataclass
class CrawlOutcome:
    """Counts and lists of one run; ``bookmark`` is what to store for the next."""

    bookmark: Bookmark
    pages_fetched: int = 0
    listing_pages: int = 0
    detail_pages: int = 0
    not_modified: int = 0
    unchanged: int = 0
    skipped_seen: int = 0
    truncated: bool = False
    listed_urls: list[str] = field(default_factory=list)
    new_urls: list[str] = field(default_factory=list)
    changed_urls: list[str] = field(default_factory=list)
    gone_urls: list[str] = field(default_factory=list)
    skipped_offsite: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    stopped_because: str | None = None


def _entry(memo: dict[str, Any] | None) -> CacheEntry | None:
    if not memo:
        return None
    entry = CacheEntry(memo.get("etag"), memo.get("last_modified"), memo.get("sha256"))
    return None if entry.is_empty() else entry


def _set_query(url: str, name: str, value: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    query.append((name, str(value)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def listing_links(
    body: bytes,
    headers: dict[str, str] | None,
    base_url: str,
    config: BoardConfig,
) -> tuple[list[str], str | None]:
    """Detail links (absolute, de-duplicated, in page order) and the next-page URL."""
    text, _, _ = decode_html(body, headers)
    soup = BeautifulSoup(text, "lxml")
    base_tag = soup.find("base", href=True)
    base = urljoin(base_url, base_tag["href"]) if base_tag else base_url
    pattern = re.compile(config.detail_url_pattern) if config.detail_url_pattern else None
    links: list[str] = []
    for el in soup.select(config.detail_link_selector):
        href = el.get("href")
        if not href or str(href).startswith(("javascript:", "mailto:", "tel:")):
            continue
        link = _strip_fragment(urljoin(base, str(href).strip()))
        if pattern and not pattern.search(link):
            continue
        if link not in links:
            links.append(link)
    next_url = None
    if config.pagination == "next_link":
        el = soup.select_one(config.next_selector)
        if el is not None and el.get("href"):
            next_url = _strip_fragment(urljoin(base, str(el["href"]).strip()))
    return links, next_url


def _meta(result: FetchResult, config: BoardConfig, kind: str, **extra: Any) -> dict[str, Any]:
    meta = result.meta()
    meta.update(source=config.name, kind=kind, **extra)
    return meta


def crawl_board(
    client: Any,
    config: BoardConfig,
    *,
    bookmark: Bookmark | None,
    land: LandCallback,
    max_pages: int,
) -> CrawlOutcome:
    """Walk the board within ``max_pages`` requests; see the module docstring.

    Errors on one detail page are recorded in ``failures`` and the crawl goes
    on; an error on a listing page, or a 429/503 that outlasted the retries
    (the server asking us to go away), ends the crawl with ``stopped_because``.
    """
    previous = bookmark or Bookmark()
    new = previous.copy()
    outcome = CrawlOutcome(bookmark=new)
    budget = max_pages
    url: str | None = config.start_url
    page_number = config.page_start
    if config.pagination == "page_param":
        url = _set_query(config.start_url, config.page_param, page_number)
    visited: set[str] = set()

    while url:
        if url in visited:
            outcome.stopped_because = f"pagination loops back to {url}"
            break
        if budget <= 0:
            outcome.truncated = True
            outcome.stopped_because = f"max_pages ({max_pages}) reached"
            break
        visited.add(url)
        memo = previous.listings.get(url)
        try:
            result = client.get(url, conditional=_entry(memo))
        except FetchError as exc:
            outcome.failures.append((exc.url, exc.reason))
            outcome.stopped_because = f"listing page failed: {exc}"
            break
        budget -= 1
        outcome.pages_fetched += 1
        outcome.listing_pages += 1
        land(_meta(result, config, "listing", page_number=page_number), result.body)

        if result.not_modified and memo is not None:
            outcome.not_modified += 1
            links, next_url = list(memo.get("links") or []), memo.get("next")
            new.listings[url] = memo
        elif result.not_modified:
            outcome.failures.append((url, "304 without a remembered listing; fetch again later"))
            new.listings.pop(url, None)
            outcome.stopped_because = "listing answered 304 but nothing is remembered for it"
            break
        elif result.status != 200:
            if config.pagination == "page_param" and result.status == 404 and page_number > config.page_start:
                outcome.stopped_because = f"page {page_number} answered 404 (end of listing)"
            else:
                outcome.failures.append((url, f"listing page answered HTTP {result.status}"))
                outcome.stopped_because = f"listing page answered HTTP {result.status}"
            break
        else:
            links, next_url = listing_links(result.body, result.headers, result.final_url, config)
            new.listings[url] = {
                **result.cache_entry.to_dict(),
                "links": links,
                "next": next_url,
            }

        on_site = []
        for link in links:
            if client.host_allowed(link):
                on_site.append(link)
            elif link not in outcome.skipped_offsite:
                outcome.skipped_offsite.append(link)
        outcome.listed_urls.extend(u for u in on_site if u not in outcome.listed_urls)

        stop = _fetch_details(client, config, on_site, previous, new, outcome, land, budget)
        budget = max_pages - outcome.pages_fetched
        if stop:
            break

        if config.pagination == "next_link":
            url = next_url
            page_number += 1
        elif config.pagination == "page_param":
            if not links:
                outcome.stopped_because = f"page {page_number} lists no detail link"
                break
            page_number += 1
            url = _set_query(config.start_url, config.page_param, page_number)
        else:
            url = None
    if outcome.stopped_because is None:
        outcome.stopped_because = "no next page"
    return outcome


def _fetch_details(
    client: Any,
    config: BoardConfig,
    links: Iterable[str],
    previous: Bookmark,
    new: Bookmark,
    outcome: CrawlOutcome,
    land: LandCallback,
    budget: int,
) -> bool:
    """Fetch the detail pages of one listing; True when the crawl must stop."""
    for link in links:
        old = previous.seen.get(link)
        if old is not None and not config.revisit_seen:
            outcome.skipped_seen += 1
            continue
        if budget <= 0:
            outcome.truncated = True
            outcome.stopped_because = "max_pages reached"
            return True
        try:
            result = client.get(link, conditional=_entry(old))
        except FetchFailed as exc:
            outcome.failures.append((exc.url, exc.reason))
            if exc.status in (429, 503):
                outcome.stopped_because = f"server asked us to back off: {exc}"
                return True
            continue
        except FetchError as exc:
            outcome.failures.append((exc.url, exc.reason))
            continue
        budget -= 1
        outcome.pages_fetched += 1
        unchanged = result.not_modified or (
            old is not None and result.sha256 is not None and old.get("sha256") == result.sha256
        )
        land(_meta(result, config, "detail", unchanged=unchanged), result.body)
        if result.not_modified:
            outcome.not_modified += 1
            continue
        if result.status in (404, 410):
            outcome.gone_urls.append(link)
            new.seen.pop(link, None)
            continue
        if result.status != 200:
            outcome.failures.append((link, f"detail page answered HTTP {result.status}"))
            continue
        outcome.detail_pages += 1
        entry = {**result.cache_entry.to_dict(),
                 "first_seen": (old or {}).get("first_seen") or result.fetched_at.isoformat()}
        new.seen[link] = entry
        if old is None:
            outcome.new_urls.append(link)
        elif unchanged:
            outcome.unchanged += 1
        else:
            outcome.changed_urls.append(link)
    return False
