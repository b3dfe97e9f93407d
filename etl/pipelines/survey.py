"""Employer skills-gap surveys: dropped exports → canonical firms and occupations → core.

The ledger counts submissions (the unit a chamber of commerce sends):
fetched = every submission read, including re-sent copies; duplicates = those
copies; unchanged = submissions already loaded by an earlier run (exports are
cumulative, so loading is incremental by submission); quarantined = submissions
whose firm answers were rejected; loaded = the rest. Occupation lines rejected
inside an accepted submission are quarantined too and reported in the detail.

Estimates are not computed here: :func:`build_survey_estimates` recomputes them
from all of ``core`` at publish time, so a late wave or a correction is reflected.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.checksums import file_sha256
from etl.config.sources import config_relative
from etl.pipelines.checks import quarantine_records, validate_and_quarantine
from etl.pipelines.context import RunContext
from etl.pipelines.files import dropped_files
from etl.pipelines.landing import RawStore
from etl.pipelines.ledger import Ledger, utcnow
from etl.warehouse.bulk import bulk_insert
from etl.warehouse.sqlfiles import sql_text

FIRM_COLUMNS = ("run_id", "survey_id", "wave", "submission_id", "submitted_at", "firm_id",
                "firm_name", "isic4_section", "region_code", "size_band", "weight")
OCCUPATION_COLUMNS = ("run_id", "survey_id", "wave", "submission_id", "line_no",
                      "occupation_text", "isco08", "isco_confidence", "vacancies", "hard_to_fill",
                      "filled", "applicants", "suitable_applicants", "skills_lacking", "reasons")


def _classify(title: str) -> tuple[str | None, float]:
    from etl.normalise.isco import get_classifier

    result = get_classifier().classify(title)
    return result.isco08, float(result.confidence)


def _joined(values: object) -> str | None:
    if isinstance(values, list | tuple):
        return "|".join(str(v) for v in values) or None
    return None if values is None or (isinstance(values, float) and pd.isna(values)) else str(values)


def ingest_survey(ctx: RunContext, source_name: str) -> dict:
    from etl.sources.survey import read_submissions
    from etl.sources.survey.canonical import to_canonical
    from etl.sources.survey.mapping import load_mapping

    source = ctx.config.source(source_name)
    mapping = load_mapping(config_relative(ctx.config_file, source.mapping_file))
    store = RawStore(ctx.engine, source.name, ctx.run_id)
    ledger = Ledger(run_id=ctx.run_id, source=source.name, dag_id=ctx.dag_id,
                    data_interval_start=ctx.data_interval_start,
                    data_interval_end=ctx.data_interval_end)
    with ctx.engine.connect() as conn:
        loaded_ids = {r.submission_id for r in conn.execute(
            sql_text("core/survey_submission_ids"), {"survey_id": mapping.survey_id})}
    firms_frames, occ_frames, line_rejects = [], [], 0
    for path in dropped_files(Path(source.path), source.pattern):
        landed = store.land(path.resolve().as_uri(), path.read_bytes(), status=None)
        submissions = read_submissions(landed.path)
        canon = to_canonical(submissions, mapping, classify=_classify)
        distinct = len({s.submission_id for s in submissions})
        ledger.fetched += len(submissions)
        ledger.duplicates += len(submissions) - distinct
        firms = canon.firms
        new = ~firms["submission_id"].isin(loaded_ids)
        ledger.unchanged += int((~new).sum())
        firms = firms.loc[new]
        rejected = canon.rejected
        firm_rejected = set(rejected["submission_id"]) - set(canon.firms["submission_id"])
        ledger.quarantined += len(firm_rejected)
        occupations = canon.occupations.loc[canon.occupations["submission_id"].isin(
            firms["submission_id"])].copy()
        line_rejects += int((~rejected["submission_id"].isin(firm_rejected)).sum())
        quarantine_records(ctx, "survey_responses", source.name,
                           rejected.to_dict(orient="records"))
        firms_frames.append(firms)
        occ_frames.append(occupations)
        loaded_ids |= set(firms["submission_id"])
    store.flush()
    firms = pd.concat(firms_frames, ignore_index=True) if firms_frames else pd.DataFrame()
    occupations = pd.concat(occ_frames, ignore_index=True) if occ_frames else pd.DataFrame()
    if not firms.empty:
        line_rejects += _load(ctx, source.name, firms, occupations)
    ledger.loaded = ledger.fetched - ledger.duplicates - ledger.unchanged - ledger.quarantined
    ledger.detail = f"{line_rejects} occupation line(s) quarantined inside loaded submissions"
    ledger.record(ctx.engine)
    return {"source": source.name, "fetched": ledger.fetched, "loaded": ledger.loaded,
            "quarantined": ledger.quarantined, "duplicates": ledger.duplicates,
            "unchanged": ledger.unchanged}


def _load(ctx: RunContext, source: str, firms: pd.DataFrame, occupations: pd.DataFrame) -> int:
    """Validate occupation lines, then stage and merge firms and lines; return lines rejected."""
    occupations = occupations.copy()
    occupations["line_no"] = occupations.groupby("submission_id").cumcount() + 1
    occupations["skills_lacking"] = occupations["skills_lacking"].map(_joined)
    occupations["reasons"] = occupations["reasons"].map(_joined)
    occupations["region_code"] = occupations["submission_id"].map(
        firms.set_index("submission_id")["region_code"])
    rejected = 0
    if not occupations.empty:
        outcome = validate_and_quarantine(
            ctx.engine, occupations, suite="staging_survey_occupations",
            dataset="survey_responses", source=source, run_id=ctx.run_id, run_date=ctx.as_of,
            key_column="submission_id",
        )
        rejected = len(occupations) - len(outcome.valid)
        occupations = occupations.loc[outcome.valid.index]
    firms = firms.copy()
    firms["run_id"] = ctx.run_id
    occupations["run_id"] = ctx.run_id
    firms["submitted_at"] = pd.to_datetime(firms["submitted_at"], utc=True,
                                           errors="coerce").dt.tz_localize(None)
    params = {"run_id": ctx.run_id}
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("staging/delete_survey_of_run"), params)
        conn.execute(sql_text("staging/delete_survey_occupations_of_run"), params)
        bulk_insert(conn, "staging", "survey_firms", firms.reindex(columns=list(FIRM_COLUMNS)))
        bulk_insert(conn, "staging", "survey_occupations",
                    occupations.reindex(columns=list(OCCUPATION_COLUMNS)))
        conn.execute(sql_text("core/insert_survey_firms"), params)
        conn.execute(sql_text("core/insert_survey_occupations"), params)
    return rejected


#: Name of the survey estimates in ``ops.build_fingerprints``.
ESTIMATES = "survey_estimates"


def build_survey_estimates(ctx: RunContext) -> int:
    """Recompute ``core.survey_estimates`` for every wave: region and nation, 4 and 2 digits.

    Every publish calls this, but a survey wave comes once a quarter: when the survey
    rows, the method (its survey settings and version), the estimator's code and the
    country are those the estimates were last built from
    (``etl.warehouse.fingerprints``), the table is kept as it is (1.4 s of each daily
    publish at the benchmark's size). Returns the estimates' row count.
    """
    from etl.sources.survey import estimates as estimator
    from etl.warehouse import fingerprints

    with ctx.engine.connect() as conn:
        firms = pd.read_sql(sql_text("core/survey_firms_for_estimates"), conn)
        occupations = pd.read_sql(sql_text("core/survey_occupations_for_estimates"), conn)
        built = int(conn.execute(sql_text("core/survey_estimates_count")).scalar_one())
        fingerprint = fingerprints.inputs_fingerprint(
            {"firms": firms, "occupations": occupations},
            {"survey": ctx.method.survey.model_dump(), "country": ctx.config.country,
             "method_version": ctx.method.version,
             # A change to the estimator itself rebuilds too, without anyone remembering to.
             "estimator": file_sha256(Path(estimator.__file__))})
        if fingerprints.is_current(conn, ESTIMATES, fingerprint, built):
            return built
    frames = []
    if not firms.empty and not occupations.empty:
        stamp = pd.to_datetime(firms["submitted_at"])
        firms["quarter"] = stamp.dt.year.astype(str) + "Q" + stamp.dt.quarter.astype(str)
        occupations = occupations.loc[occupations["isco08"].notna()].copy()
        occupations["skills_lacking"] = occupations["skills_lacking"].map(
            lambda s: s.split("|") if isinstance(s, str) and s else [])
        survey = ctx.method.survey
        for national in (False, True):
            cell_firms = firms.copy()
            if national:
                cell_firms["region_code"] = ctx.config.country
            for digits in (4, 2):
                occ = occupations.copy()
                # Several lines of one firm in one 2-digit group are summed per firm by
                # ``estimate`` itself.
                occ["isco08"] = occ["isco08"].str[:digits]
                cells = estimator.estimate(cell_firms, occ, ["quarter", "region_code", "isco08"],
                                           min_respondents=survey.min_respondents,
                                           max_cv=survey.max_cv)
                frames.append(cells)
    estimates = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    columns = ["quarter", "region_code", "isco08", "vacancies", "hard_to_fill",
               "hard_to_fill_rate", "fill_rate", "suitable_applicants_per_vacancy",
               "skill_gap_share", "respondents", "cv", "is_reliable"]
    if not estimates.empty:
        estimates = estimates.rename(columns={"hard_to_fill_rate_cv": "cv"})
        estimates = estimates.reindex(columns=columns)
    with ctx.engine.begin() as conn:
        conn.execute(sql_text("core/delete_survey_estimates"))
        if not estimates.empty:
            bulk_insert(conn, "core", "survey_estimates", estimates)
        fingerprints.record(conn, ESTIMATES, fingerprint, len(estimates), utcnow())
    return len(estimates)
