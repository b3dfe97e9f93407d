"""Reference dimensions loaded from data shipped in the package.

ISCO-08 (all four levels, English and French titles), ISIC Rev.4 (sections to
classes) and the ISO 3166-2 regions of the configured country. Reloading is a
full replace inside one transaction, so ``lmis init`` can be re-run safely.
"""

from __future__ import annotations

import pandas as pd
import pycountry
from sqlalchemy.engine import Engine

from etl.settings import REFERENCE_DIR
from etl.warehouse.bulk import bulk_insert
from etl.warehouse.sqlfiles import sql_text


def occupation_frame() -> pd.DataFrame:
    en = pd.read_csv(REFERENCE_DIR / "isco08_structure.csv", dtype=str)
    fr = pd.read_csv(REFERENCE_DIR / "isco08_structure_fr.csv", dtype=str)
    frame = en.merge(fr[["code", "title"]], on="code", how="left", suffixes=("_en", "_fr"))
    return pd.DataFrame({
        "isco08": frame["code"],
        "isco_level": frame["level"].astype(int),
        "title_en": frame["title_en"],
        "title_fr": frame["title_fr"],
        "parent_isco08": frame["code"].map(lambda c: c[:-1] or None),
    })


def activity_frame() -> pd.DataFrame:
    frame = pd.read_csv(REFERENCE_DIR / "isic4_structure.csv", dtype=str)
    section = None
    sections = []
    division_section: dict[str, str] = {}
    for code, level in zip(frame["code"], frame["level"], strict=True):
        if level == "1":
            section = code
        elif level == "2":
            division_section[code] = section
        sections.append(code if level == "1" else division_section.get(code[:2], section))
    return pd.DataFrame({
        "isic4": frame["code"],
        "isic_level": frame["level"].astype(int),
        "title_en": frame["title"],
        "section": sections,
    })


def region_frame(country_code: str) -> pd.DataFrame:
    country = pycountry.countries.get(alpha_2=country_code)
    if country is None:
        raise ValueError(f"unknown ISO 3166-1 alpha-2 country code: {country_code!r}")
    rows = [{"region_code": country.alpha_2, "country_code": country.alpha_2,
             "region_name": country.name, "region_type": "country", "is_national": True}]
    for sub in sorted(pycountry.subdivisions.get(country_code=country.alpha_2) or [],
                      key=lambda s: s.code):
        rows.append({"region_code": sub.code, "country_code": country.alpha_2,
                     "region_name": sub.name, "region_type": sub.type, "is_national": False})
    return pd.DataFrame(rows)


def skill_frame() -> pd.DataFrame:
    frame = pd.read_csv(REFERENCE_DIR / "esco_skills.csv.gz", dtype=str)
    return pd.DataFrame({
        "skill_uri": frame["skill_uri"],
        "skill_type": frame["skill_type"],
        "label_en": frame["label_en"],
        "label_fr": frame["label_fr"],
    })


def load_reference_dimensions(engine: Engine, country_code: str) -> dict[str, int]:
    """Replace the three dimensions; return their row counts."""
    frames = {
        "dim_occupation": occupation_frame(),
        "dim_activity": activity_frame(),
        "dim_region": region_frame(country_code),
        "dim_skill": skill_frame(),
    }
    with engine.begin() as conn:
        for table, frame in frames.items():
            conn.execute(sql_text(f"core/truncate_{table}"))
            bulk_insert(conn, "core", table, frame)
    return {table: len(frame) for table, frame in frames.items()}
