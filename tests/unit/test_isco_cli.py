"""``lmis classify`` and ``lmis classify-eval`` end to end through the CLI parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.cli import main


def test_classify_titles_prints_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "Chauffeur PL", "zzzz qqqq"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["title"] for x in lines] == ["Chauffeur PL", "zzzz qqqq"]
    assert lines[0]["isco08"] == "8332" and lines[0]["method"] == "exact"
    assert lines[1]["isco08"] is None and lines[1]["method"] == "unclassified"
    assert set(lines[0]) == {"title", "isco08", "label", "confidence", "method"}


def test_classify_csv_streams_in_input_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "titles.csv"
    src.write_text("id,poste\n1,Comptable H/F\n2,\n3,Chauffeur PL\n", encoding="utf-8")
    assert main(["classify", "--input", str(src), "--column", "poste"]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["isco08"] for x in out] == ["2411", None, "8332"]


def test_classify_csv_missing_column_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "titles.csv"
    src.write_text("id,title\n1,Comptable\n", encoding="utf-8")
    assert main(["classify", "--input", str(src), "--column", "poste"]) == 2
    err = capsys.readouterr().err
    assert "poste" in err and str(src) in err


def test_classify_eval_reports_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify-eval", "--split", "test", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["titles"] >= 150
    for key in ("coverage", "accuracy_1digit", "accuracy_2digit", "accuracy_4digit"):
        assert 0.0 <= report[key] <= 1.0
    assert set(report["by_lang"]) == {"en", "fr"}
