"""The worker's log server, bound to ``LMIS_LOG_SERVER_HOST`` (default 127.0.0.1).

Airflow's own (``airflow celery worker`` without ``--skip-serve-logs``) always binds
every interface. This serves the same application (it checks the JWT signed with the
deployment's secret) on the address the deployment chooses, on
``[logging] worker_log_server_port`` (8793 unless set; it must differ from the API
server's port).
"""

from __future__ import annotations

import os


def main() -> None:
    import uvicorn
    from airflow.configuration import conf

    uvicorn.run(
        "airflow.utils.serve_logs.log_server:get_app",
        factory=True,
        host=os.environ.get("LMIS_LOG_SERVER_HOST", "127.0.0.1"),
        port=conf.getint("logging", "worker_log_server_port"),
        log_level="warning",
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":  # pragma: no cover
    main()
