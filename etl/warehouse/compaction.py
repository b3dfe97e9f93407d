"""Repacking the part-filled row groups a DuckDB load leaves at a table's end.

Why: DuckDB 2.0 starts a new row group with the first append after a checkpoint, so
each checkpointed load step (a source, in a scheduled run) ends its rows with a
part-filled row group, and the next step's rows follow it. DuckDB merges such groups
at a checkpoint only where consecutive groups fit in fewer (looking at most
``MERGE_WINDOW_GROUPS`` groups' worth of rows ahead): after a load of several sources
nothing qualifies yet, but the next run's first append, however small, completes a
window and its checkpoint rewrites the few hundred thousand rows before it,
descriptions included. Measured on a 1M warehouse: 9.2 s for 700 staged rows, and
11.5 to 16 s of a 50 s daily run (docs/benchmarks.md, eleventh round). Repacking
those rows right after the load that made them puts the cost in the run that made
the debt, and leaves only the last row group part-filled, which later appends fill
or merge cheaply.

How: the row groups within that window that are part-filled (all but the last) are
moved, with the last, to the table's end in one transaction, appended by one thread
so that they fill whole row groups (several threads would leave one part-filled
group each); the emptied groups are dropped by the step's checkpoint. Rows and
values do not change, only where they are stored. PostgreSQL has no row groups:
nothing to do there.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from etl.warehouse.sqlfiles import run_script, sql_text

#: Rows per row group (DuckDB's default, which the warehouse keeps).
ROW_GROUP_ROWS = 122_880

#: Row groups' worth of rows a DuckDB checkpoint merges at most in one go (its
#: ``MAX_MERGE_COUNT``): a part-filled group further from the table's end than this
#: is followed by full groups that no small append can make mergeable.
MERGE_WINDOW_GROUPS = 3


def ranges_to_repack(stored: list[int], *, group_rows: int = ROW_GROUP_ROWS,
                     window_groups: int = MERGE_WINDOW_GROUPS) -> list[tuple[int, int]]:
    """Row positions ``[first, end)`` to move to the table's end, given the rows stored
    per row group (in storage order); empty when only the last group is part-filled.

    Only the table's end is looked at: the longest run of last groups holding at most
    ``window_groups`` groups' worth of rows, which is where DuckDB would merge later.
    There, every part-filled group but the last is moved, and the last with them
    (so that their rows are packed together); full groups stay where they are.
    """
    if len(stored) < 2:
        return []
    start, total = len(stored), 0
    while start > 0 and total + stored[start - 1] <= window_groups * group_rows:
        start -= 1
        total += stored[start]
    last = len(stored) - 1
    if not any(rows < group_rows for rows in stored[start:last]):
        return []
    positions = [0]
    for rows in stored:
        positions.append(positions[-1] + rows)
    moved = [i for i in range(start, last) if stored[i] < group_rows]
    if stored[last] < group_rows:
        moved.append(last)
    ranges: list[tuple[int, int]] = []
    for i in moved:  # neighbouring groups as one range
        if ranges and ranges[-1][1] == positions[i]:
            ranges[-1] = (ranges[-1][0], positions[i + 1])
        else:
            ranges.append((positions[i], positions[i + 1]))
    return ranges


def row_group_rows(conn: Connection, schema: str, table: str) -> list[int]:
    """Rows stored per row group of ``schema.table`` (DuckDB), in storage order."""
    result = conn.execute(sql_text("ops/row_group_rows"), {"table_name": f"{schema}.{table}"})
    return [int(rows) for _, rows in result]


def repack_tail(conn: Connection, schema: str, table: str) -> int:
    """Move the part-filled row groups at the end of ``schema.table`` into full ones, in
    the caller's transaction; return the rows moved (0 on PostgreSQL, or with nothing
    to repack).

    The table needs its script ``warehouse_sql/ops/repack/<schema>_<table>.sql``.
    The database's thread count is set to one for the move and restored after.
    """
    if conn.dialect.name != "duckdb":
        return 0
    ranges = ranges_to_repack(row_group_rows(conn, schema, table))
    if not ranges:
        return 0
    threads = conn.exec_driver_sql("select current_setting('threads')").scalar_one()
    conn.exec_driver_sql("SET threads = 1")
    try:
        for first, end in ranges:
            run_script(conn, f"ops/repack/{schema}_{table}", {"first_row": first, "end_row": end})
    finally:
        conn.exec_driver_sql(f"SET threads = {int(threads)}")
    return sum(end - first for first, end in ranges)
