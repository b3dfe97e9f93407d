"""Estimates checked against values worked out by hand for a small weighted sample."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from etl.sources.survey.estimates import estimate

# firm, region, weight; occupation rows: (isco, vacancies, hard, filled, suitable, skills)
SAMPLE = [
    ("A", "R1", 2.0, [("1111", 4, 2, 2, 3, ["x"])]),
    ("B", "R1", 3.0, [("1111", 2, 1, 1, 1, []), ("2222", 6, None, None, None, [])]),
    ("C", "R1", 1.0, [("1111", 5, 5, 0, 0, ["y"])]),
    ("D", "R1", 4.0, [("1111", 1, 0, 1, 2, [])]),
    ("E", "R1", 2.0, [("1111", 3, 3, 1, 1, ["z"])]),
    ("F", "R2", 5.0, [("1111", 2, 2, 0, 0, ["x"])]),
    ("G", "R2", 1.0, []),  # answered, no vacancy
    ("H", "R3", 1.0, [("1111", 10, 10, 0, 0, [])]),
    ("I", "R3", 1.0, [("1111", 10, 0, 10, 5, [])]),
    ("J", "R3", 1.0, [("1111", 1, 0, 1, 1, [])]),
    ("K", "R3", 1.0, [("1111", 1, 0, 1, 1, [])]),
    ("L", "R3", 1.0, [("1111", 1, 1, 0, 0, ["x"])]),
]


@pytest.fixture
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    firms = pd.DataFrame(
        [
            {
                "survey_id": "s",
                "wave": "W1",
                "submission_id": f,
                "firm_id": f,
                "region_code": r,
                "isic4_section": "C",
                "size_band": "small",
                "weight": w,
            }
            for f, r, w, _ in SAMPLE
        ]
    )
    occupations = pd.DataFrame(
        [
            {
                "survey_id": "s",
                "wave": "W1",
                "submission_id": f,
                "isco08": isco,
                "vacancies": v,
                "hard_to_fill": h,
                "filled": fi,
                "applicants": None,
                "suitable_applicants": s,
                "skills_lacking": sk,
            }
            for f, _, _, occs in SAMPLE
            for isco, v, h, fi, s, sk in occs
        ]
    )
    for c in ("vacancies", "hard_to_fill", "filled", "applicants", "suitable_applicants"):
        occupations[c] = occupations[c].astype("Int64")
    return firms, occupations


def test_region_cells_match_hand_computation(frames):
    firms, occupations = frames
    out = estimate(firms, occupations, ["wave", "region_code"]).set_index("region_code")
    r1 = out.loc["R1"]
    assert r1["respondents"] == 5
    # Σ w·V over every answered vacancy count, including B's 2222 row: 8+6+18+5+4+6
    assert r1["vacancies"] == pytest.approx(47.0)
    assert r1["hard_to_fill"] == pytest.approx(18.0)  # 4+3+5+0+6
    # B's 2222 row has no hard-to-fill answer, so it is left out of the ratio: 18/29
    rate = 18 / 29
    assert r1["hard_to_fill_rate"] == pytest.approx(rate)
    assert r1["fill_rate"] == pytest.approx(13 / 29)  # 4+3+0+4+2
    assert r1["suitable_applicants_per_vacancy"] == pytest.approx(19 / 29)  # 6+3+0+8+2
    assert r1["skill_gap_share"] == pytest.approx(5 / 12)  # A, C, E weigh 2+1+2 of 12
    # linearised variance: z_i = w_i (H_i - R V_i), v = n/(n-1) Σ z_i² / X²
    z = [
        2 * (2 - 4 * rate),
        3 * (1 - 2 * rate),
        1 * (5 - 5 * rate),
        4 * (0 - 1 * rate),
        2 * (3 - 3 * rate),
    ]
    cv = math.sqrt(5 / 4 * sum(v * v for v in z) / 29**2) / rate
    assert r1["hard_to_fill_rate_cv"] == pytest.approx(cv)
    assert r1["hard_to_fill_rate_cv"] == pytest.approx(0.2515, abs=1e-4)
    assert bool(r1["is_reliable"])

    r2 = out.loc["R2"]  # G answered without vacancies: a respondent, 0 vacancies, no gap
    assert r2["respondents"] == 2
    assert r2["vacancies"] == pytest.approx(10.0)
    assert r2["hard_to_fill_rate"] == pytest.approx(1.0)
    assert r2["skill_gap_share"] == pytest.approx(5 / 6)
    assert not bool(r2["is_reliable"])  # too few respondents

    r3 = out.loc["R3"]  # enough respondents, but the rate is imprecise
    assert r3["respondents"] == 5
    rate3 = 11 / 23
    z3 = [10 - 10 * rate3, 0 - 10 * rate3, -rate3, -rate3, 1 - rate3]
    cv3 = math.sqrt(5 / 4 * sum(v * v for v in z3) / 23**2) / rate3
    assert r3["hard_to_fill_rate_cv"] == pytest.approx(cv3)
    assert r3["hard_to_fill_rate_cv"] > 0.3
    assert not bool(r3["is_reliable"])
    assert r3["fill_rate"] == pytest.approx(12 / 23)  # 0+10+1+1+0


def test_thresholds_are_parameters(frames):
    firms, occupations = frames
    out = estimate(firms, occupations, ["region_code"], min_respondents=2, max_cv=0.8)
    flags = dict(zip(out["region_code"], out["is_reliable"], strict=True))
    assert flags == {"R1": True, "R2": True, "R3": True}


def test_occupation_cells_count_only_firms_reporting_the_occupation(frames):
    firms, occupations = frames
    out = estimate(firms, occupations, ["region_code", "isco08"])
    cells = {
        (r, i): row
        for r, i, row in zip(out["region_code"], out["isco08"], out.to_dict("records"), strict=True)
    }
    assert cells[("R2", "1111")]["respondents"] == 1  # G reported no occupation
    b_only = cells[("R1", "2222")]
    assert b_only["respondents"] == 1
    assert b_only["vacancies"] == pytest.approx(18.0)
    assert math.isnan(b_only["hard_to_fill_rate"])  # never answered for this row
    assert not bool(b_only["is_reliable"])


def test_national_cell_and_firm_names_absent(frames):
    firms, occupations = frames
    firms = firms.assign(firm_name="secret")
    out = estimate(firms, occupations, [])
    assert len(out) == 1
    assert out.loc[0, "respondents"] == len(SAMPLE)
    assert "firm_name" not in out.columns and "firm_id" not in out.columns


def test_unknown_column_and_orphan_rows_are_errors(frames):
    firms, occupations = frames
    with pytest.raises(ValueError, match="cannot group by"):
        estimate(firms, occupations, ["province"])
    with pytest.raises(ValueError, match="no firm"):
        estimate(firms[firms["submission_id"] != "A"], occupations, ["region_code"])
