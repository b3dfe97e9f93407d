"""The SHA-256 of a file, read in blocks.

Why one helper: landed files, migrations, exports, statistical releases and the survey
estimator are all recognised by the digest of their bytes; one function keeps the
digest the same everywhere and never reads a large file into memory at once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of the bytes of ``path``."""
    with Path(path).open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
