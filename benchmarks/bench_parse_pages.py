"""HTML job-page parsing speed: pages per second on one core.

Usage:  python benchmarks/bench_parse_pages.py [--pages 2000] [--seconds 10]

Two sets of pages, each parsed with ``parse_job_page`` (the crawler's parser:
charset detection, BeautifulSoup/lxml, JSON-LD with repairs, microdata,
configured selectors) in one process:

* **fixtures**: the saved real job-board pages of ``tests/fixtures/jobboards``
  (JSON-LD, microdata, selectors, broken JSON-LD, cp1252), cycled;
* **generated**: detail pages as a board serves them — about 40 KB of page
  (head with styles and scripts, navigation, related offers, footer) around
  one posting of ``etl.bench.generator`` in JSON-LD and visible HTML.

The figure is per core: the pipeline parses pages in as many processes as
there are cores (``lmis bench --workers``).
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.bench.generator import PostingGenerator  # noqa: E402
from etl.sources.jobboard.parse import parse_job_page  # noqa: E402

_CHROME_HEAD = ("<style>" + "".join(f".c{i}{{margin:{i}px;padding:{i % 7}px}}" for i in range(400))
                + "</style>" + "".join(f'<script src="/static/app{i}.js"></script>'
                                       for i in range(12))
                + "<script>window.dataLayer=[" + ",".join(f'{{"k{i}":{i}}}' for i in range(300))
                + "];</script>")
_NAV = "<nav><ul>" + "".join(f'<li><a href="/cat/{i}">Catégorie {i}</a></li>'
                             for i in range(60)) + "</ul></nav>"
_FOOTER = "<footer>" + "".join(f'<p><a href="/page/{i}">Lien utile {i}</a> · mentions</p>'
                               for i in range(80)) + "</footer>"


def generated_page(node: dict) -> bytes:
    related = "".join(
        f'<li class="offre"><a href="/offres/R{i}.html">Offre similaire {i}</a>'
        f"<span>Dakar</span><span>CDI</span></li>" for i in range(25))
    body = (
        f"<!DOCTYPE html><html lang=\"{node.get('inLanguage', 'fr')}\"><head>"
        f"<meta charset=\"utf-8\"><title>{html.escape(node['title'])}</title>{_CHROME_HEAD}"
        f'<script type="application/ld+json">{json.dumps(node, ensure_ascii=False)}</script>'
        f"</head><body>{_NAV}<main><h1 class=\"job-title\">{html.escape(node['title'])}</h1>"
        f"<div class=\"company\">{html.escape(node['hiringOrganization']['name'])}</div>"
        f"<div class=\"description\">{node['description']}</div>"
        f"<ul class=\"related\">{related}</ul></main>{_FOOTER}</body></html>"
    )
    return body.encode("utf-8")


def measure(pages: list[tuple[bytes, str]], seconds: float) -> tuple[int, float, int]:
    done, found, start = 0, 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        body, url = pages[done % len(pages)]
        found += len(parse_job_page(body, url=url).vacancies)
        done += 1
    return done, time.perf_counter() - start, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="distinct generated pages")
    parser.add_argument("--seconds", type=float, default=10.0, help="time per set")
    args = parser.parse_args()

    fixtures = [(p.read_bytes(), f"https://fixture.example/{p.name}")
                for p in sorted((ROOT / "tests/fixtures/jobboards").glob("*.html"))]
    gen = PostingGenerator(max(args.pages, 1000))
    generated = [(generated_page(gen.posting(i)[1]), f"https://board-a.example.sn/offres/{i}.html")
                 for i in range(args.pages)]
    size = sum(len(b) for b, _ in generated) / len(generated)
    result = {}
    for name, pages in (("fixtures", fixtures), ("generated", generated)):
        done, elapsed, found = measure(pages, args.seconds)
        result[name] = {"pages": done, "seconds": round(elapsed, 2),
                        "pages_per_second_per_core": round(done / elapsed, 1),
                        "vacancies_found": found,
                        "mean_page_kb": round(sum(len(b) for b, _ in pages) / len(pages) / 1024, 1)}
        print(f"{name}: {done / elapsed:,.0f} pages/s on one core "
              f"({done} pages in {elapsed:.1f} s, mean page "
              f"{result[name]['mean_page_kb']} KB)", file=sys.stderr)
    result["generated"]["mean_page_kb"] = round(size / 1024, 1)
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
