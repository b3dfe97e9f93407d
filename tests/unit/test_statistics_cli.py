"""``lmis extract sdmx PATH`` output, through the argparse wiring the extract command uses."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from etl.commands.extract_sdmx import add_extract_parser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _run(capsys, *argv: str) -> tuple[int, list[dict], str]:
    parser = argparse.ArgumentParser(prog="lmis extract")
    add_extract_parser(parser.add_subparsers(dest="kind"))
    args = parser.parse_args(["sdmx", *argv])
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_prints_one_json_object_per_observation(capsys):
    code, rows, err = _run(
        capsys, str(FIXTURES / "statistics" / "sdmx_ml_generic_DF_EMP_TEMP_SEX_OC2_NB_SEN.xml")
    )
    assert code == 0 and len(rows) == 5
    first = rows[0]
    for key in (
        "dataflow",
        "ref_area",
        "time_period",
        "obs_value",
        "obs_status",
        "sex",
        "oc2",
        "freq",
        "measure",
    ):
        assert key in first
    assert first["dataflow"] == "DF_EMP_TEMP_SEX_OC2_NB" and first["oc2"] == "OC2_ISCO08_25"
    nulls = [r for r in rows if r["obs_value"] is None]
    assert len(nulls) == 1 and nulls[0]["obs_status"] == "C"
    assert "5 observations, 0 rejected" in err


def test_rejected_rows_are_counted_on_stderr(capsys):
    code, rows, err = _run(
        capsys,
        str(FIXTURES / "statistics" / "sdmx_csv10_DF_EMP_TEMP_SEX_ECO_NB_SEN.csv"),
        "--rejected",
    )
    assert code == 0 and len(rows) == 6
    assert "4 rejected" in err and "non-numeric value 'n/a'" in err
    assert err.count('"reject_reason"') == 4
    assert all(isinstance(r["obs_value"], float) for r in rows)


def test_structure_message_yields_nothing_and_says_so(capsys):
    path = (
        FIXTURES / "ilostat" / "ILO_structure_codelists_CL_ECO_parentsandsiblings.sdmxml21.xml.gz"
    )
    code, rows, err = _run(capsys, str(path))
    assert code == 0 and rows == []
    assert "structure message" in err


def test_observatory_table_with_yaml_mapping(capsys, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "mapping:\n  sheet: 'Tableau 2.1'\n  skip_rows: 3\n  header_rows: 2\n"
        "  columns: {'Région': region, 'Sexe': sex}\n  indicator: UNE_RATE\n  ref_area: SEN\n",
        encoding="utf-8",
    )
    code, rows, _ = _run(
        capsys,
        str(FIXTURES / "statistics" / "observatoire_emploi_senegal_2024.xlsx"),
        "--mapping",
        str(mapping),
    )
    assert code == 0 and len(rows) == 12
    assert {r["region_code"] for r in rows} == {"SN-DK", "SN-SL", "SN-MT"}


def test_missing_file_is_a_clear_error(capsys, tmp_path):
    code, rows, err = _run(capsys, str(tmp_path / "nope.xml"))
    assert code == 2 and rows == [] and "nope.xml" in err
