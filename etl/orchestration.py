"""What the DAG files share: asset URIs, default task arguments, and the task bodies.

DAG files are wiring only; they import this module, which imports nothing heavy at
module level (no Airflow, pandas or database), so that DAG parsing stays fast and
does no I/O. The task bodies build a :class:`RunContext` from the Airflow context
and call the pipelines.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: Assets between the ingest DAGs and the publish DAG (URIs name warehouse tables).
VACANCIES_ASSET = "lmis://warehouse/core/vacancies"
STATISTICS_ASSET = "lmis://warehouse/core/labour_observations"
SURVEY_ASSET = "lmis://warehouse/core/survey_occupations"
RETURNEES_ASSET = "lmis://warehouse/core/returnee_profiles"
PUBLISHED_ASSET = "lmis://warehouse/published"

#: The first quarter the demo country's data cover; catchup is off by default.
START_DATE = datetime(2024, 10, 1, tzinfo=UTC)

DEFAULT_ARGS = {
    "owner": "lmis",
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}


def run_context():
    """The RunContext of the task being executed (only callable inside a task)."""
    from airflow.sdk import get_current_context

    from etl.pipelines.context import RunContext

    return RunContext.from_airflow(get_current_context())


def sources_of(*kinds: str) -> list[str]:
    """Names of the enabled sources of these kinds (read at run time, not parse time)."""
    from etl.config.sources import config_path, load_config

    return [s.name for s in load_config(config_path()).sources_of(*kinds)]


def no_retry_on_bad_data(func, *args, **kwargs):
    """Call a pipeline step; bad data (a failed batch gate or audit) fails the task for good.

    Retrying cannot fix a feed whose columns changed or a published table that fails
    its audit, so those raise Airflow's AirflowFailException instead of burning retries;
    network and database errors still retry with backoff.
    """
    from airflow.sdk.exceptions import AirflowFailException

    from etl.validate.outcome import BatchValidationError

    try:
        return func(*args, **kwargs)
    except BatchValidationError as exc:
        raise AirflowFailException(str(exc)) from exc
