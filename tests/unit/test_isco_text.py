"""Cleaning of job titles (etl.normalise.text)."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from etl.normalise.text import (
    clean_display_title,
    drop_combining_marks,
    normalise_title,
    strip_accents,
    tokenize,
)


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


def _plain_by_character(text: str) -> str:
    """The definition drop_combining_marks must equal: NFKD per character, marks dropped."""
    return "".join(ch for char in text for ch in unicodedata.normalize("NFKD", char)
                   if not unicodedata.combining(ch))


def test_drop_combining_marks_equals_its_per_character_definition() -> None:
    # Every code point of the Basic Multilingual Plane on its own (the fast path drops
    # the Latin accent block in one pass; U+034F in that block has no combining class)…
    singles = [chr(c) for c in range(0x80, 0x10000) if not 0xD800 <= c <= 0xDFFF]
    assert [c for c in singles if drop_combining_marks(c) != _plain_by_character(c)] == []
    # …and mixed texts, where marks follow letters of several scripts and ASCII.
    rng = random.Random(7)
    pool = [chr(c) for c in [*range(0x20, 0x250), *range(0x300, 0x370), *range(0x1E00, 0x1F00),
                             *range(0x600, 0x700), 0x2019, 0x5D0, 0x5B0, 0xAC00, 0xFB01]]
    texts = ["".join(rng.choice(pool) for _ in range(30)) for _ in range(3000)]
    assert [t for t in texts if drop_combining_marks(t) != _plain_by_character(t)] == []
    assert drop_combining_marks("Ingénieur ﬁnancier, Straße") == "Ingenieur financier, Straße"


def test_tokenize_equals_the_runs_of_letters_and_digits_of_the_plain_text() -> None:
    # tokenize splits with bytes.translate in C; its definition is the regular expression.
    rng = random.Random(11)
    pool = [*"abcXYZ019 -_'’.,+#&/\t\n", "é", "É", "ß", "œ", "ﬁ", "\u0301", "\u20d7", "\u05d0",
            "\u00a0", "c++", "C#", ".NET", "node.js", "R&D", "\ud800"]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randrange(0, 30))) for _ in range(20000)]
    texts += ["Développeur C++ / .NET, R&D — l’équipe", "", "   ", "x"]

    def definition(text: str) -> list[str]:
        return [t for t in re.split(r"[^a-z0-9]+", strip_accents(text.lower())) if t]

    # Texts without the marks of the special terms ("c++" → "cplusplus"), which have tests
    # of their own.
    plain_texts = [t for t in texts if not re.search(r"[+#&]|\.(?:net|js)", t.lower())]
    assert len(plain_texts) > 2000
    assert [t for t in plain_texts if tokenize(t) != definition(t)] == []
