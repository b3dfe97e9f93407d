"""``lmis extract jobposting PATH_OR_URL [--url URL]``: the vacancies on one page.

For a data engineer adding a board (does our parser read it? which selectors
does it need?) and for anyone checking what the LMIS makes of an ad. Prints one
JSON object per vacancy (the fields documented in ``docs/vacancies.md``); with
no vacancy it prints nothing on stdout, says why on stderr and exits 0, so the
command can run over a folder of pages in a shell loop.

A URL is fetched with the same polite client as the crawler (robots.txt, a user
agent naming the operator, size cap, no private addresses unless
``--allow-private``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_USER_AGENT = "ReintegrationLMIS/0.1 (+lmis extract jobposting; operator not configured)"


def add_extract_parser(extract_subparsers: Any) -> argparse.ArgumentParser:
    p = extract_subparsers.add_parser(
        "jobposting",
        help="print the vacancies found on one job-board page (file or URL) as JSON lines",
        description="Parse one job-board page (schema.org JobPosting JSON-LD, microdata, or the "
        "CSS selectors of a configured board) and print one normalised vacancy per line as "
        "JSON: url, source_id, title, employer_name, date_posted, valid_through, "
        "employment_type, is_remote, locality, country_code, region_code, salary_min, "
        "salary_max, salary_currency, salary_period, description_text, language (null when "
        "unknown). With no vacancy, prints nothing, gives the reason on stderr and exits 0.",
    )
    p.add_argument("target", metavar="PATH_OR_URL", help="a saved HTML page, '-' for stdin, or a URL")
    p.add_argument("--url", metavar="URL",
                   help="the address the saved page came from (resolves relative links; "
                   "the vacancy's url when the page does not say)")
    p.add_argument("--content-type", metavar="VALUE",
                   help="the page's HTTP Content-Type header, if known (its charset is trusted "
                   "before the page's own meta tag)")
    p.add_argument("--selectors", type=Path, metavar="FILE",
                   help="CSS selectors for pages without structured data (YAML or JSON mapping: "
                   "title, employer_name, location, date_posted, salary, description …)")
    p.add_argument("--board", metavar="NAME",
                   help="use the selectors and region aliases of this jobboard source of the "
                   "configuration (see --config)")
    p.add_argument("--config", metavar="FILE", help="source configuration for --board")
    p.add_argument("--country", metavar="CC",
                   help="ISO 3166-1 alpha-2 country assumed when the ad names none")
    p.add_argument("--source", default=None, help="source name written in each record")
    p.add_argument("--fetched-at", metavar="ISO_TIME",
                   help="when the page was fetched, for relative dates such as 'il y a 3 jours' "
                   "(default: the file's modification time, or now for a URL)")
    p.add_argument("--user-agent", default=os.environ.get("LMIS_USER_AGENT", DEFAULT_USER_AGENT),
                   help="user agent for URLs; name yourself and a contact (env LMIS_USER_AGENT)")
    p.add_argument("--allow-private", action="store_true",
                   help="allow fetching from private/loopback addresses (local test servers)")
    p.set_defaults(func=run)
    return p


def _err(message: str) -> None:
    print(f"lmis extract jobposting: {message}", file=sys.stderr)


def _load_selectors(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SystemExit(_fail(f"selectors file not found: {path}")) from None
    except yaml.YAMLError as exc:
        raise SystemExit(_fail(f"{path}: not valid YAML/JSON: {exc}")) from None
    if not isinstance(data, dict):
        raise SystemExit(_fail(f"{path}: selectors must be a mapping of field → CSS selector"))
    nested = data.get("selectors")
    return nested if isinstance(nested, dict) else data


def _fail(message: str) -> int:
    _err(message)
    return 2


def _fetched_at(args: argparse.Namespace, path: Path | None) -> datetime:
    if args.fetched_at:
        when = datetime.fromisoformat(args.fetched_at.replace("Z", "+00:00"))
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    if path is not None:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    return datetime.now(UTC)


def run(args: argparse.Namespace) -> int:
    from etl.normalise.vacancy import normalise_vacancy
    from etl.sources.http_client import FetchError, PoliteClient
    from etl.sources.jobboard.parse import parse_job_page

    selectors: dict[str, Any] | None = None
    aliases: dict[str, str] | None = None
    country = args.country.upper() if args.country else None
    source = args.source
    if args.board:
        from etl.config.sources import ConfigError, config_path, load_config

        try:
            config = load_config(config_path(args.config))
            board = config.source(args.board)
        except (ConfigError, KeyError) as exc:
            return _fail(str(exc))
        if board.kind != "jobboard":
            return _fail(f"source {args.board!r} is a {board.kind} source, not a jobboard")
        selectors = dict(board.selectors or {}) or None
        aliases = dict(config.region_aliases)
        country = country or config.country
        source = source or board.name
    if args.selectors:
        selectors = _load_selectors(args.selectors)

    headers: dict[str, str] = {}
    if args.content_type:
        headers["Content-Type"] = args.content_type
    target: str = args.target
    path: Path | None = None
    if target.startswith(("http://", "https://")):
        host = urlsplit(target).netloc
        try:
            with PoliteClient(args.user_agent, {host}, allow_private=args.allow_private,
                              max_retries=2) as client:
                result = client.get(target)
        except FetchError as exc:
            return _fail(str(exc))
        if result.status != 200:
            return _fail(f"{target}: HTTP {result.status}")
        body, url = result.body, result.final_url
        headers = {**result.headers, **headers}
    elif target == "-":
        body, url = sys.stdin.buffer.read(), args.url or "stdin"
    else:
        path = Path(target)
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            return _fail(f"file not found: {path}")
        except IsADirectoryError:
            return _fail(f"{path} is a directory; give one page")
        url = args.url or path.resolve().as_uri()
    try:
        fetched_at = _fetched_at(args, path)
    except ValueError as exc:
        return _fail(f"--fetched-at: {exc}")

    parsed = parse_job_page(body, url=url, headers=headers or None, selectors=selectors,
                            fetched_at=fetched_at)
    for warning in parsed.warnings:
        _err(f"note: {warning}")
    if not parsed.vacancies:
        _err(f"no vacancy found in {target}: {parsed.reason}")
        return 0
    source = source or (urlsplit(url).hostname or "file")
    for raw in parsed.vacancies:
        record = normalise_vacancy(raw, source=source, fetched_at=fetched_at,
                                   default_country=country, region_aliases=aliases)
        print(json.dumps(record, ensure_ascii=False))
    return 0
