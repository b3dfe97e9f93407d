"""Vacancy listings: crawl the job boards and read the PES feeds, then deduplicate.

One ingest task per board or PES feed of the source configuration, each in the pool
of the host it fetches from (one task per host at a time, so the host's rate limit
holds across workers). Each fetches politely, lands every response in `raw`, parses,
codes occupations, validates and loads `core.vacancies` under the source's run lock.
The DAG runs at the fastest `schedule.cron` of its sources; a source whose own cron
has no run in the data interval sits the run out. The dedup task clusters postings
across sources and writes one balanced ledger row per source to `ops.run_ledger`; it
updates the vacancies Asset (with the data interval), which schedules the publish DAG.
The freshness check alerts on sources that brought no new data within their period.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from etl.orchestration import DEFAULT_ARGS, DEFAULT_CRON, START_DATE, VACANCIES_ASSET, plan

PLAN = plan("jobboard", "pes_api", default_cron=DEFAULT_CRON["vacancies"])


@dag(
    dag_id="lmis_vacancies",
    schedule=PLAN.timetable(),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["lmis", "ingest", "vacancies"],
    doc_md=__doc__,
)
def lmis_vacancies():
    @task
    def ingest(source_name: str) -> dict:
        from etl.orchestration import ingest

        return ingest(source_name)

    @task(outlets=[Asset(VACANCIES_ASSET)])
    def deduplicate_and_record(counts: list[dict]) -> dict:
        from etl.orchestration import deduplicate_and_record, mark_asset

        summary = deduplicate_and_record(counts)
        mark_asset(VACANCIES_ASSET)
        return summary

    @task(trigger_rule="all_done")
    def check_freshness() -> list[str]:
        from etl.orchestration import check_freshness

        return check_freshness("jobboard", "pes_api")

    counts = [
        ingest.override(task_id=f"ingest_{source.name}", pool=source.pool or "default_pool")(
            source.name)
        for source in PLAN.sources
    ]
    deduplicate_and_record(counts) >> check_freshness()


lmis_vacancies()
