"""Measured accuracy of the ISCO-08 title classifier on a gold-coded set.

Why: a code without a measured error rate cannot be defended in front of a
ministry. The set in ``reference_data/isco_eval/isco_eval.csv`` holds job
titles with gold codes (provenance in the PROVENANCE.md beside it) in two
splits: ``dev`` (used to calibrate the threshold) and ``test`` (held out, the
figures we publish).

Definitions (the usual ones for automatic occupation coding):

* coverage — share of titles that get a code (not ``unclassified``);
* accuracy at k digits — among the classified titles, the share whose first k
  digits equal the gold code's first k digits.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from etl.normalise.isco import Classification, IscoClassifier

__all__ = ["EvalRow", "EvalReport", "evaluate", "load_eval_set", "eval_set_path"]

_REQUIRED = ("id", "split", "lang", "title", "isco08", "source", "coded_by")


@dataclass(frozen=True)
class EvalRow:
    id: str
    split: str
    lang: str
    title: str
    isco08: str
    source: str
    coded_by: str


@dataclass
class EvalReport:
    n: int
    classified: int
    correct: dict[int, int]
    by_lang: dict[str, EvalReport] = field(default_factory=dict)
    errors: list[tuple[EvalRow, Classification]] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        return self.classified / self.n if self.n else 0.0

    def accuracy(self, digits: int) -> float:
        return self.correct[digits] / self.classified if self.classified else 0.0

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "titles": self.n,
            "classified": self.classified,
            "coverage": round(self.coverage, 4),
            **{f"accuracy_{d}digit": round(self.accuracy(d), 4) for d in (1, 2, 4)},
        }
        if self.by_lang:
            out["by_lang"] = {k: v.as_dict() for k, v in sorted(self.by_lang.items())}
        return out


def eval_set_path() -> Path:
    from etl.settings import REFERENCE_DIR

    return REFERENCE_DIR / "isco_eval" / "isco_eval.csv"


def load_eval_set(path: Path | None = None, split: str | None = None) -> list[EvalRow]:
    """Rows of the evaluation set; ``split`` = "dev", "test" or None for all."""
    path = path or eval_set_path()
    rows: list[EvalRow] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        for lineno, raw in enumerate(reader, start=2):
            code = (raw["isco08"] or "").strip()
            if len(code) != 4 or not code.isdigit():
                raise ValueError(f"{path}:{lineno}: gold isco08 {code!r} is not a 4-digit code")
            if not (raw["title"] or "").strip():
                raise ValueError(f"{path}:{lineno}: empty title")
            row = EvalRow(**{c: (raw[c] or "").strip() for c in _REQUIRED})
            if split is None or row.split == split:
                rows.append(row)
    return rows


def _score(rows: Iterable[EvalRow], results: Iterable[Classification]) -> EvalReport:
    n = classified = 0
    correct = {1: 0, 2: 0, 4: 0}
    errors: list[tuple[EvalRow, Classification]] = []
    for row, res in zip(rows, results, strict=True):
        n += 1
        if res.isco08 is None:
            errors.append((row, res))
            continue
        classified += 1
        for d in correct:
            if res.isco08[:d] == row.isco08[:d]:
                correct[d] += 1
        if res.isco08 != row.isco08:
            errors.append((row, res))
    return EvalReport(n, classified, correct, errors=errors)


def evaluate(classifier: IscoClassifier, rows: list[EvalRow]) -> EvalReport:
    """Coverage and accuracy at 1, 2 and 4 digits, overall and per language."""
    results = [classifier.classify(r.title) for r in rows]
    report = _score(rows, results)
    for lang in sorted({r.lang for r in rows}):
        pairs = [(r, c) for r, c in zip(rows, results, strict=True) if r.lang == lang]
        report.by_lang[lang] = _score([p[0] for p in pairs], [p[1] for p in pairs])
    return report
