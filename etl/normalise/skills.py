"""Tagging of skills mentioned in free text against a skills vocabulary (ESCO).

Why: the opportunity and skills-gap tables count in-demand skills per
occupation and region, so every vacancy description and survey answer is
reduced to a list of skill ids. The vocabulary is data, not code: the tagger
takes any (uri, labels) pairs, so a national skills list can replace ESCO.

How: every label is cleaned to accent-free lower-case tokens (light plural
folding, stop words dropped) and written with a space on both sides of each
token; a text is cleaned and written the same way, and an Aho–Corasick
automaton over all labels (``ahocorasick_rs``, in Rust) finds the
leftmost-longest matches in one pass: at the first position where a label
starts, the longest label starting there wins, and the next match starts after
it, as in dictionary taggers. The spaces make only whole words match. Cost is
independent of the vocabulary size and, but for tokenising, all in C; tagging
is most of a posting's preparation, so the Python trie walk it replaced was
worth replacing (docs/benchmarks.md, fifth round).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick_rs

from etl.normalise.text import tokenize

__all__ = [
    "SkillMatch",
    "SkillTagger",
    "get_skill_tagger",
    "load_esco_vocabulary",
    "skill_uris",
    "skills_for_occupation",
]

_MAX_LABEL_TOKENS = 8
# One-word labels that are ordinary words in ads: they would tag nearly every text.
_AMBIGUOUS_SINGLE = frozenset(
    str.split(
    "management communication planning sales travel teaching writing reading listening "
    "leadership teamwork design marketing finance cleaning cooking driving "
    "security maintenance research data safety quality service services production support "
    "transport logistics law health languages language music art sport sports office "
    "gestion vente conduite cuisine nettoyage securite qualite production"
    )
)
_PAREN = re.compile(r"\s*\([^)]*\)")
_STOP = frozenset(str.split("a an the of and or to de du des la le les d l et en un une"))


@dataclass(frozen=True)
class SkillMatch:
    """One skill found in a text: its id, preferred label and the words that matched."""

    skill_uri: str
    label: str
    matched: str = ""


@lru_cache(maxsize=500_000)  # a run sees a few tens of thousands of words many times
def _fold(token: str) -> str:
    if len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def _label_key(label: str) -> tuple[str, ...]:
    return tuple(_fold(t) for t in tokenize(label) if t not in _STOP)


class SkillTagger:
    """Phrase matcher over a swappable skills vocabulary.

    ``vocabulary``: iterable of ``(uri, labels)`` where ``labels`` is a list of
    strings (the first is the preferred label), or a pandas DataFrame with
    columns ``skill_uri`` and ``labels``.
    """

    def __init__(self, vocabulary: Iterable[tuple[str, list[str]]] | object) -> None:
        pairs = _as_pairs(vocabulary)
        phrases: dict[tuple[str, ...], str] = {}
        self._labels: dict[str, str] = {}
        for uri, labels in pairs:
            labels = [lbl for lbl in labels if lbl and lbl.strip()]
            if not uri or not labels:
                raise ValueError(f"skill vocabulary entry {uri!r}: needs a uri and a label")
            self._labels.setdefault(uri, labels[0].strip())
            for label in labels:
                for variant in {label, _PAREN.sub("", label)}:
                    key = _label_key(variant)
                    if not key or len(key) > _MAX_LABEL_TOKENS:
                        continue
                    if len(key) == 1 and (len(key[0]) < 3 or key[0] in _AMBIGUOUS_SINGLE):
                        continue
                    # First uri wins: preferred labels are loaded before alt labels.
                    phrases.setdefault(key, uri)
        keys = list(phrases)
        # What a text's token becomes before matching: a stop word is dropped (""), and a
        # plural is folded only where its singular is in some label, since no other
        # token can be part of a match folded or not. A dict of those few tokens lets
        # the text be rewritten by ``map`` in C instead of calling _fold per token.
        self._token_key: dict[str, str] = dict.fromkeys(_STOP, "")
        for key in keys:
            for token in key:
                if _fold(token + "s") == token:
                    self._token_key[token + "s"] = token
        self._uris = [phrases[key] for key in keys]
        self._matched = [" ".join(key) for key in keys]
        self._matcher = ahocorasick_rs.AhoCorasick(
            [f" {'  '.join(key)} " for key in keys],
            matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
        ) if keys else None

    def __len__(self) -> int:
        return len(self._labels)

    def label(self, uri: str) -> str | None:
        return self._labels.get(uri)

    def tag(self, text: str | None, lang: str | None = None) -> list[SkillMatch]:
        """Skills mentioned in ``text``, each once, in order of first mention.

        ``lang`` is accepted for symmetry with callers that know it; matching
        uses all labels of every language, since ads mix English and French.
        """
        if not text or self._matcher is None:
            return []
        # Stop words are dropped from the text as from the labels' keys: "gestion de
        # projets" must meet the label "gestion de projet", whose key is (gestion, projet).
        tokens = tokenize(_strip_html(text))
        # Each token with a space of its own on both sides, so that a label (written the
        # same way) matches whole words only and two matches in a row share no space.
        words = "  ".join(filter(None, map(self._token_key.get, tokens, tokens)))
        found: dict[str, SkillMatch] = {}
        for index, _start, _end in self._matcher.find_matches_as_indexes(f" {words} "):
            uri = self._uris[index]
            if uri not in found:
                found[uri] = SkillMatch(uri, self._labels[uri], self._matched[index])
        return list(found.values())


def _strip_html(text: str) -> str:
    if "<" not in text:
        return text
    return re.sub(r"<[^>]*>?", " ", text)


def _as_pairs(vocabulary: object) -> list[tuple[str, list[str]]]:
    if hasattr(vocabulary, "itertuples") and hasattr(vocabulary, "columns"):
        cols = list(vocabulary.columns)  # type: ignore[attr-defined]
        if "skill_uri" not in cols or "labels" not in cols:
            raise ValueError(f"skill vocabulary DataFrame needs skill_uri and labels, has {cols}")
        out = []
        for uri, labels in zip(vocabulary["skill_uri"], vocabulary["labels"], strict=True):  # type: ignore[index]
            out.append((str(uri), [labels] if isinstance(labels, str) else list(labels)))
        return out
    return [(uri, [labels] if isinstance(labels, str) else list(labels))
            for uri, labels in vocabulary]  # type: ignore[union-attr]


def _reference_dir() -> Path:
    from etl.settings import REFERENCE_DIR

    return REFERENCE_DIR


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def load_esco_vocabulary(path: Path | None = None) -> list[tuple[str, list[str]]]:
    """(uri, [preferred en, preferred fr, alt en…, alt fr…]) from esco_skills.csv(.gz)."""
    path = path or _reference_dir() / "esco_skills.csv.gz"
    out: list[tuple[str, list[str]]] = []
    with _open_text(path) as fh:
        reader = csv.DictReader(fh)
        for lineno, row in enumerate(reader, start=2):
            uri = (row.get("skill_uri") or "").strip()
            if not uri:
                raise ValueError(f"{path}:{lineno}: empty skill_uri")
            labels = [row.get("label_en") or "", row.get("label_fr") or ""]
            for col in ("alt_labels_en", "alt_labels_fr"):
                labels.extend(x.strip() for x in (row.get(col) or "").split("|"))
            labels = [x for x in labels if x]
            if labels:
                out.append((uri, labels))
    # Preferred labels first for every skill, so that a phrase that is the
    # preferred label of one skill and an alt label of another goes to the first.
    preferred = [(uri, labels[:1]) for uri, labels in out]
    return preferred + out


_TAGGER: SkillTagger | None = None


def get_skill_tagger() -> SkillTagger:
    """The process-wide ESCO tagger, built on first use."""
    global _TAGGER
    if _TAGGER is None:
        _TAGGER = SkillTagger(load_esco_vocabulary())
    return _TAGGER


def skill_uris(text: object, lang: str | None = None) -> str | None:
    """The ESCO skills of a text as stored with a vacancy: sorted URIs joined by '|'
    (None for no text or no skill)."""
    if not text or not isinstance(text, str):
        return None
    return "|".join(sorted({m.skill_uri for m in get_skill_tagger().tag(text, lang)})) or None


@lru_cache(maxsize=1)
def _essential_skills() -> dict[str, list[str]]:
    path = _reference_dir() / "esco_occupation_skills.csv.gz"
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    with _open_text(path) as fh:
        for row in csv.DictReader(fh):
            if row.get("relation") == "essential":
                counts[row["isco08"].strip()][row["skill_uri"].strip()] += 1
    # Most shared first: a skill essential to many occupations of the group
    # describes the group better than one essential to a single niche occupation.
    return {
        code: [uri for uri, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))]
        for code, c in counts.items()
    }


def skills_for_occupation(isco08: str) -> list[str]:
    """ESCO essential skill URIs of the ESCO occupations in an ISCO-08 unit group."""
    code = (isco08 or "").strip()
    if len(code) != 4 or not code.isdigit():
        raise ValueError(f"skills_for_occupation: {isco08!r} is not a 4-digit ISCO-08 code")
    return list(_essential_skills().get(code, []))
