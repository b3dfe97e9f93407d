#!/usr/bin/env bash
# One LMIS/Airflow component in the foreground, with the deployment's environment.
#
#   deploy/run.sh ENV_FILE COMPONENT
#
# COMPONENT: init | api-server | scheduler | dag-processor | triggerer | worker | log-server
# `init` is idempotent: metadata migrations, the warehouse schema, the host pools.
# systemd units (deploy/systemd/) and the Procfile call this script; so does the
# CeleryExecutor integration test (tests/integration/test_celery_executor.py).
set -euo pipefail

env_file=${1:?usage: deploy/run.sh ENV_FILE COMPONENT}
component=${2:?usage: deploy/run.sh ENV_FILE COMPONENT}

set -a
# shellcheck disable=SC1090
. "$env_file"
set +a

py=${LMIS_PYTHON:-python3}
airflow() { "$py" -m airflow "$@"; }

case "$component" in
  init)
    airflow db migrate
    "$py" -m etl.cli init
    pools_file=$(mktemp)
    "$py" -m etl.ops.pools > "$pools_file"
    airflow pools import "$pools_file"
    rm -f "$pools_file"
    ;;
  api-server)
    exec "$py" -m airflow api-server --host "${AIRFLOW__API__HOST:-127.0.0.1}" \
      --port "${AIRFLOW__API__PORT:-8080}"
    ;;
  scheduler)     exec "$py" -m airflow scheduler ;;
  dag-processor) exec "$py" -m airflow dag-processor ;;
  triggerer)     exec "$py" -m airflow triggerer ;;
  worker)
    # Airflow's built-in log server binds every interface; ours (log-server) binds
    # LMIS_LOG_SERVER_HOST, so the worker skips its own.
    exec "$py" -m airflow celery worker --skip-serve-logs \
      --queues "${AIRFLOW__OPERATORS__DEFAULT_QUEUE:-default}" \
      --concurrency "${AIRFLOW__CELERY__WORKER_CONCURRENCY:-4}" \
      ${LMIS_CELERY_HOSTNAME:+--celery-hostname "$LMIS_CELERY_HOSTNAME"}
    ;;
  log-server)    exec "$py" -m etl.ops.log_server ;;
  *)
    echo "unknown component: $component" >&2
    exit 2
    ;;
esac
