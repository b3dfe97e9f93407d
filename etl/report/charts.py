"""The bulletin's charts: Vega-Lite specifications (Altair) rendered to SVG at build time.

Rendering on the server (vl-convert, which bundles Vega in the wheel) means the page
carries no JavaScript at all: it opens offline, prints, and can forbid every script with
its Content-Security-Policy, so nothing taken from the data can ever run in a reader's
browser. Vega escapes the text it writes into SVG; chart data are embedded inline in the
specification and the renderer is told to load nothing from any URL.

Several SVGs share one HTML document, so the ids Vega writes (clip paths, gradients) are
prefixed per chart: otherwise ``url(#clip1)`` in one chart would resolve to another's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import altair as alt
import pandas as pd

from etl.report.labels import RATING_COLOURS, RATINGS, Labels

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
_ID = re.compile(r'\bid="([^"]+)"')


class ChartRenderError(RuntimeError):
    """The chart renderer failed; the message names the chart."""


@dataclass(frozen=True)
class Chart:
    """One rendered chart: its anchor name, the SVG markup and a text description."""

    name: str
    svg: str
    description: str


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure(font=FONT).configure_axis(
        labelFontSize=11, titleFontSize=12, labelLimit=360,
    ).configure_legend(labelFontSize=11, titleFontSize=12, labelLimit=360).configure_view(
        stroke=None)


def render_svg(name: str, chart: alt.TopLevelMixin, labels: Labels) -> str:
    """Render one Altair chart to standalone SVG markup, offline."""
    import vl_convert as vlc

    spec = _config(chart).to_dict()
    try:
        svg = vlc.vegalite_to_svg(spec, format_locale=labels.format_locale,
                                  time_format_locale=labels.format_locale,
                                  allowed_base_urls=[])
    except Exception as exc:  # noqa: BLE001 - vl-convert raises plain ValueError/RuntimeError
        raise ChartRenderError(f"chart {name!r} could not be rendered: {exc}") from exc
    return scope_ids(svg, f"{name}-")


def scope_ids(svg: str, prefix: str) -> str:
    """Prefix every id of an SVG, and the references to them, with ``prefix``."""
    ids = set(_ID.findall(svg))
    if not ids:
        return svg
    for ident in sorted(ids, key=len, reverse=True):
        escaped = re.escape(ident)
        svg = re.sub(rf'\bid="{escaped}"', f'id="{prefix}{ident}"', svg)
        svg = re.sub(rf"url\(#{escaped}\)", f"url(#{prefix}{ident})", svg)
        svg = re.sub(rf'href="#{escaped}"', f'href="#{prefix}{ident}"', svg)
    return svg


def _region_names(regions: pd.DataFrame, labels: Labels, national_name: str) -> dict[str, str]:
    names = {}
    for row in regions.itertuples():
        names[row.region_code] = national_name if row.is_national else row.region_name
    return names


def rating_heatmap(heatmap: pd.DataFrame, names: dict[str, str], national_code: str | None,
                   labels: Labels) -> Chart | None:
    """Ratings by ISCO-08 sub-major group (rows) and area (columns, the nation first)."""
    if heatmap.empty:
        return None
    frame = heatmap.copy()
    frame["area"] = frame["region_code"].map(lambda c: names.get(c, c))
    frame["group"] = [labels.occupation_name(c, en, fr) for c, en, fr in
                      zip(frame["isco08"], frame["title_en"], frame["title_fr"], strict=True)]
    frame["rating_label"] = frame["rating"].map(labels.rating_name)
    areas = sorted(frame["area"].unique(), key=lambda a: (a != names.get(national_code), a))
    groups = sorted(frame["group"].unique())
    present = [r for r in RATINGS if r in set(frame["rating"])]
    colour = alt.Color(
        "rating_label:N", title=labels["rating"],
        scale=alt.Scale(domain=[labels.rating_name(r) for r in present],
                        range=[RATING_COLOURS[r] for r in present]),
        legend=alt.Legend(orient="top", direction="horizontal"),
    )
    chart = alt.Chart(frame[["area", "group", "rating_label"]]).mark_rect(
        stroke="#ffffff", strokeWidth=1).encode(
        x=alt.X("area:N", sort=areas, title=None,
                axis=alt.Axis(orient="top", labelAngle=-40, domain=False, ticks=False)),
        y=alt.Y("group:N", sort=groups, title=None,
                axis=alt.Axis(labelLimit=460, domain=False, ticks=False)),
        color=colour,
    ).properties(width=max(200, 44 * len(areas)), height=19 * len(groups),
                 description=labels["heatmap"])
    description = _heatmap_description(frame, labels)
    return Chart("heatmap", render_svg("heatmap", chart, labels), description)


def _heatmap_description(frame: pd.DataFrame, labels: Labels) -> str:
    counts = frame["rating"].value_counts()
    parts = [f"{labels.rating_name(r)}: {int(counts[r])}" for r in RATINGS if r in counts]
    return f"{labels['heatmap']} ({', '.join(parts)})"


def vacancy_trends(trends: pd.DataFrame, quarters: list[str], names: dict[str, str],
                   national_code: str | None, labels: Labels) -> Chart | None:
    """New vacancies per quarter, one small panel per area (the nation first)."""
    if trends.empty:
        return None
    areas = sorted(trends["region_code"].unique(),
                   key=lambda c: (c != national_code, names.get(c, c)))
    # Quarters before the first published one are not known to be zero: leave them out.
    first = trends["quarter"].min()
    quarters = [q for q in quarters if q >= first]
    full = pd.MultiIndex.from_product([areas, quarters], names=["region_code", "quarter"])
    counts = trends.groupby(["region_code", "quarter"])["vacancies_new"].sum()
    # A quarter without a row has no classified vacancy in the area: a true zero (vacancy
    # counts are not suppressed), so the line goes down to it instead of skipping it.
    frame = counts.reindex(full, fill_value=0).reset_index()
    frame["vacancies_new"] = frame["vacancies_new"].astype(int)
    frame["area"] = frame["region_code"].map(lambda c: names.get(c, c))
    order = [names.get(c, c) for c in areas]
    base = alt.Chart(frame[["area", "quarter", "vacancies_new"]]).encode(
        x=alt.X("quarter:O", sort=quarters, title=labels["quarter_axis"],
                axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("vacancies_new:Q", title=None, axis=alt.Axis(
            tickMinStep=1, format=",d", labelExpr="datum.value % 1 === 0 ? datum.label : ''")),
    )
    layered = (base.mark_line(color="#1f5f8b") + base.mark_point(color="#1f5f8b", filled=True,
                                                                 size=25)).properties(
        width=150, height=90)
    chart = layered.facet(
        facet=alt.Facet("area:N", sort=order, title=None,
                        header=alt.Header(labelFontSize=12, labelFontWeight="bold")),
        columns=5,
    ).resolve_scale(y="independent").properties(description=labels["trends"])
    total = frame[frame["region_code"] == national_code]["vacancies_new"].tolist()
    description = f"{labels['trends']}: {', '.join(order)}"
    if total:
        description += f" ({names.get(national_code)}: {', '.join(map(str, total))})"
    return Chart("trends", render_svg("trends", chart, labels), description)


def top_skills(skills: pd.DataFrame, national_code: str | None, new_vacancies: int | None,
               labels: Labels) -> Chart | None:
    """The nation's most-asked skills, as a share of the quarter's new vacancies."""
    frame = skills[skills["region_code"] == national_code].copy()
    if frame.empty:
        return None
    label_column = "label_fr" if labels.language == "fr" else "label_en"
    frame["skill"] = frame[label_column].fillna(frame["label_en"])
    measure, title, fmt = "vacancies_mentioning", labels["vacancies_mentioning"], ",d"
    if new_vacancies:
        frame["share"] = frame["vacancies_mentioning"] / float(new_vacancies)
        measure, title, fmt = "share", labels["share_of_new"], ".0%"
    order = frame.sort_values("skill_rank")["skill"].tolist()
    chart = alt.Chart(frame[["skill", measure]]).mark_bar(color="#1f5f8b").encode(
        x=alt.X(f"{measure}:Q", title=title, axis=alt.Axis(format=fmt)),
        y=alt.Y("skill:N", sort=order, title=labels["skill"]),
    ).properties(width=420, height=22 * len(frame), description=labels["skills"])
    description = f"{labels['skills']}: {', '.join(order)}"
    return Chart("skills", render_svg("skills", chart, labels), description)


def returnees_vs_open(rows: list[dict], labels: Labels) -> Chart | None:
    """Per region: vacancies open now beside returnees registered, suppression spelt out.

    ``rows`` are the region rows of the bulletin's returnee table (``open_vacancies``,
    ``returnees`` — ``None`` when every cell of the region is suppressed — and
    ``cells_suppressed``). A suppressed region has no bar and the word "suppressed";
    a partly suppressed one is labelled "≥ n".
    """
    if not rows:
        return None
    series_open, series_ret = labels["open_vacancies"], labels["returnees_registered"]
    records = []
    for row in rows:
        records.append({"area": row["area"], "series": series_open,
                        "value": row["open_vacancies"], "text": labels.number(
                            row["open_vacancies"])})
        value = row["returnees"]
        if value is None and row["cells_suppressed"]:
            text = labels["suppressed"]
        elif row["cells_suppressed"]:
            text = f"≥ {labels.number(value)}"
        else:
            text = labels.number(value or 0)
        records.append({"area": row["area"], "series": series_ret, "value": value,
                        "text": text})
    frame = pd.DataFrame(records)
    order = [row["area"] for row in rows]
    colour = alt.Color("series:N", title=None,
                       scale=alt.Scale(domain=[series_open, series_ret],
                                       range=["#1f5f8b", "#e08214"]),
                       legend=alt.Legend(orient="top"))
    base = alt.Chart(frame).encode(
        y=alt.Y("area:N", sort=order, title=labels["region"]),
        yOffset=alt.YOffset("series:N", sort=[series_open, series_ret]),
    )
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title=labels["count_axis"]), color=colour)
    text = base.mark_text(align="left", dx=4, fontSize=10, color="#333333").encode(
        x="value:Q", text="text:N")
    # Text of a suppressed region sits at zero (its value is null, which Vega would drop).
    text = text.transform_calculate(value="datum.value === null ? 0 : datum.value")
    chart = (bars + text).properties(width=420, height=alt.Step(12),
                                     description=labels["returnees"])
    texts = [rec["text"] for rec in records if rec["series"] == series_ret]
    description = "; ".join(
        f"{r['area']}: {labels.number(r['open_vacancies'])} / {text}"
        for r, text in zip(rows, texts, strict=True))
    return Chart("returnees", render_svg("returnees", chart, labels), description)
