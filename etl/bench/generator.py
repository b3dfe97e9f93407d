"""Seeded generator of N landed job postings: schema.org JobPosting JSON-LD, one per line.

What a crawl of several boards and a PES feed hands to parsing, at any scale:

* titles are ISCO-08 index labels (English and French) with the noise of real
  ads (gender markers, seniority and contract words, references, towns, case,
  a dropped letter, inverted word order); about ``titles_per_million`` (50,000)
  distinct titles per million postings, repeated with a Zipf-like frequency;
* descriptions are 1–3 KB of HTML, with ESCO skill phrases in them;
* employers follow a Zipf-like size distribution (a few big recruiters, many
  small firms), spread over the demo country's seven regions by their shares;
* posting dates cover ``days`` days; salaries as schema.org MonetaryAmount on
  about half of the postings;
* a known share (``duplicate_share``) of postings are re-posts of an earlier
  vacancy on *another* source: another id and URL, the title re-formatted, the
  employer spelt differently, the description lightly edited, posted 0–5 days
  later. Those are the cross-source duplicates deduplication must find.

Every posting is drawn from its own ``random.Random(seed, index)``, so that a
posting can be regenerated alone (a re-post needs its original; the
incremental batch needs changed versions of old postings) and generation needs
memory for the pools only, never for the postings. Files are written one line
at a time.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import json
import random
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from etl.settings import REFERENCE_DIR

SOURCES = ("board_a", "board_b", "pes_feed")
SOURCE_SHARES = (0.55, 0.25, 0.20)
SOURCE_HOSTS = {"board_a": "https://board-a.example.sn/offres/",
                "board_b": "https://board-b.example.sn/jobs/",
                "pes_feed": "https://emploi.example.sn/offres/"}
SOURCE_PREFIX = {"board_a": "A", "board_b": "B", "pes_feed": "P"}

REGIONS = [("SN-DK", "Dakar", 0.42), ("SN-TH", "Thiès", 0.15), ("SN-SL", "Saint-Louis", 0.10),
           ("SN-DB", "Diourbel", 0.08), ("SN-KL", "Kaolack", 0.09),
           ("SN-ZG", "Ziguinchor", 0.08), ("SN-LG", "Louga", 0.08)]
_STEMS = ["Teranga", "Baobab", "Sahel", "Atlantique", "Cap-Vert", "Casamance", "Niayes", "Ndar",
          "Saloum", "Lompoul", "Gorée", "Touba", "Sine", "Ferlo", "Dione", "Keur Massar",
          "Yoff", "Ngor", "Fatick", "Kédougou", "Matam", "Podor", "Joal", "Mbour", "Rufisque"]
_KINDS = ["BTP", "Logistique", "Digital", "Services", "Distribution", "Agro-Industries", "Santé",
          "Hôtellerie", "Conseil", "Transport", "Industries", "Télécom", "Finance", "Énergie",
          "Pêche", "Textile", "Immobilier", "Éducation", "Sécurité", "Médias"]
_FORMS = ["SARL", "SA", "SAS", "SUARL", "GIE", ""]
_PREFIX = ["", "", "", "", "Senior ", "Junior ", "URGENT - ", "Recrute : ", "Stagiaire "]
_SUFFIX = ["", "", "", " H/F", " (H/F)", " (m/w/d)", " - CDI", " – Dakar", " - Thiès",
           " Réf. 2026-{n}", " #{n}", " confirmé", " - CDD 6 mois"]
_OPEN = {
    "fr": ["Nous recrutons un(e) {t} pour renforcer notre équipe à {r}.",
           "{e} recherche un(e) {t} motivé(e) pour son site de {r}.",
           "Dans le cadre de son développement, {e} recrute un(e) {t}."],
    "en": ["We are hiring a {t} to join our team in {r}.",
           "{e} is looking for a motivated {t} for its {r} site.",
           "As part of its growth, {e} is recruiting a {t}."],
}
_BODY = {
    "fr": ["Vous serez chargé(e) de {s} au quotidien, en lien avec les équipes terrain.",
           "La maîtrise de {s} est indispensable pour ce poste.",
           "Une expérience en {s} serait un atout apprécié par notre direction.",
           "Vous participerez à {s} et rendrez compte à votre responsable.",
           "Nous offrons une rémunération attractive, une mutuelle et des formations régulières.",
           "Le poste est basé à {r}, avec des déplacements ponctuels dans la région.",
           "Vous êtes rigoureux(se), autonome et avez le sens du service client.",
           "Notre entreprise compte plus de cent collaborateurs et se développe rapidement."],
    "en": ["You will be responsible for {s} on a daily basis, working with field teams.",
           "Strong knowledge of {s} is essential for this role.",
           "Experience in {s} would be a strong advantage.",
           "You will take part in {s} and report to your line manager.",
           "We offer a competitive salary, health insurance and regular training.",
           "The position is based in {r}, with occasional travel in the region.",
           "You are rigorous, autonomous and committed to customer service.",
           "Our company employs more than one hundred people and is growing fast."],
}
_CONTRACTS = [("FULL_TIME", 0.55), ("TEMPORARY", 0.2), ("PART_TIME", 0.1), ("CONTRACTOR", 0.08),
              ("INTERN", 0.07)]


@dataclass
class Manifest:
    """What was generated and planted: the benchmark checks its results against it."""

    rows: int
    seed: int
    first_index: int
    start_date: str
    days: int
    distinct_titles: int
    employers: int
    duplicate_share: float
    reposts: int = 0
    changed: int = 0
    per_source: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    bytes: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def noisy_title(title: str, rng: random.Random, prefixes: list[str] = _PREFIX,
                suffixes: list[str] = _SUFFIX) -> str:
    """An index label as ads write it: words swapped at a comma, a dropped letter, case
    changed, a marker before and after ("Senior ", " H/F", " Réf. 2024-1234").

    Shared with ``benchmarks/bench_classifier.py``, which passes markers of its own.
    """
    t = title
    if "," in t and rng.random() < 0.5:
        head, _, tail = t.partition(",")
        t = f"{tail.strip()} {head.strip()}"
    if rng.random() < 0.15 and len(t) > 6:
        i = rng.randrange(1, len(t) - 1)
        t = t[:i] + t[i + 1:]
    if rng.random() < 0.3:
        t = t.title() if rng.random() < 0.5 else t.upper()
    return (rng.choice(prefixes) + t + rng.choice(suffixes)).replace("{n}", str(rng.randrange(10**4)))


def _zipf_cum(n: int, exponent: float) -> list[float]:
    return list(accumulate(1.0 / (i + 1) ** exponent for i in range(n)))


class PostingGenerator:
    """Pools (titles, employers, skills) built once; postings drawn one at a time by index."""

    def __init__(self, rows: int, *, seed: int = 2026, titles_per_million: int = 50_000,
                 employers_per_million: int = 20_000, duplicate_share: float = 0.2,
                 start_date: date = date(2026, 1, 1), days: int = 180) -> None:
        from etl.normalise.isco import load_index_entries

        self.rows, self.seed, self.duplicate_share = rows, seed, duplicate_share
        self.start_date, self.days = start_date, days
        rng = random.Random(seed)
        labels = sorted({title for title, _, _ in load_index_entries()})
        n_titles = max(50, round(rows * titles_per_million / 1_000_000))
        seen: set[str] = set()
        self.titles: list[str] = []
        while len(self.titles) < n_titles:
            t = noisy_title(rng.choice(labels), rng)
            if t not in seen:
                seen.add(t)
                self.titles.append(t)
        self.title_cum = _zipf_cum(len(self.titles), 0.8)
        n_employers = max(20, round(rows * employers_per_million / 1_000_000))
        self.employers = []
        names: set[str] = set()
        while len(self.employers) < n_employers:
            name = f"{rng.choice(_STEMS)} {rng.choice(_KINDS)}"
            if len(names) >= len(_STEMS) * len(_KINDS) * 0.9 or name in names:
                name = f"{name} {rng.randrange(1, 10**5)}"
            if name in names:
                continue
            names.add(name)
            self.employers.append((name, rng.choice(_FORMS)))
        self.employer_cum = _zipf_cum(len(self.employers), 0.6)
        self.region_cum = list(accumulate(share for _, _, share in REGIONS))
        self.skills = _skill_phrases()
        #: Postings from this index on are new in an incremental batch: posted in the
        #: last week of the range, as a daily crawl finds them.
        self.fresh_from: int | None = None

    # ------------------------------------------------------------ one posting
    def _rng(self, index: int, salt: int = 0) -> random.Random:
        return random.Random(self.seed * 1_000_003 + index * 7 + salt)

    def is_repost(self, index: int) -> bool:
        return index > 0 and self._rng(index).random() < self.duplicate_share

    def source_of(self, index: int) -> str:
        rng = self._rng(index, 1)
        return rng.choices(SOURCES, weights=SOURCE_SHARES)[0]

    def vacancy(self, index: int) -> dict:
        """The vacancy behind posting ``index`` (before any re-posting or edit)."""
        rng = self._rng(index, 2)
        title = self.titles[bisect.bisect_left(self.title_cum, rng.random() * self.title_cum[-1])]
        employer, form = self.employers[
            bisect.bisect_left(self.employer_cum, rng.random() * self.employer_cum[-1])]
        region = REGIONS[bisect.bisect_left(self.region_cum, rng.random() * self.region_cum[-1])]
        lang = "fr" if rng.random() < 0.7 else "en"
        posted = self.start_date + timedelta(days=rng.randrange(self.days))
        if self.fresh_from is not None and index >= self.fresh_from:
            posted = self.start_date + timedelta(days=self.days - 1 - rng.randrange(7))
        skills = rng.sample(self.skills[lang], k=rng.randint(3, 6))
        sentences = [rng.choice(_OPEN[lang]).format(t=title, e=employer, r=region[1])]
        target = rng.randint(1000, 2900)
        size = 0
        while size < target:
            s = rng.choice(_BODY[lang]).replace("{s}", rng.choice(skills)).replace("{r}", region[1])
            sentences.append(s)
            size += len(s) + 8
        contract = rng.choices([c for c, _ in _CONTRACTS], weights=[w for _, w in _CONTRACTS])[0]
        salary = None
        if rng.random() < 0.5:
            low = rng.randrange(100, 1500) * 1000
            salary = (low, low + rng.randrange(0, 300) * 1000)
        return {"title": title, "employer": employer, "form": form, "region": region,
                "lang": lang, "posted": posted, "sentences": sentences, "contract": contract,
                "salary": salary, "valid_days": rng.choice([None, 30, 45, 60])}

    def posting(self, index: int, *, edited: bool = False) -> tuple[str, dict]:
        """(source, JSON-LD JobPosting) of posting ``index``."""
        rng = self._rng(index, 3)
        source = self.source_of(index)
        original = index
        if self.is_repost(index):
            original = self._original_for(index)
            source = self._other_source(self.source_of(original), rng)
        v = self.vacancy(original)
        title, employer, sentences = v["title"], f"{v['employer']} {v['form']}".strip(), \
            list(v["sentences"])
        posted = v["posted"]
        if original != index:  # a re-post on another source: same vacancy, written differently
            title = rng.choice([title.upper(), title + " (H/F)", "Recrutement " + title, title])
            employer = rng.choice([employer.upper(), v["employer"], f"{v['employer']} S.A."])
            sentences[-1] = sentences[-1].replace(".", " !")
            posted = min(posted + timedelta(days=rng.randrange(0, 6)),
                         self.start_date + timedelta(days=self.days - 1))
        if edited:
            sentences.append("Mise à jour : date limite de candidature prolongée."
                             if v["lang"] == "fr" else "Update: application deadline extended.")
        region_code, region_name, _ = v["region"]
        ident = f"{SOURCE_PREFIX[source]}{index:09d}"
        node: dict = {
            "@context": "https://schema.org",
            "@type": "JobPosting",
            "title": title,
            "description": "".join(f"<p>{s}</p>" for s in sentences),
            "identifier": {"@type": "PropertyValue", "name": source, "value": ident},
            "url": f"{SOURCE_HOSTS[source]}{ident}.html?utm_source=crawl",
            "datePosted": posted.isoformat(),
            "employmentType": v["contract"],
            "hiringOrganization": {"@type": "Organization", "name": employer},
            "jobLocation": {"@type": "Place", "address": {
                "@type": "PostalAddress", "addressLocality": region_name,
                "addressRegion": region_name, "addressCountry": "SN"}},
            "inLanguage": v["lang"],
        }
        if v["valid_days"]:
            node["validThrough"] = (posted + timedelta(days=v["valid_days"])).isoformat()
        if v["salary"]:
            node["baseSalary"] = {"@type": "MonetaryAmount", "currency": "XOF", "value": {
                "@type": "QuantitativeValue", "minValue": v["salary"][0],
                "maxValue": v["salary"][1], "unitText": "MONTH"}}
        return source, node

    def _original_for(self, index: int) -> int:
        rng = self._rng(index, 4)
        for _ in range(50):
            j = index - rng.randint(1, min(index, 5000))
            if not self.is_repost(j):
                return j
        return 0

    @staticmethod
    def _other_source(source: str, rng: random.Random) -> str:
        return rng.choice([s for s in SOURCES if s != source])


def _skill_phrases() -> dict[str, list[str]]:
    """ESCO preferred labels (en, fr) short enough to sit in a sentence."""
    out: dict[str, list[str]] = {"en": [], "fr": []}
    with gzip.open(REFERENCE_DIR / "esco_skills.csv.gz", "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for lang in ("en", "fr"):
                label = (row.get(f"label_{lang}") or "").strip()
                if label and len(label.split()) <= 4:
                    out[lang].append(label)
    for lang in out:
        out[lang].sort()
    return out


def write_postings(out_dir: Path, rows: int, *, seed: int = 2026, first_index: int = 0,
                   changed_share: float = 0.0, generator: PostingGenerator | None = None,
                   **options) -> Manifest:
    """Write ``rows`` postings (indexes ``first_index`` …) as ``<source>.jsonl`` under ``out_dir``.

    ``changed_share`` of the rows are instead edited versions of postings among
    the first ``first_index`` (same id, new content): what an incremental crawl
    sees besides new postings.
    """
    gen = generator or PostingGenerator(max(rows, first_index), seed=seed, **options)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(rows=rows, seed=seed, first_index=first_index,
                        start_date=gen.start_date.isoformat(), days=gen.days,
                        distinct_titles=len(gen.titles), employers=len(gen.employers),
                        duplicate_share=gen.duplicate_share)
    handles = {s: (out_dir / f"{s}.jsonl").open("w", encoding="utf-8") for s in SOURCES}
    rng = random.Random(seed + first_index)
    n_changed = round(rows * changed_share) if first_index else 0
    try:
        if first_index:
            gen.fresh_from = first_index
        for k in range(rows):
            if k < n_changed:
                index, edited = rng.randrange(first_index), True
            else:
                index, edited = first_index + k - n_changed, False
            source, node = gen.posting(index, edited=edited)
            line = json.dumps(node, ensure_ascii=False, separators=(",", ":")) + "\n"
            handles[source].write(line)
            manifest.per_source[source] = manifest.per_source.get(source, 0) + 1
            manifest.bytes += len(line)
            manifest.reposts += int(not edited and gen.is_repost(index))
            manifest.changed += int(edited)
    finally:
        for fh in handles.values():
            fh.close()
    manifest.files = {s: f"{s}.jsonl" for s in SOURCES}
    (out_dir / "manifest.json").write_text(json.dumps(manifest.to_dict(), indent=2))
    return manifest
