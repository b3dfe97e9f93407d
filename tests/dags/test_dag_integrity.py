"""DAG integrity: every DAG imports with no connection, variable, network or database.

Parsing happens in a fresh interpreter whose sockets refuse to connect and whose
Airflow metadata database does not exist, so a DAG that reached for the network,
a connection, a Variable or the warehouse at import time would fail here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from etl.settings import dags_dir

EXPECTED = {"lmis_vacancies", "lmis_observatory", "lmis_employer_survey", "lmis_returnees",
            "lmis_publish"}

PARSE = r"""
import json, socket, sys
def refuse(*args, **kwargs):
    raise OSError("network access at DAG parse time")
socket.socket.connect = refuse
socket.create_connection = refuse
before = set(sys.modules)
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(sys.argv[1])
heavy = sorted(m for m in set(sys.modules) - before
               if m.split(".")[0] in {"pandas", "duckdb", "great_expectations", "psycopg",
                                      "requests", "sdmx", "sqlalchemy_utils"}
               or m.startswith(("etl.pipelines", "etl.validate", "etl.warehouse", "etl.sources")))
out = {"errors": {k: v for k, v in bag.import_errors.items()}, "dags": {}, "heavy": heavy}
for dag_id, dag in bag.dags.items():
    out["dags"][dag_id] = {
        "tags": sorted(dag.tags or []),
        "max_active_runs": dag.max_active_runs,
        "catchup": dag.catchup,
        "doc_md": bool(dag.doc_md),
        "start_tz": str(dag.start_date.tzinfo) if dag.start_date else None,
        "retries": {t.task_id: t.retries for t in dag.tasks},
        "exp_backoff": {t.task_id: bool(t.retry_exponential_backoff) for t in dag.tasks},
    }
print("@@" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("airflow_home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "LMIS_"))}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'absent' / 'airflow.db'}",
    })
    proc = subprocess.run([sys.executable, "-c", PARSE, str(dags_dir())], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("@@"))
    return json.loads(line[2:])


def test_every_dag_imports_without_errors(parsed: dict) -> None:
    assert parsed["errors"] == {}
    assert set(parsed["dags"]) >= EXPECTED


def test_dag_files_do_no_work_at_import(parsed: dict) -> None:
    assert parsed["heavy"] == [], "DAG files must import pipelines inside tasks"


def test_dags_follow_the_conventions(parsed: dict) -> None:
    for dag_id, info in parsed["dags"].items():
        assert "lmis" in info["tags"], dag_id
        assert len(info["tags"]) >= 2, dag_id
        assert info["max_active_runs"] == 1, dag_id
        assert info["doc_md"], f"{dag_id} has no docstring for doc_md"
        assert info["start_tz"] in {"UTC", "Timezone('UTC')", "utc"} or "UTC" in info["start_tz"]
        for task_id, retries in info["retries"].items():
            assert retries >= 2, f"{dag_id}.{task_id} retries {retries}"
            assert info["exp_backoff"][task_id], f"{dag_id}.{task_id} has no backoff"
