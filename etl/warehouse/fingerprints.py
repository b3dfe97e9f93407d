"""Digests of what a derived table was built from, so that a rebuild can be skipped.

Why: some tables are recomputed by every publish from sources that change far less
often than the vacancies do (the survey estimates: a wave a quarter, a publish a day).
A daily run should do work in proportion to what changed; when the digest of a
table's inputs is the one it was last built from, and the table still has the rows
it was built with, the build is skipped. The digest is of the input rows as read
(order does not matter: the rows' hashes are sorted) and of the settings the build
uses, so a changed threshold rebuilds as a changed row does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from etl.warehouse.sqlfiles import sql_text


def inputs_fingerprint(frames: Mapping[str, pd.DataFrame], settings: Mapping[str, object]) -> str:
    """A hex digest of named input frames (columns and rows, in any row order) and settings."""
    digest = hashlib.sha256()
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    for name in sorted(frames):
        frame = frames[name]
        digest.update(json.dumps([name, [str(c) for c in frame.columns]]).encode())
        rows = pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)
        digest.update(np.sort(rows).tobytes())
    return digest.hexdigest()


def is_current(conn: Connection, name: str, fingerprint: str, row_count: int) -> bool:
    """Whether ``name`` was last built from inputs with this digest and still has its rows."""
    stored = conn.execute(sql_text("ops/build_fingerprint"), {"name": name}).first()
    return stored is not None and stored[0] == fingerprint and int(stored[1]) == row_count


def record(conn: Connection, name: str, fingerprint: str, row_count: int,
           built_at: datetime) -> None:
    """Note what ``name`` was just built from (in the transaction that wrote it).

    ``built_at`` comes from the caller, in the pipeline's own clock (naive UTC), so that
    this warehouse module does not depend on the pipelines package.
    """
    params = {"name": name, "fingerprint": fingerprint, "row_count": row_count,
              "built_at": built_at}
    conn.execute(sql_text("ops/delete_build_fingerprint"), params)
    conn.execute(sql_text("ops/insert_build_fingerprint"), params)
