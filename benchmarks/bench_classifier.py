"""Throughput of ISCO-08 coding: N postings drawn from D distinct noisy titles.

Usage:  python benchmarks/bench_classifier.py --postings 1000000 --distinct 50000

Titles are index labels (English and French) with the noise of real ads added
at random: gender markers, seniority and contract words, reference numbers,
towns, case changes, a typo, an inverted word order. Postings repeat titles
with a Zipf-like frequency, as boards do. The figure that matters is the wall
time of ``classify_many`` over all postings, including the one-off
classification of each distinct title; the classifier build time is printed
apart. Target: 1,000,000 postings / 50,000 distinct titles in under 60 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.bench.generator import noisy_title  # noqa: E402
from etl.normalise.isco import IscoClassifier, load_index_entries  # noqa: E402

_PREFIX = ["", "", "", "Senior ", "Junior ", "URGENT - ", "Recrute : ", "Stagiaire "]
_SUFFIX = ["", "", " H/F", " (H/F)", " (m/w/d)", " - CDI", " – Abidjan", " - Dakar",
           " Réf. 2024-{n}", " #{n}", " (Remote)", " confirmé", " - Lagos"]


def make_titles(distinct: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    labels = [title for title, _, _ in load_index_entries()]
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < distinct:
        t = noisy_title(rng.choice(labels), rng, _PREFIX, _SUFFIX)
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def make_postings(titles: list[str], postings: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(titles))]
    # Every distinct title appears at least once.
    sample = rng.choices(titles, weights=weights, k=max(0, postings - len(titles)))
    out = titles[:postings] + sample
    rng.shuffle(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=50_000)
    parser.add_argument("--target-seconds", type=float, default=60.0)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    titles = make_titles(args.distinct)
    postings = make_postings(titles, args.postings)
    t1 = time.perf_counter()
    classifier = IscoClassifier()
    t2 = time.perf_counter()
    results = classifier.classify_many(postings)
    t3 = time.perf_counter()

    elapsed = t3 - t2
    classified = sum(1 for r in results if r.isco08 is not None)
    methods: dict[str, int] = {}
    for r in results:
        methods[r.method] = methods.get(r.method, 0) + 1
    print(f"generated {len(postings):,} postings / {len(set(postings)):,} distinct titles "
          f"in {t1 - t0:.1f} s")
    print(f"classifier build: {t2 - t1:.1f} s")
    print(f"classify_many: {elapsed:.1f} s = {len(postings) / elapsed:,.0f} postings/s, "
          f"{len(set(postings)) / elapsed:,.0f} distinct titles/s")
    print(f"classified: {classified / len(results):.1%}; by method: "
          + ", ".join(f"{k}={v / len(results):.1%}" for k, v in sorted(methods.items())))
    verdict = "MET" if elapsed < args.target_seconds else "NOT MET"
    print(f"target {len(postings):,} postings in < {args.target_seconds:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
