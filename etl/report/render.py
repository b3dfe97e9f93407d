"""HTML rendering with Jinja2, autoescaping every value.

Titles, employers and localities come from scraped pages: autoescape turns ``<script>``
into text. The only markup passed through unescaped is the charts' SVG, which Vega writes
with its own escaping; it is still checked here for anything that could run (scripts,
event handlers, foreign objects, ``javascript:`` links) before it goes into the page, and
the page's Content-Security-Policy forbids scripts whatever slips through.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from etl.report.labels import RATING_COLOURS, Labels

TEMPLATES = Path(__file__).resolve().parent / "templates"

_ACTIVE_SVG = re.compile(
    r"<\s*script|<\s*foreignObject|<\s*iframe|\son[a-z]+\s*=|javascript:|<\s*use\b[^>]*href=\"(?!#)",
    flags=re.IGNORECASE)


class UnsafeChartError(ValueError):
    """A rendered chart contains something executable; the page is not written."""


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def inline_svg(name: str, svg: str) -> Markup:
    """Chart SVG as markup for the page, after checking it cannot run anything."""
    found = _ACTIVE_SVG.search(svg)
    if found:
        raise UnsafeChartError(f"chart {name!r} contains active content: {found.group(0)!r}")
    return Markup(svg)


def render_page(context: dict[str, Any], labels: Labels) -> str:
    env = environment()
    template = env.get_template("report.html.j2")
    charts = {
        name: (None if chart is None else {
            "svg": inline_svg(name, chart.svg), "description": chart.description})
        for name, chart in context["charts"].items()
    }
    return template.render(
        **{**context, "charts": charts}, t=labels, colours=RATING_COLOURS)
