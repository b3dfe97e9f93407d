"""Occupation, sector and skill coding of staged records (classifier calls, cached per title)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def code_occupations(
    titles: Sequence[str | None],
    *,
    categories: Sequence[str | None] | None = None,
) -> pd.DataFrame:
    """ISCO-08 code, label, confidence and method per title, in input order.

    Titles without an ``occupationalCategory`` go through ``classify_many`` (one
    classification per distinct title); those with one are classified individually
    so that the category is honoured.
    """
    from etl.normalise.isco import get_classifier

    classifier = get_classifier()
    results = list(classifier.classify_many(titles))
    if categories is not None:
        for i, (title, category) in enumerate(zip(titles, categories, strict=True)):
            if category is not None and str(category).strip() and str(category) != "nan":
                results[i] = classifier.classify(title or "", occupational_category=str(category))
    return pd.DataFrame({
        "isco08": [r.isco08 for r in results],
        "isco_label": [r.label for r in results],
        "isco_confidence": [float(r.confidence) for r in results],
        "isco_method": [r.method for r in results],
    })


def tag_skills(texts: Sequence[str | None], languages: Sequence[str | None]) -> list[str | None]:
    """'|'-joined ESCO skill URIs found in each text (None where none)."""
    from etl.normalise.skills import skill_uris

    return [skill_uris(text, lang) for text, lang in zip(texts, languages, strict=True)]


def sector_sections(values: Sequence[object]) -> list[str | None]:
    from etl.normalise.isic import section_for

    return [section_for(str(v)) if v is not None and str(v) not in ("", "nan") else None
            for v in values]
