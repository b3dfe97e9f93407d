"""Filtered data queries against an SDMX 2.1 REST endpoint (ILOSTAT's by default).

``fetch_sdmx`` asks for one dataflow, one key and one period range, as
``{endpoint}/data/{agency},{flow},{version}/{key}?startPeriod=…&endPeriod=…``, in
SDMX-ML generic data (self-describing: it parses without the DSD). Unfiltered
queries are refused here, before ILOSTAT refuses them as too large.

The dataflow's structure (``dataflow/…?references=all``: DSD, codelists,
concepts) is fetched once and cached in ``cache_dir``; it checks that the key
has one part per dimension and tells attributes from dimensions when reading.

The client is polite: a user agent naming the project, timeouts, and a few
retries on 429/5xx honouring ``Retry-After``. A 404 is SDMX's "no results
found" and yields an empty batch with a message, not an error.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import requests
import sdmx

from etl.sources.statistics.batch import StatisticsBatch
from etl.sources.statistics.sdmx_files import batch_from_message, quiet_sdmx

DEFAULT_ENDPOINT = "https://sdmx.ilo.org/rest"
USER_AGENT = "reintegration-lmis/0.1 (+https://github.com/; statistics fetch)"
DATA_ACCEPT = "application/vnd.sdmx.genericdata+xml;version=2.1"
STRUCTURE_ACCEPT = "application/vnd.sdmx.structure+xml;version=2.1"
TIMEOUT = (10, 120)
MAX_ATTEMPTS = 4
MAX_WAIT_SECONDS = 60.0
MAX_BYTES = 200 * 1024 * 1024

_FLOW = re.compile(
    r"^(?:(?P<agency>[A-Za-z0-9_.@-]+)[,:])?(?P<id>[A-Za-z0-9_@.-]+?)"
    r"(?:[,(](?P<version>[0-9A-Za-z.+*~-]+)\)?)?$"
)


class SdmxQueryError(ValueError):
    """A query that must not be sent, or an endpoint answer that cannot be used."""


def parse_flow(flow: str) -> tuple[str | None, str, str | None]:
    """'ILO,DF_X,1.0' or 'ILO:DF_X(1.0)' or 'DF_X' -> (agency, id, version)."""
    m = _FLOW.match(flow.strip())
    if not m:
        raise SdmxQueryError(
            f"dataflow {flow!r} is not 'AGENCY,ID,VERSION', 'AGENCY:ID(VERSION)' or 'ID'"
        )
    return m.group("agency"), m.group("id"), m.group("version")


def check_key(key: str) -> list[str]:
    """The key's parts; refuses an empty or all-wildcard key (an unfiltered query)."""
    key = (key or "").strip()
    if key.lower() in {"", "all", "*"}:
        raise SdmxQueryError(
            "refusing an unfiltered SDMX query: give a key such as 'SEN.A..SEX_T.' "
            "(ILOSTAT refuses whole-dataflow queries as too large)"
        )
    parts = key.split(".")
    if all(p.strip() in {"", "*"} for p in parts):
        raise SdmxQueryError(f"refusing an unfiltered SDMX query: key {key!r} filters no dimension")
    return parts


def _get(
    session: requests.Session, url: str, *, params: dict | None, accept: str
) -> requests.Response:
    last: requests.Response | None = None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        response = session.get(
            url,
            params=params,
            headers={"Accept": accept, "User-Agent": USER_AGENT},
            timeout=TIMEOUT,
            stream=True,
        )
        if response.status_code not in {429, 500, 502, 503, 504} or attempt == MAX_ATTEMPTS:
            body = response.raw.read(MAX_BYTES + 1, decode_content=True)
            if len(body) > MAX_BYTES:
                raise SdmxQueryError(f"{response.url}: response larger than {MAX_BYTES} bytes")
            response._content = body
            return response
        last = response
        response.close()
        time.sleep(_wait_seconds(last, attempt))
    assert last is not None  # pragma: no cover
    return last


def _wait_seconds(response: requests.Response, attempt: int) -> float:
    retry_after = response.headers.get("Retry-After")
    if retry_after:
        try:
            return min(float(retry_after), MAX_WAIT_SECONDS)
        except ValueError:
            try:
                when = parsedate_to_datetime(retry_after)
                return max(0.0, min((when - datetime.now(UTC)).total_seconds(), MAX_WAIT_SECONDS))
            except (TypeError, ValueError):
                pass
    return min(2.0 ** (attempt - 1), MAX_WAIT_SECONDS)


def load_structure(
    endpoint: str,
    flow: str,
    *,
    session: requests.Session,
    cache_dir: Path | None,
) -> tuple[Any, Any, str | None]:
    """(dataflow, DSD, message) for ``flow``; from ``cache_dir`` when cached there."""
    agency, flow_id, version = parse_flow(flow)
    url = f"{endpoint.rstrip('/')}/dataflow/{agency or 'all'}/{flow_id}/{version or 'latest'}"
    cached = None
    if cache_dir is not None:
        cache_dir = Path(cache_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(url.encode()).hexdigest()[:12]
        cached = (
            cache_dir / f"structure_{agency or 'all'}_{flow_id}_{version or 'latest'}_{digest}.xml"
        )
    if cached is not None and cached.is_file():
        body = cached.read_bytes()
    else:
        response = _get(session, url, params={"references": "all"}, accept=STRUCTURE_ACCEPT)
        if response.status_code != 200:
            return (
                None,
                None,
                f"structure of {flow} not available ({response.status_code} from {response.url})",
            )
        body = response.content
        if cached is not None:
            tmp = cached.with_suffix(".part")
            tmp.write_bytes(body)
            tmp.replace(cached)  # atomic: a half-written cache never looks complete
    try:
        msg = sdmx.read_sdmx(io.BytesIO(body))
    except Exception as exc:
        if cached is not None:
            cached.unlink(missing_ok=True)
        return None, None, f"structure of {flow} unreadable ({exc})"
    dataflow = msg.dataflow.get(flow_id) if msg.dataflow else None
    dsd = getattr(dataflow, "structure", None) if dataflow is not None else None
    if (dsd is None or not len(dsd.dimensions)) and msg.structure:
        dsd = next(iter(msg.structure.values()))
    return dataflow, dsd, None


def fetch_sdmx(
    endpoint: str,
    flow: str,
    key: str,
    start_period: str,
    end_period: str,
    *,
    session: requests.Session | None = None,
    cache_dir: Path | None = None,
    raw_dir: Path | None = None,
) -> StatisticsBatch:
    """Fetch one filtered data query and read it into a :class:`StatisticsBatch`.

    ``flow`` is 'ILO,DF_EMP_TEMP_SEX_OC2_NB,1.0' (or 'DF_…'); ``key`` one code (or
    '+'-joined codes, or empty for all) per dimension, '.'-separated; periods in SDMX form
    ('2024', '2024-Q1', '2024-03'). ``raw_dir``, when given, receives the response bytes
    and a JSON sidecar (URL, time, status, sha256) before anything parses them.
    """
    endpoint = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
    parts = check_key(key)
    if not start_period or not end_period:
        raise SdmxQueryError("startPeriod and endPeriod are required (the run's data interval)")
    agency, flow_id, version = parse_flow(flow)
    own_session = session is None
    session = session or requests.Session()
    try:
        dataflow, dsd, structure_note = load_structure(
            endpoint, flow, session=session, cache_dir=cache_dir
        )
        if dsd is not None:
            n_dims = len([d for d in dsd.dimensions if d.id != "TIME_PERIOD"])
            if n_dims and len(parts) != n_dims:
                raise SdmxQueryError(
                    f"key {key!r} has {len(parts)} parts; dataflow {flow_id} has {n_dims} dimensions "
                    f"({', '.join(d.id for d in dsd.dimensions if d.id != 'TIME_PERIOD')})"
                )
        flow_ref = ",".join(p for p in (agency, flow_id, version) if p)
        url = f"{endpoint}/data/{flow_ref}/{key.strip()}"
        params = {"startPeriod": start_period, "endPeriod": end_period}
        response = _get(session, url, params=params, accept=DATA_ACCEPT)
    finally:
        if own_session:
            session.close()
    fetched_at = datetime.now(UTC).isoformat()
    if raw_dir is not None:
        _land(Path(raw_dir), response, fetched_at)
    messages = [note for note in (structure_note,) if note]
    if response.status_code == 404:
        messages.append(f"no results for {response.url} (404: SDMX 'NoResultsFound')")
        return StatisticsBatch.from_records(
            [], [], source_file=response.url, format="sdmx-ml-generic", messages=messages
        )
    if response.status_code != 200:
        snippet = response.content[:300].decode("utf-8", errors="replace")
        raise SdmxQueryError(f"{response.url}: HTTP {response.status_code}: {snippet}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{flow_id}.xml"
        path.write_bytes(response.content)
        kwargs = {"structure": dsd} if dsd is not None else {}
        try:
            with quiet_sdmx():
                msg = sdmx.read_sdmx(path, **kwargs)
        except Exception as exc:
            raise SdmxQueryError(
                f"{response.url}: response is not a readable SDMX message ({exc})"
            ) from exc
        batch = batch_from_message(msg, path, dsd_known=dsd is not None, flow=flow_id)
    batch.source_file = response.url
    batch.messages = messages + batch.messages
    for frame in (batch.observations, batch.rejected):
        if len(frame):
            frame["source_row"] = frame["source_row"].str.replace(
                f"{flow_id}.xml!", f"{response.url}!", regex=False
            )
    return batch


def _land(raw_dir: Path, response: requests.Response, fetched_at: str) -> Path:
    raw_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(response.content).hexdigest()
    body = raw_dir / f"sdmx_{digest[:16]}.xml"
    body.write_bytes(response.content)
    meta = {
        "url": response.url,
        "status": response.status_code,
        "fetched_at": fetched_at,
        "sha256": digest,
        "content_type": response.headers.get("Content-Type"),
        "bytes": len(response.content),
    }
    body.with_suffix(".json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return body
