"""Readers of survey exports, on the real Kobo export and the four layout fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from etl.sources.survey import SurveyReadError, read_submissions
from etl.sources.survey.headers import demangle_r, normalise_headers, split_flat_repeat
from etl.sources.survey.tables import detect_delimiter
from etl.sources.survey.values import split_choices

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SURVEY = FIXTURES / "survey"
REAL_KOBO = FIXTURES / "kobo" / "reach_iraq_mosul_water_livelihoods_kobo_export_via_R.xlsx"
FIRST_UUID = "5b1e0c52-8f0d-4c4e-9a51-0c1f7d2a9e01"


@pytest.fixture(scope="module")
def real() -> list:
    return read_submissions(REAL_KOBO)


def test_real_kobo_export_parses_into_632_submissions(real):
    assert len(real) == 632
    assert real.format == "kobo-via-r-xlsx"
    assert len({s.submission_id for s in real}) == 632
    assert real.problems == []
    first = real[0]
    assert first.submission_id == "dcf2753a-6ea2-40f5-b493-3527931ef96c"  # from X_uuid
    assert first.submitted_at == "2021-07-05T09:34:15+00:00"  # X_submission_time is UTC
    assert first.source_row.endswith("!Sheet1 row 2")
    # "X.U.FEFF.start" is the BOM-mangled "start" question
    assert first.answers["start"] == "2021-07-05T10:58:34.147+03:00"
    assert not any(k.startswith(("X.", "X_")) for s in real for k in s.answers)
    assert first.meta["_id"] == 190999135


def test_real_kobo_select_multiple_columns_fold_into_lists(real):
    first = real[0]
    # summary "loans support", with 18 question.option True/False columns beside it
    assert first.answers["primary_livelihood"] == ["loans", "support"]
    assert "primary_livelihood/loans" not in first.answers
    assert first.answers["primary_livelihood_other"] is None  # a text question, untouched
    lists = {k for s in real for k, v in s.answers.items() if isinstance(v, list)}
    assert len(lists) == 19
    # every list agrees with the option flags R kept in the sheet
    wb = openpyxl.load_workbook(REAL_KOBO, read_only=True)
    header, row = list(wb.worksheets[0].iter_rows(max_row=2, values_only=True))
    flags = {
        h.split(".", 1)[1]
        for h, v in zip(header, row, strict=True)
        if h.startswith("water_supply_other_neighbourhoods_how.") and v is True
    }
    assert set(first.answers["water_supply_other_neighbourhoods_how"]) == flags


def test_r_header_demangling():
    assert demangle_r("X_uuid") == "_uuid"
    assert demangle_r("X__version__") == "__version__"
    assert demangle_r("X.U.FEFF.start") == "start"
    assert demangle_r("firm.region") == "firm/region"
    headers, dialect = normalise_headers(["X.U.FEFF.start", "firm.name", "X_uuid"])
    assert (headers, dialect) == (["start", "firm/name", "_uuid"], "r")
    # a Kobo export with '/' is never taken for R output, even with dots in names
    assert normalise_headers(["a.b", "grp/q", "_uuid"]) == (["a.b", "grp/q", "_uuid"], "kobo")


def test_flat_repeat_headers():
    assert split_flat_repeat("children[2]/childs_name") == ("children", 2, "childs_name")
    assert split_flat_repeat("hh/members[1]/hh/members/age") == ("hh/members", 1, "age")
    assert split_flat_repeat("a[1]/b[3]/c") == ("a", 1, "b[3]/c")
    assert split_flat_repeat("firm/name") is None


@pytest.mark.parametrize(
    ("name", "fmt", "count"),
    [
        ("kobo_skills_survey_repeat.xlsx", "kobo-xlsx", 10),
        ("kobo_skills_survey_semicolon.csv", "kobo-csv", 10),
        ("ona_skills_survey_flat_repeats.csv", "ona-csv", 10),
        ("odk_briefcase_skills_survey.csv", "odk-briefcase-csv", 9),
    ],
)
def test_fixture_layouts(name, fmt, count):
    subs = read_submissions(SURVEY / name)
    assert subs.format == fmt
    assert len(subs) == count  # the duplicate submission is kept by the reader
    assert subs.problems == []
    first = subs[0]
    assert first.submission_id == FIRST_UUID  # "uuid:" prefix dropped where present
    assert first.answers["firm/region"] == "Dakar"
    assert first.answers["firm/name"] == "Boulangerie Ndiaye & Fils"
    assert not any(k.startswith("_") or k in ("KEY", "SubmissionDate") for k in first.answers)


@pytest.mark.parametrize(
    "name",
    [
        "kobo_skills_survey_repeat.xlsx",
        "ona_skills_survey_flat_repeats.csv",
        "odk_briefcase_skills_survey.csv",
    ],
)
def test_repeats_are_attached_to_their_submission(name):
    subs = read_submissions(SURVEY / name)
    by_firm = {s.answers["firm/id"]: s for s in reversed(subs)}  # first copy wins
    occs = by_firm["F002"].repeats["occupations"]
    assert [o["occ_title"] for o in occs] == ["Chauffeur poids lourd", "Mécanicien automobile"]
    # Briefcase writes select-multiple as plain text: without the form it cannot be told
    # from a text answer, so it stays text here and the mapping's list fields split it
    assert sorted(split_choices(occs[0]["skills_lacking"])) == ["languages", "technical"]
    assert str(occs[0]["vacancies"]) == "5"
    assert by_firm["F008"].repeats.get("occupations", []) == []  # Ona's n/a padding is no row
    assert len(by_firm["F007"].repeats["occupations"]) == 3
    sources = by_firm["F002"].repeat_source_rows["occupations"]
    assert len(sources) == 2 and all(s for s in sources)


def test_kobo_csv_semicolon_quoted_select_multiple():
    subs = read_submissions(SURVEY / "kobo_skills_survey_semicolon.csv")
    first = subs[0]
    assert first.answers["occ1/skills_lacking"] == ["technical"]
    assert first.answers["occ2/skills_lacking"] == []  # summary empty, options all 0
    assert "occ1/skills_lacking/technical" not in first.answers
    assert first.answers["occ3/title"] is None
    assert first.submitted_at == "2025-05-12T09:14:03+00:00"
    assert subs[-1].submission_id == FIRST_UUID and subs[-1].meta["_id"] == "280010"


def test_briefcase_submission_date_and_repeat_file_rows():
    subs = read_submissions(SURVEY / "odk_briefcase_skills_survey.csv")
    assert subs[0].submitted_at == "2025-05-12T09:14:03"  # locale time, zone unknown
    assert subs[0].repeat_source_rows["occupations"] == [
        "odk_briefcase_skills_survey-occupations.csv row 2",
        "odk_briefcase_skills_survey-occupations.csv row 3",
    ]
    with pytest.raises(SurveyReadError, match="PARENT_KEY"):
        read_submissions(SURVEY / "odk_briefcase_skills_survey-occupations.csv")


def test_encoding_and_delimiter_are_detected(tmp_path):
    text = (SURVEY / "kobo_skills_survey_semicolon.csv").read_text(encoding="utf-8")
    for encoding, name in (("cp1252", "excel.csv"), ("utf-8-sig", "bom.csv")):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        subs = read_submissions(path)
        assert subs[1].answers["firm/region"] == "Thiès"
        assert subs[0].answers["firm/name"] == "Boulangerie Ndiaye & Fils"
    tab = tmp_path / "tab.csv"
    tab.write_text(text.replace('";"', '"\t"'), encoding="utf-8")
    assert read_submissions(tab)[2].answers["firm/name"] == "Hôtel Teranga"
    assert detect_delimiter("a,b,c;d\n1,2,3;4\n5,6,7;8\n") == ","
    assert detect_delimiter('"a;b";"c"\n"1";"2"\n') == ";"


def test_hxl_row_ragged_row_and_generic_csv(tmp_path):
    path = tmp_path / "paper.csv"
    path.write_text(
        "firm/name,firm/region,vacancies\n#org,#adm1,#indicator\nA,Dakar,3\nB,Thiès,1,9\n"
        "A,Dakar,3\n",
        encoding="utf-8",
    )
    subs = read_submissions(path)
    assert subs.format == "generic-csv"
    assert [s.answers["firm/name"] for s in subs] == ["A", "A"]
    # no id column: identical rows get the same content id (so they count as duplicates)
    assert subs[0].submission_id == subs[1].submission_id
    assert subs[0].submission_id.startswith("sha1:")
    assert [(p.source_row, p.reason) for p in subs.problems] == [
        ("paper.csv row 4", "row has 4 cells, header has 3")
    ]


def _workbook(path: Path, main_rows: list[list], repeat_rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    main = wb.active
    main.title = "main"
    for row in [["firm/name", "_uuid", "_index"], *main_rows]:
        main.append(row)
    rep = wb.create_sheet("occupations")
    for row in [
        [
            "occupations/occ_title",
            "_index",
            "_parent_table_name",
            "_parent_index",
            "_submission__uuid",
        ],
        *repeat_rows,
    ]:
        rep.append(row)
    notes = wb.create_sheet("notes")
    notes.append(["comment"])
    notes.append(["enumerator notes, not a repeat"])
    wb.save(path)
    return path


def test_orphan_and_mismatched_repeat_rows_are_problems(tmp_path):
    path = _workbook(
        tmp_path / "k.xlsx",
        [["A", "u-1", 1], ["B", "u-2", 2]],
        [
            ["ok", 1, "main", 1, "u-1"],
            ["orphan", 2, "main", 7, None],
            ["mismatch", 3, "main", 2, "u-1"],
            ["by uuid", 4, "main", None, "u-2"],
        ],
    )
    subs = read_submissions(path)
    assert [o["occ_title"] for o in subs[0].repeats["occupations"]] == ["ok"]
    assert [o["occ_title"] for o in subs[1].repeats["occupations"]] == ["by uuid"]
    reasons = {p.source_row: p.reason for p in subs.problems}
    assert set(reasons) == {"k.xlsx!occupations row 3", "k.xlsx!occupations row 4"}
    assert "matches no _index" in reasons["k.xlsx!occupations row 3"]
    assert "but _submission__uuid is u-1" in reasons["k.xlsx!occupations row 4"]
    assert any("k.xlsx!notes: sheet not read" in w for w in subs.warnings)


def test_nested_repeat_goes_inside_its_parent_row(tmp_path):
    path = _workbook(tmp_path / "n.xlsx", [["A", "u-1", 1]], [["welder", 1, "main", 1, "u-1"]])
    wb = openpyxl.load_workbook(path)
    skills = wb.create_sheet("skills")
    skills.append(
        [
            "occupations/skills/skill",
            "_index",
            "_parent_table_name",
            "_parent_index",
            "_submission__uuid",
        ]
    )
    skills.append(["TIG welding", 1, "occupations", 1, "u-1"])
    wb.save(path)
    sub = read_submissions(path)[0]
    assert sub.repeats["occupations"] == [
        {"occ_title": "welder", "skills": [{"skill": "TIG welding"}]}
    ]


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(SurveyReadError, match="no such file"):
        read_submissions(tmp_path / "absent.csv")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(SurveyReadError, match="broken.xlsx"):
        read_submissions(broken)
    copy = tmp_path / "copy.csv"
    shutil.copy(SURVEY / "ona_skills_survey_flat_repeats.csv", copy)
    assert len(read_submissions(copy)) == 10
