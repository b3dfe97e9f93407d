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
from dataclasses import asdict, dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from etl.pipelines.checks import check_volume, quarantine_records, validate_and_quarantine
from etl.pipelines.coding import code_occupations, sector_sections, tag_skills
from etl.pipelines.context import RunContext
from etl.pipelines.landing import RawStore
from etl.pipelines.ledger import Ledger, utcnow
from etl.pipelines.state import load_bookmark, save_bookmark
from etl.pipelines.timing import StageTimer as _Timer
from etl.pipelines.vacancy_records import prepare_record
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
    """
    timer = _Timer(timings)
    counts = SourceCounts(source=source)
    params = {"run_id": ctx.run_id, "source": source, "seen_at": utcnow()}
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("staging/delete_vacancies_of_run"), params)
        for name in ("seen_batch", "vacancy_skills_batch"):
            conn.execute(sql_text(f"core/create_{name}"))
        conn.execute(sql_text("core/drop_seen_batch"), params)
        conn.execute(sql_text("core/delete_vacancy_skills_batch"), params)
    seen = np.empty(0, dtype=np.uint64)
    deferred = _DeferredChecks()
    iterator = iter(records)
    for chunk_no in itertools.count():
        with timer("read"):
            chunk = list(itertools.islice(iterator, chunk_rows))
        if not chunk:
            break
        try:
            seen = _stage_chunk(ctx, source, chunk, chunk_no, counts, seen, timer, deferred)
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
            refresh_statistics(conn, "staging", "vacancies")
            conn.execute(sql_text("core/upsert_vacancies_update"), params)
            conn.execute(sql_text("core/upsert_vacancies_insert"), params)
        with timer("upsert_skills"):
            conn.execute(sql_text("core/delete_vacancy_skills_of_run"), params)
            conn.execute(sql_text("core/insert_vacancy_skills_of_run"), params)
            conn.execute(sql_text("core/delete_vacancy_skills_batch"), params)
        with timer("upsert_seen"):
            if counts.unchanged:
                conn.execute(sql_text("core/touch_seen_vacancies"), params)
            conn.execute(sql_text("core/drop_seen_batch"), params)
            refresh_statistics(conn, "core", "vacancies", "vacancy_skills")
        with timer("upsert_commit"):
            conn.commit()
    return counts


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


def _stage_chunk(ctx: RunContext, source: str, records: list[dict], chunk_no: int,
                 counts: SourceCounts, seen: np.ndarray, timer: _Timer,
                 deferred: _DeferredChecks) -> np.ndarray:
    """One chunk: identify, drop repeats and unchanged postings, code, validate, stage."""
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
        unchanged = {r[0] for r in conn.execute(sql_text("core/unchanged_in_seen_batch"), params)}
        conn.execute(sql_text("core/keep_unchanged_in_seen_batch"), params)
    counts.unchanged += len(unchanged)
    frame = frame.loc[~frame["vacancy_id"].isin(unchanged)].copy()
    if frame.empty:
        return seen

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
        skills = pd.DataFrame(
            [(vid, uri) for vid, uris in zip(staged["vacancy_id"], staged["skill_uris"],
                                             strict=True)
             if isinstance(uris, str) and uris for uri in uris.split("|")],
            columns=["vacancy_id", "skill_uri"])
        skills.insert(0, "source", source)
        skills.insert(0, "run_id", ctx.run_id)
        with ctx.engine.begin() as conn:
            bulk_insert(conn, "staging", "vacancies", staged)
            bulk_insert(conn, "core", "vacancy_skills_batch", skills)
    return seen


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
        conn.execute(sql_text("core/delete_vacancy_skills_batch"), params)
        conn.execute(sql_text("core/drop_seen_batch"), params)


@holds_warehouse_open
def deduplicate(ctx: RunContext, window_days: int = 30, *,
                timings: dict[str, float] | None = None) -> dict[str, int]:
    """Cluster postings across sources; store cluster ids; return duplicates per source this run.

    Same rules as :func:`etl.normalise.dedup.assign_clusters` (near duplicates:
    same normalised employer and region, similar titles and descriptions, posted
    at most ``window_days`` apart; exact duplicates: same canonical URL), done so
    that memory and work follow what the run loaded, not the history:

    1. blocking keys (employer × region) of the postings this run loaded are
       computed in chunks and stored in ``core.vacancy_dedup_keys``;
    2. only the blocks this run touched are read back, in the date window of the
       run widened by ``window_days``, a batch of blocks per query; titles are
       compared within a block (rapidfuzz, vectorised), and descriptions are read
       and compared only for the pairs whose titles and dates match;
    3. postings of the run outside any block are their own cluster; postings
       with the same URL in different clusters merge their clusters;
    4. a cluster id is the vacancy_id of its earliest posting (ties: vacancy_id),
       stable across runs; only postings whose cluster changed are updated.
    """
    timer = _Timer(timings)
    params = {"run_id": ctx.run_id}
    with ctx.engine.connect() as conn:
        bounds = conn.execute(sql_text("core/run_posting_dates"), params).one()
    if bounds.first_date is None:
        return {}
    since = bounds.first_date - timedelta(days=window_days)
    until = bounds.last_date + timedelta(days=window_days)
    with ctx.engine.begin() as conn:
        for name in ("vacancy_dedup_keys", "cluster_blocks", "cluster_batch", "cluster_merge"):
            conn.execute(sql_text(f"core/create_{name}"))
        for name in ("delete_cluster_blocks", "drop_cluster_batch", "delete_cluster_merge"):
            conn.execute(sql_text(f"core/{name}"), params)
    with timer("dedup_keys"):
        _store_dedup_keys(ctx)
        with ctx.engine.begin() as conn:
            refresh_statistics(conn, "core", "vacancy_dedup_keys")
    with timer("dedup_blocks"):
        with ctx.engine.begin() as conn:
            conn.execute(sql_text("core/insert_cluster_blocks_of_run"), params)
            refresh_statistics(conn, "core", "cluster_blocks")
        _cluster_blocks(ctx, since, until, window_days)
    with timer("dedup_apply"), ctx.engine.begin() as conn:
        # Work tables are filled and emptied by every run: statistics taken while one was
        # empty would make the planner loop over it (seen: minutes for 30,000 postings).
        refresh_statistics(conn, "core", "cluster_batch")
        conn.execute(sql_text("core/insert_unblocked_clusters"), params)
        _merge_by_url(ctx, conn)
        conn.execute(sql_text("core/apply_cluster_batch"), params)
        for name in ("delete_cluster_blocks", "drop_cluster_batch", "delete_cluster_merge"):
            conn.execute(sql_text(f"core/{name}"), params)
        rows = conn.execute(sql_text("core/run_duplicates_by_source"), params).all()
    return {r.source: int(r.duplicates) for r in rows}


def _store_dedup_keys(ctx: RunContext) -> None:
    """Blocking keys of the postings this run loaded, a page of ids at a time."""
    params = {"run_id": ctx.run_id, "page_rows": CHUNK_ROWS}
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("core/delete_vacancy_dedup_keys_of_run"), params)
    after = ""
    while True:
        with ctx.engine.connect() as conn:
            result = conn.execute(sql_text("core/vacancies_of_run_for_keys"),
                                  {**params, "after": after})
            frame = pd.DataFrame(result.all(), columns=list(result.keys()))
        if frame.empty:
            return
        after = frame["vacancy_id"].iat[-1]
        with ctx.engine.begin() as conn:
            bulk_insert(conn, "core", "vacancy_dedup_keys", _block_keys(frame))


def _block_batches(sizes: list[tuple[str, int]], rows: int) -> Iterator[tuple[str, str]]:
    """(first, last) block keys of consecutive blocks holding about ``rows`` postings."""
    first, count = None, 0
    for key, n in sizes:
        if first is None:
            first = key
        count += n
        last = key
        if count >= rows:
            yield first, last
            first, count = None, 0
    if first is not None:
        yield first, last


def _cluster_blocks(ctx: RunContext, since, until, window_days: int) -> None:
    """Near-duplicate clusters of the touched blocks, a batch of blocks at a time.

    Each batch is one bounded query (a range of block keys, without
    descriptions); descriptions are then read only for the postings in a title
    pair. Memory follows the batch size (and the largest block), not the window.
    """
    params = {"run_id": ctx.run_id, "since": since, "until": until}
    with ctx.engine.connect() as conn:
        sizes = [(r.block_key, int(r.postings))
                 for r in conn.execute(sql_text("core/dedup_block_sizes"), params)]
    for first, last in _block_batches(sizes, CHUNK_ROWS):
        with ctx.engine.connect() as conn:
            result = conn.execute(sql_text("core/vacancies_for_dedup"),
                                  {**params, "first_block": first, "last_block": last})
            rows = pd.DataFrame(result.all(), columns=list(result.keys()))
        if rows.empty:
            continue
        # Blocks are runs of equal keys (the query orders by block): arrays and slices,
        # not a DataFrame per block (most blocks hold a handful of postings).
        keys = rows["block_key"].to_numpy()
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        ends = np.r_[starts[1:], len(keys)]
        ids = rows["vacancy_id"].tolist()
        titles = rows["title_key"].tolist()
        days = _epoch_days(rows["date_posted"])
        blocks = [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b - a > 1]
        pairs = [_pairs_in_window(titles[a:b], days[a:b], window_days) for a, b in blocks]
        wanted = sorted({ids[a + i] for (a, _), found in zip(blocks, pairs, strict=True)
                         for pair in found for i in pair})
        descriptions = _descriptions(ctx, wanted)
        clusters = list(ids)  # a posting alone in its block is its own cluster
        for (a, b), found in zip(blocks, pairs, strict=True):
            if found:
                clusters[a:b] = _clusters_from_pairs(ids[a:b], found, descriptions)
        with ctx.engine.begin() as conn:
            bulk_insert(conn, "core", "cluster_batch", pd.DataFrame({
                "run_id": ctx.run_id, "vacancy_id": ids, "cluster_id": clusters}))


def _epoch_days(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 of each date (for the posting-date window)."""
    return (pd.to_datetime(dates) - pd.Timestamp("1970-01-01")).dt.days.to_numpy()


def _descriptions(ctx: RunContext, ids: list[str]) -> dict[str, str | None]:
    """The beginning of the descriptions of ``ids`` (through a work table: no id lists in SQL)."""
    if not ids:
        return {}
    params = {"run_id": ctx.run_id, "description_chars": DESCRIPTION_READ_CHARS}
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("core/create_dedup_candidates"))
        conn.execute(sql_text("core/delete_dedup_candidates"), params)
        bulk_insert(conn, "core", "dedup_candidates",
                    pd.DataFrame({"run_id": ctx.run_id, "vacancy_id": ids}))
        found = {r.vacancy_id: r.description_text
                 for r in conn.execute(sql_text("core/dedup_candidate_descriptions"), params)}
        conn.execute(sql_text("core/delete_dedup_candidates"), params)
    return found


def _merge_by_url(ctx: RunContext, conn) -> None:
    """Merge clusters that share a canonical URL (exact duplicates across blocks)."""
    params = {"run_id": ctx.run_id}
    links = pd.DataFrame(conn.execute(sql_text("core/cluster_url_links"), params).mappings().all())
    if links.empty:
        return
    provisional = _merge_clusters(links)  # old cluster -> component label
    bulk_insert(conn, "core", "cluster_merge", pd.DataFrame({
        "run_id": ctx.run_id, "old_cluster_id": list(provisional),
        "new_cluster_id": list(provisional.values())}))
    members = pd.DataFrame(conn.execute(sql_text("core/cluster_members"), params).mappings().all())
    members["component"] = members["cluster_id"].map(provisional)
    first = (members.sort_values(["date_posted", "vacancy_id"], na_position="last")
             .groupby("component")["vacancy_id"].first())
    conn.execute(sql_text("core/delete_cluster_merge"), params)
    bulk_insert(conn, "core", "cluster_merge", pd.DataFrame({
        "run_id": ctx.run_id, "old_cluster_id": list(provisional),
        "new_cluster_id": [first[c] for c in provisional.values()]}))
    conn.execute(sql_text("core/apply_cluster_merge"), params)


# ------------------------------------------------ dedup by blocks (rules of assign_clusters)
TITLE_THRESHOLD = 85.0
DESCRIPTION_THRESHOLD = 60.0
DESCRIPTION_CHARS = 1500
_CDIST_ROWS = 2000


def _block_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """``vacancy_id``, ``block_key`` (employer × region, '' when not eligible) and ``title_key``.

    Eligibility and keys are those of ``assign_clusters``: an employer, a region
    (``region_code``, else country and locality), a date and a title are needed
    for near matching.
    """
    from etl.normalise.dedup import _region_keys, employer_key, title_key

    employers: dict[object, str] = {}
    employer = [employers.setdefault(e, employer_key(e)) if e not in employers else employers[e]
                for e in frame["employer_name"]]
    titles = frame["title"].map(title_key)
    region = _region_keys(frame).tolist()
    dated = pd.to_datetime(frame["date_posted"], errors="coerce").notna().tolist()
    blocks = [f"{e}\x1f{r}" if e and r and d and t else ""
              for e, r, d, t in zip(employer, region, dated, titles, strict=True)]
    return pd.DataFrame({"vacancy_id": frame["vacancy_id"], "block_key": blocks,
                         "title_key": titles})


def _title_pairs(block: pd.DataFrame, *, window_days: int) -> list[tuple[int, int]]:
    """Positions (a < b) of postings of one block with similar titles, close in time.

    ``block`` is sorted by date then vacancy_id (columns ``title_key``, ``date_posted``).
    """
    return _pairs_in_window(block["title_key"].tolist(), _epoch_days(block["date_posted"]),
                            window_days)


def _pairs_in_window(titles: list[str], days: np.ndarray, window_days: int
                     ) -> list[tuple[int, int]]:
    """Positions (a < b) of similar titles at most ``window_days`` apart.

    ``days`` are sorted. Titles are scored with ``rapidfuzz.process.cdist`` only
    against postings inside the date window (a slice, since dates are sorted), in
    slices of rows so that a big block needs slice × window memory, not block².
    """
    from rapidfuzz import fuzz, process

    n = len(titles)
    if n < 2:
        return []
    pairs = []
    for start in range(0, n, _CDIST_ROWS):
        stop = min(start + _CDIST_ROWS, n)
        lo = int(np.searchsorted(days, days[start] - window_days, side="left"))
        hi = int(np.searchsorted(days, days[stop - 1] + window_days, side="right"))
        scores = process.cdist(titles[start:stop], titles[lo:hi], scorer=fuzz.token_sort_ratio,
                               score_cutoff=TITLE_THRESHOLD, dtype=np.uint8, workers=1)
        close = np.abs(days[start:stop, None] - days[None, lo:hi]) <= window_days
        for a, b in np.argwhere((scores >= TITLE_THRESHOLD) & close):
            ia, ib = int(a) + start, int(b) + lo
            if ib > ia:
                pairs.append((ia, ib))
    return pairs


def _clusters_from_pairs(ids: list[str], pairs: list[tuple[int, int]],
                         descriptions: dict[str, str | None]) -> list[str]:
    """Cluster id (vacancy_id of the earliest member) per posting of a block.

    A title pair joins two postings unless both have descriptions that differ
    (token-set similarity of their folded first 1,500 characters below the
    threshold). ``ids`` are in date order, so the union-find root (the smallest
    position) is the earliest posting.
    """
    from rapidfuzz import fuzz

    from etl.normalise.dedup import _fold, _UnionFind

    folded: dict[str, str] = {}

    def description(vid: str) -> str:
        if vid not in folded:
            text = descriptions.get(vid)
            folded[vid] = _fold(text)[:DESCRIPTION_CHARS] if isinstance(text, str) else ""
        return folded[vid]

    uf = _UnionFind(len(ids))
    for ia, ib in pairs:
        if uf.find(ia) == uf.find(ib):
            continue  # already joined through another pair: no description to fold or compare
        da, db = description(ids[ia]), description(ids[ib])
        if da and db and fuzz.token_set_ratio(da, db) < DESCRIPTION_THRESHOLD:
            continue
        uf.union(ia, ib)
    return [ids[uf.find(i)] for i in range(len(ids))]


def _cluster_block(block: pd.DataFrame, *, window_days: int) -> list[str]:
    """Cluster ids of one block given with its descriptions (title pairs, then descriptions)."""
    ids = block["vacancy_id"].tolist()
    pairs = _title_pairs(block, window_days=window_days)
    return _clusters_from_pairs(ids, pairs, dict(zip(ids, block["description_text"],
                                                     strict=True)))


def _merge_clusters(links: pd.DataFrame) -> dict[str, str]:
    """Old cluster id → label of the merged component, from rows (url, cluster_id)."""
    from etl.normalise.dedup import _UnionFind

    clusters = sorted(set(links["cluster_id"]))
    position = {c: i for i, c in enumerate(clusters)}
    uf = _UnionFind(len(clusters))
    for _, group in links.groupby("url", sort=False):
        members = [position[c] for c in group["cluster_id"]]
        for other in members[1:]:
            uf.union(members[0], other)
    return {c: clusters[uf.find(position[c])] for c in clusters}


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

