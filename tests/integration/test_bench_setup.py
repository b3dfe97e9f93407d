"""``lmis bench``'s setup runs in a process of its own, as Airflow runs those tasks.

The warehouse's initialisation and the demo's other sources (statistics, survey,
returnees) are loaded before the timed run. In the benchmark's own process they
left behind what only they use (the ESCO skills tagger the returnees' profiles are
tagged with, among others) for the whole vacancy run, and the sampled peak memory
counted it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.bench.run import FULL_END, bench_config, prepare_demo_dir, prepare_warehouse
from etl.normalise import skills
from etl.pipelines.context import RunContext


@pytest.mark.timeout(300)
def test_setup_loads_the_other_sources_without_building_their_models_here(
        tmp_path: Path, lmis_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMIS_PSEUDONYM_KEY", "bench-test-key-" + "0" * 32)
    # prepare_demo_dir sets LMIS_DEMO_DIR for this process and its children; set here
    # first, so that the test's end restores what other tests see.
    monkeypatch.setenv("LMIS_DEMO_DIR", str(tmp_path / "demo"))
    prepare_demo_dir(tmp_path)
    monkeypatch.setattr(skills, "_TAGGER", None)
    ctx = RunContext(run_id="bench_setup_test", dag_id="bench",
                     data_interval_start=datetime(2026, 6, 30), data_interval_end=FULL_END,
                     warehouse_url=f"duckdb:///{tmp_path / 'w.duckdb'}",
                     config_file=bench_config(tmp_path))

    prepare_warehouse(ctx)

    with ctx.engine.connect() as conn:
        profiles = conn.execute(sa.text("select count(*) from core.returnee_profiles")).scalar_one()
        skilled = conn.execute(sa.text(
            "select count(*) from core.returnee_profiles where skill_uris is not null")).scalar_one()
        observations = conn.execute(sa.text(
            "select count(*) from core.labour_observations")).scalar_one()
    assert profiles > 0 and skilled > 0 and observations > 0
    # The returnees' skills were tagged in the child: this process built no tagger.
    assert skills._TAGGER is None
