"""Publish: rebuild the marts and the published tables when any source has new data.

Scheduled on the Assets the ingest DAGs update; the published tables are built as of
the latest data-interval end of the triggering runs (so a backfilled quarter is
published as of that quarter). Write-audit-publish: candidate tables are built beside
the live ones, audited with the `published_*` suites and swapped into `published` in
one transaction, under the `publish` run lock; a failed audit keeps the previous
tables. Then `published.dataset_metadata` is refreshed. The ingest DAGs' freshness
checks alert when the published tables lag new data by more than the publish deadline
(LMIS_PUBLISH_DEADLINE_HOURS, default 2); deployments also switch on Airflow's own
deadline alert on this DAG (LMIS_AIRFLOW_DEADLINES=true, see deploy/).
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
    publish_deadline,
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
    deadline=publish_deadline(),
    tags=["lmis", "publish"],
    doc_md=__doc__,
)
def lmis_publish():
    @task(outlets=[Asset(PUBLISHED_ASSET)])
    def publish_tables() -> dict:
        from etl.orchestration import publish

        return publish()

    publish_tables()


lmis_publish()
