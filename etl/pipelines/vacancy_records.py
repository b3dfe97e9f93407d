"""Identity, content hash and skills of one normalised vacancy record.

Kept apart from :mod:`etl.pipelines.vacancies` (which needs pandas, SQLAlchemy and
Great Expectations) so that a worker process can prepare records next to
normalisation while the loader codes, validates and loads: these are pure
functions of one record.
"""

from __future__ import annotations

import hashlib
import json

from etl.normalise.blocking import block_keys
from etl.normalise.skills import skill_uris

#: Fields whose change makes a posting "changed" (its content hash).
HASHED_FIELDS = (
    "title", "employer_name", "date_posted", "valid_through", "employment_type", "is_remote",
    "locality", "country_code", "region_code", "salary_min", "salary_max", "salary_currency",
    "salary_period", "description_text", "occupational_category", "industry",
)


def vacancy_id(source: str, source_id: str) -> str:
    """A posting's stable id: its source and the source's own id (or URL), hashed."""
    return hashlib.sha256(f"{source}|{source_id}".encode()).hexdigest()[:32]


def _content_hash(record: dict) -> str:
    payload = json.dumps({k: record.get(k) for k in HASHED_FIELDS}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def prepare_record(record: dict, source: str, *, skills: bool = True) -> dict:
    """Identity, content hash, deduplication keys and (optionally) skills of one
    normalised record, in place.

    A pure function of the record, so that worker processes can run it next to
    normalisation (``lmis bench`` does) and the loader only codes, validates and
    loads. The hash is taken from the record as normalised, before any DataFrame
    turns a missing number into NaN or an integer into a float: the same posting
    hashes the same whichever chunk it arrives in. ``stage_and_load`` prepares
    the records that arrive without it, and tags skills only for postings that
    are new or changed (``skills=False`` leaves them to it).
    """
    source_id = record.get("source_id")
    if source_id is None or source_id != source_id:  # missing, or NaN
        source_id = record.get("url")
    record["source_id"] = str(source_id)
    record["vacancy_id"] = vacancy_id(source, record["source_id"])
    record["content_hash"] = _content_hash(record)
    record["block_key"], record["title_key"] = block_keys(
        record.get("employer_name"), record.get("region_code"), record.get("country_code"),
        record.get("locality"), record.get("title"))
    if skills:
        record["skill_uris"] = skill_uris(record.get("description_text"),
                                          record.get("language"))
    return record
