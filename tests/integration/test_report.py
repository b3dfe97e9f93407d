"""The bulletin built from a small given warehouse, on DuckDB and PostgreSQL, and in Chromium.

The given warehouse is a real one (migrations and reference dimensions of Senegal) whose
published tables and run ledger hold a handful of hand-written rows; the expected figures
below are worked out from those rows. Browser tests open the page from file:// in Debian's
headless Chromium, driven over the DevTools protocol, and check console errors, network
requests, dialogs and the charts' elements; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from etl.report import ReportDataError, build_report
from etl.warehouse.bulk import bulk_insert
from etl.warehouse.connection import get_engine
from etl.warehouse.setup import init_warehouse

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() == "true"

SKILL_A = "http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab"
SKILL_B = "http://data.europa.eu/esco/skill/00064735-8fad-454b-90c7-ed858cc993f2"
HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_EMPLOYER = "<img src=x onerror=alert(2)>"
HOSTILE_SKILL = "<script>alert(4)</script>"
PUBLISHED_AT = datetime(2026, 10, 15, 6, 0, 0)
RUN_ID = "manual__2026-10-15T06:00:00+00:00"

# ---------------------------------------------------------------------------------------
# The given warehouse
# ---------------------------------------------------------------------------------------

_GAP_COLUMNS = ["quarter", "region_code", "is_national", "isco08", "isco_level",
                "vacancies_new", "vacancies_new_prev_year", "tightness", "vacancies_yoy",
                "returnees_registered", "is_returnees_suppressed", "indicators_available",
                "rating", "evidence"]


def _gap_rows() -> pd.DataFrame:
    q = "2026Q3"
    rows = [
        # a year before the latest quarter, nationally only: 10 + 5 new vacancies
        ("2025Q3", "SN", True, "72", 2, 10, None, None, None, 0, False, 1, "no_assessment", "x"),
        ("2025Q3", "SN", True, "91", 2, 5, None, None, None, 0, False, 1, "no_assessment", "x"),
        # trends: sub-major group 72 over four more quarters (Thiès has none in 2026Q2)
        ("2025Q4", "SN", True, "72", 2, 8, None, None, None, 0, False, 1, "no_assessment",
         "only 1 indicator(s) available; at least 2 needed"),
        ("2025Q4", "SN-DK", False, "72", 2, 5, None, None, None, 0, False, 1, "no_assessment",
         "only 1 indicator(s) available; at least 2 needed"),
        ("2025Q4", "SN-TH", False, "72", 2, 3, None, None, None, 0, False, 1, "no_assessment",
         "only 1 indicator(s) available; at least 2 needed"),
        ("2026Q1", "SN", True, "72", 2, 10, None, None, None, 0, False, 1, "no_assessment", "x"),
        ("2026Q1", "SN-DK", False, "72", 2, 7, None, None, None, 0, False, 1, "no_assessment",
         "x"),
        ("2026Q1", "SN-TH", False, "72", 2, 3, None, None, None, 0, False, 1, "no_assessment",
         "x"),
        ("2026Q2", "SN", True, "72", 2, 9, None, None, None, 0, False, 1, "no_assessment", "x"),
        ("2026Q2", "SN-DK", False, "72", 2, 9, None, None, None, 0, False, 1, "no_assessment",
         "x"),
        # the latest quarter, sub-major groups (heatmap, headline vacancies)
        (q, "SN", True, "72", 2, 12, 10, None, 0.2, 9, False, 3, "major_shortage", "x"),
        (q, "SN", True, "91", 2, 6, 5, None, 0.2, None, True, 2, "surplus", "x"),
        (q, "SN-DK", False, "72", 2, 8, 5, 1.25, 0.6, 9, False, 3, "major_shortage", "x"),
        (q, "SN-DK", False, "91", 2, 4, None, None, None, 0, False, 2, "large_surplus", "x"),
        (q, "SN-TH", False, "72", 2, 4, None, None, None, 0, False, 2, "shortage", "x"),
        (q, "SN-ZG", False, "91", 2, 2, None, None, None, 0, False, 1, "no_assessment", "x"),
        # the latest quarter, unit groups (lists, headline ratings)
        (q, "SN", True, "7212", 4, 12, 10, 1.5, 0.2, 9, False, 3, "major_shortage",
         "vacancies up 20% on a year earlier; 54% of surveyed vacancies hard to fill"),
        (q, "SN", True, "9111", 4, 6, 5, 0.2, 0.2, 0, False, 2, "surplus",
         "vacancies down 38% on a year earlier; advertised wages down 4%"),
        (q, "SN-DK", False, "7212", 4, 8, 5, 1.25, 0.6, None, True, 3, "major_shortage",
         "tight: 1.25 new vacancies per registered jobseeker; vacancies up 60% on a year "
         "earlier; 54% of surveyed vacancies hard to fill"),
        (q, "SN-DK", False, "9111", 4, 4, None, 0.1, None, 0, False, 2, "large_surplus",
         "slack: 0.1 new vacancies per registered jobseeker; advertised wages down 4%"),
        (q, "SN-TH", False, "7212", 4, 4, None, None, None, None, True, 2, "shortage",
         "employers filled only 48% of vacancies; 81% of employers report missing skills"),
        (q, "SN-ZG", False, "9111", 4, 2, None, None, None, 0, False, 1, "no_assessment",
         "only 1 indicator(s) available; at least 2 needed"),
    ]
    frame = pd.DataFrame(rows, columns=_GAP_COLUMNS)
    frame["occupation_title"] = frame["isco08"].map(
        {"72": "Metal, machinery and related trades workers", "91": "Cleaners and helpers",
         "7212": "Welders and flamecutters", "9111": "Domestic cleaners and helpers"})
    frame["is_survey_respondents_suppressed"] = False
    frame["shortage_signals"] = 0
    frame["surplus_signals"] = 0
    frame["is_reliable"] = frame["indicators_available"] >= 2
    frame["method_version"] = "2026.1"
    frame["run_id"] = RUN_ID
    return frame


def _list_rows(kind: str) -> pd.DataFrame:
    if kind == "shortage":
        rows = [("SN", True, 1, "7212", 4, "major_shortage", 1.5, 12),
                ("SN-DK", False, 1, "7212", 4, "major_shortage", 1.25, 8),
                ("SN-TH", False, 1, "7212", 4, "shortage", None, 4),
                ("SN", True, 1, "72", 2, "major_shortage", None, 12)]   # a group: not listed
    else:
        rows = [("SN", True, 1, "9111", 4, "surplus", 0.2, 6),
                ("SN-DK", False, 1, "9111", 4, "large_surplus", 0.1, 4)]
    frame = pd.DataFrame(rows, columns=["region_code", "is_national", "rank", "isco08",
                                        "isco_level", "rating", "tightness", "vacancies_new"])
    gap = _gap_rows().set_index(["region_code", "isco08"])
    gap = gap[gap["quarter"] == "2026Q3"]
    frame["evidence"] = [gap.loc[(r, i), "evidence"] for r, i in
                         zip(frame["region_code"], frame["isco08"], strict=True)]
    frame["occupation_title"] = "t"
    frame["quarter"] = "2026Q3"
    frame["is_latest_quarter"] = True
    frame["method_version"] = "2026.1"
    return frame


def _vacancy_rows() -> pd.DataFrame:
    rows = [
        ("v1", HOSTILE_TITLE, HOSTILE_EMPLOYER, "SN-DK", "Dakar", "7212", date(2026, 9, 30),
         "javascript:alert(3)", "board_a"),
        ("v2", "Soudeur H/F", "Atelier Ndiaye", "SN-DK", "Dakar", "7212", date(2026, 9, 29),
         "https://jobs.example.sn/offres/2", "board_a"),
        ("v3", "Femme de ménage", "Famille Diop", "SN-TH", "Thiès", "9111", date(2026, 9, 20),
         None, "pes_feed"),
        ("v4", "Chauffeur", None, None, "Touba", None, date(2026, 9, 10), None, "pes_feed"),
    ]
    frame = pd.DataFrame(rows, columns=["vacancy_id", "title", "employer_name", "region_code",
                                        "locality", "isco08", "date_posted", "url", "source"])
    frame["postings_in_cluster"] = 1
    return frame


def _skill_rows() -> pd.DataFrame:
    rows = [("SN", "7212", SKILL_A, "manage musical staff", 6, 1),
            ("SN", "7212", SKILL_B, "supervise correctional procedures", 3, 2),
            ("SN", "9111", "urn:not-in-esco", HOSTILE_SKILL, 2, 1),
            ("SN-DK", "7212", SKILL_A, "manage musical staff", 4, 1)]
    frame = pd.DataFrame(rows, columns=["region_code", "isco08", "skill_uri", "skill_label",
                                        "vacancies_mentioning", "rank"])
    frame["quarter"] = "2026Q3"
    frame["share_of_vacancies"] = 0.5
    return frame


def _returnee_rows() -> pd.DataFrame:
    rows = [("2026Q3", "SN-DK", "7212", 9, False), ("2026Q3", "SN-DK", "7211", None, True),
            ("2026Q2", "SN-TH", "7212", None, True), ("2026Q3", "SN-TH", "9111", None, True),
            ("2026Q3", "SN-ZG", "9111", 5, False)]
    frame = pd.DataFrame(rows, columns=["quarter", "region_code", "isco08",
                                        "returnees_registered", "is_suppressed"])
    frame["occupation_title"] = "t"
    frame["on_shortage_list"] = False
    return frame


def _opportunity_rows() -> pd.DataFrame:
    rows = [("SN-DK", "7212", 2, 8, 9, False, "major_shortage"),
            ("SN-DK", "7211", 1, 1, None, True, "no_assessment"),
            ("SN-TH", "9111", 1, 0, None, True, None),
            ("SN-ZG", "9111", 0, 2, 5, False, "no_assessment")]
    frame = pd.DataFrame(rows, columns=["region_code", "isco08", "open_vacancies",
                                        "vacancies_new_quarter", "returnees_registered",
                                        "is_returnees_suppressed", "rating"])
    frame["occupation_title"] = "t"
    frame["quarter"] = "2026Q3"
    frame["method_version"] = "2026.1"
    return frame


def _ledger_rows() -> pd.DataFrame:
    rows = [
        ("r1", "board_a", "lmis_vacancies", 10, 7, 1, 2, 0, 1, "success", "pages 3",
         datetime(2026, 10, 15, 4, 50), datetime(2026, 10, 15, 5, 0)),
        ("r0", "observatory", "lmis_observatory", 5, 5, 0, 0, 0, 0, "success", None,
         datetime(2026, 10, 1, 5, 55), datetime(2026, 10, 1, 6, 0)),
        ("r2", "observatory", "lmis_observatory", 0, 0, 0, 0, 0, 0, "failed",
         "HTTP 503 from the SDMX endpoint <b>down</b>",
         datetime(2026, 10, 15, 5, 20), datetime(2026, 10, 15, 5, 30)),
    ]
    return pd.DataFrame(rows, columns=["run_id", "source", "dag_id", "fetched", "loaded",
                                       "quarantined", "duplicates", "unchanged", "unclassified",
                                       "status", "detail", "started_at", "finished_at"])


def fill_given_warehouse(url: str) -> None:
    """A fresh warehouse at ``url`` with the given published rows and run ledger."""
    engine = get_engine(url)
    init_warehouse(engine, "SN")
    tables = {
        "skills_gap": _gap_rows(),
        "shortage_occupations": _list_rows("shortage"),
        "surplus_occupations": _list_rows("surplus"),
        "vacancies_open": _vacancy_rows(),
        "skills_demand": _skill_rows(),
        "returnees_summary": _returnee_rows(),
        "opportunities": _opportunity_rows(),
    }
    releases = json.dumps({"board_a": "2026-10-15 05:00:00", "observatory": "2026-Q2"})
    metadata = pd.DataFrame([
        {"table_name": name, "refreshed_at": PUBLISHED_AT, "run_id": RUN_ID,
         "method_version": "2026.1", "source_releases": releases, "row_count": len(frame),
         "quality_status": "passed"} for name, frame in sorted(tables.items())])
    with engine.begin() as conn:
        for name, frame in tables.items():
            bulk_insert(conn, "published", name, frame)
        bulk_insert(conn, "published", "dataset_metadata", metadata)
        bulk_insert(conn, "ops", "run_ledger", _ledger_rows())


@pytest.fixture(scope="module")
def given_duckdb(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("given") / "warehouse.duckdb"
    fill_given_warehouse(f"duckdb:///{path}")
    return f"duckdb:///{path}"


@pytest.fixture(scope="module")
def french(given_duckdb: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report(get_engine(given_duckdb), language="fr",
                        out_dir=tmp_path_factory.mktemp("reports_fr"))


@pytest.fixture(scope="module")
def english(given_duckdb: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report(get_engine(given_duckdb), language="en",
                        out_dir=tmp_path_factory.mktemp("reports_en"))


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _card(soup: BeautifulSoup, name: str) -> str:
    return soup.select_one(f'[data-figure="{name}"]').get_text(" ", strip=True)


def _rows(table) -> list[list[str]]:
    return [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in table.select("tbody tr")]


# ---------------------------------------------------------------------------------------
# Content, from the given rows
# ---------------------------------------------------------------------------------------

def test_release_folder_and_latest_link(french: Path) -> None:
    assert french.name == "index.html"
    assert french.parent.name == "2026Q3-20261015T060000Z"
    latest = french.parent.parent / "latest"
    assert latest.is_symlink() and os.readlink(latest) == french.parent.name
    assert (latest / "index.html").read_bytes() == french.read_bytes()


def test_headline_figures_of_the_latest_quarter(french: Path) -> None:
    soup = _soup(french)
    # 12 + 6 new vacancies in the sub-major groups; a year earlier 10 + 5: +20 %.
    assert _card(soup, "vacancies_new").startswith("18 ")
    assert "+20\u202f%" in _card(soup, "vacancies_new")
    assert _card(soup, "open_vacancies").startswith("4 ")
    assert _card(soup, "shortage").startswith("1 ")
    assert "dont pénurie forte: 1" in _card(soup, "shortage")
    assert _card(soup, "surplus").startswith("1 ")
    # First registered in the quarter, nationally: 9 in group 72, group 91 suppressed.
    assert _card(soup, "returnees").startswith("≥ 9 ")


def test_shortage_and_surplus_lists_per_area_with_french_titles_and_evidence(
        french: Path) -> None:
    soup = _soup(french)
    shortage = {t["data-area"]: _rows(t) for t in soup.select("table.occupations.shortage")}
    assert sorted(shortage) == ["SN", "SN-DK", "SN-TH"]
    assert all(len(rows) == 1 for rows in shortage.values())  # unit groups only, not "72"
    national = shortage["SN"][0]
    assert national[1] == "7212 Soudeurs et oxycoupeurs"
    assert national[2] == "pénurie forte"
    assert national[4] == "1,50" and national[5] == "+20\u202f%" and national[6] == "9"
    assert national[7].startswith("offres en hausse de 20 % sur un an ; 54 % des postes "
                                  "enquêtés difficiles à pourvoir")
    dakar = shortage["SN-DK"][0]
    assert dakar[6] == "masqué"  # a suppressed count, not zero
    assert "marché tendu : 1,25" in dakar[7]
    surplus = {t["data-area"]: _rows(t) for t in soup.select("table.occupations.surplus")}
    assert surplus["SN-DK"][0][2] == "excédent fort"
    assert surplus["SN-DK"][0][1] == "9111 Aides de ménage à domicile"
    assert "Ziguinchor" in soup.select_one("#surplus").get_text()  # named as having none


def test_returnees_against_open_vacancies_show_suppression(french: Path) -> None:
    soup = _soup(french)
    rows = {r[0]: r for r in _rows(soup.select_one("table.returnees"))}
    assert rows["Dakar"][1:] == ["3", "≥ 9", "1"]
    assert rows["Thiès"][1:] == ["1", "masqué", "1"]
    assert rows["Ziguinchor"][1:] == ["0", "5", "0"]
    svg_text = soup.select_one("#chart-returnees svg").get_text(" ")
    assert "masqué" in svg_text and "≥ 9" in svg_text


def test_scraped_text_is_escaped_and_unsafe_links_are_not_links(french: Path) -> None:
    html = french.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html.lower()
    soup = _soup(french)
    titles = [td.get_text() for td in soup.select("td.vacancy-title")]
    assert HOSTILE_TITLE in titles
    assert HOSTILE_EMPLOYER in soup.select_one("table.vacancies").get_text()
    hrefs = [a["href"] for a in soup.select("table.vacancies a")]
    assert hrefs == ["https://jobs.example.sn/offres/2"]
    assert HOSTILE_SKILL in soup.select_one("#chart-skills svg").get_text(" ")


def test_data_quality_and_freshness_per_source(french: Path) -> None:
    soup = _soup(french)
    rows = {tr["data-source"]: [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in soup.select("table.sources tbody tr")}
    observatory, board = rows["observatory"], rows["board_a"]
    assert observatory[1] == "échec"
    assert "HTTP 503 from the SDMX endpoint <b>down</b>" in observatory[2]
    assert observatory[3] == "2026-10-01 06:00 UTC"
    assert observatory[4] == "14,0 j"  # last success two weeks before publication
    assert observatory[-1] == "2026-Q2"
    assert board[1] == "réussie" and board[4] == "1,0 h"
    assert board[7] == "1 (10,0\u202f%)" and board[-2] == "oui"
    tables = {r[0]: r for r in _rows(soup.select_one("table.tables"))}
    assert tables["published.skills_gap"][2] == str(len(_gap_rows()))


def test_method_version_run_and_source_releases(french: Path) -> None:
    soup = _soup(french)
    method = soup.select_one("#method").get_text(" ", strip=True)
    assert "2026.1" in method and RUN_ID in method
    releases = dict(_rows(soup.select_one("table.releases")))
    assert releases == {"board_a": "2026-10-15 05:00:00", "observatory": "2026-Q2"}


def test_charts_are_inline_svg_with_their_marks(french: Path) -> None:
    soup = _soup(french)
    figures = {f["data-chart"]: f for f in soup.select("figure.chart")}
    assert set(figures) == {"heatmap", "trends", "skills", "returnees"}
    heat = figures["heatmap"].select('[aria-roledescription="rect mark"]')
    assert len(heat) == 6  # the six sub-major group rows of 2026Q3
    points = figures["trends"].select('[aria-roledescription="point"]')
    assert len(points) == 4 * 5  # nation, Dakar, Thiès, Ziguinchor x 2025Q3..2026Q3
    assert len(figures["skills"].select('[aria-roledescription="bar"]')) == 3
    assert "Métiers qualifiés de la métallurgie" in figures["heatmap"].get_text(" ")


def test_english_edition(english: Path) -> None:
    soup = _soup(english)
    assert soup.html["lang"] == "en"
    national = _rows(soup.select_one('table.occupations.shortage[data-area="SN"]'))[0]
    assert national[1] == "7212 Welders and flamecutters" and national[2] == "major shortage"
    assert national[7].startswith("vacancies up 20% on a year earlier")
    assert "Senegal" in soup.title.get_text()


def test_building_again_writes_the_same_bytes(given_duckdb: str, french: Path,
                                               tmp_path: Path) -> None:
    again = build_report(get_engine(given_duckdb), language="fr", out_dir=tmp_path)
    assert again.read_bytes() == french.read_bytes()


def test_named_release_and_rejected_names(given_duckdb: str, tmp_path: Path) -> None:
    index = build_report(get_engine(given_duckdb), language="en", release="2026Q3-final",
                         out_dir=tmp_path)
    assert index == tmp_path / "2026Q3-final" / "index.html"
    assert os.readlink(tmp_path / "latest") == "2026Q3-final"
    with pytest.raises(ValueError, match="release name"):
        build_report(get_engine(given_duckdb), release="../outside", out_dir=tmp_path)


def test_nothing_published_is_a_clear_error(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    init_warehouse(get_engine(url), "SN")
    with pytest.raises(ReportDataError, match="nothing has been published yet"):
        build_report(get_engine(url), out_dir=tmp_path / "reports")
    assert not (tmp_path / "reports").exists()


def _cli(args: list[str], home: Path, *, no_network: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "LMIS_"))}
    env["LMIS_HOME"] = str(home)
    command = [sys.executable, "-m", "etl.cli", *args]
    if no_network:
        command = ["unshare", "--map-root-user", "--net", *command]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300,
                          cwd=ROOT)


def _network_namespace_available() -> str | None:
    if shutil.which("unshare") is None:
        return "unshare is not installed"
    probe = subprocess.run(["unshare", "--map-root-user", "--net", "true"],
                           capture_output=True, text=True)
    return None if probe.returncode == 0 else f"unshare --net refused: {probe.stderr.strip()}"


def test_cli_builds_the_report_with_no_network(given_duckdb: str, tmp_path: Path) -> None:
    """`lmis report` in a network namespace of its own, where no connection can be made.

    No ``--language``: the configuration's ``language: en`` decides.
    """
    problem = _network_namespace_available()
    if problem:
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    check = subprocess.run(
        ["unshare", "--map-root-user", "--net", sys.executable, "-c",
         "import socket; socket.create_connection(('127.0.0.1', 9), timeout=2)"],
        capture_output=True, text=True)
    assert check.returncode != 0  # the namespace really has no network
    config = tmp_path / "sources.yml"
    config.write_text("country: SN\noperator: {name: Test, contact: test@example.org}\n"
                      "language: en\nsources: []\n", encoding="utf-8")
    proc = _cli(["report", "--warehouse", given_duckdb, "--config", str(config)], tmp_path,
                no_network=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    index = tmp_path / "reports" / "2026Q3-20261015T060000Z" / "index.html"
    assert f"bulletin: {index}" in proc.stdout
    html = index.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Labour-market bulletin" in html
    assert (tmp_path / "reports" / "latest" / "index.html").read_text(encoding="utf-8") == html


def test_cli_on_an_empty_warehouse_fails_with_a_message(tmp_path: Path) -> None:
    proc = _cli(["report", "--language", "fr"], tmp_path, no_network=False)
    assert proc.returncode == 1
    assert "lmis report:" in proc.stderr and "published.skills_gap" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.postgres
def test_postgresql_gives_the_same_page_as_duckdb(pg_url: str, french: Path,
                                                  tmp_path: Path) -> None:
    fill_given_warehouse(pg_url)
    index = build_report(get_engine(pg_url), language="fr", out_dir=tmp_path)
    assert index.read_text(encoding="utf-8") == french.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# Headless Chromium over the DevTools protocol
# ---------------------------------------------------------------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-default-apps",
                  "--disable-extensions", "--mute-audio", "--remote-debugging-port=0"]


class Browser:
    """Chromium with one DevTools websocket; pages are flattened sessions on it."""

    def __init__(self, profile: Path) -> None:
        import websocket

        self.proc = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.events: list[dict] = []
        self._id = 0
        try:
            url = self._devtools_url(timeout=30)
            self.ws = websocket.create_connection(url, timeout=30, suppress_origin=True)
        except Exception:
            self.close()
            raise

    def _devtools_url(self, timeout: float) -> str:
        deadline, seen = time.monotonic() + timeout, []
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line and self.proc.poll() is not None:
                break
            seen.append(line)
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                return found.group(1)
        raise RuntimeError("chromium did not start:\n" + "".join(seen[-20:]))

    def _receive(self) -> dict:
        return json.loads(self.ws.recv())

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = self._receive()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str, timeout: float = 20) -> dict:
        for event in self.events:
            if event.get("method") == method and event.get("sessionId") == session:
                return event
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = self._receive()
            self.events.append(event)
            if event.get("method") == method and event.get("sessionId") == session:
                return event
        raise TimeoutError(method)

    def close(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()


class Page:
    """One tab: console, log, network and dialogs recorded from before the page loads."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget",
                                    {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, session=self.session)

    def open(self, path: Path) -> None:
        self.send("Page.navigate", {"url": path.resolve().as_uri()})
        self.browser.wait_for("Page.loadEventFired", self.session)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression,
                                                "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def events(self, *methods: str) -> list[dict]:
        return [e for e in self.browser.events
                if e.get("sessionId") == self.session and e.get("method") in methods]

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries (CSP, failed loads)."""
        out = []
        for e in self.events("Runtime.consoleAPICalled"):
            if e["params"]["type"] in ("error", "assert"):
                out.append(json.dumps(e["params"]["args"])[:300])
        for e in self.events("Runtime.exceptionThrown"):
            out.append(e["params"]["exceptionDetails"].get("text", "exception"))
        for e in self.events("Log.entryAdded"):
            if e["params"]["entry"]["level"] == "error":
                out.append(e["params"]["entry"]["text"])
        return out

    def requested_urls(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events("Network.requestWillBeSent")]

    def dialogs(self) -> list[str]:
        return [e["params"]["message"] for e in self.events("Page.javascriptDialogOpening")]

    def screenshot(self, path: Path) -> None:
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        shot = self.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"],
                     "height": min(size["height"], 16384), "scale": 1}})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))


def _ensure_chromium() -> str | None:
    """None when the browser is there; else why not (after trying the CI install script)."""
    if os.access(CHROMIUM, os.X_OK):
        return None
    script = ROOT / ".ci" / "install-browser.sh"
    if hasattr(os, "geteuid") and os.geteuid() == 0 and script.exists():
        proc = subprocess.run(["bash", str(script)], capture_output=True, text=True,
                              timeout=900)
        if proc.returncode == 0 and os.access(CHROMIUM, os.X_OK):
            return None
        return f"{script} failed: {proc.stderr[-1000:]}"
    return f"{CHROMIUM} is missing (install Debian's chromium: bash {script})"


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):
    problem = _ensure_chromium()
    if problem:
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    try:
        import websocket  # noqa: F401 - websocket-client drives Chromium's DevTools socket
    except ImportError:
        message = "websocket-client is needed to drive Chromium (pip install websocket-client)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    instance = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield instance
    instance.close()


def _check_rendered_report(page: Page, index: Path, screenshot: Path) -> None:
    page.open(index)
    page.screenshot(screenshot)
    assert screenshot.stat().st_size > 10_000
    assert page.errors() == []
    requested = page.requested_urls()
    assert requested and all(url.startswith("file://") for url in requested), requested
    assert page.dialogs() == []
    assert page.evaluate("document.scripts.length") == 0
    charts = page.evaluate(
        "Array.from(document.querySelectorAll('figure.chart')).map(f => [f.dataset.chart, "
        "f.querySelectorAll('svg [aria-roledescription]').length, "
        "Math.round(f.querySelector('svg') ? f.querySelector('svg').getBoundingClientRect()"
        ".width : 0)])")
    assert [c[0] for c in charts] == ["heatmap", "trends", "skills", "returnees"]
    for name, marks, width in charts:
        assert marks > 0 and width > 100, (name, marks, width)


@pytest.mark.browser
def test_report_renders_in_chromium_without_errors_or_requests(browser: Browser,
                                                               french: Path) -> None:
    page = Page(browser)
    _check_rendered_report(page, french, ARTIFACTS / "report-given-fr.png")
    heat = page.evaluate("document.querySelectorAll("
                         "'#chart-heatmap [aria-roledescription=\"rect mark\"]').length")
    assert heat == 6


@pytest.mark.browser
def test_script_in_a_vacancy_title_shows_as_text_and_never_runs(browser: Browser,
                                                               french: Path) -> None:
    page = Page(browser)
    page.open(french)
    titles = page.evaluate(
        "Array.from(document.querySelectorAll('td.vacancy-title')).map(td => td.textContent)")
    assert HOSTILE_TITLE in titles
    assert page.evaluate("document.images.length") == 0  # the employer's <img> is text
    assert page.evaluate("Array.from(document.links).filter(a => "
                         "a.href.startsWith('javascript:')).length") == 0
    assert page.dialogs() == [] and page.errors() == []


@pytest.mark.browser
def test_the_harness_does_see_a_script_that_runs(browser: Browser, tmp_path: Path) -> None:
    """Control: the checks above are not blind — a page that runs a script is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><title>x</title><script>console.error('boom');"
                   "fetch('http://127.0.0.1:9/x').catch(() => {});alert(1)</script>",
                   encoding="utf-8")
    page = Page(browser)
    page.send("Page.navigate", {"url": bad.as_uri()})
    dialog = browser.wait_for("Page.javascriptDialogOpening", page.session)
    assert dialog["params"]["message"] == "1"
    page.send("Page.handleJavaScriptDialog", {"accept": True})
    browser.wait_for("Page.loadEventFired", page.session)
    assert any("boom" in e for e in page.errors())
    assert any(url.startswith("http://127.0.0.1:9") for url in page.requested_urls())


@pytest.mark.slow
@pytest.mark.browser
def test_demo_report_in_chromium(browser: Browser, demo_runs: dict) -> None:
    """The acceptance run: `lmis demo` (shared with the end-to-end tests), then its bulletin
    opened in Chromium."""
    index = demo_runs["home"] / "reports" / "latest" / "index.html"
    assert index.exists(), "lmis demo did not build the bulletin"
    assert str(index) in demo_runs["first"].stdout or "reports/latest" in demo_runs["first"].stdout
    page = Page(browser)
    _check_rendered_report(page, index, ARTIFACTS / "report-demo.png")
    rows = page.evaluate("document.querySelectorAll('table.occupations tbody tr').length")
    assert rows > 0
