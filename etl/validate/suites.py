"""Expectation suites kept as JSON files in ``expectations/``.

The files are Great Expectations' own ``ExpectationSuite`` JSON, so that a data
engineer can read them with GX documentation at hand and GX can load them
as they are. Our conventions live only in ``meta`` (see ``expectations/README.md``):

* ``meta.level`` on each expectation: ``"row"`` (failing rows are quarantined)
  or ``"batch"`` (a failure stops the run). Only map expectations (those that
  can name the failing rows) may be row-level.
* ``meta.duplicates: "keep_first"`` on a uniqueness expectation: the first row
  of each duplicated key passes, later ones are quarantined, so that a feed
  listing an ad twice does not lose the ad.
* ``meta.params`` on the suite documents the ``{"$PARAMETER": name}`` values the
  suite needs; ``meta.param_defaults`` gives defaults a caller may override.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import great_expectations as gx
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    ColumnPairMapExpectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from etl.settings import expectations_dir

LEVELS = ("row", "batch")
MAP_EXPECTATIONS = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)


class SuiteError(ValueError):
    """A suite file that cannot be used; the message names the file."""


def suite_path(name: str, directory: Path | None = None) -> Path:
    return (directory or expectations_dir()) / f"{name}.json"


def list_suites(directory: Path | None = None) -> list[str]:
    """Names of the suites kept in ``expectations/`` (file stems, sorted)."""
    folder = directory or expectations_dir()
    return sorted(p.stem for p in folder.glob("*.json"))


def load_suite(name: str, directory: Path | None = None) -> gx.ExpectationSuite:
    """Load ``expectations/<name>.json`` as a GX ``ExpectationSuite``.

    Every expectation comes back with an explicit ``meta.level`` so that the
    runner never has to guess which failures stop a batch.
    """
    path = suite_path(name, directory)
    mtime = path.stat().st_mtime_ns if path.exists() else 0
    # A deep copy: callers (and validate_frame) may change the suite they get.
    return copy.deepcopy(_load_cached(str(path), mtime))


@lru_cache(maxsize=64)
def _load_cached(path_text: str, _mtime: int) -> gx.ExpectationSuite:
    path = Path(path_text)
    if not path.exists():
        known = ", ".join(list_suites(path.parent)) or "none"
        raise SuiteError(f"no expectation suite {path.stem!r} at {path} (known suites: {known})")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: not valid JSON: {exc}") from exc
    if document.get("name") != path.stem:
        raise SuiteError(
            f"{path}: suite name {document.get('name')!r} must equal the file name {path.stem!r}"
        )
    items = document.get("expectations", [])
    for i, item in enumerate(items):
        item.setdefault("meta", {})
        if not isinstance(item.get("type"), str):
            raise SuiteError(f"{path}: expectation #{i} has no 'type'")
        # GX's ExpectationSuite logs and *drops* an invalid expectation; build each
        # one first so that a typo in a file is an error, not a check gone missing.
        try:
            ExpectationConfiguration(**item).to_domain_obj()
        except Exception as exc:  # GX raises several types; all mean "this entry is wrong"
            raise SuiteError(
                f"{path}: not a valid Great Expectations suite: expectation #{i} "
                f"({item['type']}): {exc}"
            ) from exc
    try:
        suite = gx.ExpectationSuite(**document)
    except Exception as exc:
        raise SuiteError(f"{path}: not a valid Great Expectations suite: {exc}") from exc
    if len(suite.expectations) != len(items):
        raise SuiteError(f"{path}: GX kept {len(suite.expectations)} of {len(items)} expectations")
    for i, expectation in enumerate(suite.expectations):
        is_map = isinstance(expectation, MAP_EXPECTATIONS)
        level = expectation.meta.setdefault("level", "row" if is_map else "batch")
        if level not in LEVELS:
            raise SuiteError(f"{path}: expectation #{i} ({expectation.expectation_type}): "
                             f"meta.level must be one of {LEVELS}, not {level!r}")
        if level == "row" and not is_map:
            raise SuiteError(f"{path}: expectation #{i} ({expectation.expectation_type}) "
                             "cannot be row-level: it does not test single rows")
        keep = expectation.meta.get("duplicates")
        if keep not in (None, "keep_first"):
            raise SuiteError(f"{path}: expectation #{i}: meta.duplicates must be 'keep_first'")
    return suite


def suite_parameter_names(suite: gx.ExpectationSuite) -> set[str]:
    """Names used as ``{"$PARAMETER": name}`` anywhere in the suite's kwargs."""
    names: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "$PARAMETER" in value and isinstance(value["$PARAMETER"], str):
                names.add(value["$PARAMETER"])
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(inner)

    for expectation in suite.expectations:
        walk(expectation.configuration.kwargs)
    return names

