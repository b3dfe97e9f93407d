"""Validate a pandas batch with a GX suite and split it into valid and quarantined rows.

Great Expectations decides which rows fail (``unexpected_index_list`` of the
COMPLETE result format); this module only maps those row positions back to the
caller's rows, gathers all reasons per row, and turns failed batch-level
expectations into messages a data engineer can act on.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import great_expectations as gx
import numpy as np
import pandas as pd
import pyarrow as pa
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from etl.validate.outcome import BatchFailure, ExpectationResultRow, ValidationOutcome
from etl.validate.params import resolve_params
from etl.validate.suites import load_suite, suite_parameter_names

FAILED_EXPECTATIONS = "failed_expectations"
OFFENDING_VALUES = "offending_values"
_SAMPLE = 5


def validate_frame(
    df: pd.DataFrame,
    suite_name: str,
    *,
    params: Mapping[str, Any] | None = None,
    previous_row_count: int | None = None,
    max_volume_drop: float = 0.5,
    source: str = "",
    run_id: str = "",
    suites_dir: Path | None = None,
) -> ValidationOutcome:
    """Run suite ``suite_name`` on ``df`` and split the rows.

    * Row-level expectations (``meta.level == "row"``) send the rows GX lists as
      unexpected to ``quarantined``; a row failing several appears once with all
      of them. If such an expectation sets ``mostly``, failing more rows than
      that allows is also a batch failure (a feed gone wrong, not a few bad rows).
    * Batch-level expectations, expectations that could not run (e.g. a missing
      column) and the volume check against ``previous_row_count`` (fewer than
      ``(1 - max_volume_drop) * previous_row_count`` rows) become ``batch_failures``.

    ``params`` fill the suite's ``{"$PARAMETER": name}`` values (see
    ``etl.validate.params``); ``run_id`` only labels results and Data Docs.
    """
    if df.columns.has_duplicates:
        dupes = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise ValueError(f"{source or 'batch'}: duplicated column names {dupes}; cannot validate")
    if not 0 <= max_volume_drop <= 1:
        raise ValueError(f"max_volume_drop must be in [0, 1], got {max_volume_drop}")

    suite = load_suite(suite_name, suites_dir)
    if previous_row_count is not None:
        suite = _with_volume_check(suite, previous_row_count, max_volume_drop)
    resolved = resolve_params(suite.meta.get("param_defaults"), params)
    needed = suite_parameter_names(suite)
    missing = sorted(needed - resolved.keys())
    if missing:
        raise ValueError(f"suite {suite_name!r} needs parameter(s) {missing}; pass them in params=")

    view = comparison_view(df)
    validated_at = dt.datetime.now(dt.UTC)
    parameters = _trim_value_sets(suite, view, {k: resolved[k] for k in needed})
    gx_result = _run_gx(view, suite, parameters)

    reasons: dict[int, list[str]] = defaultdict(list)
    columns_by_row: dict[int, list[str]] = defaultdict(list)
    failures: list[BatchFailure] = []
    rows: list[ExpectationResultRow] = []
    for er in gx_result.results:
        config: ExpectationConfiguration = er.expectation_config
        level = config.meta.get("level", "batch")
        label = describe(config)
        error = exception_message(er.exception_info)
        result = er.result or {}
        unexpected_count = result.get("unexpected_count")
        positions = [int(p) for p in result.get("unexpected_index_list") or []]
        if error is None and level == "row":
            positions = _failing_positions(view, config, positions)
            unexpected_count = len(positions)
            for pos in positions:
                reasons[pos].append(label)
                columns_by_row[pos].extend(domain_columns(config))
        sample = [_offending_json(view, p, domain_columns(config)) for p in positions[:_SAMPLE]]
        observed = observed_text(result, error, unexpected_count, sample)
        mostly_breached = level == "row" and "mostly" in config.kwargs and not er.success
        if error is not None or (level == "batch" and not er.success) or mostly_breached:
            failures.append(_batch_failure(source, suite_name, config, label, observed, error))
        rows.append(
            ExpectationResultRow(
                suite=suite_name,
                expectation=label,
                column=_column_of(config),
                success=bool(er.success),
                observed_value=observed,
                unexpected_count=None if unexpected_count is None else int(unexpected_count),
                level=level,
                source=source,
                run_id=run_id,
            )
        )

    bad = np.zeros(len(df), dtype=bool)
    bad[list(reasons)] = True
    valid = df.iloc[np.flatnonzero(~bad)]
    quarantined = df.iloc[np.flatnonzero(bad)].copy()
    positions = np.flatnonzero(bad)
    # Sorted so that the same rows give the same text whatever order GX ran in.
    quarantined[FAILED_EXPECTATIONS] = ["; ".join(sorted(reasons[p])) for p in positions]
    quarantined[OFFENDING_VALUES] = [
        _offending_json(view, p, columns_by_row[p]) for p in positions
    ]
    gx_result.meta["lmis"] = {
        "source": source,
        "run_id": run_id,
        "suite": suite_name,
        "validated_at": validated_at.isoformat(),
    }
    return ValidationOutcome(
        suite=suite_name,
        source=source,
        run_id=run_id,
        valid=valid,
        quarantined=quarantined,
        batch_failures=failures,
        results=rows,
        gx_result=gx_result,
    )


# --------------------------------------------------------------------------- GX


def _context() -> Any:
    """A fresh in-memory GX context: nothing on disk, nothing shared between runs."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def _run_gx(view: pd.DataFrame, suite: gx.ExpectationSuite, parameters: dict[str, Any]) -> Any:
    context = _context()
    asset = context.data_sources.add_pandas("lmis").add_dataframe_asset(suite.name)
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": view}
    )
    return batch.validate(
        suite,
        result_format={"result_format": "COMPLETE"},
        expectation_parameters=parameters,
    )


def _with_volume_check(
    suite: gx.ExpectationSuite, previous_row_count: int, max_volume_drop: float
) -> gx.ExpectationSuite:
    """The suite plus GX's row-count expectation with bounds taken from the previous run."""
    minimum = math.ceil(previous_row_count * (1 - max_volume_drop))
    volume = {
        "type": "expect_table_row_count_to_be_between",
        "kwargs": {"min_value": minimum},
        "meta": {
            "level": "batch",
            "check": "volume",
            "notes": f"previous run had {previous_row_count} rows; "
            f"a drop of more than {max_volume_drop:.0%} stops the run",
        },
    }
    return gx.ExpectationSuite(
        name=suite.name,
        expectations=[copy.deepcopy(e) for e in suite.expectations] + [volume],
        meta=copy.deepcopy(suite.meta),
        notes=suite.notes,
    )


#: Longer parameter value sets are cut down to the values present in the batch.
_TRIM_ABOVE = 50


def _trim_value_sets(
    suite: gx.ExpectationSuite, view: pd.DataFrame, parameters: dict[str, Any]
) -> dict[str, Any]:
    """Pass GX only the codes that occur in the batch for long code-list parameters.

    GX copies every expectation's kwargs hundreds of times while planning
    metrics; with the 5,000 ISO 3166-2 codes that costs seconds per batch
    whatever its size. Whether a value is in a set only depends on the values
    present, so the result is the same. Parameters used other than as a
    ``value_set`` are left whole, and the original size is written into the
    expectation's ``meta.value_set_parameter`` so Data Docs do not mislead.
    """
    used_as_set: dict[str, list[str]] = defaultdict(list)
    used_otherwise: set[str] = set()
    for expectation in suite.expectations:
        kwargs = expectation.configuration.kwargs
        for key, value in kwargs.items():
            if isinstance(value, Mapping) and "$PARAMETER" in value:
                name = value["$PARAMETER"]
                if key == "value_set" and kwargs.get("column") in view.columns:
                    used_as_set[name].append(kwargs["column"])
                else:
                    used_otherwise.add(name)
    trimmed = dict(parameters)
    for name, columns in used_as_set.items():
        values = parameters.get(name)
        if name in used_otherwise or not isinstance(values, list | tuple):
            continue
        if len(values) <= _TRIM_ABOVE:
            continue
        try:
            present = set().union(*(set(view[c].dropna().unique()) for c in columns))
        except TypeError:  # unhashable cells (lists): let GX see the whole set
            continue
        kept = [v for v in values if v in present]
        trimmed[name] = kept or list(values[:1])
        for expectation in suite.expectations:
            value_set = expectation.configuration.kwargs.get("value_set")
            if isinstance(value_set, Mapping) and value_set.get("$PARAMETER") == name:
                expectation.meta["value_set_parameter"] = (
                    f"{name}: {len(values)} codes, of which the {len(kept)} present in "
                    "this batch were passed to GX"
                )
    return trimmed


# --------------------------------------------------------------------------- data


def comparison_view(df: pd.DataFrame) -> pd.DataFrame:
    """The frame GX sees: positional index, dates in one comparable form.

    The positional index makes GX's ``unexpected_index_list`` map back to the
    caller's rows even when their index has duplicates. Dates arrive as
    ``datetime.date`` objects (SQL drivers), Arrow dates (Parquet) or
    datetime64 with or without a time zone (DuckDB); they are compared as
    naive UTC ``datetime64`` against parameters converted the same way
    (``params.as_timestamp``). Other columns are left as they are.
    """
    view = df.reset_index(drop=True)
    for name in view.columns:
        series = view[name]
        dtype = series.dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        elif isinstance(dtype, pd.ArrowDtype) and (
            pa.types.is_date(dtype.pyarrow_dtype) or pa.types.is_timestamp(dtype.pyarrow_dtype)
        ):
            series = pd.to_datetime(series.astype(object), utc=True).dt.tz_localize(None)
        elif pd.api.types.is_object_dtype(dtype) and pd.api.types.infer_dtype(series, skipna=True) in (
            "date",
            "datetime",
            "datetime64",
        ):
            series = pd.to_datetime(series, utc=True).dt.tz_localize(None)
        elif not pd.api.types.is_datetime64_dtype(dtype):
            continue
        # GX compares nanosecond datetimes vectorised and others row by row.
        with contextlib.suppress(OverflowError, pd.errors.OutOfBoundsDatetime):
            series = series.astype("datetime64[ns]")
        view[name] = series
    return view


def _failing_positions(
    view: pd.DataFrame, config: ExpectationConfiguration, positions: list[int]
) -> list[int]:
    if config.meta.get("duplicates") != "keep_first" or not positions:
        return positions
    key = domain_columns(config)
    flagged = view.iloc[positions][key]
    # GX flags every copy of a duplicated key; the first copy is kept as the record.
    later = flagged.duplicated(keep="first").to_numpy()
    return [p for p, is_later in zip(positions, later, strict=True) if is_later]


def _offending_json(view: pd.DataFrame, position: int, columns: list[str]) -> str:
    seen = list(dict.fromkeys(c for c in columns if c in view.columns))
    values = {c: _jsonable(view.iat[position, view.columns.get_loc(c)]) for c in seen}
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


def _jsonable(value: Any) -> Any:
    if value is None or (not isinstance(value, str | bytes) and _is_missing(value)):
        return None
    if isinstance(value, pd.Timestamp | dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- text


def describe(config: ExpectationConfiguration) -> str:
    """``expect_x(column=a)``: the expectation type and its domain, as quarantine rows carry it."""
    kwargs = config.kwargs
    parts = [f"{k}={kwargs[k]}" for k in ("column", "column_A", "column_B") if kwargs.get(k)]
    if kwargs.get("column_list"):
        parts.append("column_list=" + ",".join(kwargs["column_list"]))
    if config.meta.get("check"):
        parts.append(f"check={config.meta['check']}")
    return f"{config.type}({', '.join(parts)})"


def domain_columns(config: ExpectationConfiguration) -> list[str]:
    """The columns an expectation looks at: their values are the ``offending_values``."""
    kwargs = config.kwargs
    columns = [kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)]
    return columns + list(kwargs.get("column_list") or [])


def _column_of(config: ExpectationConfiguration) -> str | None:
    columns = domain_columns(config)
    return ",".join(columns) if columns else None


def exception_message(info: Any) -> str | None:
    """The message of an expectation that could not run, or None.

    GX reports this either flat or keyed by metric; both shapes are handled.
    """
    if not info:
        return None
    entries = [info] if "raised_exception" in info else list(info.values())
    messages = [
        str(e.get("exception_message") or "unknown error")
        for e in entries
        if isinstance(e, Mapping) and str(e.get("raised_exception")) == "True"
    ]
    return "; ".join(dict.fromkeys(messages)) or None


def observed_text(
    result: Mapping[str, Any],
    error: str | None,
    unexpected_count: Any,
    sample: list[str] | None = None,
) -> str:
    """What was observed, in a line: the value, or how many rows failed with a sample.

    ``sample`` holds the offending values of the first failing rows, read from
    the data rather than from GX's ``partial_unexpected_list`` so that dates and
    column pairs read the same as in quarantine.
    """
    if error is not None:
        return f"could not evaluate: {error}"
    if "observed_value" in result and result["observed_value"] is None and result.get(
        "partial_unexpected_list"
    ):
        # Aggregate expectations on value sets report what was unexpected, not the whole set.
        return "unexpected values " + _short(result["partial_unexpected_list"])
    if "observed_value" in result:
        text = _short(result["observed_value"])
        mismatched = (result.get("details") or {}).get("mismatched")
        if isinstance(mismatched, Mapping) and mismatched:
            extra = ", ".join(f"{k}: {_short(v)}" for k, v in sorted(mismatched.items()))
            text = f"{text} ({extra})"
        return text
    total = result.get("element_count")
    count = 0 if unexpected_count is None else int(unexpected_count)
    text = f"{count} of {total} rows unexpected"
    examples = sample or [_short(v) for v in result.get("partial_unexpected_list") or []]
    if count and examples:
        text += ", e.g. " + ", ".join(list(dict.fromkeys(examples))[:_SAMPLE])
    return text


def _short(value: Any, limit: int = 200) -> str:
    if isinstance(value, list | tuple | set):
        items = [_short(v, 40) for v in value]
        text = "[" + ", ".join(items) + "]"
    else:
        jsonable = _jsonable(value)
        text = repr(jsonable) if isinstance(jsonable, str) else str(jsonable)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _batch_failure(
    source: str,
    suite_name: str,
    config: ExpectationConfiguration,
    label: str,
    observed: str,
    error: str | None,
) -> BatchFailure:
    expected = _expected_text(config)
    what = "could not be evaluated" if error else "failed"
    notes = config.meta.get("notes")
    message = (
        f"source {source or '-'!s}: suite {suite_name}: {label} {what}; "
        f"observed {observed}; expected {expected}" + (f" ({notes})" if notes else "")
    )
    return BatchFailure(
        source=source, suite=suite_name, expectation=label, observed_value=observed,
        message=message,
    )


def _expected_text(config: ExpectationConfiguration) -> str:
    skip = {"column", "column_A", "column_B", "column_list", "result_format", "batch_id"}
    parts = []
    for key, value in config.kwargs.items():
        if key in skip or value is None:
            continue
        if isinstance(value, list | tuple | set) and len(value) > 12:
            parts.append(f"{key}=<{len(value)} values>")
        else:
            parts.append(f"{key}={_short(value, 120)}")
    return ", ".join(parts) or "-"
