"""The one polite HTTP client that every HTTP source of the LMIS uses.

Why one client: an observatory that gets its IP blocked by a job board loses
its most timely demand signal, and the board's operator is entitled to know who
is crawling and to be left alone when they say so. Putting timeouts, the user
agent, robots.txt, the per-host rate limit, retries, size caps and the host
allow-list in one place means no source can forget one of them.

What it guarantees, per ``PoliteClient.get``:

* only ``http``/``https`` URLs whose host is in ``allowed_hosts`` are fetched,
  and redirects are followed by hand so that each hop is checked the same way;
* hosts resolving to private, loopback, link-local, multicast or reserved
  addresses are refused unless ``allow_private`` (the demo and the tests run on
  127.0.0.1) — this stops a configuration typo or a malicious redirect from
  reaching the observatory's own network;
* robots.txt is read once per origin and honoured (RFC 9309: a 4xx robots.txt
  means "no rules", a 5xx or unreachable one means "do not crawl");
  a ``Crawl-delay`` there slows the per-host rate further;
* at most ``rate_per_host`` requests per second go to one host;
* connection errors, timeouts, 429 and 5xx are retried with exponential
  backoff; ``Retry-After`` (seconds or HTTP date) is honoured, up to a cap;
* the body is streamed and refused beyond ``max_bytes`` (after decompression,
  so a gzip bomb is refused too);
* a ``CacheEntry`` turns the request into a conditional one (ETag /
  Last-Modified) and a 304 comes back as ``not_modified=True``.

Other 4xx statuses (404, 410 …) are returned, not raised: for a crawler a
vanished vacancy page is information, not an error.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests

log = logging.getLogger(__name__)

#: Response headers kept with every landed response (lower-case names).
SELECTED_HEADERS: tuple[str, ...] = (
    "content-type",
    "content-length",
    "content-language",
    "content-encoding",
    "etag",
    "last-modified",
    "date",
    "cache-control",
    "expires",
    "location",
    "retry-after",
    "x-robots-tag",
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 507, 508, 509, 520, 521, 522, 523, 524})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """Base of the client's errors; always names the URL and the reason."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class FetchRefused(FetchError):
    """We chose not to fetch (or not to keep) this URL: policy, not bad luck.

    Host not configured, private address, robots.txt disallow, oversized body,
    unsupported scheme, too many redirects. Retrying will not help.
    """


class FetchFailed(FetchError):
    """The server or the network did not give us the page after all retries."""

    def __init__(
        self, url: str, reason: str, *, status: int | None = None, attempts: int = 0
    ) -> None:
        super().__init__(url, reason)
        self.status = status
        self.attempts = attempts


@dataclass(frozen=True)
class CacheEntry:
    """Validators of a previous response, for a conditional request.

    ``sha256`` is the checksum of the body we already hold; a 304 answer
    carries it forward so the caller can link it to the stored raw file.
    """

    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], sha256: str | None = None) -> CacheEntry:
        lower = {k.lower(): v for k, v in headers.items()}
        return cls(lower.get("etag"), lower.get("last-modified"), sha256)

    def is_empty(self) -> bool:
        return not (self.etag or self.last_modified)

    def to_dict(self) -> dict[str, str | None]:
        return {"etag": self.etag, "last_modified": self.last_modified, "sha256": self.sha256}

    @classmethod
    def from_dict(cls, data: Mapping[str, str | None]) -> CacheEntry:
        return cls(data.get("etag"), data.get("last_modified"), data.get("sha256"))


@dataclass(frozen=True)
class FetchResult:
    """One HTTP response as received, ready to be landed in ``raw``."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    sha256: str | None
    fetched_at: datetime
    not_modified: bool = False
    attempts: int = 1
    redirects: tuple[str, ...] = ()

    @property
    def cache_entry(self) -> CacheEntry:
        """Validators to send next time (empty if the server gave none)."""
        return CacheEntry.from_headers(self.headers, self.sha256)

    def meta(self) -> dict[str, object]:
        """Description without the body (what the raw store and ledger record).

        ``fetched_at`` stays a timezone-aware ``datetime`` (the raw store writes
        it to a timestamp column); everything else is JSON-ready.
        """
        return {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "headers": dict(self.headers),
            "sha256": self.sha256,
            "fetched_at": self.fetched_at,
            "not_modified": self.not_modified,
            "attempts": self.attempts,
            "redirects": list(self.redirects),
            "size": len(self.body),
        }


@dataclass
class _HostState:
    next_allowed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _normalise_host_entry(entry: str) -> str:
    entry = entry.strip().lower()
    if "://" in entry:
        entry = urlsplit(entry).netloc
    return entry.rstrip(".")


class PoliteClient:
    """A ``requests.Session`` wrapped in the crawling rules of the LMIS.

    ``allowed_hosts`` holds host names (``jobs.example.org``), optionally with
    a port (``127.0.0.1:8080`` restricts to that port) or a wildcard for
    sub-domains (``*.example.org``). ``user_agent`` must name the operator and
    a contact, e.g. ``"ReintegrationLMIS/0.1 (+https://observatoire.example;
    data@observatoire.example)"``; an empty one is refused.
    """

    def __init__(
        self,
        user_agent: str,
        allowed_hosts: set[str],
        allow_private: bool = False,
        rate_per_host: float = 1.0,
        timeout: tuple[float, float] = (5, 30),
        max_bytes: int = 5_000_000,
        max_retries: int = 4,
        backoff: float = 0.5,
        *,
        max_retry_after: float = 120.0,
        max_redirects: int = 5,
        respect_robots: bool = True,
        total_timeout: float | None = 300.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not user_agent or not user_agent.strip():
            raise ValueError("user_agent must name the operator and a contact; got an empty one")
        if rate_per_host <= 0:
            raise ValueError(f"rate_per_host must be > 0, got {rate_per_host}")
        if not allowed_hosts:
            raise ValueError("allowed_hosts is empty: name the hosts this source may fetch from")
        self.user_agent = user_agent.strip()
        self.allowed_hosts = {_normalise_host_entry(h) for h in allowed_hosts}
        self.allow_private = allow_private
        self.rate_per_host = rate_per_host
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.max_redirects = max_redirects
        self.respect_robots = respect_robots
        self.total_timeout = total_timeout
        self._sleep = sleep
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = self.user_agent
        self.session.headers.setdefault("Accept-Encoding", "gzip, deflate")
        self._hosts: dict[str, _HostState] = {}
        self._hosts_lock = threading.Lock()
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._robots_reason: dict[str, str] = {}
        self._crawl_delay: dict[str, float] = {}
        self._robots_lock = threading.Lock()
        self._address_ok: dict[str, bool] = {}

    # ------------------------------------------------------------------ policy
    def host_allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        if not host:
            return False
        netloc = f"{host}:{parts.port}" if parts.port else host
        for entry in self.allowed_hosts:
            if entry.startswith("*."):
                if host.endswith(entry[1:]) or host == entry[2:]:
                    return True
            elif entry in (host, netloc):
                return True
        return False

    def _check_url(self, url: str, *, origin: str | None = None) -> None:
        parts = urlsplit(url)
        what = f"redirect from {origin} to" if origin else "host"
        if parts.scheme not in ("http", "https"):
            raise FetchRefused(url, f"scheme {parts.scheme!r} is not http or https")
        if not self.host_allowed(url):
            raise FetchRefused(
                url,
                f"{what} {parts.hostname!r} is not among the configured hosts "
                f"({', '.join(sorted(self.allowed_hosts))})",
            )
        if not self.allow_private:
            self._check_address(url, parts.hostname or "", parts.port)

    def _check_address(self, url: str, host: str, port: int | None) -> None:
        if host in self._address_ok:
            if not self._address_ok[host]:
                raise FetchRefused(url, f"host {host!r} resolves to a private address")
            return
        try:
            infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
        except socket.gaierror as exc:
            raise FetchFailed(url, f"cannot resolve host {host!r}: {exc}") from exc
        for info in infos:
            addr = ipaddress.ip_address(info[4][0].split("%")[0])
            if (
                addr.is_private
                or addr.is_loopback
                or addr.is_link_local
                or addr.is_multicast
                or addr.is_reserved
                or addr.is_unspecified
            ):
                self._address_ok[host] = False
                raise FetchRefused(
                    url,
                    f"host {host!r} resolves to {addr}, a private/loopback/link-local address; "
                    "set allow_private in the source configuration to permit it",
                )
        self._address_ok[host] = True

    # -------------------------------------------------------------- rate limit
    def _host_key(self, url: str) -> str:
        parts = urlsplit(url)
        return (parts.netloc or "").lower()

    def _wait_turn(self, url: str) -> None:
        key = self._host_key(url)
        with self._hosts_lock:
            state = self._hosts.setdefault(key, _HostState())
        interval = max(1.0 / self.rate_per_host, self._crawl_delay.get(key, 0.0))
        with state.lock:
            now = time.monotonic()
            if state.next_allowed > now:
                self._sleep(state.next_allowed - now)
                now = time.monotonic()
            state.next_allowed = now + interval

    # ------------------------------------------------------------------ robots
    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            if origin in self._robots:
                return self._robots[origin]
            robots_url = origin + "/robots.txt"
            parser: urllib.robotparser.RobotFileParser | None
            try:
                result = self._fetch(robots_url, conditional=None, check_robots=False)
            except FetchRefused as exc:
                parser, reason = None, f"robots.txt refused: {exc.reason}"
            except FetchFailed as exc:
                parser, reason = None, f"robots.txt unreachable ({exc.reason})"
            else:
                parser = urllib.robotparser.RobotFileParser(robots_url)
                if result.status >= 500:
                    parser, reason = None, f"robots.txt answered HTTP {result.status}"
                elif result.status >= 400:
                    parser.parse([])  # RFC 9309 §2.3.1.3: unavailable → no rules
                    reason = ""
                else:
                    text = result.body.decode("utf-8", errors="replace")
                    parser.parse(text.splitlines())
                    reason = ""
                    delay = _crawl_delay(text, self.user_agent)
                    if delay:
                        self._crawl_delay[parts.netloc.lower()] = float(delay)
            self._robots[origin] = parser
            self._robots_reason[origin] = reason
            return parser

    def robots_allows(self, url: str) -> tuple[bool, str]:
        """Whether robots.txt lets our user agent fetch ``url``, and why not."""
        if not self.respect_robots:
            return True, ""
        parser = self._robots_for(url)
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parser is None:
            return False, self._robots_reason.get(origin) or "robots.txt unavailable"
        if parser.can_fetch(self.user_agent, url):
            return True, ""
        return False, f"disallowed by {origin}/robots.txt for user agent {self.user_agent!r}"

    # -------------------------------------------------------------------- get
    def get(self, url: str, *, conditional: CacheEntry | None = None) -> FetchResult:
        """Fetch ``url`` under every rule above; see the module docstring."""
        return self._fetch(url, conditional=conditional, check_robots=True)

    def _fetch(
        self, url: str, *, conditional: CacheEntry | None, check_robots: bool
    ) -> FetchResult:
        self._check_url(url)
        current = url
        redirects: list[str] = []
        total_attempts = 0
        while True:
            if check_robots:
                ok, why = self.robots_allows(current)
                if not ok:
                    raise FetchRefused(current, why)
            response, attempts, body = self._request_with_retries(
                current, conditional if not redirects else None
            )
            total_attempts += attempts
            if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                target = urljoin(current, response.headers["location"])
                response.close()
                if len(redirects) >= self.max_redirects:
                    raise FetchRefused(url, f"more than {self.max_redirects} redirects")
                self._check_url(target, origin=current)
                redirects.append(target)
                current = target
                continue
            headers = {
                k: response.headers[k] for k in SELECTED_HEADERS if k in response.headers
            }
            fetched_at = datetime.now(UTC)
            if response.status_code == 304:
                return FetchResult(
                    url=url,
                    final_url=current,
                    status=304,
                    headers=headers,
                    body=b"",
                    sha256=conditional.sha256 if conditional else None,
                    fetched_at=fetched_at,
                    not_modified=True,
                    attempts=total_attempts,
                    redirects=tuple(redirects),
                )
            return FetchResult(
                url=url,
                final_url=current,
                status=response.status_code,
                headers=headers,
                body=body,
                sha256=hashlib.sha256(body).hexdigest(),
                fetched_at=fetched_at,
                attempts=total_attempts,
                redirects=tuple(redirects),
            )

    def _request_with_retries(
        self, url: str, conditional: CacheEntry | None
    ) -> tuple[requests.Response, int, bytes]:
        headers: dict[str, str] = {}
        if conditional is not None:
            if conditional.etag:
                headers["If-None-Match"] = conditional.etag
            if conditional.last_modified:
                headers["If-Modified-Since"] = conditional.last_modified
        last_reason = ""
        last_status: int | None = None
        for attempt in range(self.max_retries + 1):
            self._wait_turn(url)
            delay = self.backoff * (2**attempt)
            try:
                response = self.session.get(
                    url,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                    stream=True,
                )
            except requests.Timeout as exc:
                last_reason, last_status = f"timed out ({exc.__class__.__name__})", None
            except requests.ConnectionError as exc:
                last_reason, last_status = f"connection error: {exc}", None
            else:
                if response.status_code in RETRY_STATUSES:
                    last_status = response.status_code
                    last_reason = f"HTTP {response.status_code}"
                    retry_after = _retry_after_seconds(response.headers.get("retry-after"))
                    response.close()
                    if retry_after is not None:
                        if retry_after > self.max_retry_after:
                            raise FetchFailed(
                                url,
                                f"HTTP {last_status} with Retry-After {retry_after:.0f}s, "
                                f"beyond the {self.max_retry_after:.0f}s we wait",
                                status=last_status,
                                attempts=attempt + 1,
                            )
                        delay = max(delay, retry_after)
                else:
                    try:
                        body = self._read_capped(url, response)
                    except requests.Timeout as exc:
                        last_reason, last_status = f"timed out reading body ({exc})", None
                    except requests.ConnectionError as exc:
                        last_reason, last_status = f"connection broke reading body ({exc})", None
                    else:
                        return response, attempt + 1, body
            if attempt < self.max_retries:
                log.info("retrying %s in %.2fs after %s", url, delay, last_reason)
                self._sleep(delay)
        raise FetchFailed(
            url,
            f"{last_reason} after {self.max_retries + 1} attempts",
            status=last_status,
            attempts=self.max_retries + 1,
        )

    def _read_capped(self, url: str, response: requests.Response) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            response.close()
            raise FetchRefused(
                url, f"response of {int(declared):,} bytes exceeds the {self.max_bytes:,} cap"
            )
        chunks: list[bytes] = []
        size = 0
        started = time.monotonic()
        try:
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchRefused(
                        url, f"response exceeds the {self.max_bytes:,}-byte cap (stopped reading)"
                    )
                if self.total_timeout and time.monotonic() - started > self.total_timeout:
                    raise requests.Timeout(f"body took longer than {self.total_timeout}s")
                chunks.append(chunk)
        except requests.exceptions.ChunkedEncodingError as exc:
            raise requests.ConnectionError(str(exc)) from exc
        finally:
            response.close()
        return b"".join(chunks)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: an integer, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _crawl_delay(robots_txt: str, user_agent: str) -> float | None:
    """``Crawl-delay`` for our agent (else for ``*``), fractions allowed.

    The standard library only reads whole seconds; many sites write ``0.5``.
    """
    token = user_agent.split("/")[0].strip().lower()
    delays: dict[str, float] = {}
    agents: list[str] = []
    in_rules = False
    for line in robots_txt.splitlines():
        line = line.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if in_rules:
                agents, in_rules = [], False
            agents.append(value.lower())
        else:
            in_rules = True
            if key == "crawl-delay":
                try:
                    delay = float(value)
                except ValueError:
                    continue
                for agent in agents:
                    delays.setdefault(agent, delay)
    for agent, delay in delays.items():
        if agent != "*" and agent in token:
            return delay
    return delays.get("*")


def hosts_of(urls: Iterable[str]) -> set[str]:
    """The netlocs of some URLs: a convenient default for ``allowed_hosts``."""
    return {urlsplit(u).netloc.lower() for u in urls if urlsplit(u).netloc}
