"""Charts rendered to SVG offline: labels readable and escaped, suppression not drawn as zero."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from etl.report import charts
from etl.report.labels import Labels
from etl.report.render import UnsafeChartError, inline_svg

SVG = "{http://www.w3.org/2000/svg}"
NAMES = {"SN": "Senegal", "SN-DK": "Dakar", "SN-TH": "Thiès"}


def _texts(svg: str) -> list[str]:
    return [el.text or "" for el in ET.fromstring(svg).iter(f"{SVG}text")]


def _marks(svg: str, role: str) -> list[ET.Element]:
    return [el for el in ET.fromstring(svg).iter()
            if el.get("aria-roledescription") == role]


def test_heatmap_has_one_cell_per_row_with_isco_titles_and_escaped_text() -> None:
    frame = pd.DataFrame([
        ("SN", True, "72", "major_shortage", "Metal trades workers", "Métiers du métal"),
        ("SN-DK", False, "72", "shortage", "Metal trades workers", "Métiers du métal"),
        ("SN-DK", False, "91", "surplus", "<script>alert(1)</script>", None),
    ], columns=["region_code", "is_national", "isco08", "rating", "title_en", "title_fr"])
    chart = charts.rating_heatmap(frame, NAMES, "SN", Labels("fr"))
    assert chart is not None
    ET.fromstring(chart.svg)  # well-formed XML: nothing from the data broke out of a text node
    assert len(_marks(chart.svg, "rect mark")) == 3
    texts = _texts(chart.svg)
    assert "72 Métiers du métal" in texts
    assert "91 <script>alert(1)</script>" in texts  # text content, parsed back from escapes
    assert "<script" not in chart.svg
    assert "pénurie forte" in texts and "Dakar" in texts
    inline_svg("heatmap", chart.svg)  # passes the active-content check


def test_vacancy_trends_draw_a_missing_quarter_as_zero_and_leave_out_earlier_ones() -> None:
    quarters = ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    frame = pd.DataFrame([
        ("2026Q1", "SN", True, 10), ("2026Q3", "SN", True, 14),
        ("2026Q1", "SN-DK", False, 10), ("2026Q3", "SN-DK", False, 14),
    ], columns=["quarter", "region_code", "is_national", "vacancies_new"])
    chart = charts.vacancy_trends(frame, quarters, NAMES, "SN", Labels("en"))
    points = _marks(chart.svg, "point")
    assert len(points) == 2 * 3  # two areas x 2026Q1..2026Q3 (2025Q4 precedes the data)
    labels = [p.get("aria-label") for p in points]
    assert any("2026Q2" in label and "vacancies_new: 0" in label for label in labels), labels
    assert not any("2025Q4" in label for label in labels)
    assert "Senegal: 10, 0, 14" in chart.description


def test_returnee_chart_shows_a_suppressed_region_as_suppressed_not_zero() -> None:
    rows = [
        {"area": "Dakar", "open_vacancies": 5, "returnees": 7, "cells_suppressed": 1},
        {"area": "Thiès", "open_vacancies": 2, "returnees": None, "cells_suppressed": 2},
        {"area": "Ziguinchor", "open_vacancies": 1, "returnees": 0, "cells_suppressed": 0},
    ]
    chart = charts.returnees_vs_open(rows, Labels("en"))
    bars = _marks(chart.svg, "bar")
    # Open vacancies: 3 bars; returnees: Dakar and Ziguinchor (a true zero), none for Thiès.
    assert len(bars) == 5
    assert not any("Thiès" in (b.get("aria-label") or "") and "Returnees" in (
        b.get("aria-label") or "") for b in bars)
    texts = _texts(chart.svg)
    assert "suppressed" in texts and "≥ 7" in texts and "0" in texts
    assert "Thiès: 2 / suppressed" in chart.description
    assert "Dakar: 5 / ≥ 7" in chart.description


def test_top_skills_are_a_share_of_new_vacancies() -> None:
    frame = pd.DataFrame([
        ("SN", 1, "uri:a", 30, "logistics", "logistique"),
        ("SN", 2, "uri:b", 15, "welding", None),
        ("SN-DK", 1, "uri:a", 9, "logistics", "logistique"),
    ], columns=["region_code", "skill_rank", "skill_uri", "vacancies_mentioning", "label_en",
                "label_fr"])
    chart = charts.top_skills(frame, "SN", 60, Labels("fr"))
    bars = _marks(chart.svg, "bar")
    assert len(bars) == 2
    shares = {b.get("aria-label") for b in bars}  # shares of the 60 new vacancies
    assert "Part des nouvelles offres: 50\u202f%; Compétence: logistique" in shares, shares
    assert "Part des nouvelles offres: 25\u202f%; Compétence: welding" in shares, shares
    assert {"logistique", "welding"} <= set(_texts(chart.svg))


def test_no_data_gives_no_chart() -> None:
    empty = pd.DataFrame(columns=["region_code", "is_national", "isco08", "rating", "title_en",
                                  "title_fr"])
    assert charts.rating_heatmap(empty, NAMES, "SN", Labels("en")) is None
    assert charts.returnees_vs_open([], Labels("en")) is None


def test_ids_of_each_chart_are_scoped_so_charts_do_not_share_clip_paths() -> None:
    svg = ('<svg><defs><clipPath id="clip1"><rect/></clipPath></defs>'
           '<g clip-path="url(#clip1)"/><use href="#clip1"/></svg>')
    scoped = charts.scope_ids(svg, "trends-")
    assert 'id="trends-clip1"' in scoped
    assert "url(#trends-clip1)" in scoped and 'href="#trends-clip1"' in scoped
    assert "#clip1" not in scoped


def test_a_rendered_chart_with_clip_paths_gets_scoped_ids() -> None:
    import altair as alt

    frame = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})
    chart = alt.Chart(frame).mark_line(clip=True).encode(x="x:Q", y="y:Q")
    svg = charts.render_svg("trends", chart, Labels("en"))
    ids = re.findall(r'\bid="([^"]+)"', svg)
    refs = re.findall(r"url\(#([^)]+)\)", svg)
    assert ids and refs, "vega should have written a clip path for a clipped mark"
    assert all(i.startswith("trends-") for i in ids + refs)
    assert set(refs) <= set(ids)


@pytest.mark.parametrize("svg", [
    '<svg><script>alert(1)</script></svg>',
    '<svg><rect onload="alert(1)"/></svg>',
    '<svg><a href="javascript:alert(1)"><text>x</text></a></svg>',
    '<svg><foreignObject><div/></foreignObject></svg>',
])
def test_active_content_in_a_chart_is_refused(svg: str) -> None:
    with pytest.raises(UnsafeChartError, match="active content"):
        inline_svg("x", svg)
