"""Cross-source deduplication of vacancies into clusters.

The same vacancy is typically posted 2–5 times (several boards, the PES feed,
reposts). Counting it once is what makes the vacancy indicators credible, but
deleting copies would lose evidence (which boards carry what), so every record
stays and gets a ``cluster_id``; exactly one record per cluster has
``is_duplicate = False``: the earliest posted (ties: source, source id, URL,
so the choice is deterministic and re-runs give the same clusters).

Two records are the same vacancy when

* **exact**: same ``source`` and ``source_id``, or same canonical URL
  (tracking parameters, fragment, host case removed); or
* **near**: same normalised employer and same region (``region_code``, else
  country + locality), titles similar (rapidfuzz ``token_sort_ratio`` on
  cleaned, accent-free titles ≥ ``title_threshold``), descriptions similar
  (``token_set_ratio`` on the first ``description_chars`` characters ≥
  ``description_threshold``, not required when either is missing), and posted
  at most ``window_days`` apart.

Near-duplicate search is blocked by (employer, region): only records that
share a block are compared, and inside a block titles are scored with
``rapidfuzz.process.cdist`` (vectorised C), so cost grows with the size of the
largest block, not with the square of the frame. Records without an employer
are only deduplicated exactly: "same title, same town" alone is too often two
real vacancies (two bakeries hiring a baker).

Clusters are transitive (A~B and B~C puts A, B, C together), as in the
Cedefop/Eurostat OJA pipeline; the window keeps chains from growing across
months.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from etl.normalise.blocking import employer_key, folded_prefix, region_key, title_key
from etl.normalise.vacancy import canonical_url

_CHUNK = 2000
REQUIRED_COLUMNS = ("source", "source_id", "url", "title", "employer_name", "date_posted")

class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = np.arange(n)

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return int(root)

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _union_groups(uf: _UnionFind, keys: pd.Series) -> None:
    valid = keys[keys.notna() & (keys.astype(str) != "")]
    for _, positions in valid.groupby(valid, sort=False).indices.items():
        first = int(positions[0])
        for other in positions[1:]:
            uf.union(first, int(other))


def assign_clusters(
    df: pd.DataFrame,
    *,
    window_days: int = 30,
    title_threshold: float = 0.85,
    description_threshold: float = 0.6,
    description_chars: int = 1500,
) -> pd.DataFrame:
    """A copy of ``df`` with ``cluster_id`` and ``is_duplicate`` (see module docstring).

    Required columns: ``REQUIRED_COLUMNS``; ``region_code``, ``country_code``,
    ``locality`` and ``description_text`` are used when present.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"assign_clusters: missing columns {missing} (have {list(df.columns)})")
    out = df.copy()
    n = len(out)
    if n == 0:
        out["cluster_id"] = pd.Series(dtype="string")
        out["is_duplicate"] = pd.Series(dtype="bool")
        return out
    frame = out.reset_index(drop=True)
    uf = _UnionFind(n)

    # Exact: same source + source id; same canonical URL.
    source = frame["source"].astype("string").fillna("")
    source_id = frame["source_id"].astype("string")
    exact_id = (source + "\x1f" + source_id).where(source_id.notna() & (source_id != ""))
    _union_groups(uf, exact_id)
    canon = frame["url"].map(lambda u: canonical_url(u) if isinstance(u, str) and u else None)
    _union_groups(uf, canon)

    # Near: blocked by employer and region.
    dates = pd.to_datetime(frame["date_posted"], errors="coerce")
    employer = frame["employer_name"].map(employer_key)
    region = _region_keys(frame)
    titles = frame["title"].map(title_key)
    descriptions = (
        frame["description_text"].map(lambda d: folded_prefix(d, description_chars))
        if "description_text" in frame.columns else pd.Series([""] * n)
    )
    day_numbers = (dates - pd.Timestamp("1970-01-01")).dt.days
    # Plain lists and arrays: pandas scalar access would dominate the pair loop.
    title_list = titles.tolist()
    description_list = descriptions.tolist()
    day_array = day_numbers.to_numpy()
    blocks = pd.DataFrame({"employer": employer, "region": region})
    eligible = (employer != "") & (region != "") & dates.notna() & (titles != "")
    title_cutoff = title_threshold * 100
    desc_cutoff = description_threshold * 100
    for _, positions in blocks[eligible].groupby(["employer", "region"], sort=False).indices.items():
        idx = blocks[eligible].index.to_numpy()[positions]
        if len(idx) < 2:
            continue
        block_titles = [title_list[i] for i in idx]
        block_days = day_array[idx]
        # Rows in chunks so that a very large block (one big employer in the
        # capital) needs chunk × block bytes, not block² bytes.
        for start in range(0, len(idx), _CHUNK):
            stop = min(start + _CHUNK, len(idx))
            scores = process.cdist(block_titles[start:stop], block_titles,
                                   scorer=fuzz.token_sort_ratio, score_cutoff=title_cutoff,
                                   dtype=np.uint8, workers=1)
            close = np.abs(block_days[start:stop, None] - block_days[None, :]) <= window_days
            for a, b in np.argwhere((scores >= title_cutoff) & close):
                a = int(a) + start
                if int(b) <= a:
                    continue
                ia, ib = int(idx[a]), int(idx[int(b)])
                da, db = description_list[ia], description_list[ib]
                if da and db and fuzz.token_set_ratio(da, db) < desc_cutoff:
                    continue
                uf.union(ia, ib)

    roots = np.array([uf.find(i) for i in range(n)])
    order = pd.DataFrame({
        "root": roots,
        "date": dates,
        "source": source,
        "source_id": source_id.fillna(""),
        "url": frame["url"].astype("string").fillna(""),
    })
    order["pos"] = np.arange(n)
    order = order.sort_values(["root", "date", "source", "source_id", "url", "pos"],
                              na_position="last", kind="mergesort")
    representative = order.groupby("root", sort=False)["pos"].first()
    rep_of_row = representative.reindex(roots).to_numpy()

    source_list = source.tolist()
    source_id_list = source_id.fillna("").tolist()
    canon_list = canon.tolist()

    def cluster_name(pos: int) -> str:
        key = (f"{source_list[pos]}\x1f{source_id_list[pos]}\x1f{canon_list[pos] or ''}"
               f"\x1f{title_list[pos]}")
        return "vc_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    names = {int(p): cluster_name(int(p)) for p in np.unique(rep_of_row)}
    out["cluster_id"] = [names[int(p)] for p in rep_of_row]
    out["is_duplicate"] = rep_of_row != np.arange(n)
    return out


def _region_keys(frame: pd.DataFrame) -> pd.Series:
    """:func:`etl.normalise.blocking.region_key` of each row (one definition of the rule)."""
    missing = [None] * len(frame)
    columns = [frame[c] if c in frame.columns else missing
               for c in ("region_code", "country_code", "locality")]
    return pd.Series([region_key(*values) for values in zip(*columns, strict=True)],
                     index=frame.index, dtype=str)


def duplicate_share(df: pd.DataFrame) -> float:
    """Share of records that are duplicates (what the run summary reports)."""
    if len(df) == 0:
        return 0.0
    return float(df["is_duplicate"].mean())
