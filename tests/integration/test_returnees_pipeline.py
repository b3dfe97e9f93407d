"""Returnee ingestion against real warehouses (DuckDB in a temp dir; PostgreSQL on 127.0.0.1).

What is proved: a person registered twice is one profile; without the key nothing is
read or landed; after ingesting the demo export no name, phone number, e-mail or
identifier of the input is anywhere in the warehouse (every column of every table of
every schema, found through information_schema) nor in the landed raw files; published
returnee counts below the threshold are suppressed, with secondary suppression; the
counsellors' skills match counts the open vacancies and the skills lacking.
"""

from __future__ import annotations

import csv
import os
import re
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.config.method import load_method
from etl.config.sources import PACKAGE_CONFIG_DIR
from etl.pipelines.context import RunContext
from etl.pipelines.returnees import build_returnee_skills_match, ingest_returnees
from etl.privacy import Pseudonymiser, PseudonymKeyError
from etl.warehouse.bulk import bulk_insert
from etl.warehouse.connection import get_engine
from etl.warehouse.models import build_layers
from etl.warehouse.setup import init_warehouse

KEY = "integration-test-key-0123456789abcdef"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
AS_OF = date(2026, 10, 15)
CONFIG = PACKAGE_CONFIG_DIR / "demo_sources.yml"
HEADER = ["identifiant", "nom", "prenom", "telephone", "email", "sexe", "annee_naissance",
          "date_retour", "pays_destination", "metier_etranger", "code_isco_etranger",
          "metier_avant_depart", "competences", "niveau_isced", "certificat",
          "certificat_reconnu", "region_retour", "souhait", "date_inscription"]
# Reference dimensions are loaded from packaged files, not from the input: a person's name
# may be an ordinary word there ("Fall"), so they are searched for whole cells only.
REFERENCE_TABLES = {("core", "dim_occupation"), ("core", "dim_activity"),
                    ("core", "dim_region"), ("core", "dim_skill"), ("core", "occupation_skills")}


@pytest.fixture
def env(tmp_path, monkeypatch):
    home, demo = tmp_path / "home", tmp_path / "demo"
    (demo / "drop" / "returnees").mkdir(parents=True)
    monkeypatch.setenv("LMIS_HOME", str(home))
    monkeypatch.setenv("LMIS_DEMO_DIR", str(demo))
    monkeypatch.setenv("LMIS_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("LMIS_CONFIG", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_LMIS_PSEUDONYM_KEY", raising=False)
    return {"home": home, "drop": demo / "drop" / "returnees", "tmp": tmp_path}


@pytest.fixture
def duck(env):
    url = f"duckdb:///{env['tmp'] / 'warehouse.duckdb'}"
    engine = get_engine(url)
    init_warehouse(engine, "SN")
    yield url
    engine.dispose()


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory) -> Path:
    from etl.demo.generator import generate

    out = tmp_path_factory.mktemp("demo_sources")
    generate(out)
    return out / "drop" / "returnees" / "inscriptions_migrants_de_retour.csv"


def _ctx(url: str, run_id: str, as_of: date = AS_OF) -> RunContext:
    end = datetime.combine(as_of, datetime.min.time())
    return RunContext(run_id=run_id, warehouse_url=url, config_file=CONFIG,
                      data_interval_start=end - timedelta(days=1), data_interval_end=end)


def _write(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER, delimiter=";")
        writer.writeheader()
        writer.writerows({h: r.get(h, "") for h in HEADER} for r in rows)
    return path


def _person(**overrides) -> dict:
    row = {"identifiant": "SN4441112223", "nom": "Sarr", "prenom": "Khady",
           "telephone": "+221 70 111 22 33", "email": "khady.sarr@exemple.sn", "sexe": "F",
           "annee_naissance": "1988", "date_retour": "2025-01-05", "pays_destination": "ES",
           "metier_etranger": "Maçon", "code_isco_etranger": "7112",
           "metier_avant_depart": "Aide maçon", "competences": "masonry; read blueprints",
           "niveau_isced": "3", "certificat": "oui", "certificat_reconnu": "non",
           "region_retour": "Thiès", "souhait": "emploi", "date_inscription": "2025-02-01"}
    row.update(overrides)
    return row


INFO_COLUMNS = sa.table("columns", sa.column("table_schema"), sa.column("table_name"),
                        sa.column("column_name"), sa.column("ordinal_position"),
                        schema="information_schema")


def _rows(engine, table: str) -> list[dict]:
    schema, name = table.split(".")
    with engine.connect() as conn:
        cols = [c for (c,) in conn.execute(
            sa.select(INFO_COLUMNS.c.column_name)
            .where(INFO_COLUMNS.c.table_schema == schema, INFO_COLUMNS.c.table_name == name)
            .order_by(INFO_COLUMNS.c.ordinal_position))]
        t = sa.table(name, *(sa.column(c) for c in cols), schema=schema)
        return [dict(r._mapping) for r in conn.execute(sa.select(t))]


def _ledger(engine, run_id: str) -> dict:
    (row,) = [r for r in _rows(engine, "ops.run_ledger") if r["run_id"] == run_id]
    return row


# --- same person twice ---------------------------------------------------------------


def test_same_person_registered_twice_is_one_profile(env, duck):
    engine = get_engine(duck)
    # Twice in one export (the identifier typed differently), then again in a later export.
    _write(env["drop"] / "a.csv", [
        _person(),
        _person(identifiant="sn 444-111-2223", souhait="formation", date_inscription="2025-05-01",
                competences="", niveau_isced=""),
        _person(identifiant="SN9990001112", nom="Gueye", prenom="Ibrahima", sexe="M"),
    ])
    first = ingest_returnees(_ctx(duck, "run1"), "returnees")
    assert first["fetched"] == 3 and first["duplicates_in_batch"] == 1
    assert first["staged"] == 2 and first["quarantined"] == 0
    profiles = {p["person_key"]: p for p in _rows(engine, "core.returnee_profiles")}
    key = Pseudonymiser(KEY.encode()).pseudonym("SN4441112223")
    assert len(profiles) == 2 and key in profiles
    khady = profiles[key]
    assert khady["first_registered_at"] == date(2025, 2, 1)
    assert khady["registered_at"] == date(2025, 5, 1)
    assert (khady["wants_job"], khady["wants_training"]) == (False, True)   # newer wins
    assert khady["isced_level"] == 3                                          # unstated: kept
    assert khady["isco08_abroad"] == "7112" and khady["region_code"] == "SN-TH"
    ledger = _ledger(engine, "run1")
    assert ledger["fetched"] == ledger["loaded"] + ledger["quarantined"] + \
        ledger["duplicates"] + ledger["unchanged"]

    # A re-run of the same files changes nothing; a later registration updates the profile.
    again = ingest_returnees(_ctx(duck, "run2"), "returnees")
    assert again["unchanged"] == 2 and again["staged"] == 0
    _write(env["drop"] / "b.csv", [_person(souhait="entreprise", date_inscription="2025-09-01",
                                           region_retour="Dakar")])
    third = ingest_returnees(_ctx(duck, "run3"), "returnees")
    # Both files are read again: Khady three times (two folded), Ibrahima unchanged.
    assert third["fetched"] == 4 and third["duplicates_in_batch"] == 2
    assert third["staged"] == 1 and third["unchanged"] == 1
    profiles = {p["person_key"]: p for p in _rows(engine, "core.returnee_profiles")}
    assert len(profiles) == 2
    khady = profiles[key]
    assert khady["first_registered_at"] == date(2025, 2, 1)
    assert khady["registered_at"] == date(2025, 9, 1)
    assert khady["wants_business"] is True and khady["region_code"] == "SN-DK"
    for run in ("run2", "run3"):
        row = _ledger(engine, run)
        assert row["fetched"] == row["loaded"] + row["quarantined"] + row["duplicates"] + \
            row["unchanged"]


def test_without_the_key_nothing_is_read_or_landed(env, duck, monkeypatch):
    monkeypatch.delenv("LMIS_PSEUDONYM_KEY")
    _write(env["drop"] / "a.csv", [_person()])
    with pytest.raises(PseudonymKeyError, match="LMIS_PSEUDONYM_KEY"):
        ingest_returnees(_ctx(duck, "nokey"), "returnees")
    engine = get_engine(duck)
    assert _rows(engine, "core.returnee_profiles") == []
    assert [r for r in _rows(engine, "raw.landed_files") if r["source"] == "returnees"] == []
    raw_dir = env["home"] / "raw" / "returnees"
    assert not raw_dir.exists() or not any(p.is_file() for p in raw_dir.rglob("*"))


def test_unmappable_rows_are_quarantined_without_personal_data(env, duck):
    _write(env["drop"] / "a.csv", [_person(region_retour="Atlantide"), _person(identifiant="")])
    counts = ingest_returnees(_ctx(duck, "bad"), "returnees")
    assert counts["quarantined"] == 2 and counts["staged"] == 0
    rows = _rows(get_engine(duck), "quarantine.returnee_profiles")
    reasons = " ".join(r["failed_expectations"] for r in rows)
    assert "Atlantide" in reasons and "person identifier missing" in reasons
    text = " ".join(r["record"] for r in rows)
    for value in ("Sarr", "Khady", "111 22 33", "khady.sarr", "4441112223"):
        assert value not in text


# --- no personal data anywhere ----------------------------------------------------------


def _needles(export: Path) -> dict[str, set[str]]:
    with export.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    return {
        "ids": {r["identifiant"].upper() for r in rows} | {r["identifiant"][2:] for r in rows},
        "phones": {re.sub(r"\D", "", r["telephone"]) for r in rows}
        | {re.sub(r"\D", "", r["telephone"])[3:] for r in rows},
        "emails": {r["email"].lower() for r in rows},
        "names": {r["nom"].lower() for r in rows} | {r["prenom"].lower() for r in rows},
        "full_names": {f"{r['prenom']} {r['nom']}".lower() for r in rows}
        | {f"{r['nom']} {r['prenom']}".lower() for r in rows},
    }


def _hits(text: str, needles: dict[str, set[str]], *, name_tokens: bool) -> set[str]:
    found = set()
    found |= {m.upper() for m in re.findall(r"(?i)\bSN\d{10}\b", text)} & needles["ids"]
    found |= set(re.findall(r"(?<![0-9A-Za-z])\d{10}(?![0-9A-Za-z])", text)) & needles["ids"]
    for phone in re.findall(r"\+?\d[\d .-]{7,}\d", text):
        digits = re.sub(r"\D", "", phone)
        if digits in needles["phones"]:
            found.add(phone)
    found |= {m.lower() for m in re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text)} & needles["emails"]
    lowered = text.lower()
    found |= {n for n in needles["full_names"] if n in lowered}
    if name_tokens:
        found |= set(re.findall(r"\w+", lowered)) & needles["names"]
    return found


def _warehouse_hits(engine, needles) -> dict[str, set[str]]:
    columns = INFO_COLUMNS
    with engine.connect() as conn:
        listing = conn.execute(sa.select(columns.c.table_schema, columns.c.table_name,
                                         columns.c.column_name)).all()
    tables: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in listing:
        if schema in ("information_schema", "pg_catalog") or schema.startswith("pg_"):
            continue
        tables.setdefault((schema, table), []).append(column)
    assert ("core", "returnee_profiles") in tables and ("raw", "landed_files") in tables
    hits: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for (schema, table), cols in tables.items():
            t = sa.table(table, *(sa.column(c) for c in cols), schema=schema)
            for column in cols:
                values = [v for (v,) in conn.execute(
                    sa.select(sa.cast(t.c[column], sa.String)).distinct()) if v is not None]
                cells = {v.strip().lower() for v in values}
                found = cells & (needles["names"] | needles["full_names"] | needles["emails"])
                found |= _hits("\n".join(values), needles,
                               name_tokens=(schema, table) not in REFERENCE_TABLES)
                if found:
                    hits[f"{schema}.{table}.{column}"] = found
    return hits


def _file_hits(root: Path, needles) -> dict[str, set[str]]:
    hits = {}
    for path in root.rglob("*"):
        if path.is_file():
            found = _hits(path.read_bytes().decode("utf-8", errors="replace"), needles,
                          name_tokens=True)
            if found:
                hits[str(path)] = found
    return hits


def _check_demo_leaves_no_personal_data(url: str, env: dict, export: Path) -> None:
    (env["drop"] / export.name).write_bytes(export.read_bytes())
    counts = ingest_returnees(_ctx(url, "demo"), "returnees")
    needles = _needles(export)
    # The search would find the values if they were there: check it on the input itself.
    assert _hits(export.read_text(encoding="utf-8"), needles, name_tokens=True) >= \
        needles["emails"]
    assert counts["fetched"] == sum(1 for _ in export.open(encoding="utf-8")) - 1
    assert counts["duplicates_in_batch"] >= 1 and counts["staged"] > 1000
    engine = get_engine(url)
    ledger = _ledger(engine, "demo")
    assert ledger["fetched"] == ledger["loaded"] + ledger["quarantined"] + \
        ledger["duplicates"] + ledger["unchanged"]
    assert _warehouse_hits(engine, needles) == {}
    raw = env["home"] / "raw" / "returnees"
    assert any(p.is_file() for p in raw.rglob("*"))
    assert _file_hits(raw, needles) == {}


def test_demo_export_leaves_no_personal_data_in_duckdb_or_raw(env, duck, demo_export):
    _check_demo_leaves_no_personal_data(duck, env, demo_export)
    # The whole state folder, warehouse file included, holds none of them either.
    assert _file_hits(env["home"], _needles(demo_export)) == {}


# --- PostgreSQL --------------------------------------------------------------------------


@contextmanager
def _scratch_postgres():
    """A fresh database on the local server, dropped afterwards (a failure under CI=true)."""
    server = sa.create_engine(PG_SERVER + "postgres", isolation_level="AUTOCOMMIT")
    try:
        with server.connect():
            pass
    except sa.exc.OperationalError as exc:
        server.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {PG_SERVER} is required under CI: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_SERVER}")
    name = f"lmis_returnees_{uuid.uuid4().hex[:10]}"
    quoted = server.dialect.identifier_preparer.quote(name)
    with server.connect() as conn:
        conn.execute(sa.text(f"create database {quoted}"))
    url = PG_SERVER + name
    try:
        init_warehouse(get_engine(url), "SN")
        yield url
    finally:
        get_engine(url).dispose()
        with server.connect() as conn:
            conn.execute(sa.text(f"drop database if exists {quoted} with (force)"))
        server.dispose()


@pytest.fixture
def postgres(env):
    with _scratch_postgres() as url:
        yield url


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse(request, env):
    """The SQL must give the same answers on both engines."""
    if request.param == "duckdb":
        yield request.getfixturevalue("duck")
    else:
        with _scratch_postgres() as url:
            yield url


def test_postgres_one_profile_per_person_and_no_personal_data(env, postgres, demo_export):
    _check_demo_leaves_no_personal_data(postgres, env, demo_export)
    engine = get_engine(postgres)
    with demo_export.open(encoding="utf-8") as fh:
        people = {r["identifiant"] for r in csv.DictReader(fh, delimiter=";")}
    profiles = _rows(engine, "core.returnee_profiles")
    keys = [p["person_key"] for p in profiles]
    assert len(keys) == len(set(keys))
    quarantined = len({r["record_key"] for r in _rows(engine, "quarantine.returnee_profiles")})
    assert len(profiles) + quarantined >= len(people) - quarantined
    assert len(profiles) <= len(people)
    assert build_returnee_skills_match(_ctx(postgres, "demo")) > 0


# --- skills match ----------------------------------------------------------------------


def _vacancy(vacancy_id: str, region: str, isco08: str, *, posted: date,
             valid_through: date | None, duplicate: bool = False) -> dict:
    seen = datetime.combine(posted, datetime.min.time())
    return {"vacancy_id": vacancy_id, "source": "test", "source_id": vacancy_id,
            "title": f"vacancy {vacancy_id}", "date_posted": posted,
            "valid_through": valid_through, "region_code": region, "country_code": "SN",
            "isco08": isco08, "isco_confidence": 1.0, "isco_method": "test",
            "content_hash": vacancy_id, "cluster_id": "v1" if duplicate else vacancy_id,
            "is_duplicate": duplicate, "first_seen_at": seen, "last_seen_at": seen,
            "loaded_run_id": "test"}


def test_skills_match_counts_open_vacancies_and_missing_skills(env, warehouse):
    duck = warehouse
    engine = get_engine(duck)
    _write(env["drop"] / "a.csv", [_person()])
    soon = AS_OF + timedelta(days=20)
    vacancies = pd.DataFrame([
        _vacancy("v1", "SN-TH", "7112", posted=AS_OF - timedelta(days=5), valid_through=soon),
        _vacancy("v2", "SN-TH", "7112", posted=AS_OF - timedelta(days=10), valid_through=None),
        _vacancy("v3", "SN-TH", "7112", posted=AS_OF - timedelta(days=3), valid_through=soon,
                 duplicate=True),
        _vacancy("v4", "SN-TH", "7112", posted=AS_OF - timedelta(days=90),
                 valid_through=AS_OF - timedelta(days=1)),
        _vacancy("v5", "SN-TH", "7126", posted=AS_OF - timedelta(days=2), valid_through=soon),
        _vacancy("v6", "SN-DK", "7115", posted=AS_OF - timedelta(days=2), valid_through=soon),
    ])
    with engine.begin() as conn:
        bulk_insert(conn, "core", "vacancies", vacancies)
    ingest_returnees(_ctx(duck, "match"), "returnees")
    rows = {r["target_isco08"]: r for r in _rows(engine, "core.returnee_skills_match")}
    assert set(rows) == {"7112", "7126"}          # own occupation + the one in demand in SN-TH
    own, plumber = rows["7112"], rows["7126"]
    assert own["is_own_occupation"] and own["open_vacancies"] == 2
    assert set(own["open_vacancy_ids"].split("|")) == {"v1", "v2"}
    assert own["missing_skills"] is None           # the occupation's core skills are presumed held
    assert plumber["is_in_demand"] and plumber["open_vacancies"] == 1
    assert plumber["occupation_distance"] == 2     # same sub-major group 71, other minor group
    core = pd.DataFrame(_rows(engine, "core.occupation_skills"))
    core = core[core["skill_rank"] <= 15]
    held = set(core.loc[core["isco08"] == "7112", "skill_uri"]) | {
        r["skill_uri"] for r in _rows(engine, "core.returnee_skills")}
    expected = set(core.loc[core["isco08"] == "7126", "skill_uri"]) - held
    assert set((plumber["missing_skill_uris"] or "").split("|")) - {""} == expected
    assert plumber["core_skills"] - plumber["core_skills_held"] == len(expected)


# --- disclosure control in published.returnees_summary ---------------------------------


def _profile(n: int, region: str, isco08: str, sex: str, registered: date, **extra) -> dict:
    return {"person_key": f"{region}-{isco08}-{n}", "sex": sex, "age_band": "25-34",
            "isco08_abroad": isco08, "isco_confidence": 1.0, "region_code": region,
            "wants_job": True, "wants_training": False, "wants_business": False,
            "first_registered_at": registered, "registered_at": registered,
            "loaded_run_id": "given", **extra}


def test_published_counts_below_threshold_are_suppressed_with_secondary(env, warehouse):
    engine = get_engine(warehouse)
    method = load_method(PACKAGE_CONFIG_DIR / "method.yml")
    threshold = method.disclosure.min_persons
    day = date(2026, 8, 1)
    # (region, isco08, persons, women) — the given cells, all in quarter 2026Q3.
    cells = [("SN-DK", "7112", threshold + 2, 2), ("SN-DK", "7115", threshold - 3, 0),
             ("SN-DK", "7126", threshold + 1, threshold + 1), ("SN-DK", "5120", threshold + 5, 5),
             ("SN-TH", "7115", threshold + 4, 0), ("SN-TH", "7112", threshold + 9, 5),
             ("SN-TH", "7126", threshold + 7, 6)]
    profiles = [
        _profile(i, region, isco, "F" if i < women else "M", day,
                 wants_job=i >= 1, wants_business=i < 1)
        for region, isco, persons, women in cells for i in range(persons)
    ]
    with engine.begin() as conn:
        bulk_insert(conn, "core", "returnee_profiles", pd.DataFrame(profiles))
        bulk_insert(conn, "core", "vacancies", pd.DataFrame([
            _vacancy("q1", "SN-DK", "7112", posted=day, valid_through=None)]))
    params = {**method.sql_params(), "run_id": "given", "currency": "XOF", "as_of_date": AS_OF,
              "open_since_date": AS_OF - timedelta(days=method.open_days_without_closing)}
    build_layers(engine, params, ["intermediate", "marts", "published"])
    out = {(r["region_code"], r["isco08"]): r for r in _rows(engine, "core.pub_returnees_summary")}
    assert set(out) == {(c[0], c[1]) for c in cells}

    # No published count of persons is between 1 and threshold - 1.
    for row in out.values():
        for column in ("returnees_registered", "women", "men", "wants_job", "wants_training",
                       "wants_business", "age_15_24", "age_25_34", "age_35_44", "age_45_plus"):
            value = row[column]
            assert value is None or value == 0 or value >= threshold, (row, column)
    # Primary: the small cell.
    assert out[("SN-DK", "7115")]["is_suppressed"]
    assert out[("SN-DK", "7115")]["returnees_registered"] is None
    # Secondary within the sub-major group 71 of SN-DK: the smallest other cell (7126).
    assert out[("SN-DK", "7126")]["is_suppressed"]
    assert out[("SN-DK", "7126")]["returnees_registered"] is None
    assert not out[("SN-DK", "7112")]["is_suppressed"]
    assert not out[("SN-DK", "5120")]["is_suppressed"]     # another sub-major group
    # Secondary across the regions of 7115 (the national total is published elsewhere).
    assert out[("SN-TH", "7115")]["is_suppressed"]
    assert out[("SN-TH", "7112")]["returnees_registered"] == threshold + 9
    # Breakdowns: a small sex or intention cell hides its complement too.
    dk = out[("SN-DK", "7112")]
    assert dk["women"] is None and dk["men"] is None
    assert dk["wants_business"] is None and dk["wants_job"] is None
    th = out[("SN-TH", "7112")]
    assert (th["women"], th["men"]) == (5, threshold + 4)
    assert th["age_25_34"] == threshold + 9
    # Second pass: SN-DK 7126, hidden above, was the only hidden cell among the regions of
    # 7126, whose national total is published: so SN-TH 7126 is hidden as well.
    assert out[("SN-TH", "7126")]["is_suppressed"]
    # The invariant: no group that adds up to a published total has exactly one hidden cell.
    frame = pd.DataFrame([{**row, "parent": row["isco08"][:2]} for row in out.values()])
    for keys in (["quarter", "region_code", "parent"], ["quarter", "isco08"]):
        hidden = frame.groupby(keys)["is_suppressed"].sum()
        assert not (hidden == 1).any(), hidden[hidden == 1]
    # Every returnee cell published.skills_gap hides is hidden here too.
    gap = {(r["region_code"], r["isco08"]): r for r in _rows(engine, "core.pub_skills_gap")
           if r["isco_level"] == 4 and not r["is_national"]}
    for key, row in out.items():
        if gap[key]["is_returnees_suppressed"]:
            assert row["is_suppressed"], key
