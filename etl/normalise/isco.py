"""Coding of job titles to ISCO-08 unit groups (4 digits), with a confidence.

Why this shape: a skills-gap table is only as good as the coding of each
vacancy. A wrong code silently moves demand from one occupation to another, so
every answer says how sure it is and which stage decided, and anything below a
calibrated threshold stays ``unclassified`` instead of being guessed.

Stages, first that answers wins:

1. ``occupational_category`` — the posting carries an ISCO-08 code itself
   (schema.org ``occupationalCategory``). An O*NET-SOC code is mapped through a
   crosswalk only if one is shipped in ``reference_data/crosswalks/``; none is
   shipped today, so such codes are ignored and the title decides.
2. ``exact`` — the cleaned title (see :mod:`etl.normalise.text`) equals a cleaned
   label of the ILO index, the ESCO labels (English and French) or the project's
   short list of ad head-words (:mod:`etl.normalise.isco_supplement`).
3. ``token`` — the title's words, weighted by rarity (IDF), are compared with
   every label sharing a word (weighted Dice). Word order does not matter, so
   "Accountant, chartered" meets "chartered accountant".
4. ``fuzzy`` — words unknown to the vocabulary are corrected to the nearest
   known word (rapidfuzz, same first letter) and stage 3 is run again.

The confidence is the match score, lowered when other codes score nearly as
well. Distinct titles are classified once: :meth:`IscoClassifier.classify_many`
and :meth:`IscoClassifier.classify` share a per-process cache keyed by the raw
and by the cleaned title.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from etl.normalise.text import title_tokens

__all__ = [
    "DEFAULT_THRESHOLD",
    "Classification",
    "IscoClassifier",
    "get_classifier",
    "load_index_entries",
    "load_structure",
    "parse_occupational_category",
    "stem",
    "title_head",
]

# Calibrated on the development split of the evaluation set with
# ``lmis classify-eval --split dev --calibrate`` (objective and tie rule in
# etl.normalise.isco_eval.calibrate; figures in docs/classification.md).
DEFAULT_THRESHOLD = 0.55

UNCLASSIFIED = "unclassified"
_UNKNOWN_TOKEN_WEIGHT = 1.0  # a word no label uses: usually a place or firm name
_SUPPLEMENT_WEIGHT = 3.0
_CACHE_LIMIT = 500_000


@dataclass(frozen=True, slots=True)
class Classification:
    """The ISCO-08 code of one title, or an explicit unclassified answer.

    Slotted: the classifier keeps one per distinct title it has coded.
    """

    isco08: str | None
    label: str | None
    confidence: float
    method: str

    @property
    def is_classified(self) -> bool:
        return self.isco08 is not None

    def as_dict(self) -> dict[str, object]:
        return {
            "isco08": self.isco08,
            "label": self.label,
            "confidence": round(self.confidence, 4),
            "method": self.method,
        }


_UNCLASSIFIED_EMPTY = Classification(None, None, 0.0, UNCLASSIFIED)

# --- word stems -----------------------------------------------------------

# Feminine → masculine endings, then plural. Applied in the same way to labels
# and titles, so only consistency matters, not linguistic accuracy.
_FEMININE = (
    ("iennes", "ien"), ("ienne", "ien"), ("trices", "teur"), ("trice", "teur"),
    ("euses", "eur"), ("euse", "eur"), ("eres", "er"), ("ere", "er"),
    ("ives", "if"), ("ive", "if"), ("ees", "e"), ("ee", "e"), ("ales", "al"), ("ale", "al"),
)


@lru_cache(maxsize=100_000)
def stem(token: str) -> str:
    """Fold gender and plural endings: "vendeuses" → "vendeur", "nurses" → "nurse"."""
    if len(token) <= 3:
        return token
    for suffix, repl in _FEMININE:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)] + repl
    if token.endswith("s") and not token.endswith("ss") and len(token) > 4:
        return token[:-1]
    return token


_SEGMENT = re.compile(r"\s(?:of|for|in|at|with|-|–|—|\|)\s|[(\[,:/|]", re.IGNORECASE)


@lru_cache(maxsize=200_000)
def title_head(title: str) -> str | None:
    """The word that names the occupation: "engineer" in "General Engineer (Direct
    Hire)", "manager" in "Manager of ETL Development", "ingenieur" in
    "Ingénieur génie civil". English puts it last in the first phrase, French
    first. Used to prefer labels that share it.
    """
    from etl.normalise.text import guess_lang, tokenize

    first = _SEGMENT.split(title or "", maxsplit=1)[0]
    tokens = _key_tokens(first)
    if not tokens:
        return None
    return tokens[0] if guess_lang(tokenize(title or "")) == "fr" else tokens[-1]


def _key_tokens(title: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tok in title_tokens(title):
        seen.setdefault(stem(tok), None)
    return tuple(seen)


# --- reference data -------------------------------------------------------


def _reference_dir() -> Path:
    from etl.settings import REFERENCE_DIR

    return REFERENCE_DIR


def load_structure(path: Path | None = None) -> dict[str, str]:
    """ISCO-08 code → English title, all levels (codes keep leading zeros)."""
    path = path or _reference_dir() / "isco08_structure.csv"
    out: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), start=2):
            code = (row.get("code") or "").strip()
            if not code.isdigit():
                raise ValueError(f"{path}:{lineno}: ISCO code {code!r} is not digits")
            out[code] = (row.get("title") or "").strip()
    return out


def load_index_entries(reference_dir: Path | None = None) -> list[tuple[str, str, float]]:
    """(title, isco08, weight) from the English and French indexes and the supplement."""
    from etl.normalise.isco_supplement import SUPPLEMENT

    ref = reference_dir or _reference_dir()
    entries: list[tuple[str, str, float]] = []
    for name in ("isco08_index.csv", "isco08_index_fr.csv"):
        path = ref / name
        with path.open(encoding="utf-8", newline="") as fh:
            for lineno, row in enumerate(csv.DictReader(fh), start=2):
                code = (row.get("isco08") or "").strip()
                title = (row.get("title") or "").strip()
                if len(code) != 4 or not code.isdigit():
                    raise ValueError(f"{path}:{lineno}: isco08 {code!r} is not a 4-digit code")
                if title:
                    entries.append((title, code, 1.0))
    entries.extend((title, code, _SUPPLEMENT_WEIGHT) for title, code in SUPPLEMENT)
    return entries


# --- occupationalCategory -------------------------------------------------

_SOC = re.compile(r"\b(\d{2}-\d{4})(?:\.\d{2})?\b")
_ISCO4 = re.compile(r"(?<![\d\-.])(\d{4})(?![\d\-.])")


def parse_occupational_category(
    value: str | None, valid_codes: Iterable[str], soc_crosswalk: dict[str, str] | None = None
) -> str | None:
    """The ISCO-08 unit group a posting declares, or None.

    Accepts "2411", "ISCO-08 2411", "2411 Accountants"; an O*NET-SOC code
    ("13-2011.00") only through ``soc_crosswalk``. Codes that are not ISCO-08
    unit groups are ignored rather than trusted.
    """
    if not value:
        return None
    text = str(value)
    valid = set(valid_codes)
    soc = _SOC.search(text)
    if soc:
        if soc_crosswalk:
            mapped = soc_crosswalk.get(soc.group(1))
            if mapped in valid:
                return mapped
        return None
    for match in _ISCO4.finditer(text.replace("ISCO-08", "ISCO").replace("isco-08", "isco")):
        if match.group(1) in valid:
            return match.group(1)
    return None


def load_soc_crosswalk(reference_dir: Path | None = None) -> dict[str, str]:
    """O*NET-SOC (6-digit SOC) → ISCO-08, if a crosswalk file is shipped; else empty."""
    path = (reference_dir or _reference_dir()) / "crosswalks" / "soc2018_isco08.csv"
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["soc"].strip(), row["isco08"].strip())
    return out


# --- classifier -----------------------------------------------------------


class IscoClassifier:
    """Title → ISCO-08 unit group. Build once per process (see :func:`get_classifier`)."""

    def __init__(
        self,
        entries: Iterable[tuple[str, str, float]] | None = None,
        structure: dict[str, str] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        soc_crosswalk: dict[str, str] | None = None,
    ) -> None:
        self.structure = structure if structure is not None else load_structure()
        self.unit_groups = frozenset(c for c in self.structure if len(c) == 4)
        self.threshold = threshold
        self.soc_crosswalk = soc_crosswalk if soc_crosswalk is not None else load_soc_crosswalk()
        self._cache: dict[str, Classification] = {}
        self._key_cache: dict[tuple[str, ...], tuple[str | None, float, str]] = {}
        self._build(entries if entries is not None else load_index_entries())

    # building ---------------------------------------------------------------

    def _build(self, entries: Iterable[tuple[str, str, float]]) -> None:
        exact: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
        by_set: dict[frozenset[str], Counter[str]] = defaultdict(Counter)
        for title, code, weight in entries:
            if code not in self.unit_groups:
                raise ValueError(f"index entry {title!r}: {code!r} is not an ISCO-08 unit group")
            for alt in _alternatives(title):
                key = _key_tokens(alt)
                if not key:
                    continue
                exact[key][code] += weight
                by_set[frozenset(key)][code] += weight
        self._exact = {k: _vote(v) for k, v in exact.items()}
        self._exact_codes = {k: dict(v) for k, v in exact.items() if len(v) > 1}
        sets = list(by_set)
        df: Counter[str] = Counter()
        for s in sets:
            df.update(s)
        n = len(sets)
        self.idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        self._vocab_by_initial: dict[str, list[str]] = defaultdict(list)
        for tok in self.idf:
            self._vocab_by_initial[tok[0]].append(tok)
        postings: dict[str, list[int]] = defaultdict(list)
        codes, shares, weights = [], [], []
        for i, s in enumerate(sets):
            code, share = _vote(by_set[s])
            codes.append(code)
            shares.append(share)
            weights.append(sum(self.idf[t] for t in s))
            for t in s:
                postings[t].append(i)
        self._postings = {t: np.asarray(v, dtype=np.int32) for t, v in postings.items()}
        self._entry_code = np.asarray(codes)
        self._entry_share = np.asarray(shares, dtype=np.float64)
        self._entry_weight = np.asarray(weights, dtype=np.float64)

    # public -----------------------------------------------------------------

    def label(self, code: str | None) -> str | None:
        return self.structure.get(code) if code else None

    def classify(
        self,
        title: str | None,
        description: str | None = None,
        occupational_category: str | None = None,
        use_cache: bool = True,
    ) -> Classification:
        """Code one title. ``occupational_category`` wins when it holds a usable code."""
        declared = parse_occupational_category(
            occupational_category, self.unit_groups, self.soc_crosswalk
        )
        if declared:
            return Classification(declared, self.label(declared), 1.0, "occupational_category")
        result = self._classify_title(title or "", use_cache)
        if not result.is_classified and description:
            fallback = self._classify_description(description)
            if fallback.is_classified:
                return fallback
        return result

    def classify_many(self, titles: Iterable[str | None]) -> list[Classification]:
        """Code many titles, each distinct title once."""
        return [self._classify_title(t or "") for t in titles]

    # stages -----------------------------------------------------------------

    def _classify_title(self, title: str, use_cache: bool = True) -> Classification:
        # The cache holds the answer before the threshold, so that changing
        # ``threshold`` (calibration) never serves a stale decision.
        raw = self._cache.get(title) if use_cache else None
        if raw is None:
            key = _key_tokens(title)
            code, conf, method = self._classify_key(key, title_head(title))
            raw = Classification(code, self.label(code), round(conf, 4), method)
            if use_cache:
                if len(self._cache) >= _CACHE_LIMIT:
                    self._cache.clear()
                self._cache[title] = raw
        if raw.isco08 is None or raw.confidence < self.threshold:
            return Classification(None, None, raw.confidence, UNCLASSIFIED)
        return raw

    def _classify_description(self, description: str) -> Classification:
        # First sentence only: ads open with the post ("Nous recherchons un comptable …").
        first = re.split(r"[.!?\n]", description, maxsplit=1)[0][:200]
        key = _key_tokens(first)[:12]
        code, conf, _ = self._classify_key(key, title_head(first))
        conf *= 0.8
        if code is None or conf < self.threshold:
            return Classification(None, None, round(conf, 4), UNCLASSIFIED)
        return Classification(code, self.label(code), round(conf, 4), "description")

    def _classify_key(
        self, key: tuple[str, ...], head: str | None = None
    ) -> tuple[str | None, float, str]:
        if not key:
            return None, 0.0, UNCLASSIFIED
        cache_key = (key, head)
        cached = self._key_cache.get(cache_key)
        if cached is not None:
            return cached
        key = self._join_compounds(key)
        answer = self._exact_match(key)
        if answer is None:
            code, conf, _ = self._token_match(key, head)
            answer = (code, conf, "token")
            unknown = [t for t in key if t not in self.idf]
            if unknown and conf < 0.85:
                corrected = tuple(self._correct(t) if t not in self.idf else t for t in key)
                if corrected != key:
                    fixed = self._exact_match(corrected)
                    if fixed is None:
                        c2, conf2, _ = self._token_match(corrected, head)
                    else:
                        c2, conf2, _ = fixed
                    conf2 *= 0.92
                    if conf2 > conf:
                        answer = (c2, conf2, "fuzzy")
        if len(self._key_cache) >= _CACHE_LIMIT:
            self._key_cache.clear()
        self._key_cache[cache_key] = answer
        return answer

    def _token_match(
        self, key: tuple[str, ...], head: str | None = None
    ) -> tuple[str | None, float, dict[str, float]]:
        """Best code by IDF-weighted overlap, its confidence, and per-code support."""
        known = [t for t in key if t in self._postings]
        if not known:
            return None, 0.0, {}
        idf = self.idf
        query_weight = sum(idf.get(t, _UNKNOWN_TOKEN_WEIGHT) for t in key)
        lists = [self._postings[t] for t in known]
        ids = np.concatenate(lists)
        w = np.repeat(np.asarray([idf[t] for t in known]), [len(a) for a in lists])
        uniq, inverse = np.unique(ids, return_inverse=True)
        matched = np.bincount(inverse, weights=w)
        entry_cov = matched / self._entry_weight[uniq]
        query_cov = matched / query_weight
        # The label must be covered; extra words in the ad ("emergency",
        # a town, a firm) cost less than missing words of the label.
        score = entry_cov * (0.6 + 0.4 * query_cov) * (0.85 + 0.15 * self._entry_share[uniq])
        if head is not None and head in self._postings:
            # Labels without the title's head word name another occupation
            # ("General" the army rank for "General Engineer").
            has_head = np.isin(uniq, self._postings[head], assume_unique=True)
            score = np.where(has_head, score, score * 0.8)
        top = np.argsort(score)[::-1][:25]
        best: dict[str, float] = {}
        support: dict[str, float] = defaultdict(float)
        for j in top:
            code = str(self._entry_code[uniq[j]])
            value = float(score[j])
            support[code] += value
            if value > best.get(code, 0.0):
                best[code] = value
        ranked = sorted(best.items(), key=lambda kv: (kv[1], support[kv[0]]), reverse=True)
        code, value = ranked[0]
        # Competing codes close behind lower the confidence: an ambiguous title
        # ("technicien de maintenance") should not look as sure as a precise one.
        rivals = sum(s for c, s in ranked[1:] if s >= value - 0.1 and c[:2] != code[:2])
        near = sum(s for c, s in ranked[1:] if s >= value - 0.1 and c[:2] == code[:2])
        agreement = value / (value + rivals + 0.5 * near)
        return code, value * (0.55 + 0.45 * agreement), dict(support)

    def _exact_match(self, key: tuple[str, ...]) -> tuple[str | None, float, str] | None:
        exact = self._exact.get(key)
        if exact is None:
            return None
        code, share = exact
        if share < 1.0:
            # Labels disagree ("bookkeeper" is 2411 in one source, 1211 in
            # another): let the neighbouring labels break the tie.
            codes = self._exact_codes[key]
            _, _, support = self._token_match(key)
            top = max(codes, key=lambda c: (codes[c], support.get(c, 0.0)))
            share = codes[top] / sum(codes.values())
            code = top
        return code, 0.5 + 0.48 * share, "exact"

    def _join_compounds(self, key: tuple[str, ...]) -> tuple[str, ...]:
        """"store keeper" → "storekeeper" when only the joined word is known."""
        if len(key) < 2:
            return key
        out: list[str] = []
        i = 0
        while i < len(key):
            if i + 1 < len(key):
                joined = key[i] + key[i + 1]
                if joined in self.idf and (key[i] not in self.idf or key[i + 1] not in self.idf
                                           or self.idf[joined] > max(self.idf[key[i]],
                                                                     self.idf[key[i + 1]])):
                    out.append(joined)
                    i += 2
                    continue
            out.append(key[i])
            i += 1
        return tuple(out)

    @lru_cache(maxsize=50_000)  # noqa: B019 - the classifier lives for the process
    def _correct(self, token: str) -> str:
        """Nearest known word for a misspelt one (same initial, ratio ≥ 85), else itself."""
        if len(token) < 5:
            return token
        from rapidfuzz import fuzz, process

        pool = [t for t in self._vocab_by_initial.get(token[0], ()) if abs(len(t) - len(token)) <= 2]
        if not pool:
            return token
        match = process.extractOne(token, pool, scorer=fuzz.ratio, score_cutoff=85)
        return match[0] if match else token


def _alternatives(title: str) -> list[str]:
    """The forms of an index label to index.

    "directeur technique/directrice technique" is one form (the gender endings
    fold to the same key); "Comptable/Caissier" lists two titles, indexed apart.
    """
    if "/" not in title:
        return [title]
    parts = [p for p in (x.strip() for x in title.split("/")) if p]
    keys = {frozenset(_key_tokens(p)) for p in parts}
    return parts[:1] if len(keys) == 1 else parts


def _vote(counter: Counter[str]) -> tuple[str, float]:
    total = sum(counter.values())
    code, weight = max(counter.items(), key=lambda kv: (kv[1], -int(kv[0])))
    return code, weight / total


_CLASSIFIER: IscoClassifier | None = None


def get_classifier() -> IscoClassifier:
    """The process-wide classifier, built on first use (about two seconds)."""
    global _CLASSIFIER
    if _CLASSIFIER is None:
        _CLASSIFIER = IscoClassifier()
    return _CLASSIFIER
