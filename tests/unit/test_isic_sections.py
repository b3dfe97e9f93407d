"""ISIC Rev.4 section from codes and sector names (etl.normalise.isic)."""

from __future__ import annotations

import pytest

from etl.normalise.isic import section_for, section_title


@pytest.mark.parametrize(
    ("value", "section"),
    [
        ("4711", "G"), ("47", "G"), ("641", "K"), ("K", "K"), ("ISIC 0111", "A"), ("9900", "U"),
        ("BTP", "F"), ("Banque / Assurance", "K"), ("Hôtellerie-restauration", "I"),
        ("Télécommunications", "J"), ("Mining and quarrying", "B"), ("Manufacturing", "C"),
        ("Transport et logistique", "H"), ("Santé", "Q"), ("ONG", "S"),
    ],
)
def test_section_for(value: str, section: str) -> None:
    assert section_for(value) == section


@pytest.mark.parametrize("value", [None, "", "9999", "Z", "foo bar", "00"])
def test_unknown_stays_none(value: str | None) -> None:
    assert section_for(value) is None


def test_section_title() -> None:
    assert section_title("f") == "Construction"
    assert section_title("64") is None
