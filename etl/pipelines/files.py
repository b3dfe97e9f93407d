"""Files waiting in a source's drop folder."""

from __future__ import annotations

from pathlib import Path


def dropped_files(folder: Path, pattern: str = "*") -> list[Path]:
    """Regular files matching ``pattern``, sorted by name (so a run is reproducible)."""
    if not folder.is_dir():
        raise FileNotFoundError(f"drop folder {folder} does not exist")
    return sorted(p for p in folder.glob(pattern) if p.is_file() and not p.name.startswith("."))
