"""validate_frame on the real suites in expectations/: row quarantine and batch gates."""

from __future__ import annotations

import datetime as dt
import json
import time

import numpy as np
import pandas as pd
import pytest

from etl.validate import (
    FAILED_EXPECTATIONS,
    OFFENDING_VALUES,
    BatchValidationError,
    load_suite,
    validate_frame,
)

RUN = {"run_date": "2024-05-02"}


def vacancies(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` plausible normalised vacancies, all valid against staging_vacancies."""
    rng = np.random.default_rng(seed)
    posted = pd.Timestamp("2024-05-01") - pd.to_timedelta(rng.integers(0, 20, n), unit="D")
    salary_min = rng.integers(800, 3000, n).astype(float)
    return pd.DataFrame(
        {
            "source": "board_a",
            "source_id": [f"ad-{i}" for i in range(n)],
            "url": [f"https://jobs.example.org/ad/{i}" for i in range(n)],
            "title": rng.choice(["Welder", "Nurse", "Software developer"], n),
            "employer_name": "ACME",
            "date_posted": posted,
            "valid_through": posted + pd.Timedelta(days=30),
            "employment_type": rng.choice(["FULL_TIME", "PART_TIME", None], n),
            "is_remote": rng.choice([True, False], n),
            "country_code": "TN",
            "region_code": rng.choice(["TN-11", "TN-21", "TN-61"], n),
            "isco08": rng.choice(["7212", "2221", "2512", None], n, p=[0.3, 0.3, 0.3, 0.1]),
            "isco_confidence": rng.random(n),
            "salary_min": salary_min,
            "salary_max": salary_min + 400,
            "salary_currency": "TND",
            "salary_period": "MONTH",
            "salary_monthly": salary_min,
        },
        index=pd.RangeIndex(100, 100 + n),
    )


def test_a_clean_batch_is_kept_whole_and_every_expectation_reports():
    df = vacancies(50)
    outcome = validate_frame(df, "staging_vacancies", params=RUN, source="board_a")
    assert outcome.success
    assert outcome.quarantined.empty
    pd.testing.assert_frame_equal(outcome.valid, df)
    assert len(outcome.results) == len(load_suite("staging_vacancies").expectations)
    assert all(r.success for r in outcome.results)


def test_bad_rows_are_quarantined_with_their_reasons_and_good_rows_kept():
    df = vacancies(40)
    ids = df.index
    df.loc[ids[1], "isco08"] = "9999"  # a code that does not exist
    df.loc[ids[2], "salary_min"] = -5.0  # a negative amount
    df.loc[ids[3], "date_posted"] = pd.Timestamp("2024-06-30")  # in the future of the run
    df.loc[ids[4], "source_id"] = df.loc[ids[0], "source_id"]  # duplicate key of row 0
    df.loc[ids[5], "region_code"] = "XX-99"

    outcome = validate_frame(df, "staging_vacancies", params=RUN, source="board_a")

    q = outcome.quarantined
    assert set(q.index) == {ids[1], ids[2], ids[3], ids[4], ids[5]}
    assert len(outcome.valid) + len(q) == len(df)
    assert set(outcome.valid.index).isdisjoint(q.index)
    assert ids[0] in outcome.valid.index  # the first copy of a duplicated key is the record
    reasons = q[FAILED_EXPECTATIONS]
    assert reasons[ids[1]] == "expect_column_values_to_be_in_set(column=isco08)"
    assert "expect_column_values_to_be_between(column=salary_min)" in reasons[ids[2]]
    assert "expect_column_values_to_be_between(column=date_posted)" in reasons[ids[3]]
    assert "expect_compound_columns_to_be_unique(column_list=source,source_id)" in reasons[ids[4]]
    assert reasons[ids[5]] == "expect_column_values_to_be_in_set(column=region_code)"
    assert json.loads(q.loc[ids[1], OFFENDING_VALUES]) == {"isco08": "9999"}
    assert json.loads(q.loc[ids[5], OFFENDING_VALUES]) == {"region_code": "XX-99"}
    assert json.loads(q.loc[ids[3], OFFENDING_VALUES])["date_posted"].startswith("2024-06-30")
    # the caller's columns come back untouched, plus the two reason columns
    assert list(q.columns) == [*df.columns, FAILED_EXPECTATIONS, OFFENDING_VALUES]
    assert q.loc[ids[2], "salary_min"] == -5.0
    # a few bad rows are not a bad feed
    assert outcome.success
    counts = {r.expectation: r.unexpected_count for r in outcome.results}
    assert counts["expect_column_values_to_be_in_set(column=isco08)"] == 1
    assert counts["expect_compound_columns_to_be_unique(column_list=source,source_id)"] == 1


def test_a_row_failing_several_expectations_appears_once_with_all_of_them():
    df = vacancies(10)
    row = df.index[7]
    df.loc[row, "salary_min"] = -100.0
    df.loc[row, "salary_max"] = -200.0  # negative, and below the minimum
    df.loc[row, "employment_type"] = "SOMETIMES"
    outcome = validate_frame(df, "staging_vacancies", params=RUN)
    assert list(outcome.quarantined.index) == [row]
    reasons = outcome.quarantined.loc[row, FAILED_EXPECTATIONS].split("; ")
    assert sorted(reasons) == reasons
    assert set(reasons) == {
        "expect_column_values_to_be_between(column=salary_min)",
        "expect_column_values_to_be_between(column=salary_max)",
        "expect_column_pair_values_a_to_be_greater_than_b(column_A=salary_max, column_B=salary_min)",
        "expect_column_values_to_be_in_set(column=employment_type)",
    }
    offending = json.loads(outcome.quarantined.loc[row, OFFENDING_VALUES])
    assert offending == {"employment_type": "SOMETIMES", "salary_max": -200.0, "salary_min": -100.0}


def test_renamed_column_stops_the_batch_naming_the_expectation():
    df = vacancies(20).rename(columns={"title": "job_title"})
    outcome = validate_frame(df, "staging_vacancies", params=RUN, source="board_a")
    assert not outcome.success
    failure = next(
        f for f in outcome.batch_failures if f.expectation.startswith("expect_table_columns")
    )
    assert failure.source == "board_a"
    assert "'title'" in failure.observed_value and "'job_title'" in failure.observed_value
    with pytest.raises(BatchValidationError) as raised:
        outcome.raise_for_batch()
    message = str(raised.value)
    assert "board_a" in message
    assert "expect_table_columns_to_match_set" in message
    assert "missing: ['title']" in message


def test_volume_collapse_against_previous_run_stops_the_batch():
    df = vacancies(30)
    collapsed = validate_frame(
        df, "staging_vacancies", params=RUN, previous_row_count=100, max_volume_drop=0.5,
        source="board_a",
    )
    [failure] = collapsed.batch_failures
    assert failure.expectation == "expect_table_row_count_to_be_between(check=volume)"
    assert failure.observed_value == "30"
    assert "min_value=50" in failure.message and "previous run had 100 rows" in failure.message
    with pytest.raises(BatchValidationError, match="observed 30"):
        collapsed.raise_for_batch()

    fine = validate_frame(
        df, "staging_vacancies", params=RUN, previous_row_count=55, max_volume_drop=0.5
    )
    assert fine.success
    no_history = validate_frame(df, "staging_vacancies", params=RUN)
    assert not any("volume" in r.expectation for r in no_history.results)


def test_stale_feed_fails_freshness_with_the_newest_date_observed():
    df = vacancies(20)
    df["date_posted"] = pd.Timestamp("2024-01-10")
    df["valid_through"] = pd.Timestamp("2024-02-10")
    outcome = validate_frame(df, "staging_vacancies", params=RUN, source="board_a")
    [failure] = outcome.batch_failures
    assert "check=freshness" in failure.expectation
    assert "2024-01-10" in failure.observed_value
    # the window is a parameter: a quarterly source may be older
    relaxed = validate_frame(
        df, "staging_vacancies", params={**RUN, "freshness_max_age_days": 200}
    )
    assert relaxed.success


def test_too_many_failing_rows_is_a_broken_feed_not_bad_rows():
    df = vacancies(20)
    df.loc[df.index[:12], "title"] = None  # more than the suite's mostly=0.5 tolerance
    outcome = validate_frame(df, "staging_vacancies", params=RUN, source="board_a")
    assert len(outcome.quarantined) == 12
    assert any(
        f.expectation == "expect_column_values_to_not_be_null(column=title)"
        for f in outcome.batch_failures
    )


def test_null_share_over_threshold_is_a_batch_failure_without_quarantine():
    df = vacancies(20)
    df["isco08"] = None
    df.loc[df.index[:5], "isco08"] = "7212"
    outcome = validate_frame(df, "staging_vacancies", params=RUN)
    assert outcome.quarantined.empty  # an unclassified vacancy is a valid vacancy
    [failure] = outcome.batch_failures
    assert failure.expectation == "expect_column_values_to_not_be_null(column=isco08)"
    assert failure.observed_value.startswith("15 of 20 rows unexpected")


def test_code_lists_are_parameters_of_the_run():
    df = vacancies(30)
    outcome = validate_frame(df, "staging_vacancies", params={**RUN, "region_codes": ["TN-11"]})
    assert set(outcome.quarantined["region_code"]) == {"TN-21", "TN-61"}
    assert (outcome.valid["region_code"] == "TN-11").all()


def test_dates_as_python_dates_tz_aware_and_duplicate_index_are_handled():
    df = vacancies(6)
    df["date_posted"] = df["date_posted"].dt.tz_localize("Africa/Tunis")
    df["valid_through"] = df["valid_through"].dt.date
    df.index = [1, 1, 1, 2, 2, 2]
    df.iloc[4, df.columns.get_loc("valid_through")] = dt.date(2023, 1, 1)  # before posting
    outcome = validate_frame(df, "staging_vacancies", params={"run_date": dt.date(2024, 5, 2)})
    assert outcome.success
    assert len(outcome.quarantined) == 1
    assert outcome.quarantined.index.tolist() == [2]
    assert outcome.quarantined.iloc[0]["valid_through"] == dt.date(2023, 1, 1)
    assert "column_A=valid_through" in outcome.quarantined.iloc[0][FAILED_EXPECTATIONS]


def test_dates_as_text_cannot_be_compared_and_stop_the_batch():
    df = vacancies(5)
    df["date_posted"] = df["date_posted"].dt.strftime("%Y-%m-%d")
    outcome = validate_frame(df, "staging_vacancies", params=RUN, source="board_a")
    failure = next(
        f for f in outcome.batch_failures
        if f.expectation == "expect_column_values_to_be_between(column=date_posted)"
    )
    assert failure.observed_value.startswith("could not evaluate")


def test_survey_lines_hard_to_fill_above_vacancies_and_negative_counts():
    df = pd.DataFrame(
        {
            "survey_id": "cci-2024", "wave": "2024Q1",
            "submission_id": ["s1", "s1", "s2", "s3"], "line_no": [1, 2, 1, 1],
            "region_code": ["TN-11", "TN-11", "TN-21", "TN-99"],
            "occupation_text": ["soudeur", "infirmier", "cuisinier", "maçon"],
            "isco08": ["7212", "2221", "5120", "7112"], "isco_confidence": [0.9, 0.8, 0.95, 0.7],
            "vacancies": [3.0, 2.0, -1.0, 4.0], "hard_to_fill": [1.0, 5.0, 0.0, 4.0],
            "filled": [1.0, 0.0, 0.0, 2.0], "applicants": [10.0, 3.0, 0.0, 8.0],
            "suitable_applicants": [4.0, 1.0, 0.0, 2.0],
        }
    )
    outcome = validate_frame(df, "staging_survey_occupations", params=RUN, source="cci")
    q = outcome.quarantined
    assert q.index.tolist() == [1, 2, 3]
    assert "column_A=vacancies, column_B=hard_to_fill" in q.loc[1, FAILED_EXPECTATIONS]
    assert json.loads(q.loc[1, OFFENDING_VALUES]) == {"hard_to_fill": 5.0, "vacancies": 2.0}
    assert "expect_column_values_to_be_between(column=vacancies)" in q.loc[2, FAILED_EXPECTATIONS]
    assert q.loc[3, FAILED_EXPECTATIONS] == "expect_column_values_to_be_in_set(column=region_code)"
    assert outcome.valid.index.tolist() == [0]


def test_returnee_keys_must_be_pseudonyms():
    key = "ab" * 32
    df = pd.DataFrame(
        {
            "person_key": [key, "Mohamed Ben Ali", key.upper()],
            "sex": ["F", "M", "M"], "age_band": ["25-34", "35-44", "25-34"],
            "return_date": [dt.date(2024, 1, 5)] * 3, "destination_country": ["IT", "FR", "DE"],
            "isco08_abroad": ["7212", None, "9999"], "isco_confidence": [0.8, None, 0.5],
            "isco08_before": [None, None, None], "isced_level": [3, 2, 4],
            "has_certificate": [True, False, None], "certificate_recognised": [None] * 3,
            "region_code": ["TN-11", "TN-21", "TN-11"], "wants_job": [True, True, False],
            "wants_training": [False, True, True], "wants_business": [False, False, True],
            "registered_at": [dt.date(2024, 2, 1)] * 3,
        }
    )
    outcome = validate_frame(df, "staging_returnees", params=RUN, source="pes")
    assert outcome.valid.index.tolist() == [0]
    assert "match_regex(column=person_key)" in outcome.quarantined.loc[1, FAILED_EXPECTATIONS]
    assert "be_in_set(column=isco08_abroad)" in outcome.quarantined.loc[2, FAILED_EXPECTATIONS]
    # extra personal columns are schema drift: the batch stops
    leaky = df.assign(phone="+216 20 000 000")
    assert not validate_frame(leaky, "staging_returnees", params=RUN).success


def test_a_new_unit_multiplier_stops_a_statistics_release():
    df = pd.DataFrame(
        {
            "source": "ilostat", "release": "2025-06-01", "indicator": "EMP_TEMP_SEX_OCU_NB",
            "dataflow": "DF_EMP", "ref_area": "TUN", "country_code": "TN", "region_code": None,
            "time_period": ["2022", "2023"], "period_type": "A",
            "period_start": [dt.date(2022, 1, 1), dt.date(2023, 1, 1)],
            "period_end": [dt.date(2022, 12, 31), dt.date(2023, 12, 31)],
            "sex": "SEX_T", "age": None, "classif1": "OCU_ISCO08_7", "classif2": None,
            "isco08": "7", "isco_level": 1, "isic4": None, "obs_value": [512.3, 530.1],
            "unit": "persons", "unit_mult": [0, 3], "obs_status": None,
        }
    )
    outcome = validate_frame(df, "staging_labour_indicators", params=RUN, source="ilostat")
    [failure] = outcome.batch_failures
    assert "check=unit_multiplier" in failure.expectation
    assert failure.observed_value == "unexpected values [3]"
    declared = validate_frame(
        df, "staging_labour_indicators", params={**RUN, "unit_mults": [0, 3]}
    )
    assert declared.success and declared.quarantined.empty


def test_statistics_as_built_from_records_python_numbers_and_missing_multiplier():
    df = pd.DataFrame(
        {
            "source": "obs", "release": "2024-12", "indicator": "UNE_REG", "dataflow": None,
            "ref_area": "TN-11", "country_code": "TN", "region_code": "TN-11",
            "time_period": ["2024Q1", "2024Q2", "2024Q3"], "period_type": "Q",
            "period_start": [dt.date(2024, 1, 1), dt.date(2024, 4, 1), dt.date(2024, 7, 1)],
            "period_end": [dt.date(2024, 3, 31), dt.date(2024, 6, 30), dt.date(2024, 6, 30)],
            "sex": "SEX_T", "age": None, "classif1": None, "classif2": None, "isco08": None,
            "isco_level": None, "isic4": None,
            "obs_value": pd.Series([1200, 1150.5, None], dtype=object),
            "unit": "persons", "unit_mult": pd.Series([None, 0, 0], dtype=object),
            "obs_status": [None, "P", "p"],
        }
    )
    outcome = validate_frame(
        df, "staging_labour_indicators", params={"run_date": "2025-01-15"}, source="obs"
    )
    assert outcome.success, outcome.summary()
    q = outcome.quarantined
    assert q.index.tolist() == [2]  # period ends before it starts; status not an SDMX code
    assert set(q.loc[2, FAILED_EXPECTATIONS].split("; ")) == {
        "expect_column_pair_values_a_to_be_greater_than_b(column_A=period_end, column_B=period_start)",
        "expect_column_values_to_match_regex(column=obs_status)",
    }


def published_skills_gap(n: int = 6) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "quarter": "2024Q1", "region_code": ["TN-11", "TN-21", "TN"] * (n // 3),
            "is_national": [False, False, True] * (n // 3),
            "isco08": ["7212", "7213", "7214", "7215", "7221", "7222"][:n], "isco_level": 4,
            "vacancies_new": np.arange(n) * 3, "vacancies_new_prev_year": np.arange(n),
            "hard_to_fill_rate": np.linspace(0, 1, n), "fill_rate": 0.5,
            "suitable_applicants_per_vacancy": 1.5, "skill_gap_rate": 0.2,
            "survey_respondents": 12, "jobseekers": 100.0,
            "returnees_registered": [None, 0, 5, 12, None, 7][:n],
            "tightness": 0.3, "shortage_signals": 1, "surplus_signals": 0,
            "indicators_available": 4, "rating": "balanced", "evidence": "vacancies up 30%",
            "method_version": "1", "run_id": "r1",
        }
    )


def test_a_good_published_table_passes_its_audit():
    assert validate_frame(published_skills_gap(), "published_skills_gap", params=RUN).success


@pytest.mark.parametrize(
    ("column", "value", "expectation"),
    [
        ("rating", "critical", "expect_column_values_to_be_in_set(column=rating)"),
        ("hard_to_fill_rate", 1.2, "expect_column_values_to_be_between(column=hard_to_fill_rate)"),
        ("vacancies_new", -1, "expect_column_values_to_be_between(column=vacancies_new)"),
        ("returnees_registered", 3,
         "expect_column_values_to_not_be_in_set(column=returnees_registered, check=disclosure)"),
        # row 1 and row 4 are both TN-21: the same occupation twice is a duplicate key
        ("isco08", "7221",
         "expect_compound_columns_to_be_unique(column_list=quarter,region_code,isco08)"),
    ],
)
def test_a_bad_published_cell_fails_the_audit_and_quarantines_nothing(column, value, expectation):
    df = published_skills_gap()
    df.loc[1, column] = value
    outcome = validate_frame(df, "published_skills_gap", params=RUN, source="marts")
    assert outcome.quarantined.empty  # a published table passes or fails as a whole
    assert expectation in [f.expectation for f in outcome.batch_failures]
    with pytest.raises(BatchValidationError, match="suite published_skills_gap"):
        outcome.raise_for_batch()


def test_missing_parameter_is_named(tmp_path):
    (tmp_path / "needs_param.json").write_text(json.dumps({
        "name": "needs_param",
        "expectations": [{"type": "expect_column_values_to_be_in_set",
                          "kwargs": {"column": "a", "value_set": {"$PARAMETER": "letters"}}}],
    }))
    df = pd.DataFrame({"a": ["x", "y"]})
    with pytest.raises(ValueError, match=r"needs_param.*\['letters'\]"):
        validate_frame(df, "needs_param", suites_dir=tmp_path)
    outcome = validate_frame(df, "needs_param", params={"letters": ["x"]}, suites_dir=tmp_path)
    assert outcome.quarantined.index.tolist() == [1]


def test_hundred_thousand_rows_validate_in_seconds():
    df = vacancies(100_000, seed=3)
    df.loc[df.index[::97], "isco08"] = "0000"  # ~1% bad rows
    started = time.perf_counter()
    outcome = validate_frame(df, "staging_vacancies", params=RUN, source="bulk")
    elapsed = time.perf_counter() - started
    assert len(outcome.quarantined) == len(df.index[::97])
    assert len(outcome.valid) + len(outcome.quarantined) == 100_000
    assert elapsed < 30, f"validating 100k rows took {elapsed:.1f}s"
