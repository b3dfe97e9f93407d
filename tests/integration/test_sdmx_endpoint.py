"""fetch_sdmx against a real HTTP server on 127.0.0.1 acting as an SDMX REST endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from werkzeug import Response

from etl.sources.statistics import fetch_sdmx
from etl.sources.statistics.sdmx_fetch import SdmxQueryError

STATS = Path(__file__).resolve().parents[1] / "fixtures" / "statistics"
DATA = (STATS / "sdmx_ml_generic_DF_EMP_TEMP_SEX_OC2_NB_SEN.xml").read_bytes()
STRUCTURE = (STATS / "sdmx_structure_DF_EMP_TEMP_SEX_OC2_NB.xml").read_bytes()
FLOW = "ILO,DF_EMP_TEMP_SEX_OC2_NB,1.0"
KEY = "SEN.A..SEX_T+SEX_F."
DATA_PATH = "/rest/data/ILO,DF_EMP_TEMP_SEX_OC2_NB,1.0/SEN.A..SEX_T+SEX_F."
STRUCTURE_PATH = "/rest/dataflow/ILO/DF_EMP_TEMP_SEX_OC2_NB/1.0"


def _serve(httpserver):
    httpserver.expect_request(STRUCTURE_PATH, query_string={"references": "all"}).respond_with_data(
        STRUCTURE, content_type="application/vnd.sdmx.structure+xml; version=2.1"
    )
    httpserver.expect_request(
        DATA_PATH, query_string={"startPeriod": "2022", "endPeriod": "2023"}
    ).respond_with_data(DATA, content_type="application/vnd.sdmx.genericdata+xml; version=2.1")


def test_filtered_query_with_key_and_period(httpserver, tmp_path):
    _serve(httpserver)
    endpoint = httpserver.url_for("/rest")
    batch = fetch_sdmx(
        endpoint, FLOW, KEY, "2022", "2023", cache_dir=tmp_path / "cache", raw_dir=tmp_path / "raw"
    )

    data_requests = [r for r, _ in httpserver.log if r.path.startswith("/rest/data/")]
    assert len(data_requests) == 1
    request = data_requests[0]
    assert request.path == DATA_PATH
    assert request.args.to_dict() == {"startPeriod": "2022", "endPeriod": "2023"}
    assert "genericdata+xml" in request.headers["Accept"]
    assert request.headers["User-Agent"].startswith("reintegration-lmis/")

    assert len(batch.observations) == 5 and batch.rejected.empty
    assert set(batch.observations["indicator"]) == {"EMP_TEMP_SEX_OC2_NB"}
    assert batch.source_file.startswith(
        endpoint + "/data/ILO,DF_EMP_TEMP_SEX_OC2_NB,1.0/SEN.A..SEX_T+SEX_F.?"
    )
    assert batch.observations["source_row"].str.startswith(batch.source_file + "!").all()
    # read with the DSD: UNIT_MULT is an attribute, OC2 a dimension
    assert set(batch.observations["unit_mult"]) == {3}
    assert set(batch.observations["isco08"].dropna()) == {"25", "52", "01"}

    raw = list((tmp_path / "raw").glob("*.xml"))
    assert len(raw) == 1 and raw[0].read_bytes() == DATA
    meta = json.loads(raw[0].with_suffix(".json").read_text())
    assert meta["status"] == 200 and meta["url"] == batch.source_file


def test_structure_is_cached_between_runs(httpserver, tmp_path):
    _serve(httpserver)
    endpoint = httpserver.url_for("/rest")
    cache = tmp_path / "cache"
    fetch_sdmx(endpoint, FLOW, KEY, "2022", "2023", cache_dir=cache)
    with requests.Session() as session:
        fetch_sdmx(endpoint, FLOW, KEY, "2022", "2023", cache_dir=cache, session=session)
    paths = [r.path for r, _ in httpserver.log]
    assert paths.count(STRUCTURE_PATH) == 1  # second run used the cache
    assert paths.count(DATA_PATH) == 2
    assert len(list(cache.glob("structure_*.xml"))) == 1


def test_key_with_wrong_number_of_dimensions_is_refused_before_the_data_query(httpserver, tmp_path):
    _serve(httpserver)
    with pytest.raises(SdmxQueryError, match="5 dimensions"):
        fetch_sdmx(
            httpserver.url_for("/rest"), FLOW, "SEN.A.SEX_T", "2022", "2023", cache_dir=tmp_path
        )
    assert not [r for r, _ in httpserver.log if r.path.startswith("/rest/data/")]


@pytest.mark.parametrize("key", ["", "all", "....", " . . "])
def test_unfiltered_queries_are_refused_without_a_request(httpserver, key):
    with pytest.raises(SdmxQueryError, match="unfiltered"):
        fetch_sdmx(httpserver.url_for("/rest"), FLOW, key, "2022", "2023")
    assert httpserver.log == []


def test_no_results_is_an_empty_batch(httpserver):
    httpserver.expect_request(STRUCTURE_PATH).respond_with_data("", status=404)
    httpserver.expect_request(DATA_PATH).respond_with_data("NoResultsFound", status=404)
    batch = fetch_sdmx(httpserver.url_for("/rest"), FLOW, KEY, "2022", "2023")
    assert batch.observations.empty and batch.rejected.empty
    assert any("NoResultsFound" in m or "no results" in m for m in batch.messages)


def test_retries_after_503_honouring_retry_after(httpserver):
    httpserver.expect_request(STRUCTURE_PATH).respond_with_data("", status=404)
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        if calls["n"] == 1:
            return Response("busy", status=503, headers={"Retry-After": "0"})
        return Response(DATA, status=200, content_type="application/xml")

    httpserver.expect_request(DATA_PATH).respond_with_handler(handler)
    batch = fetch_sdmx(httpserver.url_for("/rest"), FLOW, KEY, "2022", "2023")
    assert calls["n"] == 2 and len(batch.observations) == 5


def test_server_error_names_the_url(httpserver):
    httpserver.expect_request(STRUCTURE_PATH).respond_with_data("", status=404)
    httpserver.expect_request(DATA_PATH).respond_with_data("Semantic error: bad key", status=400)
    with pytest.raises(SdmxQueryError, match=r"SEX_T\+SEX_F.*HTTP 400.*Semantic error"):
        fetch_sdmx(httpserver.url_for("/rest"), FLOW, KEY, "2022", "2023")
