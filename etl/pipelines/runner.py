"""Run every source and the publish step in this process, in the DAGs' order, without Airflow.

For tests, notebooks and cron-less installs. It calls the same pipeline functions
as the DAG tasks, with one run id for all sources; Airflow remains the way to
schedule, retry and backfill.
"""

from __future__ import annotations

from etl.pipelines.context import RunContext


def ingest_all(ctx: RunContext) -> dict[str, dict]:
    """Every enabled source of the configuration; returns each source's counts."""
    from etl.pipelines.returnees import ingest_returnees
    from etl.pipelines.statistics import ingest_statistics
    from etl.pipelines.survey import ingest_survey
    from etl.pipelines.vacancies import close_vacancy_run, ingest_jobboard, ingest_pes_feed

    results: dict[str, dict] = {}
    vacancy_counts = []
    for source in ctx.config.sources_of("jobboard", "pes_api"):
        loader = ingest_jobboard if source.kind == "jobboard" else ingest_pes_feed
        vacancy_counts.append(loader(ctx, source.name))
    if vacancy_counts:
        for ledger in close_vacancy_run(ctx, vacancy_counts):
            results[ledger.source] = {"fetched": ledger.fetched, "loaded": ledger.loaded}
    for source in ctx.config.sources_of("statistics"):
        results[source.name] = ingest_statistics(ctx, source.name)
    for source in ctx.config.sources_of("survey"):
        results[source.name] = ingest_survey(ctx, source.name)
    for source in ctx.config.sources_of("returnees"):
        results[source.name] = ingest_returnees(ctx, source.name)
    return results


def run_all(ctx: RunContext):
    """Ingest every source, then publish; returns the PublishResult."""
    from etl.pipelines.publish import publish

    ingest_all(ctx)
    return publish(ctx)
