"""Exports after publishing: every published table as CSV and Parquet, and a datapackage.json
whose resources and fields match the files (read back here), written atomically.

A small warehouse with given rows (the ones of tests/unit/test_marts_skills_gap.py) is
published with the real publish pipeline (build, audit, swap, metadata, exports).
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import os
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from etl.cli import main as lmis
from etl.config.sources import PACKAGE_CONFIG_DIR
from etl.pipelines.context import RunContext
from etl.pipelines.publish import publish
from etl.publish.columns import published_tables
from etl.publish.dictionary import dictionary_path, render_dictionary
from etl.publish.exports import ExportError, export_published, warehouse_columns
from etl.warehouse.connection import get_engine
from etl.warehouse.setup import init_warehouse

_spec = importlib.util.spec_from_file_location(
    "given_marts", Path(__file__).parents[1] / "unit" / "test_marts_skills_gap.py")
given = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(given)

AS_OF = datetime(2026, 9, 30)
# information_schema.data_type of each documented type, DuckDB and PostgreSQL spellings.
SQL_TYPES = {
    "string": {"VARCHAR", "character varying", "text"},
    "integer": {"BIGINT", "INTEGER", "bigint", "integer"},
    "number": {"DOUBLE", "double precision"},
    "boolean": {"BOOLEAN", "boolean"},
    "date": {"DATE", "date"},
    "datetime": {"TIMESTAMP", "timestamp without time zone"},
}
ARROW_TYPES = {"string": "string", "integer": "int64", "number": "double", "boolean": "bool",
               "date": "date32[day]", "datetime": "timestamp[us]"}


def run_context(url: str, run_id: str) -> RunContext:
    return RunContext(run_id=run_id, warehouse_url=url,
                      config_file=PACKAGE_CONFIG_DIR / "demo_sources.yml",
                      data_interval_start=AS_OF - timedelta(days=1), data_interval_end=AS_OF)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """Published once for the module (publishing takes seconds); tests that change the
    warehouse or the exports put them back, and read the first release by its folder."""
    tmp = tmp_path_factory.mktemp("exports")
    home = tmp / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LMIS_HOME", str(home))
        mp.delenv("LMIS_WAREHOUSE_URL", raising=False)
        mp.delenv("LMIS_CONFIG", raising=False)
        url = f"duckdb:///{tmp / 'warehouse.duckdb'}"
        given.given_warehouse(url)
        result = publish(run_context(url, "scheduled__2026-09-30T00:00:00+00:00"))
        first = (home / "exports" / "latest").resolve()
        yield {"url": url, "engine": get_engine(url), "home": home, "result": result,
               "first": first}
    get_engine(url).dispose()
    get_engine.cache_clear()


def _db_rows(engine, name: str) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(f"select * from published.{name}"))
                .mappings()]


def _typed(value: str, field_type: str):
    """A CSV cell read back by its Frictionless type."""
    if value == "":
        return None
    return {"integer": int, "number": float, "boolean": lambda v: {"true": True,
            "false": False}[v], "date": date.fromisoformat,
            "datetime": lambda v: datetime.fromisoformat(v.removesuffix("Z"))}.get(
                field_type, str)(value)


def test_every_published_table_is_exported_and_described(published):
    exports = published["home"] / "exports"
    folder = published["first"]
    assert folder.parent == exports.resolve()
    assert folder.name == "scheduled__2026-09-30T00-00-00-00-00"     # run id made file-safe
    assert not [p for p in exports.iterdir() if p.name.startswith(".")]  # no temp folders left
    assert (exports / "latest").is_symlink() or (exports / "latest").is_dir()

    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    tables = published_tables()
    assert package["name"] and package["version"] == folder.name
    by_path = {r["path"]: r for r in package["resources"]}
    expected_files = {f"{t}.{ext}" for t in tables for ext in ("csv", "parquet")}
    assert set(by_path) == expected_files
    assert {p.name for p in folder.iterdir()} == expected_files | {"datapackage.json"}
    assert len({r["name"] for r in package["resources"]}) == len(package["resources"])

    engine = published["engine"]
    for name, table in tables.items():
        db_rows = _db_rows(engine, name)
        if name not in ("dataset_metadata",):
            assert len(db_rows) == published["result"].row_counts[name]
        for path in (f"{name}.csv", f"{name}.parquet"):
            resource = by_path[path]
            data = (folder / path).read_bytes()
            assert resource["bytes"] == len(data)
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            fields = resource["schema"]["fields"]
            assert [f["name"] for f in fields] == table.column_names
            assert all(f["description"] and f["type"] for f in fields)
            assert resource["schema"].get("primaryKey", []) == list(table.primary_key)

        fields = by_path[f"{name}.csv"]["schema"]["fields"]
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            csv_rows = [dict(zip(header, (_typed(v, f["type"]) for v, f in
                                           zip(row, fields, strict=True)), strict=True))
                        for row in reader]
        assert header == [f["name"] for f in fields]

        parquet = pq.read_table(folder / f"{name}.parquet")
        assert parquet.schema.names == [f["name"] for f in fields]
        assert [str(parquet.schema.field(f["name"]).type) for f in fields] == \
            [ARROW_TYPES[f["type"]] for f in fields]
        parquet_rows = parquet.to_pylist()

        # The files hold exactly the table's rows and values.
        def canon(rows, table=table):
            return sorted(tuple((r[c] is None, r[c] if r[c] is not None else 0)
                                 for c in table.column_names) for r in rows)
        db_typed = [{c: (float(v) if f["type"] == "number" and v is not None else v)
                     for (c, v), f in zip(r.items(), fields, strict=True)} for r in db_rows]
        assert canon(csv_rows) == canon(db_typed), name
        assert canon(parquet_rows) == canon(db_typed), name

        key = list(table.primary_key)
        if key:   # the declared primary key holds in the data
            keys = [tuple(r[k] for k in key) for r in csv_rows]
            assert len(set(keys)) == len(keys) and all(None not in k for k in keys), name


def test_exports_show_the_published_content(published):
    folder = published["first"]
    with (folder / "skills_gap.csv").open(encoding="utf-8", newline="") as fh:
        rows = {(r["quarter"], r["region_code"], r["isco08"]): r for r in csv.DictReader(fh)}
    assert rows[("2026Q3", "SN-DK", "7112")]["rating"] == "surplus"
    assert rows[("2026Q3", "SN-DK", "2512")]["returnees_registered"] == ""
    assert rows[("2026Q3", "SN-DK", "2512")]["is_returnees_suppressed"] == "true"
    meta = pq.read_table(folder / "dataset_metadata.parquet").to_pylist()
    assert {m["table_name"] for m in meta} == set(published_tables()) - {"dataset_metadata"}
    assert {m["run_id"] for m in meta} == {"scheduled__2026-09-30T00:00:00+00:00"}


def test_release_is_atomic_and_latest_moves(published):
    engine, exports = published["engine"], published["home"] / "exports"
    second = export_published(engine, "r2")
    assert (exports / "latest").resolve() == second.resolve() and published["first"].is_dir()
    before = sorted(p.name for p in exports.iterdir())

    # A published table that no longer matches its documentation: no release, latest kept.
    with engine.begin() as conn:
        conn.execute(sa.text("alter table published.opportunities add column surprise varchar"))
    try:
        with pytest.raises(ExportError,
                           match=r"published.opportunities.*not documented: surprise"):
            export_published(engine, "r3")
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("alter table published.opportunities drop column surprise"))
    assert sorted(p.name for p in exports.iterdir()) == before
    assert (exports / "latest").resolve() == second.resolve()


def test_latest_is_a_folder_where_symlinks_are_refused(published, monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise OSError("symbolic links are not allowed here")

    monkeypatch.setattr(os, "symlink", refuse)
    target = tmp_path / "exports"
    export_published(published["engine"], "a", target=target)
    export_published(published["engine"], "b", target=target)
    latest = target / "latest"
    assert latest.is_dir() and not latest.is_symlink()
    assert json.loads((latest / "datapackage.json").read_text())["version"] == "b"
    assert sorted(p.name for p in target.iterdir()) == ["a", "b", "latest"]


def test_reexport_of_unchanged_tables_is_byte_identical(published, tmp_path):
    a = export_published(published["engine"], "same", target=tmp_path / "x")
    b = export_published(published["engine"], "same", target=tmp_path / "y")
    for path in sorted(a.iterdir()):
        assert path.read_bytes() == (b / path.name).read_bytes(), path.name


def test_cli_export(published, capsys):
    code = lmis(["export", "--warehouse", published["url"], "--release", "from-cli"])
    assert code == 0
    assert "from-cli" in capsys.readouterr().out
    assert (published["home"] / "exports" / "latest").resolve().name == "from-cli"


@pytest.mark.parametrize("engine_name", ["duckdb", "postgresql"])
def test_columns_file_matches_the_migrated_tables(engine_name, request, tmp_path):
    url = (f"duckdb:///{tmp_path / 'w.duckdb'}" if engine_name == "duckdb"
           else request.getfixturevalue("pg_url"))
    engine = get_engine(url)
    init_warehouse(engine, "SN")
    with engine.connect() as conn:
        documented = set(published_tables())
        actual = {r[0] for r in conn.execute(sa.text(
            "select table_name from information_schema.tables "
            "where table_schema = 'published'"))}
        assert actual == documented
        for name, table in published_tables().items():
            columns = warehouse_columns(conn, name)
            assert [c for c, _ in columns] == table.column_names, name
            for (column, sql_type), documented_col in zip(columns, table.columns, strict=True):
                assert sql_type in SQL_TYPES[documented_col.type], (name, column, sql_type)
    engine.dispose()
    get_engine.cache_clear()


def test_data_dictionary_is_generated_from_the_columns_file():
    text = render_dictionary()
    assert dictionary_path().read_text(encoding="utf-8") == text, \
        "docs/data_dictionary.md is out of date: run `lmis dictionary`"
    for name, table in published_tables().items():
        assert f"## {name}" in text
        for column in table.columns:
            assert f"| `{column.name}` | {column.type} |" in text


@pytest.mark.parametrize("engine_name", ["duckdb", "postgresql"])
def test_rows_stream_in_python_order_on_both_engines(engine_name, request, tmp_path):
    """Exports are read in batches ordered by the warehouse; the order must be Python's
    (code points, nulls last) on both engines, or the files would differ between them
    (a linguistic collation puts 'ab' before 'AB' and 'é' before 'Zz')."""
    from etl.publish.exports import iter_published

    url = (f"duckdb:///{tmp_path / 'order.duckdb'}" if engine_name == "duckdb"
           else request.getfixturevalue("pg_url"))
    engine = sa.create_engine(url)
    names = ["ad", "a-c", "ab", "AB", "Zz", "é", "e", "a b", "a_c", "10", "9"]
    # On PostgreSQL the column gets a linguistic collation (ICU, as many servers default
    # to), under which 'AB' follows 'ab' and 'é' precedes 'Zz'.
    collate = ' collate "und-x-icu"' if engine_name == "postgresql" else ""
    with engine.begin() as conn:
        conn.execute(sa.text("create schema if not exists published"))
        conn.execute(sa.text("drop table if exists published.dataset_metadata"))
        conn.execute(sa.text(
            f"create table published.dataset_metadata (table_name varchar{collate}, "
            "refreshed_at "
            "timestamp, run_id varchar, method_version varchar, source_releases varchar, "
            "row_count bigint, quality_status varchar)"))
        for i, name in enumerate(names):
            conn.execute(sa.text("insert into published.dataset_metadata values "
                                 "(:n, null, null, 'v1', '{}', :c, 'passed')"),
                         {"n": name, "c": i})
    table = published_tables()["dataset_metadata"]
    batches = list(iter_published(engine, table, batch_rows=4))
    engine.dispose()
    assert [len(b) for b in batches] == [4, 4, 3]
    assert [row[0] for b in batches for row in b] == sorted(names)
