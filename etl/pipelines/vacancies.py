"""Vacancy ingestion: fetch → land raw → parse → normalise → code → validate → load.

One function per kind of source (job board, PES feed) fetches and lands bytes,
then hands normalised records to :func:`stage_and_load`, which codes them,
validates them with the ``staging_vacancies`` suite, quarantines failures and
upserts the rest into ``core.vacancies``. Cross-source deduplication runs once all
sources of a run are loaded (:func:`deduplicate`), and only then are the ledgers
written, because a posting's duplicate status depends on the other sources.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from datetime import timedelta

import pandas as pd

from etl.pipelines.checks import check_volume, quarantine_records, validate_and_quarantine
from etl.pipelines.coding import code_occupations, sector_sections, tag_skills
from etl.pipelines.context import RunContext
from etl.pipelines.landing import RawStore
from etl.pipelines.ledger import Ledger, utcnow
from etl.pipelines.state import load_bookmark, save_bookmark
from etl.warehouse.bulk import bulk_insert
from etl.warehouse.sqlfiles import sql_text

log = logging.getLogger(__name__)

HASHED_FIELDS = (
    "title", "employer_name", "date_posted", "valid_through", "employment_type", "is_remote",
    "locality", "country_code", "region_code", "salary_min", "salary_max", "salary_currency",
    "salary_period", "description_text", "occupational_category", "industry",
)

STAGING_COLUMNS = (
    "run_id", "vacancy_id", "source", "source_id", "url", "canonical_url", "title",
    "employer_name", "date_posted", "valid_through", "employment_type", "is_remote", "locality",
    "country_code", "region_code", "salary_min", "salary_max", "salary_currency",
    "salary_period", "salary_monthly", "description_text", "language", "isco08", "isco_label",
    "isco_confidence", "isco_method", "isic4_section", "skill_uris", "content_hash",
    "raw_sha256", "fetched_at",
)


@dataclass
class SourceCounts:
    """What one source's ingest task hands to the dedup/ledger task (via XCom: plain data)."""

    source: str
    fetched: int = 0
    quarantined: int = 0
    unchanged: int = 0
    duplicates_in_batch: int = 0
    staged: int = 0
    unclassified: int = 0
    detail: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def vacancy_id(source: str, source_id: str) -> str:
    return hashlib.sha256(f"{source}|{source_id}".encode()).hexdigest()[:32]


def _content_hash(record: dict) -> str:
    payload = json.dumps({k: record.get(k) for k in HASHED_FIELDS}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _client(ctx: RunContext, source):
    from etl.sources.http_client import PoliteClient

    return PoliteClient(
        user_agent=ctx.config.user_agent,
        allowed_hosts=set(source.allowed_hosts),
        allow_private=source.allow_private,
        rate_per_host=source.rate_per_second,
    )


def ingest_jobboard(ctx: RunContext, source_name: str) -> dict:
    """Crawl one board incrementally, land every response, parse the detail pages, load."""
    from etl.normalise.vacancy import normalise_vacancy
    from etl.sources.jobboard.crawler import BoardConfig, Bookmark, crawl_board
    from etl.sources.jobboard.parse import parse_job_page

    source = ctx.config.source(source_name)
    store = RawStore(ctx.engine, source.name, ctx.run_id)
    bookmark = Bookmark.from_json(load_bookmark(ctx.engine, source.name))
    details = []

    def land(meta: dict, body: bytes):
        if meta.get("not_modified") or meta.get("status") == 304:
            return None  # nothing new to keep: the bytes were landed by an earlier run
        landed = store.land(meta["url"], body, status=meta.get("status"),
                            headers=meta.get("headers"), fetched_at=meta.get("fetched_at"))
        if meta.get("kind") == "detail":
            details.append(landed)
        return landed

    with _client(ctx, source) as client:
        outcome = crawl_board(client, BoardConfig.from_source(source), bookmark=bookmark,
                              land=land, max_pages=source.max_pages)
    store.flush()
    records = []
    for landed in details:
        parsed = parse_job_page(landed.read(), url=landed.url, headers=landed.headers,
                                selectors=source.selectors, fetched_at=landed.fetched_at)
        if not parsed.vacancies:
            log.warning("%s: no vacancy on %s: %s", source.name, landed.url, parsed.reason)
        for raw in parsed.vacancies:
            record = normalise_vacancy(raw, source=source.name, fetched_at=landed.fetched_at,
                                       default_country=ctx.config.country,
                                       region_aliases=ctx.config.region_aliases)
            record["raw_sha256"] = landed.sha256
            record["fetched_at"] = landed.fetched_at
            records.append(record)
    counts = stage_and_load(ctx, source.name, records)
    dates = [r["date_posted"] for r in records if r.get("date_posted")]
    if dates:
        outcome.bookmark.newest_date = max([*dates, outcome.bookmark.newest_date or ""])
    save_bookmark(ctx.engine, source.name, outcome.bookmark.to_json())
    counts.detail = (f"pages {outcome.pages_fetched}, not modified {outcome.not_modified}, "
                     f"failures {len(outcome.failures)}"
                     + (f", stopped: {outcome.stopped_because}" if outcome.stopped_because else ""))
    return counts.to_dict()


def ingest_pes_feed(ctx: RunContext, source_name: str) -> dict:
    """Read every page of a PES JSON feed (each page landed first), map and load its records.

    Records the mapping rejects (a required field missing) are fetched records too:
    they are quarantined with the reason, so the ledger still balances.
    """
    from etl.normalise.vacancy import normalise_vacancy
    from etl.sources.pes_feed import FeedConfig, read_feed

    source = ctx.config.source(source_name)
    store = RawStore(ctx.engine, source.name, ctx.run_id)
    landed_pages = []

    def land(meta: dict, body: bytes):
        landed = store.land(meta["url"], body, status=meta.get("status"),
                            headers=meta.get("headers"), fetched_at=meta.get("fetched_at"))
        landed_pages.append(landed)
        return landed

    with _client(ctx, source) as client:
        outcome = read_feed(client, FeedConfig.from_source(source), land=land)
    store.flush()
    fetched_at = landed_pages[-1].fetched_at if landed_pages else utcnow()
    records = []
    for raw in outcome.raws:
        record = normalise_vacancy(raw, source=source.name, fetched_at=fetched_at,
                                   default_country=ctx.config.country,
                                   region_aliases=ctx.config.region_aliases)
        record["fetched_at"] = fetched_at
        records.append(record)
    counts = stage_and_load(ctx, source.name, records)
    if outcome.rejects:
        quarantine_records(ctx, "vacancies", source.name, outcome.rejects,
                           reason_key="reason", expectation="feed_mapping")
        counts.fetched += len(outcome.rejects)
        counts.quarantined += len(outcome.rejects)
    counts.detail = (f"pages {outcome.pages_fetched}, failures {len(outcome.failures)}"
                     + (f", stopped: {outcome.stopped_because}" if outcome.stopped_because else ""))
    return counts.to_dict()


def _existing_hashes(ctx: RunContext, source: str) -> dict[str, str]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(sql_text("core/vacancy_hashes"), {"source": source}).all()
    return {r.vacancy_id: r.content_hash for r in rows}


def _previous_fetched(ctx: RunContext, source: str) -> int | None:
    with ctx.engine.connect() as conn:
        value = conn.execute(sql_text("ops/previous_fetched"),
                             {"source": source, "run_id": ctx.run_id}).scalar()
    return int(value) if value else None


def stage_and_load(ctx: RunContext, source: str, records: list[dict]) -> SourceCounts:
    """Code, validate, quarantine and upsert normalised vacancy records of one source."""
    counts = SourceCounts(source=source, fetched=len(records))
    check_volume(source, len(records), _previous_fetched(ctx, source),
                 ctx.config.source(source).min_rows_share)
    if not records:
        return counts
    frame = pd.DataFrame.from_records(records)
    frame["source_id"] = frame["source_id"].fillna(frame["url"]).astype(str)
    frame["vacancy_id"] = [vacancy_id(source, sid) for sid in frame["source_id"]]
    frame["content_hash"] = [_content_hash(r) for r in frame.to_dict(orient="records")]
    # The same posting listed twice in one run (e.g. on two listing pages) is one record.
    repeated = frame.duplicated(["vacancy_id"], keep="first")
    counts.duplicates_in_batch = int(repeated.sum())
    frame = frame.loc[~repeated].copy()
    existing = _existing_hashes(ctx, source)
    same = frame["vacancy_id"].map(existing).eq(frame["content_hash"])
    counts.unchanged = int(same.sum())
    unchanged_ids = frame.loc[same, "vacancy_id"].tolist()
    frame = frame.loc[~same].copy()

    frame["date_posted"] = pd.to_datetime(frame["date_posted"], errors="coerce").dt.date
    frame["valid_through"] = pd.to_datetime(frame["valid_through"], errors="coerce").dt.date
    coded = code_occupations(frame["title"].tolist(),
                             categories=frame.get("occupational_category",
                                                  pd.Series([None] * len(frame))).tolist())
    coded.index = frame.index
    frame = frame.join(coded)
    counts.unclassified = int(frame["isco08"].isna().sum())
    frame["isic4_section"] = sector_sections(frame.get("industry", pd.Series([None] * len(frame))))
    frame["skill_uris"] = tag_skills(frame["description_text"].tolist(),
                                     frame["language"].tolist())
    frame["run_id"] = ctx.run_id
    frame["fetched_at"] = pd.to_datetime(frame["fetched_at"], utc=True).dt.tz_localize(None)

    outcome = validate_and_quarantine(
        ctx.engine, frame, suite="staging_vacancies", dataset="vacancies", source=source,
        run_id=ctx.run_id, run_date=ctx.as_of, key_column="source_id",
    ) if not frame.empty else None
    valid = frame.loc[outcome.valid.index] if outcome is not None else frame
    counts.quarantined = len(frame) - len(valid)
    counts.staged = len(valid)

    staged = valid[[c for c in STAGING_COLUMNS if c in valid.columns]].copy()
    for column in STAGING_COLUMNS:
        if column not in staged.columns:
            staged[column] = None
    staged = staged[list(STAGING_COLUMNS)]
    skills = [
        {"vacancy_id": vid, "skill_uri": uri}
        for vid, uris in zip(staged["vacancy_id"], staged["skill_uris"], strict=True)
        if isinstance(uris, str) and uris for uri in uris.split("|")
    ]
    params = {"run_id": ctx.run_id, "source": source, "seen_at": utcnow()}
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("staging/delete_vacancies_of_run"), params)
        bulk_insert(conn, "staging", "vacancies", staged)
        conn.execute(sql_text("core/upsert_vacancies_update"), params)
        conn.execute(sql_text("core/upsert_vacancies_insert"), params)
        conn.execute(sql_text("core/delete_vacancy_skills_of_run"), params)
        bulk_insert(conn, "core", "vacancy_skills", pd.DataFrame(skills,
                    columns=["vacancy_id", "skill_uri"]).drop_duplicates())
        if unchanged_ids:
            touch = pd.DataFrame({"vacancy_id": unchanged_ids})
            conn.execute(sql_text("core/create_seen_batch"))
            bulk_insert(conn, "core", "seen_batch", touch)
            conn.execute(sql_text("core/touch_seen_vacancies"), params)
            conn.execute(sql_text("core/drop_seen_batch"))
    return counts


def deduplicate(ctx: RunContext, window_days: int = 30) -> dict[str, int]:
    """Cluster postings across sources; store cluster ids; return duplicates per source this run.

    Only postings in the date window of what this run loaded (widened by the
    matching window) are re-clustered, so the work follows the run's size.
    """
    from etl.normalise.dedup import assign_clusters

    with ctx.engine.connect() as conn:
        bounds = conn.execute(sql_text("core/run_posting_dates"), {"run_id": ctx.run_id}).one()
    if bounds.first_date is None:
        return {}
    since = bounds.first_date - timedelta(days=window_days)
    until = bounds.last_date + timedelta(days=window_days)
    with ctx.engine.connect() as conn:
        frame = pd.read_sql(sql_text("core/vacancies_for_dedup"), conn,
                            params={"since": since, "until": until})
    clustered = assign_clusters(frame, window_days=window_days)
    update = clustered[["vacancy_id", "cluster_id", "is_duplicate"]].copy()
    # A cluster id is the vacancy_id of its first posting: stable across runs.
    update["cluster_id"] = update["cluster_id"].astype(str)
    first = clustered.sort_values(["date_posted", "vacancy_id"]).groupby("cluster_id")[
        "vacancy_id"].first()
    update["cluster_id"] = clustered["cluster_id"].astype(str).map(
        {str(k): v for k, v in first.items()})
    update["is_duplicate"] = update["vacancy_id"] != update["cluster_id"]
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("core/create_cluster_batch"))
        bulk_insert(conn, "core", "cluster_batch", update)
        conn.execute(sql_text("core/apply_cluster_batch"))
        conn.execute(sql_text("core/drop_cluster_batch"))
        rows = conn.execute(sql_text("core/run_duplicates_by_source"),
                            {"run_id": ctx.run_id}).all()
    return {r.source: int(r.duplicates) for r in rows}


def record_ledgers(ctx: RunContext, per_source: list[dict], duplicates: dict[str, int]) -> list[Ledger]:
    """Write one balanced ledger row per source of this run."""
    ledgers = []
    for raw in per_source:
        counts = SourceCounts(**raw)
        cross = duplicates.get(counts.source, 0)
        ledger = Ledger(
            run_id=ctx.run_id, source=counts.source, dag_id=ctx.dag_id,
            data_interval_start=ctx.data_interval_start, data_interval_end=ctx.data_interval_end,
            fetched=counts.fetched, quarantined=counts.quarantined, unchanged=counts.unchanged,
            duplicates=counts.duplicates_in_batch + cross,
            loaded=counts.staged - cross, unclassified=counts.unclassified,
            detail=counts.detail or None,
        )
        ledger.record(ctx.engine)
        ledgers.append(ledger)
    return ledgers

