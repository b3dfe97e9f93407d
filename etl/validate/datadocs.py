"""Great Expectations Data Docs in a folder of LMIS_HOME.

GX's own site builder writes the HTML; an in-memory context is pointed at the
target folder for two things only: the Data Docs site, and a validation-results
store (``<target>/_results/``, GX's JSON) so that each build adds to the history
instead of replacing it. Nothing else of GX's project layout is created.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from great_expectations.core.expectation_validation_result import (
    ExpectationSuiteValidationResult,
    ExpectationSuiteValidationResultSchema,
)
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context import EphemeralDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

from etl.validate.outcome import ValidationOutcome
from etl.validate.suites import list_suites, load_suite

SITE = "lmis"
RESULTS_SUBDIR = "_results"
#: Unexpected values/indexes kept per expectation in stored results: the full
#: lists (possibly every row of a bad feed) belong in quarantine, not in HTML.
KEEP_UNEXPECTED = 50

ResultLike = ValidationOutcome | ExpectationSuiteValidationResult | Mapping[str, Any]


def build_data_docs(
    target_dir: Path,
    results: Iterable[ResultLike] = (),
    *,
    suites_dir: Path | None = None,
) -> Path:
    """Add ``results`` to the Data Docs site in ``target_dir`` and return its ``index.html``.

    ``results`` may be outcomes of ``validate_frame``, GX validation results, or
    their JSON dicts (``outcome.gx_result.to_json_dict()``), so that an Airflow
    task can build docs from results another task saved. Every suite in
    ``expectations/`` gets a page, validated or not.

    Only the pages of these results and of the suites are rendered (the index
    lists every result kept): GX's site builder otherwise renders again every
    result in the store, so each publish took longer than the last, however few
    its own results.
    """
    target_dir = Path(target_dir).resolve()
    target_dir.mkdir(parents=True, exist_ok=True)
    context = _docs_context(target_dir)
    rendered: list[ExpectationSuiteIdentifier | ValidationResultIdentifier] = []
    for name in list_suites(suites_dir):
        suite = context.suites.add(load_suite(name, suites_dir))
        rendered.append(ExpectationSuiteIdentifier(name=suite.name))
    for item in results:
        result, lmis = _as_result(item)
        identifier = _identifier(result, lmis)
        context.validation_results_store.set(identifier, result)
        rendered.append(identifier)
    context.build_data_docs(site_names=[SITE], resource_identifiers=rendered)
    index = target_dir / "index.html"
    if not index.exists():
        raise RuntimeError(f"Great Expectations built no index.html in {target_dir}")
    return index


def _docs_context(target_dir: Path) -> EphemeralDataContext:
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults())
    config.stores[config.validation_results_store_name] = {
        "class_name": "ValidationResultsStore",
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(target_dir / RESULTS_SUBDIR),
        },
    }
    config.data_docs_sites = {
        SITE: {
            "class_name": "SiteBuilder",
            "site_index_builder": {
                "class_name": "DefaultSiteIndexBuilder",
                "show_how_to_buttons": False,
            },
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(target_dir),
            },
        }
    }
    config.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return EphemeralDataContext(project_config=config)


def _as_result(item: ResultLike) -> tuple[ExpectationSuiteValidationResult, dict[str, Any]]:
    if isinstance(item, ValidationOutcome):
        if item.gx_result is None:
            raise ValueError(f"outcome of {item.suite} has no GX result to document")
        document = item.gx_result.to_json_dict()
    elif isinstance(item, ExpectationSuiteValidationResult):
        document = item.to_json_dict()
    elif isinstance(item, Mapping):
        document = dict(item)
    else:
        raise TypeError(f"cannot build Data Docs from {type(item).__name__}")
    for expectation_result in document.get("results", []):
        found = expectation_result.get("result") or {}
        for key in ("unexpected_list", "unexpected_index_list"):
            if isinstance(found.get(key), list):
                found[key] = found[key][:KEEP_UNEXPECTED]
        found.pop("unexpected_index_query", None)
    result = ExpectationSuiteValidationResultSchema().load(document)
    return result, dict((document.get("meta") or {}).get("lmis") or {})


def _identifier(
    result: ExpectationSuiteValidationResult, lmis: Mapping[str, Any]
) -> ValidationResultIdentifier:
    """Suite / run / time / source: the same result built twice lands on the same page."""
    try:
        run_time = dt.datetime.fromisoformat(str(lmis["validated_at"]))
    except (KeyError, ValueError):
        run_time = dt.datetime.now(dt.UTC)
    run = RunIdentifier(run_name=_safe(str(lmis.get("run_id") or "adhoc")), run_time=run_time)
    return ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
        run_id=run,
        batch_identifier=_safe(str(lmis.get("source") or "batch")),
    )


def _safe(text: str) -> str:
    """A path component: run ids and sources become folder names in the site."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "x"
