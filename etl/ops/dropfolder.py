"""Which dropped files a run reads: those of its data interval, and late ones not yet loaded.

A drop folder keeps every file that ever landed (observatory releases, survey exports).
A run for the interval ``[start, end)`` reads:

* the files that landed (modification time) inside ``[start, end)``, loaded or not, so
  that re-running an interval reads the same files and changes nothing;
* the files that landed before ``start`` but were never loaded (their bytes are not in
  ``raw.landed_files``): a late or failed delivery is picked up by the next run;
* not the files that landed after ``end`` when the run is *bounded* (a scheduled,
  catch-up or backfill run): they belong to a later interval, so a backfill of a past
  quarter reads exactly what the scheduled run of that quarter read. An unbounded run
  (started by hand, like ``lmis demo``) also reads them when they were never loaded.

The selection is handed to the pipelines as a folder of symbolic links to the chosen
files (same names), so the pipelines' own reading, landing and file-name mappings work
unchanged and land the original paths.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from etl.checksums import file_sha256


@dataclass
class Selection:
    chosen: list[Path] = field(default_factory=list)
    left: list[tuple[Path, str]] = field(default_factory=list)

    def describe(self) -> str:
        return (f"{len(self.chosen)} file(s) read, {len(self.left)} left: "
                + "; ".join(f"{p.name} ({why})" for p, why in self.left[:10]))


def _naive(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def landed_at(path: Path) -> datetime:
    """When the file landed in the drop folder (its modification time, UTC)."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)


def select(files: list[Path], *, start: datetime | None, end: datetime | None,
           loaded: set[str], bounded: bool) -> Selection:
    """Apply the rules of this module to ``files`` (see the module docstring)."""
    start, end = _naive(start), _naive(end)
    out = Selection()
    for path in files:
        if start is None or end is None:
            out.chosen.append(path)
            continue
        when = landed_at(path)
        if start <= when < end:
            out.chosen.append(path)
        elif when >= end and bounded:
            out.left.append((path, f"landed {when:%Y-%m-%d %H:%M}, after this interval"))
        elif file_sha256(path) in loaded:
            out.left.append((path, "already loaded by an earlier run"))
        else:
            out.chosen.append(path)
    return out


def link_folder(selection: Selection, folder: Path) -> Path:
    """A fresh folder holding a symbolic link per chosen file (named as the file)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for path in selection.chosen:
        (folder / path.name).symlink_to(path.resolve())
    return folder
