"""Great Expectations validation: suites in ``expectations/``, row quarantine, batch gates.

Pipelines call :func:`validate_frame` on a staged or published batch, load
``outcome.valid``, write ``outcome.quarantined`` to ``quarantine.<dataset>``,
store ``outcome.results`` in ``ops``, and call ``outcome.raise_for_batch()``
before anything is published. See ``docs/validation.md``.
"""

from etl.validate.datadocs import build_data_docs
from etl.validate.frame import FAILED_EXPECTATIONS, OFFENDING_VALUES, validate_frame
from etl.validate.outcome import (
    BatchFailure,
    BatchValidationError,
    ExpectationResultRow,
    ValidationOutcome,
)
from etl.validate.params import reference_params
from etl.validate.suites import SuiteError, list_suites, load_suite

__all__ = [
    "FAILED_EXPECTATIONS",
    "OFFENDING_VALUES",
    "BatchFailure",
    "BatchValidationError",
    "ExpectationResultRow",
    "SuiteError",
    "ValidationOutcome",
    "build_data_docs",
    "list_suites",
    "load_suite",
    "reference_params",
    "validate_frame",
]
