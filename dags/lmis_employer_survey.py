"""Chamber-of-commerce skills-gap surveys (Kobo, ODK, CSV and XLSX exports).

One ingest task per survey source. Each reads the exports of its drop folder that
belong to the run's data interval (landed in it, or landed earlier and never loaded),
maps them to canonical firms and occupation lines with the survey's mapping file,
loads new submissions only (duplicates once) and quarantines inconsistent answers.
Surveys arrive when a chamber sends a file, so the DAG looks daily (the fastest
`schedule.cron` of its sources) and a day with no new file loads nothing.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from etl.orchestration import DEFAULT_ARGS, DEFAULT_CRON, START_DATE, SURVEY_ASSET, plan

PLAN = plan("survey", default_cron=DEFAULT_CRON["survey"])


@dag(
    dag_id="lmis_employer_survey",
    schedule=PLAN.timetable(),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["lmis", "ingest", "survey"],
    doc_md=__doc__,
)
def lmis_employer_survey():
    @task
    def ingest(source_name: str) -> dict:
        from etl.orchestration import ingest

        return ingest(source_name)

    @task(outlets=[Asset(SURVEY_ASSET)])
    def loaded(ledgers: list[dict]) -> int:
        from etl.orchestration import mark_asset

        mark_asset(SURVEY_ASSET)
        return sum(int(ledger.get("loaded", 0)) for ledger in ledgers)

    @task(trigger_rule="all_done")
    def check_freshness() -> list[str]:
        from etl.orchestration import check_freshness

        return check_freshness("survey")

    ledgers = [ingest.override(task_id=f"ingest_{source.name}")(source.name)
               for source in PLAN.sources]
    loaded(ledgers) >> check_freshness()


lmis_employer_survey()
