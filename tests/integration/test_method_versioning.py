"""Re-publishing is reproducible, and the method version is the only knob on ratings.

The given warehouse of tests/unit/test_marts_skills_gap.py is published with the real
publish pipeline: twice on unchanged inputs (same tables; with the same run id the exports
are byte for byte the same), then with a copy of method.yml whose minimum evidence and
version are changed (ratings, their evidence and reliability and the method version change;
every indicator, count and every other table stay as they were).
"""

from __future__ import annotations

import importlib.util
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from etl.config.sources import PACKAGE_CONFIG_DIR
from etl.pipelines.context import RunContext
from etl.pipelines.publish import publish
from etl.publish.columns import published_tables
from etl.warehouse.connection import get_engine

_spec = importlib.util.spec_from_file_location(
    "given_marts", Path(__file__).parents[1] / "unit" / "test_marts_skills_gap.py")
given = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(given)

AS_OF = datetime(2026, 9, 30)
TABLES = [t for t in published_tables() if t != "dataset_metadata"]
# What the thresholds decide; everything else in a row is data.
RATING_COLUMNS = {"rating", "evidence", "shortage_signals", "surplus_signals", "is_reliable",
                  "method_version", "run_id", "on_shortage_list"}


def _ctx(url: str, config: Path, run_id: str) -> RunContext:
    return RunContext(run_id=run_id, warehouse_url=url, config_file=config,
                      data_interval_start=AS_OF - timedelta(days=1), data_interval_end=AS_OF)


def _snapshot(engine) -> dict[str, list[dict]]:
    out = {}
    with engine.connect() as conn:
        for name in TABLES:
            table = published_tables()[name]
            rows = [dict(r) for r in conn.execute(
                sa.text(f"select * from published.{name}")).mappings()]
            key = list(table.primary_key) or table.column_names
            out[name] = sorted(rows, key=lambda r, key=key: tuple(
                (r[k] is None, r[k] if r[k] is not None else 0) for k in key))
    return out


@pytest.fixture
def setup(tmp_path, lmis_home):
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    given.given_warehouse(url)
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    config = config_dir / "sources.yml"
    shutil.copy(PACKAGE_CONFIG_DIR / "demo_sources.yml", config)
    shutil.copy(PACKAGE_CONFIG_DIR / "method.yml", config_dir / "method.yml")
    yield {"url": url, "config": config, "method": config_dir / "method.yml",
           "engine": get_engine(url), "home": lmis_home}
    get_engine(url).dispose()
    get_engine.cache_clear()


def test_republishing_unchanged_inputs_gives_identical_tables(setup):
    engine = setup["engine"]
    publish(_ctx(setup["url"], setup["config"], "run-a"))
    first = _snapshot(engine)
    export_a = (setup["home"] / "exports" / "run-a")
    files_a = {p.name: p.read_bytes() for p in export_a.iterdir()}
    assert any(first[name] for name in TABLES)

    # The same run again (an Airflow retry or clear): byte-identical tables and exports,
    # dataset_metadata's refresh time aside.
    publish(_ctx(setup["url"], setup["config"], "run-a"))
    assert _snapshot(engine) == first
    files_again = {p.name: p.read_bytes()
                   for p in (setup["home"] / "exports" / "run-a").iterdir()}
    for name, data in files_a.items():
        if not name.startswith("dataset_metadata") and name != "datapackage.json":
            assert files_again[name] == data, name

    # A new run on the same inputs: the same rows and values; only the run id differs.
    publish(_ctx(setup["url"], setup["config"], "run-b"))
    second = _snapshot(engine)
    for name in TABLES:
        strip = [{k: v for k, v in r.items() if k != "run_id"} for r in first[name]]
        assert [{k: v for k, v in r.items() if k != "run_id"} for r in second[name]] == strip
    assert {r["run_id"] for r in second["skills_gap"]} == {"run-b"}


def test_changing_a_threshold_changes_ratings_and_version_only(setup):
    engine = setup["engine"]
    publish(_ctx(setup["url"], setup["config"], "before"))
    before = _snapshot(engine)

    method = yaml.safe_load(setup["method"].read_text(encoding="utf-8"))
    assert method["minimum_indicators"] == 2
    method["minimum_indicators"] = 1       # the minimum evidence for an assessment
    method["version"] = "2026.1-test-min-evidence-1"
    setup["method"].write_text(yaml.safe_dump(method), encoding="utf-8")
    publish(_ctx(setup["url"], setup["config"], "after"))
    after = _snapshot(engine)

    gap_before = {(r["quarter"], r["region_code"], r["isco08"]): r for r in before["skills_gap"]}
    gap_after = {(r["quarter"], r["region_code"], r["isco08"]): r for r in after["skills_gap"]}
    assert gap_before.keys() == gap_after.keys()
    # By hand: cooks (5120) in Dakar and nationally have one indicator, tightness 3 / 1 = 3.0
    # > 1.0, one shortage signal: no assessment with two indicators needed; with one needed,
    # net +1 < 2 -> balanced, and the evidence no longer says an indicator is missing.
    for area in ("SN-DK", "SN"):
        key = ("2026Q3", area, "5120")
        assert (gap_before[key]["rating"], gap_before[key]["is_reliable"]) == \
            ("no_assessment", False)
        assert (gap_after[key]["rating"], gap_after[key]["is_reliable"]) == ("balanced", True)
        assert gap_after[key]["evidence"] == \
            "tight: 3.00 new vacancies per registered jobseeker"
    # The others had two indicators or more (or none at all): their ratings stand.
    for key in (("2026Q3", "SN-DK", "2512"), ("2026Q3", "SN-DK", "7112"),
                ("2026Q3", "SN-DK", "4110"), ("2026Q3", "SN-DK", "51")):
        assert gap_after[key]["rating"] == gap_before[key]["rating"], key
    assert gap_after[("2026Q3", "SN-DK", "51")]["rating"] == "no_assessment"   # 0 indicators

    changed = set()
    for name in TABLES:
        assert len(after[name]) == len(before[name]), name
        for row in after[name]:
            if "method_version" in row:
                assert row["method_version"] == "2026.1-test-min-evidence-1", name
    # Every value that is data, not judgement, is unchanged.
    for key, row in gap_after.items():
        for column, value in row.items():
            if column not in RATING_COLUMNS and value != gap_before[key][column]:
                changed.add(column)
            if column == "rating" and value != gap_before[key][column]:
                changed.add("rating")
    assert changed == {"rating"}
    for name in ("vacancies_open", "labour_indicators", "skills_demand"):
        assert after[name] == before[name], name
    for name in ("opportunities", "returnees_summary"):
        strip = [{k: v for k, v in r.items() if k not in RATING_COLUMNS} for r in before[name]]
        assert [{k: v for k, v in r.items() if k not in RATING_COLUMNS}
                for r in after[name]] == strip, name
    for name in ("shortage_occupations", "surplus_occupations"):
        strip = [{k: v for k, v in r.items() if k not in RATING_COLUMNS} for r in before[name]]
        assert [{k: v for k, v in r.items() if k not in RATING_COLUMNS}
                for r in after[name]] == strip, name
