"""Returnee registrations from the PES (personal data: pseudonymised on ingestion).

Reads the registration exports waiting in the drop folder, replaces the person
identifier by a keyed hash (secret from the `lmis_pseudonym_key` connection or the
LMIS_PSEUDONYM_KEY variable, never from the code) and drops names, contacts and
document numbers before anything is landed, then upserts one profile per person.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from etl.orchestration import DEFAULT_ARGS, RETURNEES_ASSET, START_DATE


@dag(
    dag_id="lmis_returnees",
    schedule="@daily",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["lmis", "ingest", "returnees"],
    doc_md=__doc__,
)
def lmis_returnees():
    @task
    def returnee_sources() -> list[str]:
        from etl.orchestration import sources_of

        return sources_of("returnees")

    @task(max_active_tis_per_dagrun=1)
    def ingest(source_name: str) -> dict:
        from etl.orchestration import no_retry_on_bad_data, run_context
        from etl.pipelines.returnees import ingest_returnees

        return no_retry_on_bad_data(ingest_returnees, run_context(), source_name)

    @task(outlets=[Asset(RETURNEES_ASSET)])
    def loaded(ledgers: list[dict]) -> int:
        return sum(int(ledger.get("loaded", 0)) for ledger in ledgers)

    loaded(ingest.expand(source_name=returnee_sources()))


lmis_returnees()
