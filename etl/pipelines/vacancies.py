"""Vacancy ingestion: fetch → land raw → parse → normalise → code → validate → load.

One function per kind of source (job board, PES feed) fetches and lands bytes,
then hands normalised records to :func:`stage_and_load`, which codes them,
validates them with the ``staging_vacancies`` suite, quarantines failures and
upserts the rest into ``core.vacancies``. Cross-source deduplication runs once all
sources of a run are loaded (:func:`deduplicate`), and only then are the ledgers
written, because a posting's duplicate status depends on the other sources.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd

from etl.pipelines.checks import check_volume, quarantine_records, validate_and_quarantine
from etl.pipelines.coding import code_occupations, sector_sections, tag_skills
from etl.pipelines.context import RunContext
from etl.pipelines.landing import RawStore
from etl.pipelines.ledger import Ledger, SourceCounts, utcnow
from etl.pipelines.state import load_bookmark, save_bookmark
from etl.pipelines.vacancy_records import prepare_record
from etl.timing import StageTimer as _Timer
from etl.validate.outcome import BatchValidationError
from etl.warehouse.bulk import bulk_insert
from etl.warehouse.models import refresh_statistics
from etl.warehouse.session import holds_warehouse_open
from etl.warehouse.sqlfiles import sql_text

log = logging.getLogger(__name__)

#: Characters of a description read back for near-duplicate matching: the matcher compares
#: the first 1,500 characters once folded (accents and punctuation removed).
DESCRIPTION_READ_CHARS = 1800

STAGING_COLUMNS = (
    "run_id", "vacancy_id", "source", "source_id", "url", "canonical_url", "title",
    "employer_name", "date_posted", "valid_through", "employment_type", "is_remote", "locality",
    "country_code", "region_code", "salary_min", "salary_max", "salary_currency",
    "salary_period", "salary_monthly", "description_text", "language", "isco08", "isco_label",
    "isco_confidence", "isco_method", "isic4_section", "skill_uris", "content_hash",
    "raw_sha256", "fetched_at", "block_key", "title_key",
)


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
    newest: list[str] = [outcome.bookmark.newest_date or ""]

    def records() -> Iterator[dict]:  # streamed: one landed page at a time
        for landed in details:
            parsed = parse_job_page(landed.read(), url=landed.url, headers=landed.headers,
                                    selectors=source.selectors, fetched_at=landed.fetched_at)
            if not parsed.vacancies:
                log.warning("%s: no vacancy on %s: %s", source.name, landed.url, parsed.reason)
            for raw in parsed.vacancies:
                record = normalise_vacancy(raw, source=source.name,
                                           fetched_at=landed.fetched_at,
                                           default_country=ctx.config.country,
                                           region_aliases=ctx.config.region_aliases)
                record["raw_sha256"] = landed.sha256
                record["fetched_at"] = landed.fetched_at
                if record.get("date_posted"):
                    newest[0] = max(newest[0], record["date_posted"])
                yield record

    counts = stage_and_load(ctx, source.name, records())
    if newest[0]:
        outcome.bookmark.newest_date = newest[0]
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

    def records() -> Iterator[dict]:
        for raw in outcome.raws:
            record = normalise_vacancy(raw, source=source.name, fetched_at=fetched_at,
                                       default_country=ctx.config.country,
                                       region_aliases=ctx.config.region_aliases)
            record["fetched_at"] = fetched_at
            yield record

    counts = stage_and_load(ctx, source.name, records())
    if outcome.rejects:
        quarantine_records(ctx, "vacancies", source.name, outcome.rejects,
                           reason_key="reason", expectation="feed_mapping")
        counts.fetched += len(outcome.rejects)
        counts.quarantined += len(outcome.rejects)
    counts.detail = (f"pages {outcome.pages_fetched}, failures {len(outcome.failures)}"
                     + (f", stopped: {outcome.stopped_because}" if outcome.stopped_because else ""))
    return counts.to_dict()


def _previous_fetched(ctx: RunContext, source: str) -> int | None:
    with ctx.engine.connect() as conn:
        value = conn.execute(sql_text("ops/previous_fetched"),
                             {"source": source, "run_id": ctx.run_id}).scalar()
    return int(value) if value else None


#: Rows per chunk of the streaming load: memory follows this, not the size of a source.
CHUNK_ROWS = 10_000


def _id_keys(ids: pd.Series) -> np.ndarray:
    """64 bits of each vacancy_id (a sha256 prefix): compact memory of ids already seen."""
    return np.array([int(v[:16], 16) for v in ids], dtype=np.uint64)


def _seen(seen: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Which ``keys`` are in the sorted array ``seen`` (binary search, no re-sort)."""
    if not len(seen):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(seen, keys), len(seen) - 1)
    return seen[at] == keys


def _remember(seen: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``seen`` with ``keys`` merged in, still sorted: one memory move, not a sort of all."""
    new = np.unique(keys)
    return np.insert(seen, np.searchsorted(seen, new), new)


@holds_warehouse_open
def stage_and_load(ctx: RunContext, source: str, records: Iterable[dict], *,
                   chunk_rows: int = CHUNK_ROWS,
                   timings: dict[str, float] | None = None) -> SourceCounts:
    """Code, validate, quarantine and upsert normalised vacancy records of one source.

    ``records`` may be any iterable (a generator streaming a crawl or a file): it
    is read ``chunk_rows`` at a time, so memory does not grow with the source.
    Per chunk: postings whose content is already in core are only counted (and
    their ``last_seen_at`` moved), the rest are coded, tagged, validated (failures
    quarantined) and bulk-loaded into ``staging.vacancies``. When every chunk is
    staged, the volume gate compares the source's fetched records with the previous
    run; only then is ``core`` updated, set-based, from staging: a batch that
    fails leaves core as it was. ``timings`` (optional) receives seconds per stage.

    Validating several chunks at once pays Great Expectations' fixed cost per
    validation (about 0.3 s) less often, but holds them in memory: measured at three
    chunks, 300 MiB more at PostgreSQL 1M and no shorter run (docs/benchmarks.md,
    tenth round). So each chunk is validated alone.
    """
    timer = _Timer(timings)
    counts = SourceCounts(source=source)
    params = {"run_id": ctx.run_id, "source": source, "seen_at": utcnow()}
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("staging/delete_vacancies_of_run"), params)
        conn.execute(sql_text("core/create_seen_batch"))
        conn.execute(sql_text("core/drop_seen_batch"), params)
    seen = np.empty(0, dtype=np.uint64)
    deferred = _DeferredChecks()
    iterator = iter(records)
    try:
        for chunk_no in itertools.count():
            with timer("read"):
                chunk = list(itertools.islice(iterator, chunk_rows))
            if not chunk:
                break
            seen, frame = _code_chunk(ctx, source, chunk, chunk_no, counts, seen, timer)
            del chunk  # the records' dicts; the frame keeps their values
            if frame is not None:
                _validate_and_stage(ctx, source, frame, counts, timer, deferred)
    except BatchValidationError:
        _discard_staged(ctx, source)
        raise
    _volume_gate(ctx, source, counts.fetched)
    try:
        deferred.raise_if_failed()
    except BatchValidationError:
        _discard_staged(ctx, source)
        raise
    if not counts.fetched:
        return counts
    with ctx.engine.begin() as conn:
        with timer("upsert"):
            refresh_statistics(conn, "staging", "vacancies", changed_rows=counts.staged)
            conn.execute(sql_text("core/create_vacancies_replaced"))
            conn.execute(sql_text("core/delete_vacancies_replaced"), params)
            changed = _replace_changed(conn, params)
            changed += _rows(conn.execute(sql_text("core/upsert_vacancies_insert"), params))
            conn.execute(sql_text("core/delete_vacancies_replaced"), params)
        with timer("upsert_skills"):
            pairs = _rows(conn.execute(sql_text("core/delete_vacancy_skills_of_run"), params))
            pairs += _rows(conn.execute(sql_text("core/insert_vacancy_skills_of_run"), params))
        with timer("upsert_seen"):
            if counts.unchanged:
                changed += _rows(conn.execute(sql_text("core/touch_seen_vacancies"), params))
            conn.execute(sql_text("core/drop_seen_batch"), params)
            # Statistics are taken again only where this load changed enough of a table.
            refresh_statistics(conn, "core", "vacancies", changed_rows=changed)
            refresh_statistics(conn, "core", "vacancy_skills", changed_rows=pairs)
        with timer("upsert_commit"):
            conn.commit()
    return counts


def _rows(result) -> int:
    """Rows a statement changed (0 where the driver does not say)."""
    return max(result.rowcount, 0)


def _replace_changed(conn, params: dict) -> int:
    """New content for postings already in core (before new ones are inserted); returns
    the rows changed.

    DuckDB rewrites every column segment an UPDATE touched at its next checkpoint,
    descriptions included, so there changed postings are deleted here, what they keep
    (when first seen, their cluster) noted in ``core.vacancies_replaced``, and
    inserted again with the new postings (1M incremental run:
    upsert 9.3 -> 1.0 s, checkpoints 24 -> 14 s). PostgreSQL keeps the UPDATE: the
    same replacement made its upsert slower (100k incremental run: 2.3 -> 11.3 s).
    """
    if conn.dialect.name != "duckdb":
        return _rows(conn.execute(sql_text("core/upsert_vacancies_update"), params))
    conn.execute(sql_text("core/keep_changed_vacancies"), params)
    return _rows(conn.execute(sql_text("core/delete_changed_vacancies"), params))


#: Batch expectations decided on the whole source, not per chunk: a maximum (freshness)
#: holds for the batch when it holds for any of its chunks.
_WHOLE_BATCH_CHECKS = ("expect_column_max_to_be_between",)


class _DeferredChecks:
    """Per chunk, which whole-batch expectations passed and the last failure of each."""

    def __init__(self) -> None:
        self.passed: set[str] = set()
        self.failures: dict[str, object] = {}

    def update_from(self, outcome) -> None:
        failed = {f.expectation for f in outcome.batch_failures}
        for f in outcome.batch_failures:
            if f.expectation.startswith(_WHOLE_BATCH_CHECKS):
                self.failures[f.expectation] = f
        for r in outcome.results:
            if r.expectation.startswith(_WHOLE_BATCH_CHECKS) and r.expectation not in failed:
                self.passed.add(r.expectation)

    def raise_if_failed(self) -> None:
        from etl.validate import BatchValidationError

        failing = [f for name, f in self.failures.items() if name not in self.passed]
        if failing:
            raise BatchValidationError(failing)


def _code_chunk(ctx: RunContext, source: str, records: list[dict], chunk_no: int,
                counts: SourceCounts, seen: np.ndarray, timer: _Timer,
                ) -> tuple[np.ndarray, pd.DataFrame | None]:
    """One chunk: identify, drop repeats and unchanged postings, code and tag the rest.

    Returns the ids seen so far and the chunk's rows to validate (None if none is left).
    """
    params = {"run_id": ctx.run_id, "source": source, "chunk": chunk_no}
    counts.fetched += len(records)
    with timer("identify"):
        for record in records:
            if "content_hash" not in record:
                prepare_record(record, source, skills=False)
        tagged = all("skill_uris" in record for record in records)
        frame = pd.DataFrame.from_records(records)
        # The same posting listed twice in one run (e.g. on two listing pages, or in two
        # chunks) is one record: the first is kept.
        keys = _id_keys(frame["vacancy_id"])
        repeated = frame.duplicated(["vacancy_id"], keep="first").to_numpy() | _seen(seen, keys)
        counts.duplicates_in_batch += int(repeated.sum())
        frame = frame.loc[~repeated].copy()
        seen = _remember(seen, keys[~repeated])
    with timer("unchanged"), ctx.engine.begin() as conn:
        bulk_insert(conn, "core", "seen_batch", pd.DataFrame({
            "run_id": ctx.run_id, "source": source, "chunk": chunk_no,
            "vacancy_id": frame["vacancy_id"], "content_hash": frame["content_hash"]}))
        conn.execute(sql_text("core/keep_unchanged_in_seen_batch"), params)
        unchanged = {r[0] for r in conn.execute(sql_text("core/seen_batch_chunk_ids"), params)}
    counts.unchanged += len(unchanged)
    frame = frame.loc[~frame["vacancy_id"].isin(unchanged)].copy()
    if frame.empty:
        return seen, None

    with timer("classify"):
        frame["date_posted"] = pd.to_datetime(frame["date_posted"], errors="coerce").dt.date
        frame["valid_through"] = pd.to_datetime(frame["valid_through"], errors="coerce").dt.date
        categories = frame["occupational_category"].tolist() \
            if "occupational_category" in frame else None
        coded = code_occupations(frame["title"].tolist(), categories=categories)
        coded.index = frame.index
        frame = frame.join(coded)
        counts.unclassified += int(frame["isco08"].isna().sum())
        frame["isic4_section"] = sector_sections(
            frame.get("industry", pd.Series([None] * len(frame))))
    if not tagged:  # skills of records prepared upstream were tagged there
        with timer("skills"):
            frame["skill_uris"] = tag_skills(frame["description_text"].tolist(),
                                             frame["language"].tolist())
    frame["run_id"] = ctx.run_id
    frame["fetched_at"] = pd.to_datetime(frame["fetched_at"], utc=True).dt.tz_localize(None)
    return seen, frame


def _validate_and_stage(ctx: RunContext, source: str, frame: pd.DataFrame,
                        counts: SourceCounts, timer: _Timer, deferred: _DeferredChecks) -> None:
    """Validate a coded chunk (failures quarantined) and stage its valid rows."""
    with timer("validate"):
        outcome = validate_and_quarantine(
            ctx.engine, frame, suite="staging_vacancies", dataset="vacancies", source=source,
            run_id=ctx.run_id, run_date=ctx.as_of, key_column="source_id",
            deferrable=_WHOLE_BATCH_CHECKS,
        )
    deferred.update_from(outcome)
    valid = frame.loc[outcome.valid.index]
    counts.quarantined += len(frame) - len(valid)
    counts.staged += len(valid)

    with timer("stage"):
        staged = valid[[c for c in STAGING_COLUMNS if c in valid.columns]].copy()
        for column in STAGING_COLUMNS:
            if column not in staged.columns:
                staged[column] = None
        staged = staged[list(STAGING_COLUMNS)]
        with ctx.engine.begin() as conn:
            bulk_insert(conn, "staging", "vacancies", staged)


def _volume_gate(ctx: RunContext, source: str, fetched: int) -> None:
    """The volume gate on what the source delivered (all chunks), before core changes.

    A collapse stops the source with core as it was: its staged rows are removed.
    """
    try:
        check_volume(source, fetched, _previous_fetched(ctx, source),
                     ctx.config.source(source).min_rows_share)
    except BatchValidationError:
        _discard_staged(ctx, source)
        raise


def _discard_staged(ctx: RunContext, source: str) -> None:
    """A stopped batch leaves nothing staged or pending for its run and source."""
    params = {"run_id": ctx.run_id, "source": source}
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("staging/delete_vacancies_of_run"), params)
        conn.execute(sql_text("core/drop_seen_batch"), params)


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


def close_vacancy_run(ctx: RunContext, per_source: list[dict], *,
                      timings: dict[str, float] | None = None) -> list[Ledger]:
    """What follows a run's vacancy loads, in order: deduplication across the sources,
    one ledger row per source, and the repacking of what the loads appended (DuckDB).

    One function for the DAG's deduplication task, the in-process runner and the
    benchmark, so that none of them ends a run differently. ``timings`` (optional)
    receives the steps' seconds (``dedup_*``, ``ledger``, ``compact``).
    """
    from etl.pipelines.compaction import compact_vacancy_tables
    from etl.pipelines.vacancy_dedup import deduplicate

    duplicates = deduplicate(ctx, timings=timings)
    with _Timer(timings)("ledger"):
        ledgers = record_ledgers(ctx, per_source, duplicates)
    compact_vacancy_tables(ctx, timings=timings)
    return ledgers
