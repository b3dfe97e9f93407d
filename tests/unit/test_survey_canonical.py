"""Mapping files and canonical rows: the same survey in four layouts gives the same rows."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pycountry
import pytest
import yaml

from etl.sources.survey import SurveyReadError, read_submissions
from etl.sources.survey.canonical import (
    FIRM_COLUMNS,
    OCCUPATION_COLUMNS,
    REJECTED_COLUMNS,
    to_canonical,
)
from etl.sources.survey.mapping import load_mapping

SURVEY = Path(__file__).resolve().parents[1] / "fixtures" / "survey"
LAYOUTS = [
    ("kobo_skills_survey_repeat.xlsx", "demo_mapping.yml"),
    ("kobo_skills_survey_semicolon.csv", "kobo_csv_fixed_mapping.yml"),
    ("ona_skills_survey_flat_repeats.csv", "odk_mapping.yml"),
    ("odk_briefcase_skills_survey.csv", "odk_mapping.yml"),
]


def _canonical(export: str, mapping: str, **kwargs):
    return to_canonical(read_submissions(SURVEY / export), load_mapping(SURVEY / mapping), **kwargs)


def test_demo_mapping_codes_are_real_senegal_regions():
    mapping = load_mapping(SURVEY / "demo_mapping.yml")
    senegal = {s.code for s in pycountry.subdivisions.get(country_code="SN")}
    assert set(mapping.valid_regions) == senegal
    assert set(mapping.region_codes.values()) == senegal


def test_demo_layout_gives_firms_occupations_and_rejects():
    result = _canonical("kobo_skills_survey_repeat.xlsx", "demo_mapping.yml")
    assert list(result.firms.columns) == FIRM_COLUMNS
    assert list(result.occupations.columns) == OCCUPATION_COLUMNS
    assert list(result.rejected.columns) == REJECTED_COLUMNS
    assert result.duplicates == 1
    assert result.duplicate_ids == ["5b1e0c52-8f0d-4c4e-9a51-0c1f7d2a9e01"]
    firms = result.firms.set_index("firm_id")
    assert sorted(firms.index) == ["F001", "F002", "F003", "F004", "F005", "F007", "F008", "F009"]
    assert firms.loc["F002", ["isic4_section", "region_code", "size_band", "weight"]].tolist() == [
        "H",
        "SN-TH",
        "medium",
        4.0,
    ]
    assert firms.loc["F003", "size_band"] == "large"
    assert set(firms["wave"]) == {"2025"}
    # the re-sent F001 was loaded once, with its occupation rows once
    occ = result.occupations
    assert (occ["occupation_text"] == "Boulanger").sum() == 1
    assert len(occ) == 10
    baker = occ[occ["occupation_text"] == "Boulanger"].iloc[0]
    assert (baker["isco08"], baker["isco_confidence"], baker["vacancies"]) == ("7512", 1.0, 3)
    assert baker["skills_lacking"] == ["technical"]
    untitled = occ[occ["occupation_text"] == "Technicien réseau"].iloc[0]
    assert pd.isna(untitled["isco08"])  # no code and no classifier: unclassified, not guessed


def test_values_that_do_not_fit_are_rejected_with_reason():
    rejected = _canonical("kobo_skills_survey_repeat.xlsx", "demo_mapping.yml").rejected
    got = {(r.field, r.value, r.reject_reason) for r in rejected.itertuples()}
    assert ("region", "Keur Massar", "unknown region (not in valid_regions)") in got
    assert ("vacancies", "beaucoup", "not a number") in got
    assert ("hard_to_fill", "5", "hard_to_fill (5) > vacancies (3)") in got
    assert ("vacancies", "-2", "negative count") in got
    firm_rows = rejected[rejected["field"] == "firm"]
    assert firm_rows["source_row"].tolist() == ["kobo_skills_survey_repeat.xlsx!occupations row 11"]
    assert all(rejected["source_row"].str.startswith("kobo_skills_survey_repeat.xlsx!"))


def _comparable(result) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    firms = result.firms.drop(columns=["submitted_at", "survey_id"]).sort_values("firm_id")
    occ = result.occupations.drop(columns=["survey_id"]).copy()
    occ["skills_lacking"] = occ["skills_lacking"].map(tuple)
    occ = occ.drop(columns=["reasons"]).sort_values(["submission_id", "occupation_text"])
    rejects = sorted(
        (r.submission_id, r.field, r.value, r.reject_reason) for r in result.rejected.itertuples()
    )
    return firms.reset_index(drop=True), occ.reset_index(drop=True), rejects


def test_every_layout_gives_the_same_canonical_rows():
    results = [_canonical(e, m) for e, m in LAYOUTS]
    reference = _comparable(results[0])
    for (export, _), result in zip(LAYOUTS[1:], results[1:], strict=True):
        firms, occ, rejects = _comparable(result)
        pd.testing.assert_frame_equal(firms, reference[0], obj=export)
        pd.testing.assert_frame_equal(occ, reference[1], obj=export)
        assert rejects == reference[2], export
    # reasons exist in three layouts (not in the demo's), and agree there
    reasons = [r.occupations.set_index("occupation_text")["reasons"].to_dict() for r in results[1:]]
    assert reasons[0] == reasons[1] == reasons[2]
    assert reasons[0]["Chauffeur poids lourd"] == ["lack_experience", "low_pay"]


def test_latest_copy_of_a_duplicate_wins():
    # in the Kobo CSV the re-sent copy reached the server six minutes later
    firms = _canonical("kobo_skills_survey_semicolon.csv", "kobo_csv_fixed_mapping.yml").firms
    f001 = firms[firms["firm_id"] == "F001"]
    assert f001["submitted_at"].tolist() == ["2025-05-12T09:20:41+00:00"]


def test_classifier_is_asked_only_for_rows_without_a_valid_code():
    asked = []

    def classify(text: str) -> tuple[str | None, float]:
        asked.append(text)
        return "3513", 0.8

    occ = _canonical(
        "kobo_skills_survey_repeat.xlsx", "demo_mapping.yml", classify=classify
    ).occupations
    assert asked == ["Technicien réseau"]
    row = occ[occ["occupation_text"] == "Technicien réseau"].iloc[0]
    assert (row["isco08"], row["isco_confidence"]) == ("3513", 0.8)


def _mapping(tmp_path: Path, **changes) -> Path:
    data = yaml.safe_load((SURVEY / "demo_mapping.yml").read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "m.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_wave_from_a_question_and_sector_codes(tmp_path):
    mapping = _mapping(
        tmp_path,
        wave={"question": "firm/size"},  # any answered question will do for the test
        sector_codes={"C": "A"},
    )
    result = to_canonical(
        read_submissions(SURVEY / "kobo_skills_survey_repeat.xlsx"), load_mapping(mapping)
    )
    firms = result.firms.set_index("firm_id")
    assert firms.loc["F002", "wave"] == "50-249"
    assert firms.loc["F001", "isic4_section"] == "A"  # recoded
    assert firms.loc["F002", "isic4_section"] == "H"  # a section letter as it is
    assert set(result.occupations["wave"]) == set(result.firms["wave"])


def test_isic_codes_head_counts_and_bad_weights(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(
        "_uuid;firm/sector;firm/size;weight;occ/title;occ/vacancies\n"
        "u1;1071;7;2,5;Boulanger;1\n"
        "u2;10;120;0;Boulanger;1\n"
        "u3;boulangerie;abc;x;Boulanger;1\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "m.yml"
    mapping.write_text(
        "survey_id: t\nwave: '2025'\n"
        "firm: {sector: firm/sector, size: firm/size, weight: weight}\n"
        "occupations:\n  fixed:\n    - {occupation_text: occ/title, vacancies: occ/vacancies}\n",
        encoding="utf-8",
    )
    result = to_canonical(read_submissions(path), load_mapping(mapping))
    assert result.firms[
        ["submission_id", "isic4_section", "size_band", "weight"]
    ].values.tolist() == [
        ["u1", "C", "micro", 2.5],  # class 1071 is in manufacturing; 7 employees
    ]
    reasons = {(r.submission_id, r.field): r.reject_reason for r in result.rejected.itertuples()}
    assert reasons[("u2", "weight")] == "weight must be positive"
    assert reasons[("u3", "sector")] == "not an ISIC Rev.4 code and not in sector_codes"
    assert reasons[("u3", "size")].startswith("unknown size band")
    assert reasons[("u3", "weight")] == "weight is not a number"
    assert reasons[("u2", "firm")].startswith("firm rejected (weight")
    assert ("u2", "sector") not in reasons  # "10" is division 10 (food products)


def test_reader_problems_reach_rejected(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("_uuid,firm/region,occ/title\nu1,Dakar,Maçon\nu2,Dakar\n", encoding="utf-8")
    mapping = tmp_path / "m.yml"
    mapping.write_text(
        "survey_id: t\nwave: w\nfirm: {region: firm/region}\n"
        "occupations: {fixed: [{occupation_text: occ/title}]}\n",
        encoding="utf-8",
    )
    result = to_canonical(read_submissions(path), load_mapping(mapping))
    assert len(result.firms) == 1
    assert result.rejected["source_row"].tolist() == ["r.csv row 3"]
    assert result.rejected["reject_reason"].tolist() == ["row has 2 cells, header has 3"]


def test_bad_mapping_key_is_reported_with_path_and_line(tmp_path):
    bad = (
        (SURVEY / "demo_mapping.yml")
        .read_text(encoding="utf-8")
        .replace("    vacancies: vacancies", "    vacancy: vacancies")
    )
    path = tmp_path / "bad.yml"
    path.write_text(bad, encoding="utf-8")
    line = bad.splitlines().index("    vacancy: vacancies") + 1
    with pytest.raises(SurveyReadError) as info:
        load_mapping(path)
    message = str(info.value)
    assert str(path) in message
    assert f"occupations.fields.vacancy (line {line}): Extra inputs are not permitted" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("survey_id: t\nwave: w\nfirm: {}\noccupations: {repeat: r}\n", "'repeat' needs 'fields'"),
        ("survey_id: t\nwave: w\nfirm: {}\noccupations: {}\n", "either 'repeat'"),
        ("survey_id: T!\nwave: w\nfirm: {}\noccupations: {fixed: []}\n", "survey_id"),
        (
            "survey_id: t\nwave: {from_submitted_at: month}\nfirm: {}\noccupations: {fixed: []}\n",
            "wave",
        ),
        (
            "survey_id: t\nwave: w\nfirm: {}\noccupations: {fixed: [{vacancies: v}]}\n",
            "occupation_text or isco08",
        ),
        (
            "survey_id: t\nwave: w\nfirm: {}\noccupations: {fixed: []}\nsector_codes: {x: Z9}\n",
            "section letters",
        ),
        ("- a list\n", "top level"),
    ],
)
def test_mapping_validation(tmp_path, text, expected):
    path = tmp_path / "m.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SurveyReadError, match=expected):
        load_mapping(path)


def test_extract_survey_command(capsys):
    import argparse

    from etl.commands.extract_survey import add_extract_parser

    parser = argparse.ArgumentParser()
    add_extract_parser(parser.add_subparsers())
    args = parser.parse_args(["survey", str(SURVEY / "ona_skills_survey_flat_repeats.csv")])
    assert args.func(args) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 10
    assert set(lines[0]) == {"submission_id", "submitted_at", "answers", "repeats", "source_row"}
    assert lines[0]["repeats"]["occupations"][0]["skills_lacking"] == ["technical"]

    args = parser.parse_args(
        [
            "survey",
            str(SURVEY / "kobo_skills_survey_repeat.xlsx"),
            "--mapping",
            str(SURVEY / "demo_mapping.yml"),
        ]
    )
    assert args.func(args) == 0
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert len(records) == 10 + 2  # occupation rows + F007 and F008 with none loaded
    assert {r["region_code"] for r in records} == {"SN-DK", "SN-TH", "SN-DB", "SN-SL"}
    assert captured.err.count("rejected: ") == 5
    assert "1 duplicate submissions" in captured.err

    args = parser.parse_args(["survey", str(SURVEY / "missing.csv")])
    assert args.func(args) == 2
    assert "no such file" in capsys.readouterr().err
