"""The digest of a derived table's inputs: same rows in any order agree; any change differs."""

from __future__ import annotations

import pandas as pd

from etl.warehouse.fingerprints import inputs_fingerprint

FIRMS = pd.DataFrame({"submission_id": ["a", "b", "c"], "weight": [1.5, 2.0, None],
                      "region_code": ["SN-DK", None, "SN-TH"]})
SETTINGS = {"survey": {"min_respondents": 3, "max_cv": 0.3}, "country": "SN"}


def digest(frame: pd.DataFrame = FIRMS, settings: dict = SETTINGS) -> str:
    return inputs_fingerprint({"firms": frame}, settings)


def test_row_order_does_not_matter() -> None:
    assert digest(FIRMS.iloc[::-1]) == digest()


def test_a_changed_value_a_lost_row_or_a_repeated_row_changes_it() -> None:
    changed = FIRMS.copy()
    changed.loc[1, "weight"] = 2.5
    repeated = pd.concat([FIRMS, FIRMS.iloc[[0]]], ignore_index=True)
    digests = {digest(), digest(changed), digest(FIRMS.iloc[:2]), digest(repeated)}
    assert len(digests) == 4


def test_settings_and_column_names_count() -> None:
    stricter = {**SETTINGS, "survey": {"min_respondents": 5, "max_cv": 0.3}}
    renamed = FIRMS.rename(columns={"weight": "w"})
    assert len({digest(), digest(settings=stricter), digest(renamed)}) == 3


def test_which_input_a_frame_is_counts() -> None:
    empty = FIRMS.iloc[:0]
    assert (inputs_fingerprint({"firms": FIRMS, "occupations": empty}, SETTINGS)
            != inputs_fingerprint({"firms": empty, "occupations": FIRMS}, SETTINGS))
