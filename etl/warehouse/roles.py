"""PostgreSQL roles: a loader that owns and writes the schemas, a reader of ``published``.

Portals and analysts' tools connect with a role that can read the published tables and
nothing else, so that a leaked portal password exposes what is public anyway and never
the raw, staging, core (pseudonymised returnee profiles, firm names of the surveys),
quarantine or ops schemas. The grants are re-applied by every ``lmis init``: a second run
changes nothing, and a privilege granted by hand on another schema is revoked.

The role names default to ``lmis_loader`` and ``lmis_reader`` and can be changed with
``LMIS_LOADER_ROLE`` / ``LMIS_READER_ROLE`` (roles are cluster-wide: two warehouses on one
server may want different readers). DuckDB has no roles: nothing to do there. Without
the right to create roles (superuser or CREATEROLE) the step is skipped with a warning
saying so, and the rest of ``lmis init`` goes on.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.warehouse.sqlfiles import run_script, sql_text

log = logging.getLogger(__name__)

DEFAULT_LOADER_ROLE = "lmis_loader"
DEFAULT_READER_ROLE = "lmis_reader"


@dataclass(frozen=True)
class RolesResult:
    loader_role: str
    reader_role: str
    applied: bool
    message: str


def role_names(loader: str | None = None, reader: str | None = None) -> tuple[str, str]:
    loader = loader or os.environ.get("LMIS_LOADER_ROLE") or DEFAULT_LOADER_ROLE
    reader = reader or os.environ.get("LMIS_READER_ROLE") or DEFAULT_READER_ROLE
    if loader == reader:
        raise ValueError(f"the loader and reader roles must differ (both {loader!r})")
    return loader, reader


def ensure_roles(engine: Engine, *, loader: str | None = None,
                 reader: str | None = None) -> RolesResult:
    """Create the roles if missing and (re)apply their privileges, in one transaction."""
    loader, reader = role_names(loader, reader)
    if engine.dialect.name != "postgresql":
        message = (f"roles skipped: {engine.dialect.name} has no roles (the reader role "
                   f"{reader!r} exists on PostgreSQL only)")
        log.info(message)
        return RolesResult(loader, reader, False, message)
    params = {"loader_role": loader, "reader_role": reader}
    try:
        with engine.begin() as conn:
            conn.execute(sql_text("roles/set_role_names"), params)
            for script in ("roles/create_roles", "roles/grant_loader", "roles/grant_reader"):
                run_script(conn, script)
    except sa.exc.DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":   # insufficient_privilege
            raise
        user = engine.url.username or "the current user"
        first_line = str(exc.orig).splitlines()[0]
        message = (f"roles skipped: {user} may not create or grant roles ({first_line}); "
                   f"run `lmis init` once as a superuser or a role with CREATEROLE to create "
                   f"{loader!r} and {reader!r}")
        log.warning(message)
        return RolesResult(loader, reader, False, message)
    message = f"roles: {loader!r} owns the schemas; {reader!r} reads published only"
    log.info(message)
    return RolesResult(loader, reader, True, message)
