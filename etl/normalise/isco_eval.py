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

__all__ = ["EvalReport", "EvalRow", "calibrate", "eval_set_path", "evaluate", "load_eval_set"]

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
    non_occupation: int = 0
    non_occupation_coded: int = 0
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
        if self.non_occupation:
            out["non_occupation_titles"] = self.non_occupation
            out["non_occupation_coded"] = self.non_occupation_coded
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
            # An empty gold code marks a title that names no occupation ("Offre
            # d'emploi"); the right answer for it is ``unclassified``.
            if code and (len(code) != 4 or not code.isdigit()):
                raise ValueError(f"{path}:{lineno}: gold isco08 {code!r} is not a 4-digit code")
            if not (raw["title"] or "").strip():
                raise ValueError(f"{path}:{lineno}: empty title")
            row = EvalRow(**{c: (raw[c] or "").strip() for c in _REQUIRED})
            if split is None or row.split == split:
                rows.append(row)
    return rows


def _score(rows: Iterable[EvalRow], results: Iterable[Classification]) -> EvalReport:
    n = classified = non_occ = non_occ_coded = 0
    correct = {1: 0, 2: 0, 4: 0}
    errors: list[tuple[EvalRow, Classification]] = []
    for row, res in zip(rows, results, strict=True):
        if not row.isco08:
            non_occ += 1
            if res.isco08 is not None:
                non_occ_coded += 1
                errors.append((row, res))
            continue
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
    return EvalReport(n, classified, correct, non_occ, non_occ_coded, errors=errors)


def evaluate(classifier: IscoClassifier, rows: list[EvalRow]) -> EvalReport:
    """Coverage and accuracy at 1, 2 and 4 digits, overall and per language."""
    results = [classifier.classify(r.title) for r in rows]
    report = _score(rows, results)
    for lang in sorted({r.lang for r in rows}):
        pairs = [(r, c) for r, c in zip(rows, results, strict=True) if r.lang == lang]
        report.by_lang[lang] = _score([p[0] for p in pairs], [p[1] for p in pairs])
    return report


def calibrate(
    classifier: IscoClassifier, rows: list[EvalRow], grid: Iterable[float] | None = None
) -> tuple[float, list[tuple[float, EvalReport, float]]]:
    """Pick the confidence threshold on (dev) rows.

    Objective: titles coded right at 4 digits minus twice those coded wrong at
    2 digits, minus twice the non-occupational titles ("Offre d'emploi") that
    got a code. A wrong sub-major group moves demand between occupations that
    have nothing in common, which costs more than leaving a title unclassified.
    Ties go to the higher threshold: when the dev set cannot tell two
    thresholds apart, the more cautious one wins (unknowns stay unknown).
    """
    grid = list(grid) if grid is not None else [round(0.30 + 0.05 * i, 2) for i in range(13)]
    saved = classifier.threshold
    classifier.threshold = 0.0
    try:
        raw = [classifier.classify(r.title) for r in rows]
    finally:
        classifier.threshold = saved
    table: list[tuple[float, EvalReport, float]] = []
    for threshold in grid:
        kept = [
            res if res.isco08 is not None and res.confidence >= threshold
            else Classification(None, None, res.confidence, "unclassified")
            for res in raw
        ]
        report = _score(rows, kept)
        wrong2 = report.classified - report.correct[2]
        objective = report.correct[4] - 2 * wrong2 - 2 * report.non_occupation_coded
        table.append((threshold, report, objective))
    best = max(table, key=lambda t: (t[2], t[0]))[0]
    return best, table
