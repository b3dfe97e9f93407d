"""Countries and ISO 3166-2 regions from the places ads name."""

from __future__ import annotations

import pytest

from etl.normalise.regions import country_code, region_code, resolve_location

ALIASES = {"Grand Casablanca": "MA-06", "Casablanca": "MA-06", "Dakar": "SN-DK"}


@pytest.mark.parametrize(("value", "code"), [
    ("SN", "SN"), ("SEN", "SN"), ("Sénégal", "SN"), ("Senegal", "SN"), ("Maroc", "MA"),
    ("Côte d’Ivoire", "CI"), ("Ivory Coast", "CI"), ("USA", "US"), ("Royaume-Uni", "GB"),
    ("Allemagne", "DE"), ({"@type": "Country", "name": "Nigeria"}, "NG"), ("Atlantis", None),
    ("", None), (None, None),
])
def test_country_codes(value, code) -> None:
    assert country_code(value) == code


@pytest.mark.parametrize(("text", "default", "expected"), [
    ("Dakar, Sénégal", None, ("Dakar", "SN", "SN-DK")),
    ("Casablanca - Maroc", None, ("Casablanca", "MA", "MA-06")),
    ("Grand Casablanca", None, ("Grand Casablanca", "MA", "MA-06")),
    ("Adelaide, Adelaide, South Australia, Australia", None, ("Adelaide", "AU", "AU-SA")),
    ("Boston, MA", "US", ("Boston", "US", "US-MA")),
    # Without a default country "MA" could be Morocco or Massachusetts: not guessed.
    ("Boston, MA", None, ("Boston", None, None)),
    ("USA, CST (UTC-6)", None, (None, "US", None)),
    ("Orlando, ", None, ("Orlando", None, None)),
    ("Remote", "SN", (None, "SN", None)),
    ("Tunis, Tunisie", None, ("Tunis", "TN", "TN-11")),
])
def test_free_text_locations(text, default, expected) -> None:
    assert resolve_location(None, text, default_country=default, aliases=ALIASES) == expected


def test_structured_location_wins_over_text() -> None:
    got = resolve_location([{"locality": "Thiès", "region": "Thiès", "country": "SN"}],
                           "Paris, France")
    assert got == ("Thiès", "SN", "SN-TH")


def test_alias_of_another_country_is_not_mixed_in() -> None:
    assert resolve_location(None, "Dakar, Maroc", aliases=ALIASES) == ("Dakar", "MA", None)


def test_region_codes_and_aliases() -> None:
    assert region_code("SN-TH", None) == "SN-TH"
    assert region_code("Région de Thiès", "SN") == "SN-TH"
    assert region_code("grand casablanca", "MA", ALIASES) == "MA-06"
    assert region_code("de", "FR") is None  # a word, not the code of a département
    assert region_code("Nowhere", "SN") is None
