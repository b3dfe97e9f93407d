"""Keyed pseudonyms of person identifiers and where the key comes from."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from etl.privacy import (
    KEY_ENV,
    Pseudonymiser,
    PseudonymKeyError,
    load_pseudonym_key,
    normalise_identifier,
)

KEY = "a-secret-of-sufficient-length-42"


@pytest.fixture
def no_key(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_LMIS_PSEUDONYM_KEY", raising=False)


def test_missing_key_is_an_error_naming_where_to_put_it(no_key):
    with pytest.raises(PseudonymKeyError) as err:
        Pseudonymiser()
    message = str(err.value)
    assert KEY_ENV in message
    assert "lmis_pseudonym_key" in message


def test_short_key_is_refused(no_key, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "short")
    with pytest.raises(PseudonymKeyError, match="at least 16"):
        load_pseudonym_key()


def test_key_from_environment(no_key, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    assert load_pseudonym_key() == KEY.encode()


@pytest.mark.parametrize("form", ["uri", "json"])
def test_key_from_airflow_connection_in_environment(no_key, monkeypatch, form):
    value = (f"generic://pes:{KEY}@secrets" if form == "uri"
             else json.dumps({"conn_type": "generic", "password": KEY}))
    monkeypatch.setenv("AIRFLOW_CONN_LMIS_PSEUDONYM_KEY", value)
    assert load_pseudonym_key() == KEY.encode()


def test_pseudonym_is_hmac_sha256_of_the_normalised_identifier():
    p = Pseudonymiser(KEY.encode())
    expected = hmac.new(KEY.encode(), b"SN12345678", hashlib.sha256).hexdigest()
    assert p.pseudonym(" sn 1234-5678 ") == expected
    assert p.pseudonym("SN12345678") == expected
    assert len(expected) == 64


def test_pseudonym_depends_on_key_and_identifier():
    a = Pseudonymiser(KEY.encode())
    b = Pseudonymiser((KEY + "-other").encode())
    assert a.pseudonym("SN1") != b.pseudonym("SN1")
    assert a.pseudonym("SN1") != a.pseudonym("SN2")
    assert a.pseudonym("  ") is None
    assert a.pseudonym(None) is None


def test_key_never_shown():
    assert KEY not in repr(Pseudonymiser(KEY.encode()))


def test_normalise_identifier():
    assert normalise_identifier("ab.12 3-4/5") == "AB12345"
    assert normalise_identifier("") is None
