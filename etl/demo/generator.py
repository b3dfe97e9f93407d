"""Seeded generator of the demo country's sample sources.

The demo country is Senegal (ISO SN), with invented but plausible figures: about
3,500 vacancies over eight quarters in seven regions and 40 occupations, wages
in CFA francs (XOF). Everything is drawn from one ``random.Random(seed)`` so that
the same seed writes byte-identical files, which is what lets the end-to-end test
and a user's second run compare row counts.

What it writes (under ``out_dir``), each in the format real systems use:

* ``sites/board-a/``: a job board whose detail pages embed schema.org JobPosting
  JSON-LD (French and English), listing pages chained by ``rel=next`` links;
* ``sites/board-b/``: a plain-HTML board that needs CSS selectors, listing pages
  addressed by a ``?page=N`` parameter (stored as ``jobs@page=N.html``);
* ``sites/pes/api/``: the PES vacancy feed, paginated JSON (``vacancies@page=N.json``);
* ``drop/observatory/``: SDMX-CSV 1.0, SDMX-ML 2.1 generic data and one French XLSX table;
* ``drop/survey/``: a Kobo-style XLSX export of the employer skills-gap survey;
* ``drop/returnees/``: PES returnee registrations as CSV (with fake names and
  phone numbers, which ingestion must drop);
* ``manifest.json``: what was planted (postings, cross-board duplicates and their share).

A known share of board-A vacancies is re-posted on board B (another id, the
title reformatted, posted up to a few days later): the pipeline's deduplication
is measured against that share.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import random
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from etl.settings import PACKAGE_DIR

COUNTRY = "SN"
CURRENCY = "XOF"
QUARTERS = ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
AS_OF = date(2026, 10, 15)

# (ISO 3166-2, name as boards write it, share of the country's vacancies)
REGIONS = [
    ("SN-DK", "Dakar", 0.42),
    ("SN-TH", "Thiès", 0.15),
    ("SN-SL", "Saint-Louis", 0.10),
    ("SN-DB", "Diourbel", 0.08),
    ("SN-KL", "Kaolack", 0.09),
    ("SN-ZG", "Ziguinchor", 0.08),
    ("SN-LG", "Louga", 0.08),
]

EMPLOYER_STEMS = [
    "Teranga", "Baobab", "Sahel", "Atlantique", "Cap-Vert", "Casamance", "Niayes", "Ndar",
    "Saloum", "Lompoul", "Gorée", "Touba", "Sine", "Ferlo", "Dione", "Keur Massar",
]
EMPLOYER_KINDS = [
    "BTP SARL", "Logistique SA", "Digital", "Services", "Distribution", "Agro-Industries",
    "Santé", "Hôtellerie", "Conseil", "Transport", "Industries", "Télécom",
]

SURVEY_SKILL_CHOICES = ["technical", "digital", "languages", "management", "communication"]
DESTINATIONS = ["LY", "MR", "MA", "ES", "IT", "FR", "GA", "CI", "DZ"]
FIRST_NAMES = ["Moussa", "Awa", "Ibrahima", "Fatou", "Cheikh", "Aminata", "Mamadou", "Khady"]
LAST_NAMES = ["Diop", "Ndiaye", "Fall", "Sow", "Ba", "Gueye", "Faye", "Sarr", "Cissé", "Mbaye"]


@dataclass(frozen=True)
class Occupation:
    isco08: str
    section: str
    base_demand: float
    trend: float
    wage: int
    titles_fr: list[str]
    titles_en: list[str]
    skills: list[str]


@dataclass
class Posting:
    vacancy_no: int
    occupation: Occupation
    region_code: str
    region_name: str
    employer: str
    title: str
    language: str
    date_posted: date
    valid_through: date
    employment_type: str
    salary: tuple[float, float, str] | None  # (min, max, period)
    description: str
    channel: str  # "board-a", "board-b" or "pes"
    reposted_on_b: bool = False
    extra: dict = field(default_factory=dict)


def load_occupations() -> list[Occupation]:
    with (PACKAGE_DIR / "demo" / "occupations.csv").open(encoding="utf-8") as handle:
        return [
            Occupation(
                isco08=row["isco08"],
                section=row["isic4_section"],
                base_demand=float(row["base_demand"]),
                trend=float(row["trend"]),
                wage=int(row["wage_xof"]),
                titles_fr=row["titles_fr"].split("|"),
                titles_en=row["titles_en"].split("|"),
                skills=row["skills"].split("|"),
            )
            for row in csv.DictReader(handle)
        ]


def quarter_start(quarter: str) -> date:
    year, q = int(quarter[:4]), int(quarter[5])
    return date(year, 3 * (q - 1) + 1, 1)


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method is fine for the small means used here.
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class DemoGenerator:
    """Draws the demo country once and writes every sample source from it."""

    def __init__(self, seed: int = 2026, duplicate_share: float = 0.15,
                 scale: float = 1.0) -> None:
        """``scale`` shrinks or grows every volume (tests use a small country)."""
        self.rng = random.Random(seed)
        self.seed = seed
        self.duplicate_share = duplicate_share
        self.scale = scale
        self.occupations = load_occupations()
        self.employers = [
            f"{stem} {kind}" for stem in EMPLOYER_STEMS for kind in EMPLOYER_KINDS
        ]
        self.rng.shuffle(self.employers)
        self.employers = self.employers[:140]
        self.postings: list[Posting] = []

    # ------------------------------------------------------------------ postings
    def draw_postings(self) -> list[Posting]:
        rng = self.rng
        number = 0
        for qi, quarter in enumerate(QUARTERS):
            start = quarter_start(quarter)
            for occ in self.occupations:
                for code, name, share in REGIONS:
                    lam = (occ.base_demand * share * (1 + occ.trend) ** (qi * 1.6) * 1.25
                           * self.scale)
                    for _ in range(_poisson(rng, lam)):
                        number += 1
                        self.postings.append(self._posting(number, occ, code, name, start, rng))
        # Plant cross-board duplicates among board-A postings.
        board_a = [p for p in self.postings if p.channel == "board-a"]
        for posting in rng.sample(board_a, round(len(board_a) * self.duplicate_share)):
            posting.reposted_on_b = True
        return self.postings

    def _posting(self, number, occ, region_code, region_name, start, rng) -> Posting:
        language = "fr" if rng.random() < 0.72 else "en"
        titles = occ.titles_fr if language == "fr" else occ.titles_en
        title = rng.choice(titles)
        if language == "fr" and rng.random() < 0.2 and "H/F" not in title:
            title += " H/F"
        if rng.random() < 0.1:
            title = f"{title} - Réf. {rng.randint(1000, 9999)}" if language == "fr" else (
                f"{title} (ref {rng.randint(1000, 9999)})"
            )
        posted = start + timedelta(days=rng.randint(0, 89))
        valid = posted + timedelta(days=rng.choice([30, 45, 60]))
        employment_type = rng.choices(
            ["FULL_TIME", "PART_TIME", "TEMPORARY", "CONTRACTOR", "INTERN"], [70, 8, 12, 6, 4]
        )[0]
        salary = None
        if rng.random() < 0.6:
            base = occ.wage * (1.25 if region_code == "SN-DK" else 1.0) * rng.uniform(0.85, 1.15)
            salary = (round(base * 0.9, -3), round(base * 1.15, -3), "MONTH")
            if rng.random() < 0.1:
                salary = (salary[0] * 12, salary[1] * 12, "YEAR")
        employer = rng.choice(self.employers)
        skills = ", ".join(rng.sample(occ.skills, k=min(len(occ.skills), 2)))
        if language == "fr":
            description = (
                f"{employer} recrute un(e) {title.split(' - ')[0]} pour son site de {region_name}. "
                f"Compétences requises : {skills}. Expérience de 2 ans minimum souhaitée. "
                "Poste à pourvoir rapidement."
            )
        else:
            description = (
                f"{employer} is hiring a {title} in {region_name}. "
                f"Required skills: {skills}. At least two years of experience. Apply now."
            )
        channel = rng.choices(["board-a", "board-b", "pes"], [50, 30, 20])[0]
        return Posting(number, occ, region_code, region_name, employer, title, language,
                       posted, valid, employment_type, salary, description, channel)

    # ------------------------------------------------------------------ writing
    def write(self, out_dir: Path) -> dict:
        """Write every sample source under ``out_dir``; return the manifest."""
        if not self.postings:
            self.draw_postings()
        sites = out_dir / "sites"
        drop = out_dir / "drop"
        (sites).mkdir(parents=True, exist_ok=True)
        (sites / "robots.txt").write_text(
            "User-agent: *\nDisallow: /private/\n", encoding="utf-8"
        )
        a_count = self._write_board_a(sites / "board-a")
        b_count, b_dups = self._write_board_b(sites / "board-b")
        pes_count = self._write_pes(sites / "pes" / "api")
        self._write_observatory(drop / "observatory")
        survey = self._write_survey(drop / "survey")
        returnees = self._write_returnees(drop / "returnees")
        fetched = a_count + b_count + pes_count
        manifest = {
            "seed": self.seed,
            "country": COUNTRY,
            "quarters": QUARTERS,
            "as_of": AS_OF.isoformat(),
            "regions": [code for code, _, _ in REGIONS],
            "occupations": len(self.occupations),
            "vacancies": len(self.postings),
            "postings": {"board-a": a_count, "board-b": b_count, "pes": pes_count},
            "postings_total": fetched,
            "planted_duplicates": b_dups,
            "planted_duplicate_share": round(b_dups / fetched, 4),
            "survey": survey,
            "returnees": returnees,
        }
        (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        return manifest

    def _page(self, title: str, body: str, head: str = "", lang: str = "fr") -> str:
        return (
            f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title>{head}</head><body>{body}</body></html>\n"
        )

    def _salary_jsonld(self, posting: Posting) -> dict | None:
        if posting.salary is None:
            return None
        low, high, period = posting.salary
        return {
            "@type": "MonetaryAmount",
            "currency": CURRENCY,
            "value": {"@type": "QuantitativeValue", "minValue": low, "maxValue": high,
                      "unitText": period},
        }

    def _write_board_a(self, root: Path) -> int:
        postings = [p for p in self.postings if p.channel == "board-a"]
        (root / "offres").mkdir(parents=True, exist_ok=True)
        per_page = 25
        pages = max(1, math.ceil(len(postings) / per_page))
        for page in range(1, pages + 1):
            chunk = postings[(page - 1) * per_page : page * per_page]
            items = "".join(
                f'<li><a class="offre" href="/board-a/offres/A{p.vacancy_no:05d}.html">'
                f"{html.escape(p.title)}</a> – {html.escape(p.region_name)}</li>"
                for p in chunk
            )
            nav = (f'<a rel="next" href="/board-a/offres/page-{page + 1}.html">Suivant</a>'
                   if page < pages else "")
            (root / "offres" / f"page-{page}.html").write_text(
                self._page(f"Offres d'emploi – page {page}", f"<ul>{items}</ul>{nav}"),
                encoding="utf-8",
            )
        for p in postings:
            data = {
                "@context": "https://schema.org",
                "@type": "JobPosting",
                "identifier": {"@type": "PropertyValue", "name": "EmploiSN",
                               "value": f"A{p.vacancy_no:05d}"},
                "title": p.title,
                "description": f"<p>{html.escape(p.description)}</p>",
                "datePosted": p.date_posted.isoformat(),
                "validThrough": p.valid_through.isoformat() + "T23:59:59Z",
                "employmentType": p.employment_type,
                "hiringOrganization": {"@type": "Organization", "name": p.employer},
                "jobLocation": {"@type": "Place", "address": {
                    "@type": "PostalAddress", "addressLocality": p.region_name,
                    "addressRegion": p.region_name, "addressCountry": COUNTRY}},
                "inLanguage": p.language,
            }
            salary = self._salary_jsonld(p)
            if salary:
                data["baseSalary"] = salary
            head = ('<script type="application/ld+json">'
                    + json.dumps(data, ensure_ascii=False).replace("</", "<\\/") + "</script>")
            body = f"<h1>{html.escape(p.title)}</h1><div>{html.escape(p.description)}</div>"
            (root / "offres" / f"A{p.vacancy_no:05d}.html").write_text(
                self._page(p.title, body, head, p.language), encoding="utf-8"
            )
        return len(postings)

    def _write_board_b(self, root: Path) -> tuple[int, int]:
        own = [p for p in self.postings if p.channel == "board-b"]
        reposts = [p for p in self.postings if p.reposted_on_b]
        entries: list[tuple[str, Posting, bool]] = [(f"B{p.vacancy_no:05d}", p, False) for p in own]
        for p in reposts:
            entries.append((f"B9{p.vacancy_no:05d}", p, True))
        entries.sort(key=lambda e: (e[1].date_posted, e[0]))
        (root / "jobs").mkdir(parents=True, exist_ok=True)
        per_page = 30
        pages = max(1, math.ceil(len(entries) / per_page))
        for page in range(1, pages + 1):
            chunk = entries[(page - 1) * per_page : page * per_page]
            rows = "".join(
                f'<tr><td><a class="job-link" href="/board-b/jobs/{ident}.html">'
                f"{html.escape(p.title)}</a></td><td>{html.escape(p.region_name)}</td></tr>"
                for ident, p, _ in chunk
            )
            nav = (f'<a rel="next" href="/board-b/jobs?page={page + 1}">Next</a>'
                   if page < pages else "")
            (root / f"jobs@page={page}.html").write_text(
                self._page(f"Jobs page {page}", f"<table>{rows}</table>{nav}", lang="en"),
                encoding="utf-8",
            )
        for ident, p, is_repost in entries:
            title = p.title.upper() if is_repost and self.rng.random() < 0.3 else p.title
            posted = p.date_posted + timedelta(days=self.rng.randint(0, 4) if is_repost else 0)
            salary = ""
            if p.salary:
                low, high, period = p.salary
                unit = "par mois" if period == "MONTH" else "par an"
                salary = f"{int(low):,} - {int(high):,} FCFA {unit}".replace(",", " ")
            body = (
                f'<div class="job"><h2 class="job-title">{html.escape(title)}</h2>'
                f'<span class="company">{html.escape(p.employer)}</span>'
                f'<span class="location">{html.escape(p.region_name)}, Sénégal</span>'
                f'<span class="date">{posted.isoformat()}</span>'
                f'<span class="contract">{p.employment_type}</span>'
                f'<span class="salary">{salary}</span>'
                f'<div class="description">{html.escape(p.description)}</div></div>'
            )
            (root / "jobs" / f"{ident}.html").write_text(
                self._page(title, body, lang=p.language), encoding="utf-8"
            )
        return len(entries), len(reposts)

    def _write_pes(self, root: Path) -> int:
        postings = [p for p in self.postings if p.channel == "pes"]
        root.mkdir(parents=True, exist_ok=True)
        per_page = 50
        pages = max(1, math.ceil(len(postings) / per_page))
        for page in range(1, pages + 1):
            chunk = postings[(page - 1) * per_page : page * per_page]
            results = [
                {
                    "id": f"PES-{p.vacancy_no:05d}",
                    "intitule": p.title,
                    "employeur": p.employer,
                    "region": p.region_name,
                    "code_isco": p.occupation.isco08 if self.rng.random() < 0.5 else None,
                    "secteur": p.occupation.section,
                    "date_publication": p.date_posted.isoformat(),
                    "date_limite": p.valid_through.isoformat(),
                    "type_contrat": p.employment_type,
                    "salaire_min": p.salary[0] if p.salary else None,
                    "salaire_max": p.salary[1] if p.salary else None,
                    "periode_salaire": p.salary[2] if p.salary else None,
                    "devise": CURRENCY if p.salary else None,
                    "description": p.description,
                    "langue": p.language,
                }
                for p in chunk
            ]
            doc = {"page": page, "total_pages": pages, "total": len(postings), "results": results}
            (root / f"vacancies@page={page}.json").write_text(
                json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        return len(postings)

    # ------------------------------------------------------------------ statistics
    def _expected_vacancies(self, occs: list[Occupation], share: float, qi: int) -> float:
        return sum(o.base_demand * share * (1 + o.trend) ** (qi * 1.6) * 1.25 for o in occs)

    def _write_observatory(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        rng = self.rng
        groups: dict[str, list[Occupation]] = {}
        for occ in self.occupations:
            groups.setdefault(occ.isco08[:2], []).append(occ)
        # Registered jobseekers by region x ISCO-08 sub-major group x quarter (SDMX-CSV 1.0).
        lines = ["DATAFLOW,REF_AREA,FREQ,SEX,CLASSIF1,TIME_PERIOD,OBS_VALUE,OBS_STATUS,UNIT_MEASURE,UNIT_MULT"]
        for qi, quarter in enumerate(QUARTERS):
            for code, _, share in REGIONS:
                for sub, occs in sorted(groups.items()):
                    trend = sum(o.trend for o in occs) / len(occs)
                    ratio = max(0.4, 3.0 - 30 * trend)
                    value = round(self._expected_vacancies(occs, share, qi) * ratio
                                  * rng.uniform(0.85, 1.15))
                    period = f"{quarter[:4]}-Q{quarter[5]}"
                    lines.append(
                        f"LMIS:DF_JSK_REG_OCU(1.0),{code},Q,SEX_T,OC2_ISCO08_{sub},{period},"
                        f"{value},,PS,0"
                    )
        (root / "demandeurs_emploi_inscrits_sdmx.csv").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )
        # National unemployment by ISCO-08 major group, annual (SDMX-ML 2.1 generic data).
        series = []
        for major in sorted({o.isco08[0] for o in self.occupations}):
            obs = "".join(
                f'<generic:Obs><generic:ObsDimension value="{year}"/>'
                f'<generic:ObsValue value="{rng.randint(8, 60) * 1000}"/>'
                f'<generic:Attributes><generic:Value id="OBS_STATUS" value="E"/>'
                f"</generic:Attributes></generic:Obs>"
                for year in (2024, 2025)
            )
            series.append(
                "<generic:Series><generic:SeriesKey>"
                f'<generic:Value id="REF_AREA" value="SEN"/><generic:Value id="FREQ" value="A"/>'
                f'<generic:Value id="SEX" value="SEX_T"/>'
                f'<generic:Value id="CLASSIF1" value="OCU_ISCO08_{major}"/>'
                "</generic:SeriesKey><generic:Attributes>"
                '<generic:Value id="UNIT_MEASURE" value="PS"/>'
                '<generic:Value id="UNIT_MULT" value="0"/></generic:Attributes>'
                f"{obs}</generic:Series>"
            )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
            'xmlns:generic="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic" '
            'xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">'
            "<message:Header><message:ID>LMIS-DEMO-UNE</message:ID><message:Test>false</message:Test>"
            "<message:Prepared>2026-03-31T00:00:00</message:Prepared>"
            '<message:Sender id="ANSD"/><message:Structure structureID="ILO_DF_UNE_TUNE_SEX_OCU_NB" '
            'dimensionAtObservation="TIME_PERIOD"><common:StructureUsage>'
            '<Ref agencyID="ILO" id="DF_UNE_TUNE_SEX_OCU_NB" version="1.0"/>'
            "</common:StructureUsage></message:Structure></message:Header>"
            f'<message:DataSet structureRef="ILO_DF_UNE_TUNE_SEX_OCU_NB">{"".join(series)}'
            "</message:DataSet></message:GenericData>\n"
        )
        (root / "chomage_par_profession_sdmx.xml").write_text(xml, encoding="utf-8")
        self._write_wage_table(root / "salaires_moyens_par_secteur.xlsx")

    def _write_wage_table(self, path: Path) -> None:
        """A French observatory table: title rows, two header rows, footnotes, totals."""
        rng = self.rng
        wb = Workbook()
        ws = wb.active
        ws.title = "Tableau 4"
        ws.append(["Tableau 4 : Salaire moyen mensuel déclaré par secteur d'activité (FCFA)"])
        ws.append(["Source : Observatoire national de l'emploi et des qualifications (ONEQ)"])
        ws.append([])
        ws.append(["Secteur d'activité (CITI Rév.4)", "Code", "Année", None])
        ws.append([None, None, "2024", "2025"])
        sections = sorted({o.section for o in self.occupations})
        totals = [0.0, 0.0]
        for section in sections:
            wages = [o.wage for o in self.occupations if o.section == section]
            mean = sum(wages) / len(wages)
            v2024 = round(mean * rng.uniform(0.9, 1.0))
            v2025 = round(mean * rng.uniform(1.0, 1.08))
            totals[0] += v2024
            totals[1] += v2025
            cell_2025: object = f"{v2025:,}".replace(",", " ")
            if section == "S":
                cell_2025 = ".."
            ws.append([f"Section {section}", section, f"{v2024:,}".replace(",", " "), cell_2025])
        ws.append(["Ensemble (1)", "TOTAL", round(totals[0] / len(sections)),
                   round(totals[1] / len(sections))])
        ws.append([])
        ws.append(["(1) Moyenne non pondérée des secteurs. '..' : donnée non disponible."])
        _save_workbook(wb, path)

    # ------------------------------------------------------------------ survey
    def _write_survey(self, root: Path) -> dict:
        root.mkdir(parents=True, exist_ok=True)
        rng = self.rng
        stats = {}
        for wave, when in (("2025", date(2025, 5, 10)), ("2026", date(2026, 5, 12))):
            wb = Workbook()
            main = wb.active
            main.title = f"enquete_competences_{wave}"
            main.append([
                "start", "end", "firm/name", "firm/id", "firm/sector", "firm/region", "firm/size",
                "weight", "_id", "_uuid", "_submission_time", "_validation_status", "_index",
            ])
            rep = wb.create_sheet("occupations")
            rep.append([
                "occupations/occ_title", "occupations/isco", "occupations/vacancies",
                "occupations/hard_to_fill", "occupations/filled", "occupations/applicants",
                "occupations/suitable", "occupations/skills_lacking", "_index", "_parent_index",
                "_parent_table_name", "_submission__uuid",
            ])
            firms = max(20, round(240 * self.scale))
            rep_index = 0
            duplicates = 0
            bad_lines = 0
            rows = []
            for index in range(1, firms + 1):
                code, name, _ = rng.choices(REGIONS, [r[2] for r in REGIONS])[0]
                size = rng.choices(["1-9", "10-49", "50-249", "250+"], [45, 35, 15, 5])[0]
                weight = {"1-9": 38.0, "10-49": 12.0, "50-249": 4.0, "250+": 1.0}[size]
                occ_pool = rng.sample(self.occupations, 3)
                sector = occ_pool[0].section
                uuid = f"{wave}-{rng.getrandbits(64):016x}"
                submitted = when + timedelta(days=rng.randint(0, 40))
                row = [
                    f"{submitted.isoformat()}T08:00:00", f"{submitted.isoformat()}T08:20:00",
                    f"{rng.choice(self.employers)} #{index}", f"F{wave}{index:04d}", sector, name,
                    size, weight, 100000 + index, uuid, f"{submitted.isoformat()}T08:21:00",
                    "validation_status_approved", index,
                ]
                rows.append(row)
                for occ in occ_pool[: rng.randint(1, 3)]:
                    rep_index += 1
                    vacancies = rng.randint(1, 8)
                    p_hard = min(0.9, max(0.05, 0.35 + 4 * occ.trend))
                    hard = sum(rng.random() < p_hard for _ in range(vacancies))
                    filled = vacancies - sum(rng.random() < p_hard * 0.8 for _ in range(vacancies))
                    applicants = vacancies * rng.randint(2, 12)
                    suitable = max(0, round(applicants * rng.uniform(0.1, 0.5) * (1 - p_hard)))
                    p_gap = min(0.8, max(0.05, 0.25 + 5 * occ.trend))
                    lacking = " ".join(sorted(rng.sample(SURVEY_SKILL_CHOICES, rng.randint(1, 2))))\
                        if rng.random() < p_gap else ""
                    if bad_lines < 3 and rng.random() < 0.02:
                        hard = vacancies + 2  # inconsistent answer: must be quarantined
                        bad_lines += 1
                    title = rng.choice(occ.titles_fr)
                    rep.append([title, occ.isco08 if rng.random() < 0.6 else None, vacancies,
                                hard, filled, applicants, suitable, lacking, rep_index, index,
                                main.title, uuid])
            for row in rows:
                main.append(row)
            for row in rng.sample(rows, 4):  # re-sent submissions: same _uuid
                main.append(row)
                duplicates += 1
            _save_workbook(wb, root / f"enquete_besoins_competences_{wave}.xlsx")
            stats[wave] = {"firms": firms, "duplicates": duplicates, "inconsistent_lines": bad_lines}
        return stats

    # ------------------------------------------------------------------ returnees
    def _write_returnees(self, root: Path) -> dict:
        root.mkdir(parents=True, exist_ok=True)
        rng = self.rng
        people = []
        for number in range(1, max(40, round(1300 * self.scale)) + 1):
            occ = rng.choice(self.occupations)
            code, name, _ = rng.choices(REGIONS, [r[2] for r in REGIONS])[0]
            returned = date(2024, 10, 1) + timedelta(days=rng.randint(0, 720))
            people.append({
                "identifiant": f"SN{rng.randint(10**9, 10**10 - 1)}",
                "nom": rng.choice(LAST_NAMES),
                "prenom": rng.choice(FIRST_NAMES),
                "telephone": f"+221 77 {rng.randint(100, 999)} {rng.randint(10, 99)} "
                             f"{rng.randint(10, 99)}",
                "email": f"retour{number}@exemple.sn",
                "sexe": rng.choice(["M", "F", "M"]),
                "annee_naissance": rng.randint(1970, 2004),
                "date_retour": returned.isoformat(),
                "pays_destination": rng.choice(DESTINATIONS),
                "metier_etranger": rng.choice(occ.titles_fr + occ.titles_en),
                "code_isco_etranger": occ.isco08 if rng.random() < 0.3 else "",
                "metier_avant_depart": rng.choice(rng.choice(self.occupations).titles_fr),
                "competences": "; ".join(occ.skills),
                "niveau_isced": rng.choice([1, 2, 3, 3, 4, 5, 6]),
                "certificat": rng.choice(["oui", "non", "non"]),
                "certificat_reconnu": rng.choice(["oui", "non", ""]),
                "region_retour": name,
                "souhait": rng.choice(["emploi", "emploi", "formation", "entreprise"]),
                "date_inscription": (returned + timedelta(days=rng.randint(3, 60))).isoformat(),
            })
        registrations = list(people)
        for person in rng.sample(people, max(2, len(people) // 20)):  # re-registrations: same person, newer date
            again = dict(person)
            again["date_inscription"] = (
                date.fromisoformat(person["date_inscription"]) + timedelta(days=90)
            ).isoformat()
            again["souhait"] = "formation"
            registrations.append(again)
        path = root / "inscriptions_migrants_de_retour.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(registrations[0]), delimiter=";")
            writer.writeheader()
            writer.writerows(registrations)
        return {"persons": len(people), "registrations": len(registrations)}


def _save_workbook(wb: Workbook, path: Path) -> None:
    """Save with fixed document timestamps so that the same seed gives the same bytes."""
    stamp = datetime(2026, 1, 1)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    # An XLSX is a zip whose entries carry the time of writing: pin them too.
    fixed = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(fixed, "w",
                                                           zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=(2026, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z",
                              data)
            target.writestr(entry, data)
    path.write_bytes(fixed.getvalue())


def generate(out_dir: Path, seed: int = 2026, scale: float = 1.0) -> dict:
    """Write the demo sources to ``out_dir`` and return the manifest."""
    return DemoGenerator(seed=seed, scale=scale).write(out_dir)
