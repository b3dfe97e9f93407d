"""Pseudonymisation of personal identifiers: a keyed hash (HMAC-SHA256) with a secret.

Returnee registrations carry a person identifier (PES number, national ID). The
warehouse must be able to tell that two registrations are the same person, but
must not hold the identifier itself. A plain hash would not do: PES numbers have
few digits, so anyone could hash every possible number and reverse it. A keyed
hash can only be computed (and so reversed by enumeration) by whoever holds the
key, which is kept outside the code and the repository:

1. the environment variable ``LMIS_PSEUDONYM_KEY``, else
2. the Airflow connection ``lmis_pseudonym_key`` (its *password* field), read from
   ``AIRFLOW_CONN_LMIS_PSEUDONYM_KEY`` without importing Airflow, else through
   Airflow's own look-up (secrets backend, metadata database) when Airflow is
   installed and a task is running.

A missing or short key is an error (:class:`PseudonymKeyError`), never a default:
a default key in the code would make every pseudonym reversible by anyone who
reads the code. Changing the key changes every pseudonym, so re-registrations
would no longer match earlier profiles: keep the key as long as the warehouse.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from urllib.parse import unquote, urlsplit

KEY_ENV = "LMIS_PSEUDONYM_KEY"
AIRFLOW_CONN_ID = "lmis_pseudonym_key"
MIN_KEY_LENGTH = 16


class PseudonymKeyError(RuntimeError):
    """The pseudonymisation secret is missing or unusable."""


def _password_from_airflow_env(value: str) -> str | None:
    """The password of an Airflow connection given as a URI or in JSON form."""
    value = value.strip()
    if value.startswith("{"):
        return json.loads(value).get("password") or None
    parts = urlsplit(value)
    return unquote(parts.password) if parts.password else None


def _password_from_airflow() -> tuple[str | None, str]:
    """Ask Airflow (only works inside a task or with a configured metadata DB)."""
    try:
        from airflow.sdk import Connection
    except ImportError:
        return None, "Airflow is not installed"
    try:
        conn = Connection.get(AIRFLOW_CONN_ID)
    except Exception as exc:  # noqa: BLE001 - any failure means "not available here"; reported
        return None, f"Airflow look-up failed: {type(exc).__name__}: {str(exc)[:200]}"
    password = getattr(conn, "password", None)
    return (password or None), "Airflow connection has no password" if not password else ""


def load_pseudonym_key() -> bytes:
    """The secret key, from the environment or Airflow; raises if absent or too short."""
    key = os.environ.get(KEY_ENV)
    origin = f"environment variable {KEY_ENV}"
    notes = []
    if not key:
        env_conn = os.environ.get(f"AIRFLOW_CONN_{AIRFLOW_CONN_ID.upper()}")
        if env_conn:
            key = _password_from_airflow_env(env_conn)
            origin = f"AIRFLOW_CONN_{AIRFLOW_CONN_ID.upper()} (password field)"
    if not key:
        key, note = _password_from_airflow()
        origin = f"Airflow connection {AIRFLOW_CONN_ID!r} (password field)"
        if note:
            notes.append(note)
    if not key:
        raise PseudonymKeyError(
            "no pseudonymisation key: set the environment variable "
            f"{KEY_ENV} or the password of the Airflow connection {AIRFLOW_CONN_ID!r} "
            f"to a secret of at least {MIN_KEY_LENGTH} characters kept outside the repository "
            "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`). Returnee "
            "registrations are not ingested without it, because identifiers would otherwise be "
            "stored reversibly." + (f" ({'; '.join(notes)})" if notes else "")
        )
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(
            f"the pseudonymisation key from {origin} has {len(key)} characters; at least "
            f"{MIN_KEY_LENGTH} are required (short keys can be guessed)"
        )
    return key.encode("utf-8")


_SPACES = re.compile(r"[\s\-./]+")


def normalise_identifier(value: object) -> str | None:
    """The identifier as compared: trimmed, upper case, without spaces, dots or dashes.

    So that "sn 123-456" typed at one office and "SN123456" at another are one person.
    """
    if value is None:
        return None
    text = _SPACES.sub("", str(value)).upper()
    return text or None


class Pseudonymiser:
    """Turns identifiers into keyed hashes (64 hex characters) with one key."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else load_pseudonym_key()
        if len(self._key) < MIN_KEY_LENGTH:
            raise PseudonymKeyError(f"pseudonymisation key shorter than {MIN_KEY_LENGTH} bytes")

    def __repr__(self) -> str:  # never show the key in logs or tracebacks
        return "Pseudonymiser(key=***)"

    def pseudonym(self, identifier: object) -> str | None:
        """HMAC-SHA256 of the normalised identifier; ``None`` for an empty identifier."""
        normalised = normalise_identifier(identifier)
        if normalised is None:
            return None
        return hmac.new(self._key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()
