"""Skill mentions per cell, maintained across publishes instead of rebuilt from every posting.

``published.skills_demand`` and ``published.opportunities`` both count, per cell, the
postings that ask for each skill. Counted from scratch that joins every counted posting
with each of its skills (about 6.6 per posting) on every publish, and the joins grow with
the whole history while a daily run adds about 1% to it. So the counts are kept in
``core.vacancy_skill_counts`` with the postings they were counted from
(``core.vacancy_skill_postings``), and a build counts again only the nation x quarter x
unit-group cells in which some posting differs from the last build's (new, gone,
re-clustered, moved, or reloaded with new content and skills). A cell is counted again
whole, never adjusted by differences: a reloaded posting's old skills are no longer
stored, so there is nothing to subtract.

The models read the counts like any other intermediate table; ``build_layers`` runs this
step where ``models.yml`` lists ``vacancy_skill_counts``. Everything happens in the
caller's transaction, so the counts and the postings they came from change together.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from etl.warehouse.sqlfiles import sql_text
from etl.warehouse.statistics import refresh_statistics

_DIR = "maintained"


def maintain_skill_counts(conn: Connection, params: dict | None = None) -> int:
    """Count again the cells whose postings changed since the last build (all on the first).

    Returns the number of cells counted again. ``params`` is accepted for the model
    builder's sake; the step binds none.
    """
    for step in ("drop_skill_work_tables", "drop_skill_cells_changed",
                 "create_skill_postings_current"):
        conn.execute(sql_text(f"{_DIR}/{step}"))
    refresh_statistics(conn, "core", "vacancy_skill_postings_current")
    conn.execute(sql_text(f"{_DIR}/create_skill_cells_changed"))
    refresh_statistics(conn, "core", "vacancy_skill_cells_changed")
    changed = conn.execute(sql_text(f"{_DIR}/count_skill_cells_changed")).scalar_one()
    conn.execute(sql_text(f"{_DIR}/delete_skill_counts_of_changed_cells"))
    conn.execute(sql_text(f"{_DIR}/insert_skill_counts_of_changed_cells"))
    conn.execute(sql_text(f"{_DIR}/drop_skill_cells_changed"))
    conn.execute(sql_text(f"{_DIR}/drop_skill_postings"))
    conn.execute(sql_text(f"{_DIR}/rename_skill_postings_current"))
    refresh_statistics(conn, "core", "vacancy_skill_postings", "vacancy_skill_counts")
    return int(changed)
