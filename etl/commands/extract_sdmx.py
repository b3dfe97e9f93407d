"""``lmis extract sdmx PATH``: print the observations of a statistics file as JSON lines.

Wired by the shared ``extract`` command, which calls :func:`add_extract_parser`.
Reads any format :func:`etl.sources.statistics.read_statistics_file` knows (SDMX-ML,
SDMX-JSON, SDMX-CSV, ILOSTAT bulk CSV, observatory tables with ``--mapping``).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

DESCRIPTION = """Print one JSON object per observation of a statistics file: dataflow,
indicator, ref_area, time_period, obs_value (null when missing, with obs_status saying
why), obs_status, every dimension of the source as a lower-case key (sex, age, classif1,
oc2 …) and the conformed fields (isco08, isic4, unit, unit_mult, release, source).
Rejected rows are counted on stderr with their reasons (--rejected prints them too).
A structure message has no observations: a note says so on stderr and the exit code is 0."""


def add_extract_parser(extract_subparsers: Any) -> argparse.ArgumentParser:
    p = extract_subparsers.add_parser(
        "sdmx",
        help="print observations of an SDMX / ILOSTAT / observatory statistics file as JSON lines",
        description=DESCRIPTION,
    )
    p.add_argument(
        "path", type=Path, metavar="PATH", help="the file (.xml, .json, .csv, .xlsx, .gz)"
    )
    p.add_argument(
        "--mapping",
        type=Path,
        metavar="YAML",
        help="observatory table mapping (YAML; the mapping itself or under a 'mapping' key)",
    )
    p.add_argument("--release", help="release (vintage) label; default from the file")
    p.add_argument(
        "--rejected",
        action="store_true",
        help="also print rejected rows as JSON lines on stderr, with reject_reason",
    )
    p.set_defaults(func=run)
    return p


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def observation_json(row: dict[str, Any]) -> dict[str, Any]:
    """One conformed row as the CLI prints it: dimensions first (lower-case), then the rest."""
    out: dict[str, Any] = {}
    dims = json.loads(row.get("dimensions") or "{}")
    out["dataflow"] = row.get("dataflow")
    out["indicator"] = row.get("indicator")
    out["ref_area"] = row.get("ref_area")
    out["time_period"] = row.get("time_period")
    out["obs_value"] = _jsonable(row.get("obs_value"))
    out["obs_status"] = row.get("obs_status")
    for key, value in dims.items():
        out.setdefault(key.lower(), value)
    for key in (
        "sex", "age", "classif1", "classif2", "region_code", "country_code", "period_type",
        "period_start", "period_end", "isco08", "isco_level", "isic4", "unit", "unit_mult",
        "note_source", "source", "release", "source_row", "reject_reason",
    ):  # fmt: skip
        if key in row:
            out[key] = _jsonable(row[key])
    return out


def _load_mapping(path: Path | None) -> dict | None:
    if path is None:
        return None
    import yaml

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(doc, dict) and isinstance(doc.get("mapping"), dict):
        return doc["mapping"]
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: a mapping must be a YAML mapping")
    return doc


def run(args: argparse.Namespace) -> int:
    from etl.sources.statistics import read_statistics_file

    try:
        batch = read_statistics_file(
            args.path, mapping=_load_mapping(args.mapping), release=args.release
        )
    except (OSError, ValueError) as exc:
        print(f"lmis extract sdmx: {exc}", file=sys.stderr)
        return 2
    if batch.is_structure:
        notes = "; ".join(batch.messages) or "no data"
        print(f"{args.path}: structure message, no observations ({notes})", file=sys.stderr)
        return 0
    for message in batch.messages:
        print(f"note: {message}", file=sys.stderr)
    for row in batch.observations.to_dict(orient="records"):
        sys.stdout.write(json.dumps(observation_json(row), ensure_ascii=False) + "\n")
    if len(batch.rejected):
        reasons = batch.rejected["reject_reason"].value_counts()
        summary = "; ".join(f"{n} × {reason}" for reason, n in reasons.head(5).items())
        print(
            f"{args.path}: {len(batch.observations)} observations, {len(batch.rejected)} rejected "
            f"({summary})",
            file=sys.stderr,
        )
        if args.rejected:
            for row in batch.rejected.to_dict(orient="records"):
                print(json.dumps(observation_json(row), ensure_ascii=False), file=sys.stderr)
    else:
        print(f"{args.path}: {len(batch.observations)} observations, 0 rejected", file=sys.stderr)
    return 0
