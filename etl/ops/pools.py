"""Airflow pools per host: parallel tasks never exceed a board's or feed's rate limit.

The HTTP client keeps each source under its ``rate_per_second`` inside one process;
two tasks on two workers hitting the same host would double that. Every web source
therefore runs in the pool of its host (``lmis_host_<host>``) with one slot, so only
one task talks to a host at a time, on any worker. Drop-folder sources use Airflow's
default pool.

``python -m etl.ops.pools > pools.json && airflow pools import pools.json`` creates
them (deploy/ does this on start); a task whose pool does not exist is never
scheduled, so the deployment must run it whenever a host is added to the configuration.
"""

from __future__ import annotations

import json
import re
import sys
from urllib.parse import urlsplit

SLOTS_PER_HOST = 1


def pool_name(host: str) -> str:
    return "lmis_host_" + re.sub(r"[^a-z0-9]+", "_", host.lower()).strip("_")


def source_host(raw: dict) -> str | None:
    """The host a web source fetches from (its start URL's), or None for drop folders."""
    url = raw.get("start_url") or raw.get("url")
    if not url or "${" in urlsplit(str(url)).netloc:
        hosts = raw.get("allowed_hosts") or []
        return str(hosts[0]) if hosts else None
    return urlsplit(str(url)).hostname


def pools(sources: list[dict]) -> dict[str, dict]:
    """Pool definitions in the format of ``airflow pools import``."""
    out: dict[str, dict] = {}
    for raw in sources:
        if raw.get("kind") not in ("jobboard", "pes_api") or raw.get("enabled") is False:
            continue
        host = source_host(raw)
        if not host:
            continue
        entry = out.setdefault(pool_name(host), {
            "slots": SLOTS_PER_HOST, "include_deferred": False,
            "description": f"LMIS sources fetching from {host}: ",
        })
        entry["description"] += ("" if entry["description"].endswith(": ") else ", ") + \
            str(raw.get("name"))
    return out


def main() -> int:
    from etl.orchestration import raw_sources

    json.dump(pools(raw_sources()), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
