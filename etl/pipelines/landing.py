"""Landing raw bytes before anything parses them.

A parse bug is fixed by re-parsing what was landed, never by fetching again, so
every response (or dropped file) is written to ``LMIS_HOME/raw/<source>/`` under
its SHA-256 and recorded in ``raw.landed_files`` with URL, status, headers and
time. Identical bytes are stored once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pandas as pd
from sqlalchemy.engine import Engine

from etl.pipelines.ledger import utcnow
from etl.settings import home_subdir, lmis_home
from etl.warehouse.bulk import bulk_insert
from etl.warehouse.sqlfiles import sql_text

SELECTED_HEADERS = ("content-type", "etag", "last-modified", "content-length", "date")


@dataclass(frozen=True)
class LandedFile:
    sha256: str
    path: Path
    url: str
    status: int | None
    headers: dict[str, str]
    fetched_at: datetime

    def read(self) -> bytes:
        return self.path.read_bytes()


class RawStore:
    """Lands the bytes of one source run; flushes metadata rows in batches."""

    def __init__(self, engine: Engine, source: str, run_id: str, batch: int = 500) -> None:
        self.engine = engine
        self.source = source
        self.run_id = run_id
        self.root = home_subdir("raw") / source
        self._pending: list[dict] = []
        self._batch = batch

    def land(self, url: str, body: bytes, *, status: int | None = 200,
             headers: dict[str, str] | None = None,
             fetched_at: datetime | str | None = None) -> LandedFile:
        if isinstance(fetched_at, str):
            fetched_at = datetime.fromisoformat(fetched_at)
        if fetched_at is not None and fetched_at.tzinfo is not None:
            fetched_at = fetched_at.astimezone(UTC).replace(tzinfo=None)
        digest = hashlib.sha256(body).hexdigest()
        # Keep the file's extension: readers of dropped files tell XLSX from CSV by it.
        suffix = PurePosixPath(urlsplit(url).path).suffix
        suffix = suffix if len(suffix) <= 6 and suffix[1:].isalnum() else ""
        path = self.root / digest[:2] / f"{digest}{suffix}"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(body)
            tmp.replace(path)
        selected = {k.lower(): v for k, v in (headers or {}).items()
                    if k.lower() in SELECTED_HEADERS}
        when = fetched_at or utcnow()
        self._pending.append({
            "sha256": digest, "source": self.source, "run_id": self.run_id, "url": url,
            "http_status": status, "content_type": selected.get("content-type"),
            "headers": json.dumps(selected, sort_keys=True), "byte_size": len(body),
            "path": str(path.relative_to(lmis_home())), "fetched_at": when,
        })
        if len(self._pending) >= self._batch:
            self.flush()
        return LandedFile(digest, path, url, status, selected, when)

    def flush(self) -> None:
        """Write pending metadata rows; rows already landed (same url and bytes) are kept once."""
        if not self._pending:
            return
        frame = pd.DataFrame(self._pending).drop_duplicates(["source", "url", "sha256"])
        self._pending = []
        with self.engine.begin() as conn:
            conn.execute(sql_text("raw/create_landing_batch"))
            bulk_insert(conn, "raw", "landing_batch", frame)
            conn.execute(sql_text("raw/merge_landing_batch"))
            conn.execute(sql_text("raw/drop_landing_batch"))
