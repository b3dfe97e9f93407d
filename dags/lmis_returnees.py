"""Returnee registrations from the PES (personal data: pseudonymised on ingestion).

One ingest task per returnee source. Each reads the registration exports of its drop
folder that belong to the run's data interval, replaces the person identifier by a
keyed hash (secret from the `lmis_pseudonym_key` connection or LMIS_PSEUDONYM_KEY,
never from the code) and drops names, contacts and document numbers before anything
is landed, then upserts one profile per person. The freshness check alerts when no
registrations arrived within the source's period.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from etl.orchestration import DEFAULT_ARGS, DEFAULT_CRON, RETURNEES_ASSET, START_DATE, plan

PLAN = plan("returnees", default_cron=DEFAULT_CRON["returnees"])


@dag(
    dag_id="lmis_returnees",
    schedule=PLAN.timetable(),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["lmis", "ingest", "returnees"],
    doc_md=__doc__,
)
def lmis_returnees():
    @task
    def ingest(source_name: str) -> dict:
        from etl.orchestration import ingest

        return ingest(source_name)

    @task(outlets=[Asset(RETURNEES_ASSET)])
    def loaded(ledgers: list[dict]) -> int:
        from etl.orchestration import mark_asset

        mark_asset(RETURNEES_ASSET)
        return sum(int(ledger.get("loaded", 0)) for ledger in ledgers)

    @task(trigger_rule="all_done")
    def check_freshness() -> list[str]:
        from etl.orchestration import check_freshness

        return check_freshness("returnees")

    ledgers = [ingest.override(task_id=f"ingest_{source.name}")(source.name)
               for source in PLAN.sources]
    loaded(ledgers) >> check_freshness()


lmis_returnees()
