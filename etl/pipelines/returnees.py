"""Returnee registrations: read → pseudonymise → land raw → map → code → validate → upsert.

Personal data never reach ``raw`` or the warehouse: each dropped export is read in
memory, pseudonymised (:mod:`etl.sources.returnees`, :mod:`etl.privacy`) and only
that re-serialisation is landed and parsed further. Profiles are keyed by the
keyed hash of the person identifier, so a re-registration updates the profile.

Counting (the ledger balances: fetched = loaded + quarantined + duplicates + unchanged):

* fetched: registrations (rows) read from the files of the drop folder;
* quarantined: rows whose values could not be mapped, plus profiles failing the
  ``staging_returnees`` suite;
* duplicates: further registrations of a person already registered earlier *in the
  same batch* — they are folded into that person's one profile (newest value wins,
  first registration date kept), so they are accounted for, not lost;
* unchanged: profiles identical to the stored one (a re-run of the same files);
* loaded: profiles inserted or updated (a re-registration across batches is an update).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from pathlib import Path

import pandas as pd

from etl.pipelines.checks import quarantine_records, validate_and_quarantine
from etl.pipelines.coding import code_occupations, tag_skills
from etl.pipelines.context import RunContext
from etl.pipelines.landing import RawStore
from etl.pipelines.ledger import Ledger, SourceCounts
from etl.warehouse.bulk import bulk_insert
from etl.warehouse.sqlfiles import sql_text

log = logging.getLogger(__name__)

DATASET = "returnee_profiles"
SUITE = "staging_returnees"

STAGING_COLUMNS = (
    "run_id", "source", "person_key", "sex", "age_band", "return_date", "destination_country",
    "isco08_abroad", "isco_confidence", "isco_method", "isco08_before", "skill_uris",
    "isced_level", "has_certificate", "certificate_recognised", "region_code", "wants_job",
    "wants_training", "wants_business", "first_registered_at", "registered_at", "content_hash",
)
# What the content hash covers: everything a profile states (not the run or the source).
HASHED_COLUMNS = tuple(c for c in STAGING_COLUMNS if c not in ("run_id", "source", "content_hash"))
# The occupation abroad is one statement: code, confidence and method move together.
_ISCO_GROUP = ("isco08_abroad", "isco_confidence", "isco_method")
# ESCO essential skills per unit group that count in the skills match (most shared first).
OCCUPATION_SKILLS_FILE = "esco_occupation_skills.csv.gz"


def _dropped(folder: Path, pattern: str) -> list[Path]:
    if not folder.is_dir():
        raise FileNotFoundError(f"returnee drop folder {folder} does not exist")
    return sorted(p for p in folder.glob(pattern) if p.is_file() and not p.name.startswith("."))


def ingest_returnees(ctx: RunContext, source_name: str) -> dict:
    """Ingest every export in the source's drop folder; record the ledger; return the counts.

    Raises :class:`etl.privacy.PseudonymKeyError` (before reading any file) when the
    pseudonymisation key is not configured.
    """
    from etl.privacy import Pseudonymiser
    from etl.sources.returnees import (
        ReturneeMapping,
        parse_landed,
        pseudonymise,
        read_registrations,
        serialise,
    )

    source = ctx.config.source(source_name)
    if source.kind != "returnees":
        raise ValueError(f"source {source_name!r} is of kind {source.kind!r}, not 'returnees'")
    mapping = ReturneeMapping.from_source(source)
    pseudonymiser = Pseudonymiser()  # a missing key stops the run here, before any read
    store = RawStore(ctx.engine, source.name, ctx.run_id)
    landed = []
    undeclared: set[str] = set()
    files = _dropped(Path(source.path), source.pattern)
    for path in files:
        pseudonymised = pseudonymise(read_registrations(path, mapping), mapping, pseudonymiser)
        undeclared.update(pseudonymised.undeclared_columns)
        # The URL names the export; the fragment says that the bytes are not the export's.
        landed.append(store.land(f"{path.resolve().as_uri()}#pseudonymised",
                                 serialise(pseudonymised.records), status=None,
                                 headers={"content-type": "text/csv; charset=utf-8"}))
    store.flush()
    records = [record for item in landed for record in parse_landed(item.read())]
    counts = stage_and_load(ctx, source.name, records, mapping)
    counts.detail = f"files {len(files)}" + (
        f"; columns not declared in the mapping, dropped: {', '.join(sorted(undeclared))}"
        if undeclared else "")
    if undeclared:
        log.warning("%s: columns not declared in the mapping were dropped: %s",
                    source.name, ", ".join(sorted(undeclared)))
    Ledger(
        run_id=ctx.run_id, source=source.name, dag_id=ctx.dag_id,
        data_interval_start=ctx.data_interval_start, data_interval_end=ctx.data_interval_end,
        fetched=counts.fetched, loaded=counts.staged, quarantined=counts.quarantined,
        duplicates=counts.duplicates_in_batch, unchanged=counts.unchanged,
        unclassified=counts.unclassified, detail=counts.detail,
    ).record(ctx.engine)
    build_returnee_skills_match(ctx)
    return counts.to_dict()


def _code_occupation(codes: list[str | None], texts: list[str | None]) -> pd.DataFrame:
    """ISCO-08 unit group from a valid code (confidence 1), else from the free text.

    Also a problem per record (empty if none): a code that is not ISCO-08 with no title.
    """
    from etl.normalise.isco import get_classifier

    classifier = get_classifier()
    coded = code_occupations([t or "" for t in texts])
    rows = []
    for code, text, (_, result) in zip(codes, texts, coded.iterrows(), strict=True):
        code = (code or "").strip()
        if len(code) == 4 and code.isdigit() and classifier.label(code):
            rows.append((code, 1.0, "isco_code", ""))
        elif text:
            # An invalid code beside a title: the title is coded (the code is a typo).
            rows.append((result["isco08"], float(result["isco_confidence"]),
                         result["isco_method"], ""))
        elif code:
            rows.append((None, None, None, f"{code!r} is not an ISCO-08 unit group code"))
        else:
            rows.append((None, None, None, ""))
    return pd.DataFrame(rows, columns=["isco08", "isco_confidence", "isco_method", "problem"])


def _collapse(registrations: list[dict]) -> tuple[dict, set[str]]:
    """One profile from a person's registrations (oldest first), as the SQL update does.

    Newer stated values win; unstated ones keep the older value; the first and latest
    registration dates are kept. Skills are the union of every registration's skills.
    """
    merged = dict(registrations[0])
    skills: set[str] = set((merged.get("skill_uris") or "").split("|")) - {""}
    for newer in registrations[1:]:
        for key, value in newer.items():
            if key not in _ISCO_GROUP and value is not None:
                merged[key] = value
        if newer.get("isco08_abroad") is not None:
            merged.update({k: newer[k] for k in _ISCO_GROUP})
        skills |= set((newer.get("skill_uris") or "").split("|")) - {""}
    dates = [r["registered_at"] for r in registrations]
    merged["first_registered_at"] = min(dates)
    merged["registered_at"] = max(dates)
    return merged, skills


def _content_hash(record: dict) -> str:
    payload = json.dumps({k: record.get(k) for k in HASHED_COLUMNS}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _previous_fetched(ctx: RunContext, source: str) -> int | None:
    with ctx.engine.connect() as conn:
        value = conn.execute(sql_text("ops/previous_fetched"),
                             {"source": source, "run_id": ctx.run_id}).scalar()
    return int(value) if value else None


def _check_volume(ctx: RunContext, source: str, fetched: int) -> None:
    """Stop before loading when far fewer registrations were read than last time.

    Compared on what was read, not on what is validated: a re-run validates only
    the changed profiles, which is rightly far fewer.
    """
    from etl.validate import BatchFailure, BatchValidationError

    previous = _previous_fetched(ctx, source)
    share = ctx.config.source(source).min_rows_share
    if previous and fetched < previous * share:
        message = (f"source {source}: {fetched} registrations read where the previous run read "
                   f"{previous}; fewer than {share:.0%} of it stops the run (a truncated export?)")
        raise BatchValidationError([BatchFailure(source, SUITE, "volume", str(fetched), message)])


def stage_and_load(ctx: RunContext, source: str, records: list[dict], mapping) -> SourceCounts:
    """Map, code, fold re-registrations, validate, quarantine and upsert landed records."""
    from etl.sources.returnees import map_record

    counts = SourceCounts(source=source, fetched=len(records))
    _check_volume(ctx, source, len(records))
    if not records:
        return counts
    mapped: list[dict] = []
    problems: list[list[str]] = []
    for record in records:
        out, found = map_record(record, mapping, country=ctx.config.country,
                                region_aliases=ctx.config.region_aliases)
        mapped.append(out)
        problems.append(found)
    abroad = _code_occupation([m["occupation_abroad_code"] for m in mapped],
                              [m["occupation_abroad"] for m in mapped])
    before = _code_occupation([m["occupation_before_code"] for m in mapped],
                              [m["occupation_before"] for m in mapped])
    language = mapping.language or ctx.config.language
    skills = tag_skills([m["skills"] for m in mapped], [language] * len(mapped))
    for i, m in enumerate(mapped):
        m["isco08_abroad"] = abroad.at[i, "isco08"]
        m["isco_confidence"] = abroad.at[i, "isco_confidence"]
        m["isco_method"] = abroad.at[i, "isco_method"]
        m["isco08_before"] = before.at[i, "isco08"]
        m["skill_uris"] = skills[i]
        for label, coded in (("occupation abroad", abroad), ("occupation before", before)):
            if coded.at[i, "problem"]:
                problems[i].append(f"{label}: {coded.at[i, 'problem']}")
    rejects = [{**record, "reject_reason": "; ".join(found)}
               for record, found in zip(records, problems, strict=True) if found]
    mapped = [m for m, found in zip(mapped, problems, strict=True) if not found]

    if rejects:
        quarantine_records(ctx, DATASET, source, rejects, reason_key="reject_reason",
                           expectation="returnee_mapping")
    counts.quarantined = len(rejects)

    # Fold the registrations of each person (oldest first; file order breaks ties).
    by_person: dict[str, list[dict]] = {}
    for m in sorted(mapped, key=lambda r: r["registered_at"]):
        by_person.setdefault(m["person_key"], []).append(m)
    counts.duplicates_in_batch = len(mapped) - len(by_person)
    profiles, person_skills = [], {}
    for key, registrations in by_person.items():
        profile, held = _collapse(registrations)
        profile["run_id"], profile["source"] = ctx.run_id, source
        profile["content_hash"] = _content_hash(profile)
        profiles.append(profile)
        person_skills[key] = held
    if not profiles:
        return counts

    with ctx.engine.connect() as conn:
        existing = {r.person_key: r.content_hash
                    for r in conn.execute(sql_text("core/returnee_hashes"))}
    changed = [p for p in profiles if existing.get(p["person_key"]) != p["content_hash"]]
    counts.unchanged = len(profiles) - len(changed)
    if not changed:
        return counts

    frame = pd.DataFrame.from_records(changed, columns=[*STAGING_COLUMNS, "source_row"])
    for column in ("registered_at", "first_registered_at", "return_date"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    frame["isced_level"] = frame["isced_level"].astype("Int64")
    outcome = validate_and_quarantine(
        ctx.engine, frame, suite=SUITE, dataset=DATASET, source=source, run_id=ctx.run_id,
        run_date=ctx.as_of, key_column="person_key",
    )
    valid = frame.loc[outcome.valid.index]
    counts.quarantined += len(frame) - len(valid)
    counts.staged = len(valid)
    counts.unclassified = int(valid["isco08_abroad"].isna().sum())

    staged = valid[list(STAGING_COLUMNS)]
    with ctx.engine.connect() as conn:
        known = {(r.person_key, r.skill_uri)
                 for r in conn.execute(sql_text("core/returnee_skill_pairs"))}
    skill_rows = pd.DataFrame(
        sorted((key, uri) for key in staged["person_key"] for uri in person_skills[key]
               if (key, uri) not in known),
        columns=["person_key", "skill_uri"],
    )
    params = {"run_id": ctx.run_id, "source": source}
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("staging/delete_returnee_profiles_of_run"), params)
        bulk_insert(conn, "staging", "returnee_profiles", staged)
        conn.execute(sql_text("core/upsert_returnee_profiles_update"), params)
        conn.execute(sql_text("core/upsert_returnee_profiles_insert"), params)
        bulk_insert(conn, "core", "returnee_skills", skill_rows)
    return counts


def occupation_skills_frame() -> pd.DataFrame:
    """ESCO essential skills per ISCO-08 unit group, ranked by how many of its occupations need them."""
    from etl.settings import REFERENCE_DIR

    relations = pd.read_csv(REFERENCE_DIR / OCCUPATION_SKILLS_FILE, dtype=str)
    group_size = relations.groupby("isco08")["occupation_uri"].nunique()
    essential = relations[relations["relation"] == "essential"]
    frame = (essential.groupby(["isco08", "skill_uri"])["occupation_uri"].nunique()
             .rename("esco_occupations").reset_index())
    frame["group_occupations"] = frame["isco08"].map(group_size).astype(int)
    frame = frame.sort_values(["isco08", "esco_occupations", "skill_uri"],
                              ascending=[True, False, True], kind="stable")
    frame["skill_rank"] = frame.groupby("isco08").cumcount() + 1
    return frame.reset_index(drop=True)


def load_occupation_skills(ctx: RunContext, *, force: bool = False) -> int:
    """Fill ``core.occupation_skills`` from the packaged ESCO relations (once, or when forced)."""
    with ctx.engine.connect() as conn:
        present = conn.execute(sql_text("core/returnee_occupation_skills_count")).scalar_one()
    if present and not force:
        return int(present)
    frame = occupation_skills_frame()
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("core/returnee_occupation_skills_truncate"))
        bulk_insert(conn, "core", "occupation_skills", frame)
    return len(frame)


def build_returnee_skills_match(ctx: RunContext) -> int:
    """(Re)build ``core.returnee_skills_match`` for the run's as-of date; return its rows.

    Uses the open vacancies in ``core.vacancies`` and the ratings of the live
    ``published.skills_gap``: call it again after a publish to use the new ratings.
    """
    from etl.warehouse.models import build_table

    load_occupation_skills(ctx)
    as_of = ctx.as_of
    params = {
        "as_of_date": as_of,
        "open_since_date": as_of - timedelta(days=ctx.method.open_days_without_closing),
    }
    with ctx.engine.begin() as conn:
        build_table(conn, "core", "returnee_skills_match", params)
        return int(conn.execute(sql_text("core/returnee_skills_match_count")).scalar_one())


def returnees_on_shortage_list(ctx: RunContext, quarter: str | None = None) -> dict:
    """How many returnees have an occupation on their region's shortage list (latest quarter
    of ``published.shortage_occupations`` unless ``quarter`` is given)."""
    with ctx.engine.connect() as conn:
        row = conn.execute(sql_text("core/returnees_on_shortage_list"),
                           {"quarter": quarter}).mappings().one()
    return dict(row)
