"""Operating the pipelines: schedules, run locks, freshness, alerts, failures and status.

Everything here imports without Airflow; the Airflow-facing pieces (failure callback,
deadline callback) take the context Airflow hands them and only read plain values
from it. What a data engineer sees through ``lmis status`` and ``lmis runs`` is
computed here from ``ops`` tables, so the CLI and the DAGs agree.
"""
