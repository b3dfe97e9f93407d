"""Sector of an employer as an ISIC Rev.4 section letter (A–U).

Why sections: job boards, PES registers and chamber-of-commerce surveys name
the sector in every possible way ("BTP", "Banque / Assurance", "47", "Retail",
"Activités financières"). Tables by sector are only comparable at a level all
of them can reach reliably, which is the section. Unknown stays None.

Accepted inputs: an ISIC code at any level ("K", "64", "641", "6419",
"ISIC 4711"), a section or division title (English, from the shipped
structure), or a French / English sector name common in West African ads
(a curated keyword list below).
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from etl.normalise.text import tokenize

__all__ = ["SECTION_KEYWORDS", "load_isic_structure", "section_for", "section_title"]

# Sector words of ads and survey questionnaires, by section. Written by the
# project's assistant from the ISIC Rev.4 section definitions. Multi-word
# entries match as phrases; longer matches win.
SECTION_KEYWORDS: dict[str, tuple[str, ...]] = {
    "A": ("agriculture", "agricole", "agro", "elevage", "peche", "fishing", "farming",
          "livestock", "sylviculture", "forestry", "plantation", "aviculture", "horticulture",
          "agrobusiness", "agribusiness", "cacao", "cocoa", "coton", "cotton"),
    "B": ("mines", "mine", "minier", "miniere", "mining", "extraction", "carriere", "quarrying",
          "petrole gaz", "oil gas", "oil and gas", "petrolier"),
    "C": ("industrie", "industriel", "manufacturing", "usine", "fabrication", "agroalimentaire",
          "agro alimentaire", "food processing", "textile", "cimenterie", "brasserie",
          "pharmaceutique", "chimie", "plasturgie", "metallurgie", "manufacture"),
    "D": ("energie", "electricite", "energy", "electricity", "power", "utilities",
          "solaire", "renewable energy"),
    "E": ("eau", "water supply", "assainissement", "dechets", "waste", "recyclage",
          "recycling", "sanitation"),
    "F": ("btp", "batiment", "construction", "travaux publics", "genie civil",
          "civil engineering", "immobilier construction", "building"),
    "G": ("commerce", "distribution", "retail", "wholesale", "negoce", "grande distribution",
          "vente", "trade", "supermarche", "import export", "automobile", "fmcg"),
    "H": ("transport", "logistique", "logistics", "transit", "shipping", "maritime", "portuaire",
          "aerien", "aviation", "courrier", "messagerie", "freight", "entreposage",
          "warehousing"),
    "I": ("hotellerie", "restauration", "hotel", "hospitality", "tourisme restauration",
          "catering", "restaurant", "food service", "hebergement"),
    "J": ("informatique", "it", "ict", "tic", "telecommunications", "telecom", "telecoms",
          "software", "logiciel", "numerique", "digital", "media", "medias", "edition",
          "publishing", "audiovisuel", "information technology", "internet"),
    "K": ("banque", "banking", "bank", "assurance", "insurance", "finance", "financial services",
          "microfinance", "services financiers", "fintech", "bourse"),
    "L": ("immobilier", "real estate", "property"),
    "M": ("conseil", "consulting", "audit", "expertise comptable", "cabinet comptable",
          "juridique", "legal", "architecture", "ingenierie", "engineering", "publicite",
          "advertising", "marketing", "recherche", "research", "etudes", "veterinaire"),
    "N": ("interim", "recrutement", "staffing", "recruitment", "securite privee",
          "gardiennage", "security services", "nettoyage", "cleaning", "centre d appels",
          "call center", "call centre", "travel agency", "agence de voyage",
          "services aux entreprises", "business services", "location"),
    "O": ("administration publique", "public administration", "fonction publique",
          "government", "gouvernement", "ministere", "ministry", "collectivite", "defense",
          "armee", "police", "public sector", "secteur public"),
    "P": ("education", "enseignement", "formation", "ecole", "school", "universite",
          "university", "training", "teaching"),
    "Q": ("sante", "health", "healthcare", "medical", "hopital", "hospital", "clinique",
          "clinic", "social", "action sociale", "social work", "pharmacie"),
    "R": ("arts", "culture", "spectacle", "entertainment", "sport", "sports", "loisirs",
          "recreation", "jeux", "gaming", "evenementiel", "events"),
    "S": ("ong", "ngo", "association", "associations", "non profit", "nonprofit",
          "organisation non gouvernementale", "non governmental organisation", "syndicat",
          "religieux", "church", "coiffure", "beaute", "beauty", "reparation", "repair",
          "pressing", "services personnels", "personal services"),
    "T": ("menage", "employes de maison", "domestic", "household", "menages"),
    "U": ("organisation internationale", "international organisation",
          "international organization", "nations unies", "united nations", "ambassade",
          "embassy", "extraterritorial"),
}

_ISIC_CODE = re.compile(r"^(?:isic(?:\s*rev\.?\s*4)?[\s:\-]*)?([A-Ua-u]|\d{2,4})(?:\b|$)",
                        re.IGNORECASE)


def _reference_dir() -> Path:
    from etl.settings import REFERENCE_DIR

    return REFERENCE_DIR


@lru_cache(maxsize=1)
def load_isic_structure() -> dict[str, tuple[int, str, str]]:
    """ISIC Rev.4 code → (level, title, section letter)."""
    path = _reference_dir() / "isic4_structure.csv"
    out: dict[str, tuple[int, str, str]] = {}
    section = ""
    with path.open(encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), start=2):
            code = (row.get("code") or "").strip()
            level = int(row.get("level") or 0)
            if level == 1:
                section = code.upper()
            elif not code.isdigit() or not section:
                raise ValueError(f"{path}:{lineno}: bad ISIC code {code!r}")
            out[code] = (level, (row.get("title") or "").strip(), section)
    return out


def section_title(letter: str) -> str | None:
    entry = load_isic_structure().get((letter or "").upper())
    return entry[1] if entry and entry[0] == 1 else None


@lru_cache(maxsize=1)
def _phrase_index() -> dict[tuple[str, ...], str]:
    index: dict[tuple[str, ...], str] = {}
    structure = load_isic_structure()
    # Section and division titles, whole, as phrases (lower priority than keywords).
    for _code, (level, title, section) in structure.items():
        if level <= 2:
            index.setdefault(tuple(tokenize(title)), section)
    for section, words in SECTION_KEYWORDS.items():
        for word in words:
            index[tuple(tokenize(word))] = section
    return index


@lru_cache(maxsize=20_000)
def section_for(text_or_code: str | None) -> str | None:
    """ISIC Rev.4 section letter for a code or a sector name; None when unknown.

    "4711" → "G"; "64" → "K"; "K" → "K"; "BTP" → "F"; "Banque / Assurance" →
    "K"; "Hôtellerie-restauration" → "I". When words of two sections appear
    ("Transport et logistique, BTP"), the first mentioned wins.
    """
    if text_or_code is None:
        return None
    text = str(text_or_code).strip()
    if not text:
        return None
    structure = load_isic_structure()
    match = _ISIC_CODE.match(text)
    if match and (len(text) <= 4 or text.lower().startswith("isic") or text[4:5] in " -:"):
        code = match.group(1)
        if code.isalpha():
            return code.upper() if code.upper() in structure else None
        # A code that is not in ISIC Rev.4 at its own level is not trusted ("9999").
        return structure[code][2] if code in structure else None
    tokens = tokenize(text)
    index = _phrase_index()
    i = 0
    while i < len(tokens):
        for size in range(min(6, len(tokens) - i), 0, -1):
            section = index.get(tuple(tokens[i : i + size]))
            if section is not None:
                return section
        i += 1
    return None
