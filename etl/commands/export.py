"""``lmis export`` and ``lmis dictionary``: the portals' files and the users' dictionary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl.commands._common import add_warehouse_args, warehouse_url


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "export", help="write the published tables as CSV, Parquet and datapackage.json",
        description="Export every published table of the warehouse as CSV and Parquet with a "
        "Frictionless datapackage.json to LMIS_HOME/exports/<release>/ (written to a temporary "
        "folder and renamed into place), then point LMIS_HOME/exports/latest at it. "
        "Publishing does this itself; use this command to export again or elsewhere.",
    )
    add_warehouse_args(p, config=False)
    p.add_argument("--release", metavar="NAME",
                   help="release folder name (default: the run id of the published tables, "
                   "from published.dataset_metadata)")
    p.add_argument("--target", metavar="DIR", type=Path,
                   help="exports folder (default: LMIS_HOME/exports)")
    p.set_defaults(func=run_export)

    d = subparsers.add_parser(
        "dictionary", help="generate the data dictionary (docs/data_dictionary.md)",
        description="Write the users' data dictionary of the published tables from "
        "warehouse_sql/published/columns.yml, the metadata the exports use too.",
    )
    d.add_argument("--output", metavar="FILE", type=Path,
                   help="where to write it (default: docs/data_dictionary.md)")
    d.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if the page differs from what would be generated")
    d.set_defaults(func=run_dictionary)


def _published_run_id(engine) -> str | None:
    import sqlalchemy as sa

    meta = sa.table("dataset_metadata", sa.column("run_id"), sa.column("refreshed_at"),
                    schema="published")
    with engine.connect() as conn:
        row = conn.execute(sa.select(meta.c.run_id).order_by(meta.c.refreshed_at.desc())
                           .limit(1)).first()
    return row[0] if row else None


def run_export(args: argparse.Namespace) -> int:
    from etl.publish.columns import ColumnsFileError
    from etl.publish.exports import ExportError, export_published
    from etl.warehouse.connection import describe, get_engine

    engine = get_engine(warehouse_url(args))
    release = args.release or _published_run_id(engine)
    if not release:
        print("lmis export: nothing published yet in "
              f"{describe(engine)} (published.dataset_metadata is empty); run the publish "
              "pipeline first, or give --release to export the empty tables", file=sys.stderr)
        return 1
    try:
        folder = export_published(engine, release, target=args.target)
    except (ExportError, ColumnsFileError) as exc:
        print(f"lmis export: {exc}", file=sys.stderr)
        return 1
    files = sorted(p.name for p in folder.iterdir())
    print(f"exported {len(files)} files to {folder}")
    print(f"latest -> {folder.name}")
    return 0


def run_dictionary(args: argparse.Namespace) -> int:
    from etl.publish.columns import ColumnsFileError
    from etl.publish.dictionary import dictionary_path, render_dictionary

    path = args.output or dictionary_path()
    try:
        text = render_dictionary()
    except ColumnsFileError as exc:
        print(f"lmis dictionary: {exc}", file=sys.stderr)
        return 1
    if args.check:
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            print(f"lmis dictionary: {path} is out of date; run `lmis dictionary`",
                  file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0
