"""Employment-observatory statistics: SDMX, ILOSTAT and observatory tables.

One ingest task per statistics source. Each reads the files of its drop folder that
belong to the run's data interval (landed in it, or landed earlier and never loaded;
files landed after the interval are left to their own run when the run is scheduled
or a backfill), lands them in `raw`, conforms the observations (ISCO-08, ISIC Rev.4,
ISO regions, periods), quarantines what does not fit and keeps every release of each
observation in `core.labour_observations`. The DAG runs at the fastest
`schedule.cron` of its sources (monthly or quarterly releases). The freshness check
alerts on sources that brought no new release within their period.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from etl.orchestration import DEFAULT_ARGS, DEFAULT_CRON, START_DATE, STATISTICS_ASSET, plan

PLAN = plan("statistics", default_cron=DEFAULT_CRON["statistics"])


@dag(
    dag_id="lmis_observatory",
    schedule=PLAN.timetable(),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["lmis", "ingest", "statistics"],
    doc_md=__doc__,
)
def lmis_observatory():
    @task
    def ingest(source_name: str) -> dict:
        from etl.orchestration import ingest

        return ingest(source_name)

    @task(outlets=[Asset(STATISTICS_ASSET)])
    def loaded(ledgers: list[dict]) -> int:
        from etl.orchestration import mark_asset

        mark_asset(STATISTICS_ASSET)
        return sum(int(ledger.get("loaded", 0)) for ledger in ledgers)

    @task(trigger_rule="all_done")
    def check_freshness() -> list[str]:
        from etl.orchestration import check_freshness

        return check_freshness("statistics")

    ledgers = [ingest.override(task_id=f"ingest_{source.name}")(source.name)
               for source in PLAN.sources]
    loaded(ledgers) >> check_freshness()


lmis_observatory()
