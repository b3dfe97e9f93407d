"""``lmis classify``: code job titles to ISCO-08, one JSON object per title.

Why a command: analysts and PES staff check a doubtful code, or code a list of
titles from a survey export, without writing Python. Output is JSON Lines so it
pipes into ``jq`` or a spreadsheet import, in input order.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "classify",
        help="code job titles to ISCO-08 (4 digits) with confidence; JSON Lines out",
        description="Print one JSON object per title: title, isco08 (4-digit string or null), "
        "label, confidence, method. Titles come from the command line or, with --input, from a "
        "column of a CSV file (streamed, output in input order). Accuracy on the evaluation set: "
        "see `lmis classify-eval`.",
    )
    p.add_argument("titles", nargs="*", metavar="TITLE", help="job titles to code")
    p.add_argument("--input", type=Path, metavar="FILE.csv", help="CSV file with a title column")
    p.add_argument("--column", metavar="NAME", help="title column of --input")
    p.add_argument(
        "--occupational-category",
        metavar="CODE",
        help="schema.org occupationalCategory to apply to every title (an ISCO-08 code wins)",
    )
    p.add_argument(
        "--threshold", type=float, help="confidence below which a title stays unclassified"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.input is None and not args.titles:
        print("lmis classify: give TITLE arguments or --input FILE.csv --column NAME",
              file=sys.stderr)
        return 2
    if args.input is not None and not args.column:
        print("lmis classify: --input needs --column NAME", file=sys.stderr)
        return 2
    from etl.normalise.isco import get_classifier

    classifier = get_classifier()
    if args.threshold is not None:
        classifier.threshold = args.threshold
    out = sys.stdout
    if args.titles:
        for title in args.titles:
            _emit(out, title, classifier.classify(
                title, occupational_category=args.occupational_category))
    if args.input is not None:
        return _run_csv(args, classifier, out)
    return 0


def _run_csv(args: argparse.Namespace, classifier, out) -> int:
    path: Path = args.input
    if not path.exists():
        print(f"lmis classify: {path}: no such file", file=sys.stderr)
        return 2
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if args.column not in (reader.fieldnames or []):
            print(f"lmis classify: {path}: no column {args.column!r} "
                  f"(columns: {', '.join(reader.fieldnames or [])})", file=sys.stderr)
            return 2
        for row in reader:
            title = row.get(args.column) or ""
            _emit(out, title, classifier.classify(
                title, occupational_category=args.occupational_category))
    return 0


def _emit(out, title: str, result) -> None:
    out.write(json.dumps({"title": title, **result.as_dict()}, ensure_ascii=False) + "\n")
