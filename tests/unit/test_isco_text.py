"""Cleaning of job titles (etl.normalise.text)."""

from __future__ import annotations

import pytest

from etl.normalise.text import clean_display_title, normalise_title


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Comptable confirmé H/F", "Comptable confirmé"),
        ("Vendeur/Vendeuse (m/w/d)", "Vendeur"),
        ("Chargé(e) de clientèle", "Chargé de clientèle"),
        ("Technicien·ne de maintenance (F/H) - Réf. 2024/113", "Technicien de maintenance"),
        ("Infirmier(ère) diplômé(e) d'État", "Infirmier diplômé d'État"),
        ("Comptable/Caissier", "Comptable/Caissier"),
    ],
)
def test_clean_display_title_drops_markers_keeps_case_and_accents(raw: str, expected: str) -> None:
    assert clean_display_title(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Comptable Confirmé (H/F) - Réf 2211", "comptable"),
        ("Chauffeur PL", "chauffeur poids lourd"),
        ("Responsable RH – CDI", "responsable ressources humaines"),
        ("Ingénieur BTP", "ingenieur batiment travaux publics"),
        ("Technicien IT", "technicien informatique"),
        ("IT Support Officer", "ict support officer"),
        ("Senior C++ Developer", "cplusplus developer"),
        ("Accountant, chartered", "accountant chartered"),
        ("STAGIAIRE - Assistante de Direction", "assistante direction"),
    ],
)
def test_normalise_title(raw: str, expected: str) -> None:
    assert normalise_title(raw) == expected


def test_normalise_title_of_pure_noise_is_empty() -> None:
    assert normalise_title("URGENT - Offre d'emploi H/F (CDI) #4471") == ""
    assert normalise_title("") == ""
