"""The per-record stages before loading, as pure functions a worker process can run.

A landed record is one JSON-LD JobPosting per line (what a crawl extracts from a
detail page). ``parse`` turns it into raw vacancy dicts with the job-board
parser's own JSON-LD reader; ``normalise`` is ``normalise_vacancy``. Both are
timed separately so that the report can say where the time goes.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from etl.normalise.vacancy import normalise_vacancy
from etl.pipelines.vacancy_records import prepare_record
from etl.sources.jobboard.jsonld import NodeIndex, collect_nodes, load_jsonld, type_names
from etl.sources.jobboard.parse import _from_posting


def parse_jsonld_line(line: str) -> list[dict[str, Any]]:
    """Raw vacancy dicts (``etl.normalise.vacancy`` keys) of one landed JSON-LD line."""
    values, _repairs = load_jsonld(line)
    nodes = collect_nodes(values)
    index = NodeIndex(nodes)
    return [_from_posting(node, index) for node in nodes if "JobPosting" in type_names(node)]


def parse_and_normalise(job: tuple[list[str], str, str, str, dict[str, str]]
                        ) -> tuple[list[dict], dict[str, float]]:
    """(prepared records, seconds per stage) of a slice of lines.

    After normalising, :func:`prepare_record` (identity, content hash, skills) does
    the per-record work that needs no warehouse, so that it runs in parallel here
    ("prepare" in the report; the loader then has only "identify" left to count).

    ``job`` is (lines, source, fetched_at ISO, default country, region aliases):
    plain data, so that it pickles cheaply to a worker.
    """
    lines, source, fetched_iso, country, aliases = job
    fetched_at = datetime.fromisoformat(fetched_iso)
    start = time.perf_counter()
    raws = [raw for line in lines for raw in parse_jsonld_line(line)]
    parsed = time.perf_counter()
    records = []
    for raw in raws:
        record = normalise_vacancy(raw, source=source, fetched_at=fetched_at,
                                   default_country=country, region_aliases=aliases)
        record["fetched_at"] = fetched_at
        records.append(record)
    normalised = time.perf_counter()
    for record in records:
        prepare_record(record, source)
    return records, {"parse": parsed - start, "normalise": normalised - parsed,
                     "prepare": time.perf_counter() - normalised}
