"""Publish: rebuild the marts and the published tables when any source has new data.

Scheduled on the Assets the ingest DAGs update. Write-audit-publish: candidate
tables are built beside the live ones, audited with the `published_*` suites and
swapped into `published` in one transaction; a failed audit keeps the previous
tables. Then `published.dataset_metadata` is refreshed.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from etl.orchestration import (
    DEFAULT_ARGS,
    PUBLISHED_ASSET,
    RETURNEES_ASSET,
    START_DATE,
    STATISTICS_ASSET,
    SURVEY_ASSET,
    VACANCIES_ASSET,
)


@dag(
    dag_id="lmis_publish",
    schedule=(
        Asset(VACANCIES_ASSET)
        | Asset(STATISTICS_ASSET)
        | Asset(SURVEY_ASSET)
        | Asset(RETURNEES_ASSET)
    ),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["lmis", "publish"],
    doc_md=__doc__,
)
def lmis_publish():
    @task(outlets=[Asset(PUBLISHED_ASSET)])
    def publish_tables() -> dict:
        from etl.orchestration import no_retry_on_bad_data, run_context
        from etl.pipelines.publish import publish

        result = no_retry_on_bad_data(publish, run_context())
        return result.row_counts

    publish_tables()


lmis_publish()
