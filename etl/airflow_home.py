"""The project's Airflow home: ``LMIS_HOME/airflow`` with SQLite metadata and ``dags/``.

Everything is set through an ``airflow.cfg`` written there (and the matching
environment), so that ``AIRFLOW_HOME=.lmis/airflow airflow …`` and ``lmis airflow …``
see the same DAG folder and metadata database. A production deployment uses its
own Airflow home (see deploy/).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from etl.settings import dags_dir, home_subdir

CONFIG_TEMPLATE = """\
# Written by the LMIS (etl/airflow_home.py) for the embedded demo set-up.
[core]
dags_folder = {dags}
load_examples = False
executor = LocalExecutor
parallelism = 4
max_active_tasks_per_dag = 4

[database]
sql_alchemy_conn = sqlite:///{db}

[logging]
base_log_folder = {logs}

[dag_processor]
refresh_interval = 30
"""


def airflow_home() -> Path:
    return home_subdir("airflow")


def airflow_env() -> dict[str, str]:
    """Environment variables that point Airflow at the project's home."""
    home = airflow_home()
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_dir()),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
    }


def configure() -> dict[str, str]:
    """Write airflow.cfg (if missing) and export the environment in this process."""
    home = airflow_home()
    cfg = home / "airflow.cfg"
    if not cfg.exists():
        cfg.write_text(CONFIG_TEMPLATE.format(dags=dags_dir(), db=home / "airflow.db",
                                              logs=home / "logs"), encoding="utf-8")
    env = airflow_env()
    os.environ.update(env)
    return env


def migrate_metadata() -> None:
    """``airflow db migrate`` in a subprocess (idempotent; quick when nothing changed)."""
    env = {**os.environ, **configure()}
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
