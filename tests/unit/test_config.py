"""The source configuration is validated with errors that name the key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.config.sources import PACKAGE_CONFIG_DIR, ConfigError, load_config
from etl.warehouse.connection import airflow_connection_to_url, resolve_warehouse_url


def test_demo_configuration_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMIS_DEMO_BASE_URL", "http://127.0.0.1:9999")
    config = load_config(PACKAGE_CONFIG_DIR / "demo_sources.yml")
    assert config.country == "SN"
    assert config.source("board_a").start_url.startswith("http://127.0.0.1:9999/")
    assert {s.name for s in config.sources_of("jobboard")} == {"board_a", "board_b"}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_key_is_reported_with_its_path(tmp_path: Path) -> None:
    path = _write(tmp_path, """
country: SN
operator: {name: x, contact: y}
sources:
  - name: board
    kind: jobboard
    start_url: http://example.org/
    allowed_hosts: [example.org]
    detail_link_selector: a
    rate_per_secnd: 2
""")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "sources[0].rate_per_secnd" in str(info.value)
    assert str(path) in str(info.value)


def test_bad_value_is_reported_with_its_path(tmp_path: Path) -> None:
    path = _write(tmp_path, """
country: Senegal
operator: {name: x, contact: y}
sources: []
""")
    with pytest.raises(ConfigError, match="country"):
        load_config(path)


def test_missing_environment_variable_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, """
country: SN
operator: {name: x, contact: y}
sources:
  - {name: stats, kind: statistics, path: "${LMIS_NOT_SET_ANYWHERE}/drop"}
""")
    with pytest.raises(ConfigError, match="LMIS_NOT_SET_ANYWHERE"):
        load_config(path)


def test_warehouse_url_precedence(monkeypatch: pytest.MonkeyPatch, lmis_home: Path) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_LMIS_WAREHOUSE", raising=False)
    monkeypatch.delenv("AIRFLOW_HOME", raising=False)
    assert resolve_warehouse_url() == f"duckdb:///{lmis_home / 'warehouse.duckdb'}"
    monkeypatch.setenv("AIRFLOW_CONN_LMIS_WAREHOUSE", "postgres://u:p@db:5432/lmis")
    assert resolve_warehouse_url() == "postgresql+psycopg://u:p@db:5432/lmis"
    monkeypatch.setenv("LMIS_WAREHOUSE_URL", "duckdb:///elsewhere.duckdb")
    assert resolve_warehouse_url() == "duckdb:///elsewhere.duckdb"
    assert resolve_warehouse_url("postgresql://a@b/c") == "postgresql+psycopg://a@b/c"


def test_airflow_json_connection() -> None:
    url = airflow_connection_to_url(
        '{"conn_type": "postgres", "login": "lmis", "password": "s3cret", "host": "db", '
        '"port": 5433, "schema": "warehouse"}')
    assert url == "postgresql+psycopg://lmis:s3cret@db:5433/warehouse"
