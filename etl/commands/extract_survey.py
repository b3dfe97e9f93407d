"""``lmis extract survey PATH [--mapping FILE]``: look inside a survey export.

Without a mapping it shows what the readers made of the file (one JSON object
per submission), which is what a data engineer needs when writing the mapping
for a new questionnaire; with one it shows the canonical rows the warehouse
would load. Rejected values and reader problems go to stderr, so stdout stays
pipeable JSON lines.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_extract_parser(extract_subparsers: Any) -> argparse.ArgumentParser:
    p = extract_subparsers.add_parser(
        "survey",
        help="read a Kobo/Ona/ODK/CSV/XLSX employer survey export; print JSON lines",
        description="Read a skills-gap survey export (KoboToolbox CSV/XLSX, Ona CSV, ODK "
        "Briefcase/Central CSV, plain CSV/XLSX). Without --mapping: one JSON object per "
        "submission (submission_id, submitted_at, answers, repeats). With --mapping: one "
        "canonical record per occupation row, with its firm's fields; rejected values are "
        "reported on stderr.",
    )
    p.add_argument("path", type=Path, help="the export file (main CSV for ODK Briefcase)")
    p.add_argument("--mapping", type=Path, metavar="FILE", help="survey mapping (YAML)")
    p.set_defaults(func=run)
    return p


def _json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


def _clean(value: Any) -> Any:
    """pandas missing values → null; numpy scalars → Python."""
    if isinstance(value, list):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def run(args: argparse.Namespace) -> int:
    from etl.sources.survey import SurveyReadError, read_submissions

    try:
        submissions = read_submissions(args.path)
        mapping = None
        if args.mapping is not None:
            from etl.sources.survey.mapping import load_mapping

            mapping = load_mapping(args.mapping)
    except (SurveyReadError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for warning in submissions.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if mapping is None:
        for sub in submissions:
            print(_json(sub.to_json_dict()))
        for problem in submissions.problems:
            print(f"problem: {problem.source_row}: {problem.reason}", file=sys.stderr)
        print(
            f"{len(submissions)} submissions ({submissions.format}), "
            f"{len(submissions.problems)} rows attached to none",
            file=sys.stderr,
        )
        return 0

    from etl.sources.survey.canonical import to_canonical

    canonical = to_canonical(submissions, mapping)
    firms = {
        row["submission_id"]: {k: _clean(v) for k, v in row.items()}
        for row in canonical.firms.to_dict("records")
    }
    with_occupations = set()
    for occ in canonical.occupations.to_dict("records"):
        firm = firms[occ["submission_id"]]
        with_occupations.add(occ["submission_id"])
        print(_json({**firm, **{k: _clean(v) for k, v in occ.items()}}))
    for sub_id, firm in firms.items():
        if sub_id not in with_occupations:  # a firm reporting no occupation is an answer too
            print(_json({**firm, "occupation_text": None, "isco08": None}))
    for reject in canonical.rejected.to_dict("records"):
        print("rejected: " + _json({k: _clean(v) for k, v in reject.items()}), file=sys.stderr)
    print(
        f"{len(canonical.firms)} firms, {len(canonical.occupations)} occupation rows, "
        f"{len(canonical.rejected)} rejected, {canonical.duplicates} duplicate submissions",
        file=sys.stderr,
    )
    return 0
