"""Airflow callbacks: a failed try is recorded in ``ops.task_failures`` and alerted.

``on_failure_callback`` (final failure) and ``on_retry_callback`` (a try that Airflow
will retry) both land here, so ``lmis status`` can show flapping sources as well as
dead ones; only final failures are sent as alerts, retries are only logged and
recorded. Callbacks must never raise (Airflow would log the callback's error and
lose the original one), so every step here is guarded.
"""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime

from etl.ops.alerts import Alert, notify

log = logging.getLogger("lmis.failures")

MAX_ERROR_CHARS = 4000


def failure_row(context: dict, *, will_retry: bool) -> dict:
    """The ``ops.task_failures`` row for the try described by an Airflow context."""
    ti = context.get("ti") or context.get("task_instance")
    dag = context.get("dag")
    error = context.get("exception")
    return {
        "dag_id": getattr(ti, "dag_id", None) or getattr(dag, "dag_id", None) or "?",
        "task_id": getattr(ti, "task_id", None) or "?",
        "run_id": getattr(ti, "run_id", None) or context.get("run_id"),
        "try_number": getattr(ti, "try_number", None),
        "map_index": getattr(ti, "map_index", None),
        "hostname": getattr(ti, "hostname", None) or socket.gethostname(),
        "error": None if error is None else (
            f"{type(error).__name__}: {error}" if str(error) else type(error).__name__),
        "failed_at": datetime.now(UTC).replace(tzinfo=None),
        "will_retry": will_retry,
    }


def _engine():
    from etl.warehouse.connection import get_engine

    return get_engine(None)


def record_failure(row: dict, engine=None) -> None:
    from etl.warehouse.sqlfiles import sql_text

    engine = engine or _engine()
    row = {**row, "error": (row.get("error") or "")[:MAX_ERROR_CHARS] or None}
    with engine.begin() as conn:
        conn.execute(sql_text("ops/insert_task_failure"), row)


def handle(context: dict, *, will_retry: bool, engine=None) -> dict | None:
    """Record (and, when final, alert) one failed try; return the row, or None if that failed."""
    try:
        row = failure_row(context, will_retry=will_retry)
    except Exception as exc:  # noqa: BLE001
        log.error("could not read the failed task's context: %s", exc)
        return None
    try:
        engine = engine or _engine()
        record_failure(row, engine)
    except Exception as exc:  # noqa: BLE001 - e.g. the warehouse itself is down
        log.error("could not record the failure of %s.%s in ops.task_failures (%s): %s",
                  row["dag_id"], row["task_id"], type(exc).__name__, exc)
        engine = None
    if not will_retry:
        where = f"{row['dag_id']}.{row['task_id']}" + (
            f"[{row['map_index']}]" if row.get("map_index") not in (None, -1) else "")
        notify(Alert(kind="task_failed", severity="error", source=row["dag_id"],
                     dag_id=row["dag_id"], run_id=row["run_id"],
                     message=f"{where} failed for good on try {row['try_number']} "
                             f"({row['hostname']}): {row['error']}"), engine)
    else:
        log.warning("%s.%s try %s failed, Airflow retries it: %s", row["dag_id"],
                    row["task_id"], row["try_number"], row["error"])
    return row


def on_failure(context: dict) -> None:
    """``on_failure_callback``: the task failed and will not be retried."""
    handle(context, will_retry=False)


def on_retry(context: dict) -> None:
    """``on_retry_callback``: the try failed and Airflow will retry it."""
    handle(context, will_retry=True)


async def publish_deadline_missed(context: dict | None = None, **kwargs) -> None:
    """Deadline-alert callback of the publish DAG (run by Airflow's triggerer)."""
    dag_run = (context or {}).get("dag_run") or {}
    run_id = dag_run.get("run_id") if isinstance(dag_run, dict) else getattr(dag_run, "run_id", None)
    hours = kwargs.get("hours")
    message = (f"lmis_publish run {run_id or '?'} has not finished within {hours} h of being "
               "queued: the published tables are older than promised")
    try:
        engine = _engine()
    except Exception:  # noqa: BLE001
        engine = None
    notify(Alert(kind="deadline_missed", severity="error", source="lmis_publish",
                 dag_id="lmis_publish", run_id=run_id, message=message), engine)
