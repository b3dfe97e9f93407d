"""Tagging of skills mentioned in free text against a skills vocabulary (ESCO).

Why: the opportunity and skills-gap tables count in-demand skills per
occupation and region, so every vacancy description and survey answer is
reduced to a list of skill ids. The vocabulary is data, not code: the tagger
takes any (uri, labels) pairs, so a national skills list can replace ESCO.

How: every label is cleaned to accent-free lower-case tokens (light plural
folding), and stored in a trie of tokens. A text is scanned once; at each
position where a label starts, the longest label starting there wins (greedy
longest match, as in Aho–Corasick dictionary taggers), and the next match
starts after it. Cost is one set look-up per word plus a short trie walk where
a label starts, independent of the vocabulary size (about 0.2 ms for a 2 KB
description, tokenising included).
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
        self._trie = _trie(phrases)

    def __len__(self) -> int:
        return len(self._labels)

    def label(self, uri: str) -> str | None:
        return self._labels.get(uri)

    def tag(self, text: str | None, lang: str | None = None) -> list[SkillMatch]:
        """Skills mentioned in ``text``, each once, in order of first mention.

        ``lang`` is accepted for symmetry with callers that know it; matching
        uses all labels of every language, since ads mix English and French.
        """
        if not text:
            return []
        # Stop words are dropped from the text as from the labels' keys: "gestion de
        # projets" must meet the label "gestion de projet", whose key is (gestion, projet).
        tokens = [_fold(t) for t in tokenize(_strip_html(text)) if t not in _STOP]
        trie = self._trie
        found: dict[str, SkillMatch] = {}
        n = len(tokens)
        end = 0  # the first token after the last match: matches do not overlap
        # Only the positions where some label starts are walked (most words start none).
        for i in [i for i, token in enumerate(tokens) if token in trie]:
            if i < end:
                continue
            uri, size = _longest_at(trie, tokens, i, n)
            if uri is None:
                continue
            if uri not in found:
                found[uri] = SkillMatch(uri, self._labels[uri], " ".join(tokens[i : i + size]))
            end = i + size
        return list(found.values())


#: A trie node: the labels continuing with each next token, and the skill a label ending here names.
_Node = tuple[dict[str, "_Node"], str | None]


def _trie(phrases: dict[tuple[str, ...], str]) -> dict[str, _Node]:
    """The phrases as a token trie, so that a text is matched by walking it once per position."""
    root: dict[str, list] = {}
    for key, uri in phrases.items():
        level = root
        for depth, token in enumerate(key):
            node = level.setdefault(token, [{}, None])
            if depth == len(key) - 1:
                node[1] = uri
            level = node[0]
    return _frozen(root)


def _frozen(level: dict[str, list]) -> dict[str, _Node]:
    return {token: (_frozen(children), uri) for token, (children, uri) in level.items()}


def _longest_at(trie: dict[str, _Node], tokens: list[str], i: int, n: int
                ) -> tuple[str | None, int]:
    """(skill, tokens) of the longest label starting at ``tokens[i]``, or (None, 0)."""
    hit: tuple[str | None, int] = (None, 0)
    level, j = trie, i
    while j < n:
        node = level.get(tokens[j])
        if node is None:
            break
        level, uri = node
        j += 1
        if uri is not None:
            hit = (uri, j - i)
    return hit


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
