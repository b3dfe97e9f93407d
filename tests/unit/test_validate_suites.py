"""The suite files in expectations/: loadable by GX, consistent with our conventions."""

from __future__ import annotations

import json

import pytest
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    ColumnPairMapExpectation,
    MulticolumnMapExpectation,
)

from etl.validate import SuiteError, list_suites, load_suite, reference_params
from etl.validate.params import DERIVED, resolve_params
from etl.validate.suites import suite_parameter_names

SUITES = list_suites()
MAP = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)


def test_there_is_a_suite_per_dataset_and_stage():
    assert {
        "staging_vacancies", "staging_labour_indicators", "staging_survey_firms",
        "staging_survey_occupations", "staging_survey_estimates", "staging_returnees",
        "published_skills_gap", "published_opportunities", "published_shortage_occupations",
        "published_surplus_occupations", "published_vacancies_open",
        "published_labour_indicators", "published_skills_demand",
    } <= set(SUITES)


@pytest.mark.parametrize("name", SUITES)
def test_suite_loads_and_follows_the_conventions(name):
    suite = load_suite(name)
    assert suite.name == name
    assert suite.meta["stage"] in ("staging", "published")
    assert suite.meta["description"]
    levels = {e.meta["level"] for e in suite.expectations}
    assert levels <= {"row", "batch"}
    for expectation in suite.expectations:
        if expectation.meta["level"] == "row":
            assert isinstance(expectation, MAP), expectation.expectation_type
    column_sets = [e for e in suite.expectations
                   if e.expectation_type == "expect_table_columns_to_match_set"]
    assert len(column_sets) == 1, "every suite states its columns"
    if suite.meta["stage"] == "published":
        # an audit passes or fails as a whole; extra columns may be added (additive contract)
        assert levels == {"batch"}
        assert column_sets[0].configuration.kwargs["exact_match"] is False
    else:
        assert column_sets[0].configuration.kwargs.get("exact_match", True) is True
    declared = set(column_sets[0].configuration.kwargs["column_set"])
    for expectation in suite.expectations:
        kwargs = expectation.configuration.kwargs
        used = [kwargs.get(k) for k in ("column", "column_A", "column_B") if kwargs.get(k)]
        used += list(kwargs.get("column_list") or [])
        assert set(used) <= declared, f"{name}: {expectation.expectation_type} {used}"


@pytest.mark.parametrize("name", SUITES)
def test_every_parameter_has_a_value_and_a_description(name):
    suite = load_suite(name)
    needed = suite_parameter_names(suite)
    resolved = resolve_params(suite.meta.get("param_defaults"), {"run_date": "2024-05-02"})
    assert needed <= set(resolved), needed - set(resolved)
    documented = set(suite.meta.get("params", {}))
    assert needed <= documented, needed - documented
    assert set(DERIVED) & needed <= documented


def test_reference_code_lists_come_from_the_shipped_classifications():
    params = reference_params()
    assert {"0110", "7212", "2", "25"} <= set(params["isco08_codes"])
    assert "9999" not in params["isco08_codes"]
    assert {"A", "01", "0111"} <= set(params["isic4_codes"])
    assert {"TN", "TN-11", "SN-DK", "MA"} <= set(params["region_codes"])
    assert {"TND", "EUR", "XOF"} <= set(params["currency_codes"])


def test_unknown_suite_lists_the_known_ones(tmp_path):
    (tmp_path / "alpha.json").write_text(json.dumps({"name": "alpha", "expectations": []}))
    with pytest.raises(SuiteError, match=r"'beta'.*known suites: alpha"):
        load_suite("beta", tmp_path)


def test_broken_suite_files_are_named(tmp_path):
    (tmp_path / "bad_json.json").write_text("{")
    with pytest.raises(SuiteError, match="bad_json.json: not valid JSON"):
        load_suite("bad_json", tmp_path)
    (tmp_path / "wrong_name.json").write_text(json.dumps({"name": "other", "expectations": []}))
    with pytest.raises(SuiteError, match="must equal the file name"):
        load_suite("wrong_name", tmp_path)
    (tmp_path / "unknown_type.json").write_text(json.dumps(
        {"name": "unknown_type", "expectations": [{"type": "expect_magic", "kwargs": {}}]}))
    with pytest.raises(SuiteError, match="unknown_type.json: not a valid Great Expectations"):
        load_suite("unknown_type", tmp_path)


def test_row_level_needs_an_expectation_that_names_rows(tmp_path):
    (tmp_path / "row_max.json").write_text(json.dumps({
        "name": "row_max",
        "expectations": [{"type": "expect_column_max_to_be_between",
                          "kwargs": {"column": "a", "max_value": 3}, "meta": {"level": "row"}}],
    }))
    with pytest.raises(SuiteError, match="cannot be row-level"):
        load_suite("row_max", tmp_path)


def test_level_defaults_from_the_expectation_kind(tmp_path):
    (tmp_path / "defaults.json").write_text(json.dumps({
        "name": "defaults",
        "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}},
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
        ],
    }))
    suite = load_suite("defaults", tmp_path)
    assert [e.meta["level"] for e in suite.expectations] == ["row", "batch"]


def test_loaded_suites_are_independent_copies():
    first = load_suite("staging_vacancies")
    first.expectations[0].meta["level"] = "changed"
    assert load_suite("staging_vacancies").expectations[0].meta["level"] == "batch"
