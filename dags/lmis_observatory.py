"""Employment-observatory statistics: SDMX, ILOSTAT and observatory tables.

Reads every file in the statistics drop folders of the source configuration,
lands it in `raw`, conforms the observations (ISCO-08, ISIC Rev.4, ISO regions,
periods), quarantines what does not fit and keeps every release of each
observation in `core.labour_observations`.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from etl.orchestration import DEFAULT_ARGS, START_DATE, STATISTICS_ASSET


@dag(
    dag_id="lmis_observatory",
    schedule="@monthly",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["lmis", "ingest", "statistics"],
    doc_md=__doc__,
)
def lmis_observatory():
    @task
    def statistics_sources() -> list[str]:
        from etl.orchestration import sources_of

        return sources_of("statistics")

    @task(max_active_tis_per_dagrun=1)
    def ingest(source_name: str) -> dict:
        from etl.orchestration import no_retry_on_bad_data, run_context
        from etl.pipelines.statistics import ingest_statistics

        return no_retry_on_bad_data(ingest_statistics, run_context(), source_name)

    @task(outlets=[Asset(STATISTICS_ASSET)])
    def loaded(ledgers: list[dict]) -> int:
        return sum(int(ledger["loaded"]) for ledger in ledgers)

    loaded(ingest.expand(source_name=statistics_sources()))


lmis_observatory()
