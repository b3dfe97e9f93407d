"""Data Docs: GX's site builder writing into a folder of our choosing, cumulatively."""

from __future__ import annotations

import json

import pandas as pd

from etl.validate import build_data_docs, validate_frame
from etl.validate.datadocs import RESULTS_SUBDIR


def _returnees(key_char: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_key": [key_char * 64, "not-a-key"],
            "sex": ["F", "M"], "age_band": ["25-34", "35-44"], "return_date": [None, None],
            "destination_country": ["IT", "FR"], "isco08_abroad": ["7212", "5120"],
            "isco_confidence": [0.9, 0.7], "isco08_before": [None, None], "isced_level": [3, 2],
            "has_certificate": [True, False], "certificate_recognised": [None, None],
            "region_code": ["TN-11", "TN-21"], "wants_job": [True, True],
            "wants_training": [False, True], "wants_business": [False, False],
            "registered_at": pd.to_datetime(["2024-02-01", "2024-02-03"]),
        }
    )


def test_data_docs_index_lists_each_run_and_every_suite(tmp_path):
    params = {"run_date": "2024-05-02"}
    first = validate_frame(_returnees("a"), "staging_returnees", params=params,
                           source="pes_tunis", run_id="manual__2024-05-01")
    target = tmp_path / "data_docs"

    index = build_data_docs(target, [first])

    assert index == target / "index.html"
    html = index.read_text(encoding="utf-8")
    assert "staging_returnees" in html
    assert "manual__2024-05-01" in html
    assert (target / "expectations" / "published_skills_gap.html").exists()
    pages = list((target / "validations" / "staging_returnees").rglob("pes_tunis.html"))
    assert len(pages) == 1
    page = pages[0].read_text(encoding="utf-8")
    assert "person_key" in page and "not-a-key" in page

    # a second build from a saved JSON result adds to the site instead of replacing it
    second = validate_frame(_returnees("b"), "staging_returnees", params=params,
                            source="pes_sfax", run_id="manual__2024-05-02")
    saved = json.loads(json.dumps(second.gx_result.to_json_dict()))
    pages[0].write_text("rendered by the first build", encoding="utf-8")
    build_data_docs(target, [saved])
    html = index.read_text(encoding="utf-8")
    assert "manual__2024-05-01" in html and "manual__2024-05-02" in html
    # only the new result's page is rendered; the first one's is left as it was
    assert pages[0].read_text(encoding="utf-8") == "rendered by the first build"
    new_pages = list((target / "validations" / "staging_returnees").rglob("pes_sfax.html"))
    assert len(new_pages) == 1 and "not-a-key" in new_pages[0].read_text(encoding="utf-8")
    assert len(list((target / RESULTS_SUBDIR).rglob("*.json"))) == 2

    # rebuilding the same result does not duplicate it
    build_data_docs(target, [first])
    assert len(list((target / RESULTS_SUBDIR).rglob("*.json"))) == 2
