"""Column headers of survey exports, brought to one convention.

Every tool writes the same questionnaire differently:

* KoboToolbox and Ona join group names with ``/`` (``firm/region``) and prefix
  their own columns with ``_`` (``_uuid``, ``_submission_time``);
* ODK Briefcase and Central join with ``-`` (``meta-instanceID``) and add
  ``SubmissionDate``, ``KEY`` and ``PARENT_KEY``;
* a round trip through R (``read.csv`` / ``make.names``) turns ``/`` into
  ``.``, prefixes ``_uuid`` into ``X_uuid`` and a UTF-8 BOM into ``X.U.FEFF.``.

Headers are normalised to ``/``-joined paths and metadata columns are matched by
name (never by position), so a mapping written against one export works for the
others.
"""

from __future__ import annotations

import re

SEP = "/"

#: Columns the ODK tools add that are not answers.
ODK_SYSTEM_COLUMNS = frozenset(
    {
        "SubmissionDate",
        "KEY",
        "PARENT_KEY",
        "isValidated",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
    }
)

#: Columns whose value identifies the submission, most trusted first. Kobo's
#: ``_uuid`` is the instanceID without its ``uuid:`` prefix.
ID_COLUMNS = ("_uuid", "meta/instanceID", "instanceID", "KEY", "_id")
SUBMITTED_AT_COLUMNS = ("_submission_time", "SubmissionDate")

_R_BOM_PREFIXES = ("X.U.FEFF.", "\u00ef..", "\u00ef.\u00bb.\u00bf.", "X.\u00ef..\u00bb..\u00bf.")
_R_META = re.compile(r"^X(_[A-Za-z_].*)$")
_FLAT_REPEAT = re.compile(r"^(?P<name>[^/\[\]]+)\[(?P<index>\d+)\]$")


def strip_bom(header: str) -> str:
    return header.lstrip("\ufeff").strip()


def looks_r_mangled(headers: list[str]) -> bool:
    """True when the headers went through R's ``make.names``.

    The tell-tales are a Kobo/Ona metadata column with R's ``X`` prefix
    (``X_uuid``, ``X_index``) or a BOM read as ``X.U.FEFF.``, and no ``/`` at
    all (R replaces it with ``.``).
    """
    if any(SEP in h for h in headers):
        return False
    return any(h.startswith(_R_BOM_PREFIXES) for h in headers) or any(
        h in ("X_uuid", "X_id", "X_index", "X_submission_time", "X_parent_index") for h in headers
    )


def looks_odk_dash(headers: list[str]) -> bool:
    """ODK Briefcase / Central CSV: ``KEY`` plus ``SubmissionDate`` or ``PARENT_KEY``."""
    names = set(headers)
    return "KEY" in names and ("SubmissionDate" in names or "PARENT_KEY" in names)


def demangle_r(header: str) -> str:
    for prefix in _R_BOM_PREFIXES:
        if header.startswith(prefix):
            header = header[len(prefix) :]
            break
    match = _R_META.match(header)
    if match:
        return match.group(1)  # X_uuid -> _uuid, X__version__ -> __version__
    return header.replace(".", SEP)


def from_odk_dash(header: str) -> str:
    if header in ODK_SYSTEM_COLUMNS or header.startswith("SET-OF-"):
        return header
    return header.replace("-", SEP)


def normalise_headers(headers: list[str]) -> tuple[list[str], str]:
    """Normalised headers and the header dialect: ``kobo`` (``/`` or plain),
    ``r`` (mangled by R) or ``odk-dash`` (Briefcase/Central)."""
    clean = [strip_bom(h) for h in headers]
    if looks_odk_dash(clean):
        return [from_odk_dash(h) for h in clean], "odk-dash"
    if looks_r_mangled(clean):
        return [demangle_r(h) for h in clean], "r"
    return clean, "kobo"


def is_metadata(header: str) -> bool:
    """Tool-added columns: ``_``-prefixed (Kobo, Ona), ODK system columns,
    ``SET-OF-`` links and the instanceID (it becomes the submission id)."""
    return (
        header.startswith("_")
        or header in ODK_SYSTEM_COLUMNS
        or header.startswith("SET-OF-")
        or header in ("meta/instanceID", "meta/deprecatedID", "instanceID")
    )


def split_flat_repeat(header: str) -> tuple[str, int, str] | None:
    """``children[2]/childs_name`` → (``children``, 2, ``childs_name``).

    Ona writes a repeat inside a group either as ``grp/children[1]/childs_name``
    or with the group path repeated (``grp/children[1]/grp/children/name``);
    both give (``grp/children``, 1, ``name``). Nested repeats stay in the rest.
    """
    parts = header.split(SEP)
    for i, part in enumerate(parts):
        match = _FLAT_REPEAT.match(part)
        if match is None:
            continue
        path = SEP.join([*parts[:i], match.group("name")])
        rest = parts[i + 1 :]
        full = path.split(SEP)
        if rest[: len(full)] == full and len(rest) > len(full):
            rest = rest[len(full) :]
        return path, int(match.group("index")), SEP.join(rest)
    return None
