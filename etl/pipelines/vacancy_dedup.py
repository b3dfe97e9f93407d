"""Deduplication of the warehouse's vacancies, block by block, run after run.

The rules are those of :func:`etl.normalise.dedup.assign_clusters`; this module applies
them to what a run loaded without reading the history: only the blocks (employer ×
region) the run touched, each in its own date window, and only pairs that involve a
posting the run loaded. Clusters found by earlier runs are kept as links, so a run adds
to them and merges them (and matches an edited posting afresh), and a cluster's members
outside the window follow when its first posting changes.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from etl.pipelines.context import RunContext
from etl.timing import StageTimer as _Timer
from etl.warehouse.bulk import bulk_insert
from etl.warehouse.frames import fetch_tuples, result_frame
from etl.warehouse.models import refresh_statistics
from etl.warehouse.session import holds_warehouse_open
from etl.warehouse.sqlfiles import sql_text

#: Postings per page when computing keys (in Python, for rows staged without them).
BATCH_ROWS = 10_000

#: About how many postings each batch of blocks reads back (titles and keys, not
#: descriptions). Each batch's query joins the keys with all of ``core.vacancies``, so
#: fewer batches read the warehouse fewer times: re-clustering the 1M benchmark's
#: postings took 64.7 s in batches of 10,000 and 43.2 s in batches of 50,000 (40.4 s
#: at 200,000, with four times the rows held; docs/benchmarks.md, eleventh round).
BLOCK_BATCH_ROWS = 50_000

#: Characters of a description read back for near-duplicate matching: the matcher compares
#: the first 1,500 characters once folded (accents and punctuation removed).
DESCRIPTION_READ_CHARS = 1800

#: Work tables of a run (created if missing, emptied of the run's rows before and after).
_WORK_TABLES = ("vacancy_dedup_keys", "cluster_block_windows", "cluster_batch", "cluster_merge",
                "cluster_relabel")
_CLEANUP = ("delete_cluster_block_windows", "drop_cluster_batch", "delete_cluster_merge",
            "delete_cluster_relabel")


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
    2. only the blocks this run touched are read back, each between the earliest
       and the latest posting the run brought into it, widened by
       ``window_days``, a batch of blocks per query; titles of the run's postings
       are compared with the block's (rapidfuzz, vectorised), and descriptions
       are read and compared only for the pairs whose titles and dates match;
    3. the other postings read keep their clusters as links (they were matched
       by earlier runs, some with postings outside the window), so a run adds
       links and matches edited postings afresh, and never splits a cluster
       because part of it lies outside the window; where a cluster's first posting changes,
       its members outside the window are relabelled too;
    4. postings of the run outside any block are their own cluster; postings
       with the same URL in different clusters merge their clusters;
    5. a cluster id is the vacancy_id of its earliest posting (ties: vacancy_id),
       stable across runs; only postings whose cluster changed are updated.
    """
    timer = _Timer(timings)
    params = {"run_id": ctx.run_id, "window_days": window_days}
    with ctx.engine.connect() as conn:
        bounds = conn.execute(sql_text("core/run_posting_dates"), params).one()
    if bounds.first_date is None:
        return {}
    with ctx.engine.begin() as conn:
        for name in _WORK_TABLES:
            conn.execute(sql_text(f"core/create_{name}"))
        for name in _CLEANUP:
            conn.execute(sql_text(f"core/{name}"), params)
    with timer("dedup_keys"):
        _store_dedup_keys(ctx)
    with timer("dedup_blocks"):
        with ctx.engine.begin() as conn:
            conn.execute(sql_text("core/insert_cluster_block_windows_of_run"), params)
            refresh_statistics(conn, "core", "cluster_block_windows")
        _cluster_blocks(ctx, window_days)
    with timer("dedup_apply"), ctx.engine.begin() as conn:
        # Work tables are filled and emptied by every run: statistics taken while one was
        # empty would make the planner loop over it (seen: minutes for 30,000 postings).
        refresh_statistics(conn, "core", "cluster_batch")
        conn.execute(sql_text("core/insert_unblocked_clusters"), params)
        _merge_by_url(ctx, conn)
        conn.execute(sql_text("core/merge_cluster_relabel"), params)
        conn.execute(sql_text("core/apply_cluster_batch"), params)
        conn.execute(sql_text("core/apply_cluster_relabel"), params)
        for name in _CLEANUP:
            conn.execute(sql_text(f"core/{name}"), params)
        rows = conn.execute(sql_text("core/run_duplicates_by_source"), params).all()
    return {r.source: int(r.duplicates) for r in rows}


def _store_dedup_keys(ctx: RunContext) -> None:
    """Blocking keys of the postings this run loaded.

    The keys prepared with each staged record are copied in one statement; postings
    staged without them (by code older than migration 0018) are keyed here in Python,
    a page of ids at a time. The table's planner statistics are taken after the copy
    (the Python pass's query reads it), and again only if that pass added keys.
    """
    params = {"run_id": ctx.run_id, "page_rows": BATCH_ROWS}
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("core/delete_vacancy_dedup_keys_of_run"), params)
        conn.execute(sql_text("core/insert_vacancy_dedup_keys_from_staging"), params)
        refresh_statistics(conn, "core", "vacancy_dedup_keys")
    after = ""
    while True:
        with ctx.engine.connect() as conn:
            result = conn.execute(sql_text("core/vacancies_of_run_for_keys"),
                                  {**params, "after": after})
            frame = result_frame(result)
        if frame.empty:
            break
        after = frame["vacancy_id"].iat[-1]
        with ctx.engine.begin() as conn:
            bulk_insert(conn, "core", "vacancy_dedup_keys", _block_keys(frame))
    if after:
        with ctx.engine.begin() as conn:
            refresh_statistics(conn, "core", "vacancy_dedup_keys")


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


def _cluster_blocks(ctx: RunContext, window_days: int) -> None:
    """Near-duplicate clusters of the touched blocks, a batch of blocks at a time.

    Each batch is one bounded query (a range of block keys, each block in its own
    date window, without descriptions); descriptions are then read only for the
    postings in a title pair. Memory follows the batch size (and the largest
    block), not the history.
    """
    params = {"run_id": ctx.run_id}
    with ctx.engine.connect() as conn:
        sizes = [(r.block_key, int(r.postings))
                 for r in conn.execute(sql_text("core/dedup_block_sizes"), params)]
    for first, last in _block_batches(sizes, BLOCK_BATCH_ROWS):
        with ctx.engine.connect() as conn:
            result = conn.execute(sql_text("core/vacancies_for_dedup"),
                                  {**params, "first_block": first, "last_block": last})
            rows = result_frame(result)
        if not rows.empty:
            _cluster_batch(ctx, rows, window_days)


def _cluster_batch(ctx: RunContext, rows: pd.DataFrame, window_days: int) -> None:
    """Cluster one batch of blocks (rows ordered by block, date, id) into ``cluster_batch``."""
    # Blocks are runs of equal keys (the query orders by block): arrays and slices,
    # not a DataFrame per block (most blocks hold a handful of postings).
    keys = rows["block_key"].to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    ids = rows["vacancy_id"].tolist()
    titles = rows["title_key"].tolist()
    days = _epoch_days(rows["date_posted"])
    in_run = rows["in_run"].fillna(False).to_numpy(dtype=bool)
    kept = [None if new else old
            for new, old in zip(in_run.tolist(), rows["cluster_id"].tolist(), strict=True)]
    blocks = [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]
    pairs = [_pairs_in_window(titles[a:b], days[a:b], window_days, in_run[a:b])
             if b - a > 1 else [] for a, b in blocks]
    wanted = sorted({ids[a + i] for (a, _), found in zip(blocks, pairs, strict=True)
                     for pair in found for i in pair})
    descriptions = _lookup(ctx, wanted, "core/dedup_candidate_descriptions",
                           {"description_chars": DESCRIPTION_READ_CHARS})
    # Clusters whose first posting is not among the postings read: their dates decide
    # which cluster comes first when the run joins two of them.
    day_of = dict(zip(ids, days.tolist(), strict=True))
    outside = sorted({c for c in kept if c is not None} - day_of.keys())
    dates = _lookup(ctx, outside, "core/dedup_candidate_dates", {})
    if dates:
        day_of.update(zip(dates, _epoch_days(pd.Series(list(dates.values()))).tolist(),
                          strict=True))
    clusters = list(ids)  # a posting alone in its block is its own cluster
    relabel: dict[str, str] = {}
    for (a, b), found in zip(blocks, pairs, strict=True):
        links = kept[a:b]
        if not found and all(c is None for c in links):
            continue
        clusters[a:b], moved = _clusters_keeping_links(ids[a:b], days[a:b], links, found,
                                                       descriptions, day_of)
        for old, new in moved.items():  # a cluster reaching two blocks: the earliest
            if old not in relabel or (day_of[new], new) < (day_of[relabel[old]], relabel[old]):
                relabel[old] = new
    with ctx.engine.begin() as conn:
        bulk_insert(conn, "core", "cluster_batch", pd.DataFrame({
            "run_id": ctx.run_id, "vacancy_id": ids, "cluster_id": clusters}))
        if relabel:
            bulk_insert(conn, "core", "cluster_relabel", pd.DataFrame({
                "run_id": ctx.run_id, "old_cluster_id": list(relabel),
                "new_cluster_id": list(relabel.values())}))


def _epoch_days(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 of each date (for the posting-date window)."""
    return (pd.to_datetime(dates) - pd.Timestamp("1970-01-01")).dt.days.to_numpy()


def _lookup(ctx: RunContext, ids: list[str], query: str, extra: dict) -> dict[str, object]:
    """vacancy_id → the one value ``query`` selects for it, for ``ids`` (through a work
    table: no id lists in SQL)."""
    if not ids:
        return {}
    params = {"run_id": ctx.run_id, **extra}
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("core/create_dedup_candidates"))
        conn.execute(sql_text("core/delete_dedup_candidates"), params)
        bulk_insert(conn, "core", "dedup_candidates",
                    pd.DataFrame({"run_id": ctx.run_id, "vacancy_id": ids}))
        found = dict(fetch_tuples(conn.execute(sql_text(query), params)))
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

    Eligibility and keys are those of ``assign_clusters`` (:func:`block_keys`): an
    employer, a region (``region_code``, else country and locality), a date and a title
    are needed for near matching.
    """
    from etl.normalise.blocking import block_keys

    keys = [block_keys(*values) for values in zip(
        frame["employer_name"], frame["region_code"], frame["country_code"], frame["locality"],
        frame["title"], strict=True)]
    dated = pd.to_datetime(frame["date_posted"], errors="coerce").notna().tolist()
    return pd.DataFrame({"vacancy_id": frame["vacancy_id"],
                         "block_key": [b if d else "" for (b, _), d in zip(keys, dated, strict=True)],
                         "title_key": [t for _, t in keys]})


def _title_pairs(block: pd.DataFrame, *, window_days: int) -> list[tuple[int, int]]:
    """Positions (a < b) of postings of one block with similar titles, close in time.

    ``block`` is sorted by date then vacancy_id (columns ``title_key``, ``date_posted``).
    """
    return _pairs_in_window(block["title_key"].tolist(), _epoch_days(block["date_posted"]),
                            window_days)


def _pairs_in_window(titles: list[str], days: np.ndarray, window_days: int,
                     in_run: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Positions (a < b) of similar titles at most ``window_days`` apart.

    ``days`` are sorted. With ``in_run``, only pairs involving at least one posting
    of the run are looked for (the others were compared by the run that loaded
    them, and their clusters are kept). Titles are scored with
    ``rapidfuzz.process.cdist`` only against postings inside the date window (a
    slice, since dates are sorted), in slices of rows so that a big block needs
    slice × window memory, not block².
    """
    from rapidfuzz import fuzz, process

    n = len(titles)
    if n < 2:
        return []
    rows = np.arange(n) if in_run is None else np.flatnonzero(in_run)
    pairs = []
    for start in range(0, len(rows), _CDIST_ROWS):
        chunk = rows[start:start + _CDIST_ROWS]
        lo = int(np.searchsorted(days, days[chunk[0]] - window_days, side="left"))
        hi = int(np.searchsorted(days, days[chunk[-1]] + window_days, side="right"))
        scores = process.cdist([titles[i] for i in chunk], titles[lo:hi],
                               scorer=fuzz.token_sort_ratio, score_cutoff=TITLE_THRESHOLD,
                               dtype=np.uint8, workers=1)
        close = np.abs(days[chunk, None] - days[None, lo:hi]) <= window_days
        for a, b in np.argwhere((scores >= TITLE_THRESHOLD) & close):
            ia, ib = int(chunk[a]), int(b) + lo
            # Each pair once: two postings of the run find each other both ways.
            if ib > ia or (ib < ia and in_run is not None and not in_run[ib]):
                pairs.append((min(ia, ib), max(ia, ib)))
    return pairs


def _join_pairs(uf, ids: list[str], pairs: list[tuple[int, int]],
                descriptions: dict[str, str | None]) -> None:
    """Union the title pairs whose descriptions do not differ.

    A title pair joins two postings unless both have descriptions that differ
    (token-set similarity of their folded first 1,500 characters below the
    threshold).
    """
    from rapidfuzz import fuzz

    from etl.normalise.dedup import folded_prefix

    folded: dict[str, str] = {}

    def description(vid: str) -> str:
        if vid not in folded:
            text = descriptions.get(vid)
            folded[vid] = folded_prefix(text, DESCRIPTION_CHARS) if isinstance(text, str) else ""
        return folded[vid]

    for ia, ib in pairs:
        if uf.find(ia) == uf.find(ib):
            continue  # already joined through another pair: no description to fold or compare
        da, db = description(ids[ia]), description(ids[ib])
        if da and db and fuzz.token_set_ratio(da, db) < DESCRIPTION_THRESHOLD:
            continue
        uf.union(ia, ib)


def _clusters_keeping_links(ids: list[str], days: np.ndarray, kept: list[str | None],
                            pairs: list[tuple[int, int]], descriptions: dict[str, str | None],
                            day_of: dict[str, int]) -> tuple[list[str], dict[str, str]]:
    """Clusters of a block, where some postings may keep the cluster an earlier run gave them.

    ``kept[i]`` is that cluster (``None`` for a posting the run loaded, which is
    matched afresh). Each kept cluster is a node joined to its postings, so
    postings of one cluster stay together even when what linked them lies
    outside the window. A component's id is its earliest posting: the earliest
    in the block (``ids`` are in date order), or a kept cluster's first posting
    outside the block when that is earlier (``day_of``: its date, in days; a
    cluster whose first posting is gone from the warehouse is not a candidate). Returns
    the cluster per posting and, for kept clusters whose id changes, old → new
    (what their members outside the window must follow).
    """
    from etl.normalise.dedup import _UnionFind

    n = len(ids)
    labels = sorted({c for c in kept if c is not None})
    node = {c: n + k for k, c in enumerate(labels)}
    uf = _UnionFind(n + len(labels))
    for i, c in enumerate(kept):
        if c is not None:
            uf.union(i, node[c])
    _join_pairs(uf, ids, pairs, descriptions)
    first: dict[int, tuple[int, str]] = {}
    for i in range(n):  # in date order: the first posting seen of a component is its earliest
        first.setdefault(uf.find(i), (int(days[i]), ids[i]))
    in_block = set(ids)
    for c in labels:
        if c in in_block:
            continue  # the posting itself is in the block (and in the date order above)
        if c not in day_of:
            continue
        root, key = uf.find(node[c]), (day_of[c], c)
        if key < first[root]:
            first[root] = key
    clusters = [first[uf.find(i)][1] for i in range(n)]
    moved = {c: first[uf.find(node[c])][1] for c in labels}
    return clusters, {c: new for c, new in moved.items() if new != c}


def _cluster_block(block: pd.DataFrame, *, window_days: int) -> list[str]:
    """Cluster ids of one block given with its descriptions (title pairs, then descriptions)."""
    ids = block["vacancy_id"].tolist()
    pairs = _title_pairs(block, window_days=window_days)
    clusters, _ = _clusters_keeping_links(
        ids, _epoch_days(block["date_posted"]), [None] * len(ids), pairs,
        dict(zip(ids, block["description_text"], strict=True)), {})
    return clusters


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
