"""Per-source state kept in ``ops``: bookmarks (replication keys) of incremental sources."""

from __future__ import annotations

import json

from sqlalchemy.engine import Engine

from etl.pipelines.ledger import utcnow
from etl.warehouse.sqlfiles import sql_text


def load_bookmark(engine: Engine, source: str) -> dict | None:
    with engine.connect() as conn:
        value = conn.execute(sql_text("ops/get_bookmark"), {"source": source}).scalar()
    return json.loads(value) if value else None


def save_bookmark(engine: Engine, source: str, bookmark: dict) -> None:
    with engine.begin() as conn:
        conn.execute(sql_text("ops/delete_bookmark"), {"source": source})
        conn.execute(sql_text("ops/insert_bookmark"), {
            "source": source, "bookmark": json.dumps(bookmark, sort_keys=True, default=str),
            "updated_at": utcnow(),
        })
