"""Scheduling semantics without a warehouse: intervals, due checks, drop-folder selection, pools,
and the DAGs' shape as the source configuration makes it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from etl.ops import dropfolder
from etl.ops.pools import pool_name, pools
from etl.ops.schedule import ScheduleError, fastest, intervals, is_due, next_run
from etl.settings import project_dir


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_backfill_intervals_follow_the_cron_and_the_end_is_inclusive() -> None:
    assert intervals("@quarterly", _utc(2025, 1, 1), _utc(2025, 6, 30)) == [
        (_utc(2025, 1, 1), _utc(2025, 4, 1)), (_utc(2025, 4, 1), _utc(2025, 7, 1))]
    assert len(intervals("@daily", _utc(2025, 1, 1), _utc(2025, 1, 3))) == 3
    # A range starting mid-interval begins with the next whole interval.
    assert intervals("@monthly", _utc(2025, 1, 15), _utc(2025, 2, 20)) == [
        (_utc(2025, 2, 1), _utc(2025, 3, 1))]
    with pytest.raises(ScheduleError):
        intervals("@daily", _utc(2025, 2, 1), _utc(2025, 1, 1))
    with pytest.raises(ScheduleError):
        intervals("every tuesday", _utc(2025, 1, 1), _utc(2025, 2, 1))


def test_a_source_runs_only_when_its_own_cron_fires_in_the_interval() -> None:
    assert is_due("@monthly", _utc(2025, 1, 31), _utc(2025, 2, 1))
    assert not is_due("@monthly", _utc(2025, 1, 30), _utc(2025, 1, 31))
    assert is_due("@daily", _utc(2025, 1, 30), _utc(2025, 1, 31))
    assert is_due("@monthly", None, None)  # ad hoc: always
    assert next_run("@quarterly", _utc(2025, 2, 10)) == _utc(2025, 4, 1)


def test_the_dag_runs_at_its_fastest_source() -> None:
    assert fastest(["@monthly", "@daily", "@quarterly"], "@weekly") == "@daily"
    assert fastest([], "@weekly") == "@weekly"
    assert fastest(["0 0 * * *", "0 6 * * *"], "@weekly") == "0 0 * * *"  # ties: first


def _file(folder: Path, name: str, when: datetime, body: bytes) -> Path:
    path = folder / name
    path.write_bytes(body)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def test_drop_folder_selection(tmp_path: Path) -> None:
    import hashlib

    old_loaded = _file(tmp_path, "a_2024.csv", _utc(2024, 11, 5), b"a")
    old_late = _file(tmp_path, "b_2024.csv", _utc(2024, 12, 5), b"b")
    inside = _file(tmp_path, "c_q1.csv", _utc(2025, 2, 10), b"c")
    after = _file(tmp_path, "d_q2.csv", _utc(2025, 5, 10), b"d")
    files = sorted(tmp_path.iterdir())
    loaded = {hashlib.sha256(b"a").hexdigest(), hashlib.sha256(b"c").hexdigest()}
    bounded = dropfolder.select(files, start=_utc(2025, 1, 1), end=_utc(2025, 4, 1),
                                loaded=loaded, bounded=True)
    # In the interval (even if loaded: a re-run reads it again), and late never-loaded files.
    assert bounded.chosen == [old_late, inside]
    assert {p for p, _ in bounded.left} == {old_loaded, after}
    assert "after this interval" in dict(bounded.left)[after]
    unbounded = dropfolder.select(files, start=_utc(2025, 1, 1), end=_utc(2025, 4, 1),
                                  loaded=loaded, bounded=False)
    assert unbounded.chosen == [old_late, inside, after]
    everything = dropfolder.select(files, start=None, end=None, loaded=loaded, bounded=True)
    assert everything.chosen == files
    view = dropfolder.link_folder(bounded, tmp_path / "view")
    assert sorted(p.name for p in view.iterdir()) == ["b_2024.csv", "c_q1.csv"]
    assert (view / "c_q1.csv").resolve() == inside.resolve()


def test_one_pool_per_web_host() -> None:
    defined = pools([
        {"name": "board_a", "kind": "jobboard", "start_url": "https://jobs.example.sn/offres"},
        {"name": "board_b", "kind": "jobboard", "start_url": "https://jobs.example.sn/b"},
        {"name": "pes_feed", "kind": "pes_api", "url": "https://api.anpej.sn/v1/offres"},
        {"name": "off", "kind": "jobboard", "start_url": "https://x.sn/", "enabled": False},
        {"name": "observatory", "kind": "statistics", "path": "/data"},
    ])
    assert set(defined) == {pool_name("jobs.example.sn"), pool_name("api.anpej.sn")}
    assert defined["lmis_host_jobs_example_sn"]["slots"] == 1
    assert "board_a, board_b" in defined["lmis_host_jobs_example_sn"]["description"]


PARSE = r"""
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(sys.argv[1])
out = {"errors": list(bag.import_errors), "dags": {}}
for dag_id, dag in bag.dags.items():
    out["dags"][dag_id] = {
        "timetable": type(dag.timetable).__name__,
        "expression": getattr(dag.timetable, "expression", None),
        "tasks": {t.task_id: t.pool for t in dag.tasks},
    }
print("@@" + json.dumps(out))
"""


def test_dags_take_their_shape_from_the_source_configuration(tmp_path: Path) -> None:
    import json

    import yaml

    demo = yaml.safe_load((project_dir() / "etl/config/demo_sources.yml").read_text("utf-8"))
    for source in demo["sources"]:
        if source["name"] == "board_b":
            source["enabled"] = False
        if source["name"] == "observatory":
            source["schedule"] = {"cron": "@quarterly", "expected_every_hours": 2400}
    config = tmp_path / "sources.yml"
    config.write_text(yaml.safe_dump(demo, allow_unicode=True), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "LMIS_"))}
    env.update({"LMIS_CONFIG": str(config), "AIRFLOW_HOME": str(tmp_path / "af"),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'none.db'}"})
    proc = subprocess.run([sys.executable, "-c", PARSE, str(project_dir() / "dags")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    parsed = json.loads(next(x for x in proc.stdout.splitlines() if x.startswith("@@"))[2:])
    assert parsed["errors"] == []
    vacancies = parsed["dags"]["lmis_vacancies"]
    assert vacancies["timetable"] == "CronDataIntervalTimetable"
    assert vacancies["tasks"]["ingest_board_a"] == "lmis_host_127_0_0_1"
    assert vacancies["tasks"]["ingest_pes_feed"] == "lmis_host_127_0_0_1"
    assert "ingest_board_b" not in vacancies["tasks"]
    assert "check_freshness" in vacancies["tasks"]
    observatory = parsed["dags"]["lmis_observatory"]
    assert observatory["expression"] == "0 0 1 */3 *"
    assert vacancies["expression"] == "0 0 * * *"
    assert observatory["tasks"]["ingest_observatory"] == "default_pool"
