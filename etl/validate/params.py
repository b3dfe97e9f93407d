"""Run-time values for the suites' ``{"$PARAMETER": name}`` placeholders.

Code lists are parameters rather than literals in the suite files because the
authority for them is the warehouse's dimensions (which a deployment may
restrict, e.g. to one country's regions) and the run's data interval; the
defaults here come from the reference classifications shipped with the
package, so that validation works before any warehouse exists.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import pandas as pd
import pycountry

from etl.settings import REFERENCE_DIR

#: Parameters computed from others when the caller does not give them.
DERIVED = {
    "run_day_end": "midnight after run_date: records dated before it are not in the future",
    "freshness_min_date": "run_date minus freshness_max_age_days: the newest record must be newer",
}


def _codes(filename: str) -> list[str]:
    with (REFERENCE_DIR / filename).open(encoding="utf-8", newline="") as handle:
        return sorted({row["code"] for row in csv.DictReader(handle)})


@lru_cache(maxsize=1)
def _reference_code_lists() -> dict[str, list[str]]:
    countries = sorted(c.alpha_2 for c in pycountry.countries)
    subdivisions = sorted(s.code for s in pycountry.subdivisions)
    return {
        # All levels (1 to 4 digits): observatory tables often stop at major groups.
        "isco08_codes": _codes("isco08_structure.csv"),
        # Sections (letters) and 2- to 4-digit classes.
        "isic4_codes": _codes("isic4_structure.csv"),
        "country_codes": countries,
        # ISO 3166-2 subdivisions plus the ISO 3166-1 code itself for national rows.
        "region_codes": sorted(set(subdivisions) | set(countries)),
        "currency_codes": sorted(c.alpha_3 for c in pycountry.currencies),
    }


def reference_params(run_date: dt.date | None = None) -> dict[str, Any]:
    """Default parameter values: code lists from the reference data, ``run_date`` today (UTC)."""
    params: dict[str, Any] = {k: list(v) for k, v in _reference_code_lists().items()}
    params["run_date"] = run_date or dt.datetime.now(dt.UTC).date()
    return params


def as_timestamp(value: Any) -> pd.Timestamp:
    """A date-like parameter as a naive UTC ``Timestamp``, the form data columns are compared in."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.as_unit("ns")


def _is_date_like(name: str, value: Any) -> bool:
    """Date objects, and ISO strings in parameters named ``*_date`` (as JSON defaults are)."""
    return isinstance(value, dt.date | pd.Timestamp) or (
        name.endswith("_date") and isinstance(value, str)
    )


def resolve_params(
    suite_defaults: Mapping[str, Any] | None, params: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Merge reference defaults, the suite's ``meta.param_defaults`` and the caller's values.

    Later sources win. Date-like values (and strings in ``*_date`` parameters)
    become naive UTC timestamps so that they compare with the normalised date
    columns (see ``frame.comparison_view``).
    """
    merged: dict[str, Any] = reference_params()
    merged.update(suite_defaults or {})
    merged.update(params or {})
    run_date = as_timestamp(merged["run_date"]).normalize()
    merged["run_date"] = run_date
    merged.setdefault("run_day_end", run_date + pd.Timedelta(days=1))
    if "freshness_max_age_days" in merged:
        days = float(merged["freshness_max_age_days"])
        merged.setdefault("freshness_min_date", run_date - pd.Timedelta(days=days))
    return {k: as_timestamp(v) if _is_date_like(k, v) else v for k, v in merged.items()}
