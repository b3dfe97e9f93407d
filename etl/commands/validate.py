"""``lmis validate DATASET``: run a dataset's suite against the warehouse, on demand."""

from __future__ import annotations

import argparse
import sys

from etl.commands._common import add_warehouse_args, warehouse_url

#: dataset -> (suite, SQL file in warehouse_sql/cli/ that selects its rows)
DATASETS = {
    "vacancies": ("staging_vacancies", "cli/validate_vacancies"),
    "labour_indicators": ("staging_labour_indicators", "cli/validate_labour_indicators"),
    "survey_occupations": ("staging_survey_occupations", "cli/validate_survey_occupations"),
    "returnees": ("staging_returnees", "cli/validate_returnees"),
    **{f"published.{name}": (f"published_{name}", f"cli/validate_published_{name}")
       for name in ("skills_gap", "shortage_occupations", "surplus_occupations",
                    "opportunities", "vacancies_open", "labour_indicators", "skills_demand",
                    "returnees_summary")},
}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "validate", help="run a dataset's Great Expectations suite against the warehouse",
        description="Validates what the warehouse holds now and prints each expectation "
        "with its observed value. Datasets: " + ", ".join(DATASETS),
    )
    p.add_argument("dataset", choices=sorted(DATASETS), metavar="DATASET")
    add_warehouse_args(p, config=False)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from etl.pipelines.checks import suite_columns, warehouse_params
    from etl.pipelines.ledger import utcnow
    from etl.validate import validate_frame
    from etl.warehouse.connection import get_engine
    from etl.warehouse.sqlfiles import sql_text

    suite, query = DATASETS[args.dataset]
    engine = get_engine(warehouse_url(args))
    with engine.connect() as conn:
        frame = pd.read_sql(sql_text(query), conn)
    columns = suite_columns(suite)
    if columns:
        frame = frame[[c for c in columns if c in frame.columns]]
    params = warehouse_params(engine, utcnow().date())
    params["suppressed_person_counts"] = [1, 2, 3, 4]
    outcome = validate_frame(frame, suite, params=params, source=args.dataset)
    print(f"{args.dataset}: {len(frame)} rows, suite {suite}")
    for result in outcome.results:
        mark = "ok  " if result.success else "FAIL"
        print(f"  {mark} {result.expectation}  observed: {result.observed_value}")
    print(f"rows failing row-level expectations: {len(outcome.quarantined)}")
    for failure in outcome.batch_failures:
        print(f"BATCH FAILURE: {failure.message}", file=sys.stderr)
    return 0 if outcome.success and outcome.quarantined.empty else 1
