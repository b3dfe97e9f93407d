"""``lmis extract KIND PATH``: run a source's parser on one file and print JSON lines.

Each kind's parser lives with its source (``extract_<kind>.py`` here); this module
only gathers them under one command, so an engineer can check what the pipeline
would read from a page or a file without touching the warehouse.
"""

from __future__ import annotations

import argparse
import importlib

KINDS = ("jobposting", "sdmx", "survey")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "extract", help="parse one page or file (job posting, SDMX, survey export) into JSON lines",
        description="Print what the pipeline's parser reads from one input, one JSON object "
        "per line; nothing is written to the warehouse.",
    )
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind in KINDS:
        module = importlib.import_module(f"etl.commands.extract_{kind}")
        module.add_extract_parser(kinds)
