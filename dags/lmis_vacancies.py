"""Vacancy listings: crawl the job boards and read the PES feeds, then deduplicate.

One mapped task per source in the source configuration (boards and PES feeds);
each fetches politely, lands every response in `raw`, parses, codes occupations,
validates and loads `core.vacancies`. The last task clusters postings across
sources and writes one balanced ledger row per source to `ops.run_ledger`; it
updates the vacancies Asset, which schedules the publish DAG.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from etl.orchestration import DEFAULT_ARGS, START_DATE, VACANCIES_ASSET


@dag(
    dag_id="lmis_vacancies",
    schedule="@daily",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["lmis", "ingest", "vacancies"],
    doc_md=__doc__,
)
def lmis_vacancies():
    @task
    def vacancy_sources() -> list[str]:
        from etl.orchestration import sources_of

        return sources_of("jobboard", "pes_api")

    @task(max_active_tis_per_dagrun=1)
    def ingest(source_name: str) -> dict:
        from etl.orchestration import no_retry_on_bad_data, run_context
        from etl.pipelines.vacancies import ingest_jobboard, ingest_pes_feed

        ctx = run_context()
        kind = ctx.config.source(source_name).kind
        loader = ingest_jobboard if kind == "jobboard" else ingest_pes_feed
        return no_retry_on_bad_data(loader, ctx, source_name)

    @task(outlets=[Asset(VACANCIES_ASSET)])
    def deduplicate_and_record(counts: list[dict]) -> dict:
        from etl.orchestration import run_context
        from etl.pipelines.vacancies import deduplicate, record_ledgers

        ctx = run_context()
        duplicates = deduplicate(ctx)
        ledgers = record_ledgers(ctx, list(counts), duplicates)
        return {ledger.source: ledger.summary() for ledger in ledgers}

    deduplicate_and_record(ingest.expand(source_name=vacancy_sources()))


lmis_vacancies()
