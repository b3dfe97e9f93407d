"""Alerts: always logged and recorded in ``ops.alerts``; sent by webhook or e-mail when configured.

Channels are configured from the environment, so that secrets (a webhook token, an
SMTP password) come from the deployment's secret store and never from the source
configuration or the repository:

==========================  ==================================================
``LMIS_ALERT_WEBHOOK_URL``  POST a JSON document (``{"text": ..., "alert": {...}}``)
``LMIS_ALERT_EMAIL_TO``     comma-separated recipients; needs ``LMIS_SMTP_HOST``
``LMIS_SMTP_HOST``/``_PORT``  SMTP relay (port 25 unless set; STARTTLS if ``LMIS_SMTP_STARTTLS=true``)
``LMIS_SMTP_USER``/``_PASSWORD``  optional SMTP login
``LMIS_ALERT_EMAIL_FROM``   sender (default ``lmis@<hostname>``)
==========================  ==================================================

Sending never raises: an alert about a failure must not become a second failure.
A channel that fails is logged and left out of ``channels`` in ``ops.alerts``.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import socket
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy.engine import Engine

log = logging.getLogger("lmis.alerts")

WEBHOOK_TIMEOUT_SECONDS = 10.0


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Alert:
    kind: str  # stale_source | task_failed | deadline_missed | lock_timeout
    message: str
    source: str | None = None
    severity: str = "warning"
    dag_id: str | None = None
    run_id: str | None = None
    raised_at: datetime = field(default_factory=_now)
    alert_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def subject(self) -> str:
        about = f" {self.source}" if self.source else ""
        return f"[LMIS {self.severity}] {self.kind}{about}"

    def as_json(self) -> dict:
        data = asdict(self)
        data["raised_at"] = self.raised_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        return data


@dataclass(frozen=True)
class Channels:
    webhook_url: str | None = None
    email_to: tuple[str, ...] = ()
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    email_from: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Channels:
        env = os.environ if env is None else env
        to = tuple(a.strip() for a in env.get("LMIS_ALERT_EMAIL_TO", "").split(",") if a.strip())
        return cls(
            webhook_url=env.get("LMIS_ALERT_WEBHOOK_URL") or None,
            email_to=to,
            smtp_host=env.get("LMIS_SMTP_HOST") or None,
            smtp_port=int(env.get("LMIS_SMTP_PORT") or 25),
            smtp_user=env.get("LMIS_SMTP_USER") or None,
            smtp_password=env.get("LMIS_SMTP_PASSWORD") or None,
            smtp_starttls=env.get("LMIS_SMTP_STARTTLS", "").lower() in {"1", "true", "yes"},
            email_from=env.get("LMIS_ALERT_EMAIL_FROM") or None,
        )


def send_webhook(alert: Alert, url: str) -> None:
    import requests

    response = requests.post(url, json={"text": f"{alert.subject}: {alert.message}",
                                        "alert": alert.as_json()},
                             timeout=WEBHOOK_TIMEOUT_SECONDS)
    response.raise_for_status()


def send_email(alert: Alert, channels: Channels) -> None:
    msg = EmailMessage()
    msg["Subject"] = alert.subject
    msg["From"] = channels.email_from or f"lmis@{socket.gethostname()}"
    msg["To"] = ", ".join(channels.email_to)
    msg.set_content(f"{alert.message}\n\n" + json.dumps(alert.as_json(), indent=2))
    with smtplib.SMTP(channels.smtp_host, channels.smtp_port, timeout=30) as smtp:
        if channels.smtp_starttls:
            smtp.starttls()
        if channels.smtp_user:
            smtp.login(channels.smtp_user, channels.smtp_password or "")
        smtp.send_message(msg)


def notify(alert: Alert, engine: Engine | None = None,
           channels: Channels | None = None) -> list[str]:
    """Log, send and record an alert; return the channels it reached."""
    channels = channels or Channels.from_env()
    level = logging.ERROR if alert.severity == "error" else logging.WARNING
    log.log(level, "%s: %s", alert.subject, alert.message)
    reached = ["log"]
    if channels.webhook_url:
        try:
            send_webhook(alert, channels.webhook_url)
            reached.append("webhook")
        except Exception as exc:  # noqa: BLE001 - a failed channel must not raise
            log.error("alert webhook failed (%s): %s", type(exc).__name__, exc)
    if channels.email_to:
        if not channels.smtp_host:
            log.error("LMIS_ALERT_EMAIL_TO is set but LMIS_SMTP_HOST is not: no e-mail sent")
        else:
            try:
                send_email(alert, channels)
                reached.append("email")
            except Exception as exc:  # noqa: BLE001
                log.error("alert e-mail failed (%s): %s", type(exc).__name__, exc)
    if engine is not None:
        record(alert, engine, reached)
    return reached


def record(alert: Alert, engine: Engine, channels: list[str]) -> None:
    from etl.warehouse.sqlfiles import sql_text

    try:
        with engine.begin() as conn:
            conn.execute(sql_text("ops/insert_alert"),
                         {**asdict(alert), "channels": ",".join(channels)})
    except Exception as exc:  # noqa: BLE001 - the alert was logged; recording is best effort
        log.error("could not record alert in ops.alerts (%s): %s", type(exc).__name__, exc)
