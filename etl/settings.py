"""Where the LMIS keeps its state on disk.

Everything a run produces (embedded warehouse, Airflow home, landed raw bytes,
exports, reports, Data Docs) lives under one folder, ``LMIS_HOME``, so that a
user can see, back up or delete it in one place. The default is ``.lmis/`` in
the working copy (git-ignored), found from this file's location so that it does
not depend on the current directory.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
REFERENCE_DIR = PACKAGE_DIR / "reference_data"


def project_dir() -> Path:
    """The working copy: holds ``warehouse_sql/``, ``expectations/`` and ``dags/``."""
    return Path(os.environ.get("LMIS_PROJECT_DIR", PROJECT_DIR)).resolve()


def lmis_home() -> Path:
    """The state folder, created on first use."""
    home = Path(os.environ.get("LMIS_HOME") or project_dir() / ".lmis").resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def home_subdir(name: str) -> Path:
    """A named folder inside LMIS_HOME (``raw``, ``exports``, ``reports``, ``airflow`` …)."""
    path = lmis_home() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def sql_dir() -> Path:
    return project_dir() / "warehouse_sql"


def expectations_dir() -> Path:
    return project_dir() / "expectations"


def dags_dir() -> Path:
    return project_dir() / "dags"
