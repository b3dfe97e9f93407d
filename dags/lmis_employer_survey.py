"""Chamber-of-commerce skills-gap surveys (Kobo, ODK, CSV and XLSX exports).

Reads the exports waiting in the survey drop folders, maps them to canonical firms
and occupation lines with the survey's mapping file, loads new submissions only
(duplicates once) and quarantines inconsistent answers.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from etl.orchestration import DEFAULT_ARGS, START_DATE, SURVEY_ASSET


@dag(
    dag_id="lmis_employer_survey",
    schedule="@daily",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["lmis", "ingest", "survey"],
    doc_md=__doc__,
)
def lmis_employer_survey():
    @task
    def survey_sources() -> list[str]:
        from etl.orchestration import sources_of

        return sources_of("survey")

    @task(max_active_tis_per_dagrun=1)
    def ingest(source_name: str) -> dict:
        from etl.orchestration import no_retry_on_bad_data, run_context
        from etl.pipelines.survey import ingest_survey

        return no_retry_on_bad_data(ingest_survey, run_context(), source_name)

    @task(outlets=[Asset(SURVEY_ASSET)])
    def loaded(ledgers: list[dict]) -> int:
        return sum(int(ledger["loaded"]) for ledger in ledgers)

    loaded(ingest.expand(source_name=survey_sources()))


lmis_employer_survey()
