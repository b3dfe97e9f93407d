"""``lmis classify-eval``: coverage and accuracy of the ISCO-08 coder on the gold set.

Why: the published accuracy figures must be reproducible by anyone from the
shipped evaluation set (``etl/reference_data/isco_eval/``), not copied from a
notebook. ``--calibrate`` re-derives the confidence threshold on the dev split.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "classify-eval",
        help="coverage and accuracy (1, 2, 4 digits) of the ISCO-08 coder on the gold set",
        description="Classify every title of the evaluation set and print coverage (share "
        "classified) and accuracy among classified titles at 1, 2 and 4 digits, overall and by "
        "language. The published figures are those of the held-out test split.",
    )
    p.add_argument("--split", choices=["test", "dev", "all"], default="test")
    p.add_argument("--file", type=Path, help="another evaluation CSV (same columns)")
    p.add_argument("--threshold", type=float, help="override the confidence threshold")
    p.add_argument("--calibrate", action="store_true",
                   help="print the threshold table and the threshold the objective picks")
    p.add_argument("--errors", action="store_true", help="list misses and wrong codes")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from etl.normalise.isco import get_classifier
    from etl.normalise.isco_eval import calibrate, evaluate, load_eval_set

    split = None if args.split == "all" else args.split
    try:
        rows = load_eval_set(args.file, split=split)
    except (OSError, ValueError) as exc:
        print(f"lmis classify-eval: {exc}", file=sys.stderr)
        return 2
    if not rows:
        print(f"lmis classify-eval: no rows in split {args.split!r}", file=sys.stderr)
        return 2
    classifier = get_classifier()
    if args.threshold is not None:
        classifier.threshold = args.threshold
    if args.calibrate:
        best, table = calibrate(classifier, rows)
        print("threshold  objective  coverage  acc@2  acc@4  non-occupation coded")
        for threshold, report, objective in table:
            print(f"{threshold:9.2f}  {objective:9.0f}  {report.coverage:8.1%}  "
                  f"{report.accuracy(2):5.1%}  {report.accuracy(4):5.1%}  "
                  f"{report.non_occupation_coded}/{report.non_occupation}")
        print(f"chosen threshold: {best:.2f} (in use: {classifier.threshold:.2f})")
        return 0
    report = evaluate(classifier, rows)
    if args.json:
        print(json.dumps({"split": args.split, "threshold": classifier.threshold,
                          **report.as_dict()}, ensure_ascii=False, indent=2))
    else:
        print(f"split={args.split} titles={report.n} threshold={classifier.threshold:.2f}")
        _print_line("all", report)
        for lang, sub in sorted(report.by_lang.items()):
            _print_line(lang, sub)
        if report.non_occupation:
            print(f"non-occupational titles coded: "
                  f"{report.non_occupation_coded}/{report.non_occupation}")
    if args.errors:
        for row, res in report.errors:
            print(f"{row.id}\tgold={row.isco08 or '-'}\tgot={res.isco08 or '-'}\t"
                  f"{res.confidence:.2f}\t{res.method}\t{row.title}")
    return 0


def _print_line(name: str, report) -> None:
    print(f"{name:>4}: n={report.n:4d} coverage={report.coverage:6.1%} "
          f"acc@1={report.accuracy(1):6.1%} acc@2={report.accuracy(2):6.1%} "
          f"acc@4={report.accuracy(4):6.1%}")
