"""Per-record preparation: identity, content hash and skills, the same wherever it runs."""

from __future__ import annotations

import pandas as pd

from etl.pipelines.coding import tag_skills
from etl.pipelines.vacancy_records import prepare_record, vacancy_id

RECORD = {
    "source_id": None, "url": "https://jobs.example.sn/offre/42", "title": "Comptable",
    "employer_name": "Sonatel", "date_posted": "2026-06-01", "valid_through": None,
    "employment_type": "FULL_TIME", "is_remote": False, "locality": "Dakar",
    "country_code": "SN", "region_code": "SN-DK", "salary_min": 150000, "salary_max": None,
    "salary_currency": "XOF", "salary_period": "MONTH", "language": "fr",
    "description_text": "Maîtrise de la comptabilité générale et du logiciel Sage. "
                        "Travail en équipe, communication écrite.",
    "occupational_category": None, "industry": None,
}


def test_id_falls_back_to_the_url_and_depends_on_the_source() -> None:
    a = prepare_record(dict(RECORD), "board_a")
    b = prepare_record(dict(RECORD), "board_b")
    assert a["source_id"] == RECORD["url"]
    assert a["vacancy_id"] == vacancy_id("board_a", RECORD["url"]) != b["vacancy_id"]
    assert prepare_record({**RECORD, "source_id": "X1"}, "board_a")["source_id"] == "X1"


def test_hash_does_not_depend_on_the_other_records_of_a_chunk() -> None:
    """A DataFrame turns 150000 into 150000.0 and None into NaN when a neighbour has a
    value: the hash is taken from the record itself, so the chunk does not matter."""
    alone = prepare_record(dict(RECORD), "board_a")["content_hash"]
    frame = pd.DataFrame.from_records([dict(RECORD), {**RECORD, "salary_max": 200000.5}])
    from_frame = prepare_record(frame.to_dict(orient="records")[0], "board_a")["content_hash"]
    assert from_frame != alone  # what hashing the frame's rows would have done
    in_chunk = [prepare_record(dict(r), "board_a")
                for r in ({**RECORD}, {**RECORD, "source_id": "other", "salary_max": 2.5})]
    assert in_chunk[0]["content_hash"] == alone


def test_a_changed_field_changes_the_hash_and_fetch_time_does_not() -> None:
    base = prepare_record(dict(RECORD), "board_a")["content_hash"]
    assert prepare_record({**RECORD, "title": "Comptable senior"}, "board_a")[
        "content_hash"] != base
    assert prepare_record({**RECORD, "fetched_at": "2026-07-01"}, "board_a")[
        "content_hash"] == base


def test_skills_are_those_the_loader_would_tag() -> None:
    prepared = prepare_record(dict(RECORD), "board_a")
    expected = tag_skills([RECORD["description_text"]], [RECORD["language"]])[0]
    assert prepared["skill_uris"] == expected
    assert expected  # the description names skills of the vocabulary
    assert "skill_uris" not in prepare_record(dict(RECORD), "board_a", skills=False)
    assert prepare_record({**RECORD, "description_text": None}, "board_a")["skill_uris"] is None
