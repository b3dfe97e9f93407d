"""Which release (vintage) a file belongs to.

Order of preference: the caller's argument (the pipeline knows the run), the
date the message was prepared (SDMX headers), a date in the file name (ILOSTAT
downloads are named ``…-filtered-2025-06-01.csv``), and last the content's
checksum, so that the same bytes always get the same release and different
bytes never share one by accident.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from etl.checksums import file_sha256

_DATE_IN_NAME = re.compile(r"(?<!\d)(20\d\d)[-_]?(0[1-9]|1[0-2])[-_]?(0[1-9]|[12]\d|3[01])(?!\d)")


def release_for(
    path: Path, given: str | None = None, prepared: datetime | date | str | None = None
) -> str:
    if given:
        return str(given)
    if prepared:
        if isinstance(prepared, (datetime, date)):
            return prepared.isoformat()
        return str(prepared)
    if m := _DATE_IN_NAME.search(path.name):
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    return f"sha256:{file_sha256(path)[:16]}"
