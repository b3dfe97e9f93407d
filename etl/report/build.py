"""``build_report``: the quarterly bulletin as one static HTML page, from the published tables.

The page is written to ``<reports>/<release>/index.html`` and ``<reports>/latest`` is
pointed at it, where ``<reports>`` is ``LMIS_HOME/reports`` unless given. The release
name comes from the data (the quarter and the time of publication), so building twice
from the same published tables writes the same page, byte for byte, to the same place.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from etl.report import charts
from etl.report.data import ReportData, ReportDataError, load_report_data, records
from etl.report.labels import Labels, country_name
from etl.report.render import render_page

_RELEASE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def build_report(engine: Engine, *, language: str = "fr", release: str | None = None,
                 out_dir: Path | None = None) -> Path:
    """Build the bulletin from ``engine``'s published tables; return the index.html path.

    ``out_dir`` is the reports folder (default ``LMIS_HOME/reports``); ``release`` names
    the sub-folder (default ``<quarter>-<published at, UTC>``, e.g. ``2026Q3-20261127T102110Z``).
    """
    labels = Labels(language)
    if release is not None and not _RELEASE.match(release):
        raise ValueError(f"release name must be letters, digits, '.', '_' or '-' "
                         f"(a folder name): {release!r}")
    data = load_report_data(engine)
    release = release or default_release(data)
    html = render_page(page_context(data, labels, release), labels)
    reports = Path(out_dir) if out_dir is not None else _reports_dir()
    target = reports / release
    target.mkdir(parents=True, exist_ok=True)
    index = target / "index.html"
    _write_atomically(index, html)
    point_latest(reports, release)
    return index


def _reports_dir() -> Path:
    from etl.settings import home_subdir

    return home_subdir("reports")


def default_release(data: ReportData) -> str:
    refreshed = data.refreshed_at
    if refreshed is None:
        return data.quarter
    return f"{data.quarter}-{refreshed:%Y%m%dT%H%M%SZ}"


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".index-", suffix=".html")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def point_latest(reports: Path, release: str) -> Path:
    """Make ``reports/latest`` a relative symlink to ``release`` (a copy where links fail).

    The link is replaced atomically, so a reader never finds ``latest`` missing.
    """
    latest = reports / "latest"
    tmp = reports / f".latest-{os.getpid()}"
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(release, tmp, target_is_directory=True)
        if latest.is_dir() and not latest.is_symlink():
            shutil.rmtree(latest)
        os.replace(tmp, latest)
    except OSError:
        # File systems without symbolic links: a copy of the release folder.
        if tmp.is_symlink():
            tmp.unlink()
        if latest.is_symlink() or latest.is_file():
            latest.unlink()
        elif latest.exists():
            shutil.rmtree(latest)
        shutil.copytree(reports / release, latest)
    return latest


def _fmt_time(value: Any) -> str | None:
    if value is None:
        return None
    return f"{value:%Y-%m-%d %H:%M} UTC"


def _age(later: datetime | None, earlier: Any, labels: Labels) -> str:
    if later is None or earlier is None:
        return labels["not_available"]
    seconds = max(0.0, (later - earlier.to_pydatetime() if hasattr(earlier, "to_pydatetime")
                        else later - earlier).total_seconds())
    hours = seconds / 3600
    if hours < 48:
        return f"{labels.number(hours, 1)} {labels['hours']}"
    return f"{labels.number(hours / 24, 1)} {labels['days']}"


def _safe_url(url: str | None) -> str | None:
    """A link only for http(s) URLs: a ``javascript:`` URL from a source is shown as text."""
    if url and re.match(r"^https?://", url.strip(), flags=re.IGNORECASE):
        return url.strip()
    return None


def page_context(data: ReportData, labels: Labels, release: str) -> dict[str, Any]:
    """Everything the template shows, already in the bulletin's language."""
    national = data.regions[data.regions["is_national"]]
    national_code = str(national["region_code"].iloc[0]) if not national.empty else None
    national_name = (country_name(str(national["region_name"].iloc[0]), labels.language)
                     if not national.empty else labels["national"])
    names = {r["region_code"]: (national_name if r["is_national"] else r["region_name"])
             for r in records(data.regions)}
    area_order = [c for c in names if c == national_code] + sorted(
        (c for c in names if c != national_code), key=lambda c: names[c])

    def area(code: str | None) -> str:
        if code is None:
            return labels["region_unknown"]
        return names.get(code, code)

    headline = _headline(data, labels)
    returnee_rows = _returnee_rows(data, names, area_order, labels)
    chart_list = {
        "heatmap": charts.rating_heatmap(data.heatmap, names, national_code, labels),
        "trends": charts.vacancy_trends(data.trends, data.quarters, names, national_code,
                                        labels),
        "skills": charts.top_skills(data.skills, national_code,
                                    data.headline.get("vacancies_new"), labels),
        "returnees": charts.returnees_vs_open(returnee_rows, labels),
    }
    refreshed = data.refreshed_at
    return {
        "lang": labels.language,
        "country": national_name,
        "quarter": data.quarter,
        "quarters": data.quarters,
        "release": release,
        "run_id": data.run_id,
        "method_version": data.method_version,
        "refreshed_at": _fmt_time(refreshed),
        "headline": headline,
        "shortage": _occupation_lists(data.shortage, area_order, area, labels),
        "surplus": _occupation_lists(data.surplus, area_order, area, labels),
        "charts": chart_list,
        "skills_by_area": _skills_by_area(data, area_order, area, labels),
        "returnees": returnee_rows,
        "matches": _matches(data, area_order, area, labels),
        "latest_vacancies": [
            {**v, "area": area(v["region_code"]) if v["region_code"] else (
                v["locality"] or labels["region_unknown"]),
             "occupation": labels.occupation_name(v["isco08"], v["title_en"], v["title_fr"])
             if v["isco08"] else labels["not_available"],
             "posted": f"{v['date_posted']:%Y-%m-%d}" if v["date_posted"] else None,
             "link": _safe_url(v["url"])}
            for v in records(data.latest_vacancies)],
        "sources": _sources(data, refreshed, labels),
        "tables": [{**m, "refreshed": _fmt_time(m["refreshed_at"])}
                   for m in records(data.metadata)],
        "source_releases": data.source_releases,
    }


def _headline(data: ReportData, labels: Labels) -> dict[str, Any]:
    h = data.headline
    new, prev = h.get("vacancies_new"), h.get("vacancies_new_prev_year")
    yoy = (new - prev) / prev if new is not None and prev else None
    ratings = {k: int(h.get(k) or 0) for k in (
        "major_shortage", "shortage", "balanced", "surplus", "large_surplus", "no_assessment")}
    open_total = int(data.open_by_region["open_vacancies"].sum()) \
        if not data.open_by_region.empty else 0
    hidden = int(h.get("returnee_cells_suppressed") or 0)
    return {
        "vacancies_new": new,
        "vacancies_yoy": yoy,
        "open_vacancies": open_total,
        "shortage": ratings["major_shortage"] + ratings["shortage"],
        "major_shortage": ratings["major_shortage"],
        "surplus": ratings["surplus"] + ratings["large_surplus"],
        "large_surplus": ratings["large_surplus"],
        "assessed": sum(ratings.values()) - ratings["no_assessment"],
        "returnees": h.get("returnees_registered"),
        "returnees_partial": hidden > 0,
    }


def _occupation_lists(frame, area_order: list[str], area, labels: Labels) -> list[dict]:
    rows = records(frame)
    out = []
    for code in area_order:
        listed = [r for r in rows if r["region_code"] == code]
        out.append({
            "code": code, "name": area(code), "is_national": code == area_order[0],
            "rows": [{
                "rank": r["rank"],
                "occupation": labels.occupation_name(r["isco08"], r["title_en"], r["title_fr"]),
                "rating_code": r["rating"],
                "rating": labels.rating_name(r["rating"]),
                "evidence": labels.evidence_text(r["evidence"]),
                "vacancies_new": labels.number(r["vacancies_new"]),
                "tightness": labels.number(r["tightness"], 2),
                "vacancies_yoy": labels.percent(r["vacancies_yoy"], signed=True),
                "returnees": labels.count(r["returnees_registered"],
                                          bool(r["is_returnees_suppressed"])),
                "returnees_suppressed": bool(r["is_returnees_suppressed"]),
                "indicators": r["indicators_available"],
                "is_reliable": bool(r["is_reliable"]),
            } for r in listed],
        })
    return out


def _skills_by_area(data: ReportData, area_order: list[str], area, labels: Labels) -> list:
    rows = records(data.skills)
    out = []
    for code in area_order:
        listed = [r for r in rows if r["region_code"] == code]
        if listed:
            out.append({"name": area(code), "skills": [
                {"rank": r["skill_rank"],
                 "label": (r["label_fr"] if labels.language == "fr" else r["label_en"])
                 or r["label_en"],
                 "mentions": labels.number(r["vacancies_mentioning"])} for r in listed]})
    return out


def _returnee_rows(data: ReportData, names: dict, area_order: list[str],
                   labels: Labels) -> list[dict]:
    """One row per region of return: open vacancies beside returnees registered."""
    returnees = {r["region_code"]: r for r in records(data.returnees)}
    rows = []
    for code in area_order[1:] if area_order else []:
        if code not in returnees:
            continue
        ret = returnees[code]
        hidden = int(ret.get("cells_suppressed") or 0)
        value = ret.get("returnees_published")
        rows.append({
            "code": code, "area": names.get(code, code),
            "open_vacancies": int(ret.get("open_vacancies") or 0),
            "returnees": None if (value is None and hidden) else int(value or 0),
            "cells_suppressed": hidden,
            "returnees_text": (labels["suppressed"] if value is None and hidden else
                               f"≥ {labels.number(value)}" if hidden else
                               labels.number(value or 0)),
        })
    return rows


def _matches(data: ReportData, area_order: list[str], area, labels: Labels) -> list[dict]:
    rows = records(data.matches)
    out = []
    for code in area_order:
        listed = [r for r in rows if r["region_code"] == code]
        if listed:
            out.append({"name": area(code), "rows": [{
                "occupation": labels.occupation_name(r["isco08"], r["title_en"], r["title_fr"]),
                "open_vacancies": labels.number(r["open_vacancies"]),
                "returnees": labels.count(r["returnees_registered"],
                                          bool(r["is_returnees_suppressed"])),
                "returnees_suppressed": bool(r["is_returnees_suppressed"]),
                "rating_code": r["rating"] or "no_assessment",
                "rating": labels.rating_name(r["rating"] or "no_assessment"),
            } for r in listed]})
    return out


def _sources(data: ReportData, refreshed: datetime | None, labels: Labels) -> list[dict]:
    out = []
    for r in records(data.source_runs):
        accounted = r["loaded"] + r["quarantined"] + r["duplicates"] + r["unchanged"]
        out.append({
            **r,
            "finished": _fmt_time(r["finished_at"]),
            "last_success": _fmt_time(r["last_success_at"]) or labels["never"],
            "age": _age(refreshed, r["last_success_at"], labels),
            "balanced": accounted == r["fetched"],
            "quarantined_share": labels.percent(
                r["quarantined"] / r["fetched"] if r["fetched"] else None, 1),
            "release": data.source_releases.get(r["source"]),
        })
    return out


__all__ = ["ReportDataError", "build_report", "default_release", "page_context",
           "point_latest"]
