"""Building the SQL models of ``warehouse_sql/`` and swapping published tables in.

Each model file is one SELECT. Intermediate models and marts are materialised as
tables in ``core`` under the file's name; published models are built beside the
live tables as ``core.pub_<name>``, audited by the caller, and only then copied
into ``published.<name>`` in one transaction (write-audit-publish), so a failed
audit leaves yesterday's published tables in place. The published tables
themselves are created by migrations (they are the portals' contract); this
module never changes their columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Connection, Engine

from etl.settings import sql_dir
from etl.timing import StageTimer
from etl.warehouse.sqlfiles import sql_path, sql_text


@lru_cache(maxsize=1)
def model_order() -> dict[str, list[str]]:
    return yaml.safe_load((sql_dir() / "models.yml").read_text(encoding="utf-8"))


def _quote(conn: Connection, schema: str, name: str) -> str:
    prep = conn.dialect.identifier_preparer
    return f"{prep.quote_schema(schema)}.{prep.quote(name)}"


def build_table(conn: Connection, layer: str, name: str, params: dict) -> None:
    """(Re)create ``core.<table>`` from ``warehouse_sql/<layer>/<name>.sql``."""
    table = f"pub_{name}" if layer == "published" else name
    target = _quote(conn, "core", table)
    select = sql_path(f"{layer}/{name}").read_text(encoding="utf-8").strip().rstrip(";")
    conn.execute(sa.text(f"drop table if exists {target}"))
    conn.execute(sa.text(f"create table {target} as {select}"), params)
    refresh_statistics(conn, "core", table)


#: Share of a table's rows that must have changed since its statistics were taken before a
#: caller that says what it changed takes them again, and the rows always allowed to change
#: (PostgreSQL's own autovacuum_analyze_scale_factor and autovacuum_analyze_threshold).
ANALYZE_SHARE = 0.1
ANALYZE_MIN_ROWS = 50


def refresh_statistics(conn: Connection, schema: str, *tables: str,
                       changed_rows: int | None = None) -> None:
    """Planner statistics of tables just built or bulk-loaded (PostgreSQL; DuckDB keeps its own).

    A table created or filled within a run has no statistics until autovacuum gets to
    it, and the planner then guesses a few hundred rows: measured on 30,000 postings,
    the skills-gap mart took 3.8 s with guessed sizes and 0.07 s after ANALYZE.

    ``changed_rows``: the rows the caller's statements changed in each table (committed
    or not). Given, a table is analysed only when it never was, or when those rows and
    what others committed since its last ANALYZE exceed ``ANALYZE_SHARE`` of its rows:
    a daily run's 1% leaves the statistics of the million-row tables as they are (about
    1.5 s per source at 1M otherwise; docs/benchmarks.md, eleventh round), as
    autovacuum would.
    """
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        if changed_rows is None or _statistics_stale(conn, schema, table, changed_rows):
            conn.execute(sa.text(f"analyze {_quote(conn, schema, table)}"))


def _statistics_stale(conn: Connection, schema: str, table: str, changed_rows: int) -> bool:
    row = conn.execute(sql_text("ops/statistics_age"),
                       {"schema": schema, "table_name": table}).one_or_none()
    if row is None or row.rows_at_analyze < 0:
        return True
    changed = changed_rows + int(row.changed_since)
    return changed > ANALYZE_MIN_ROWS + ANALYZE_SHARE * float(row.rows_at_analyze)


def build_layers(engine: Engine, params: dict, layers: Iterable[str], *,
                 timings: dict[str, float] | None = None) -> None:
    """Build every model of the given layers, in the order of ``models.yml``.

    ``timings`` (optional) receives seconds per model (``model_<name>``).
    """
    timer = StageTimer(timings)
    order = model_order()
    with engine.begin() as conn:
        for layer in layers:
            for name in order[layer]:
                with timer(f"model_{name}"):
                    build_table(conn, layer, name, params)


def published_columns(conn: Connection, name: str) -> list[str]:
    """The live table's columns, in order (information_schema works on both engines)."""
    return list(conn.execute(sql_text("ops/published_table_columns"), {"name": name}).scalars())


def swap_published(engine: Engine, names: Iterable[str]) -> dict[str, int]:
    """Replace the rows of each published table with its audited build, in one transaction."""
    counts = {}
    with engine.begin() as conn:
        for name in names:
            cols = published_columns(conn, name)
            prep = conn.dialect.identifier_preparer
            col_list = ", ".join(prep.quote(c) for c in cols)
            live = _quote(conn, "published", name)
            built = _quote(conn, "core", f"pub_{name}")
            conn.execute(sa.text(f"delete from {live}"))
            conn.execute(sa.text(
                f"insert into {live} ({col_list}) select {col_list} from {built} order by {col_list}"
            ))
            counts[name] = conn.execute(sa.text(f"select count(*) from {live}")).scalar_one()
    return counts
