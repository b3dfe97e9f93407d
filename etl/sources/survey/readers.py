"""``read_submissions``: any supported export file → submissions.

Which tool made the file is recognised from its contents (headers, sheets,
sibling files), never from its name, because exports get renamed on the way.
"""

from __future__ import annotations

from pathlib import Path

from etl.sources.survey.assemble import assemble
from etl.sources.survey.headers import looks_odk_dash, strip_bom
from etl.sources.survey.submission import SubmissionList
from etl.sources.survey.tables import (
    RawTable,
    SurveyReadError,
    read_csv_table,
    read_xlsx_tables,
)

_REPEAT_LINK_COLUMNS = ("_parent_index", "_submission__uuid", "_parent_table_name", "PARENT_KEY")
_R_REPEAT_LINK_COLUMNS = ("X_parent_index", "X_submission__uuid", "X_parent_table_name")


def _is_repeat_table(table: RawTable) -> bool:
    headers = {strip_bom(h) for h in table.headers}
    return bool(headers & set(_REPEAT_LINK_COLUMNS + _R_REPEAT_LINK_COLUMNS))


def _briefcase_repeat_files(path: Path, main: RawTable) -> list[RawTable]:
    """Briefcase writes repeat group ``Y`` of form file ``X.csv`` to ``X-Y.csv``
    (``X-Y~2.csv`` when two repeats share a name) in the same folder."""
    if not looks_odk_dash([strip_bom(h) for h in main.headers]):
        return []
    tables = []
    for sibling in sorted(path.parent.glob(f"{path.stem}-*.csv")):
        table = read_csv_table(sibling, name=sibling.stem[len(path.stem) + 1 :].split("~")[0])
        if "PARENT_KEY" not in {strip_bom(h) for h in table.headers}:
            raise SurveyReadError(
                f"{sibling}: looks like a Briefcase repeat file of {path.name} but has no PARENT_KEY"
            )
        tables.append(table)
    return tables


def read_submissions(path: Path | str) -> SubmissionList:
    """Every submission in a survey export (CSV or XLSX), repeats attached.

    Duplicates are *kept* here (the reader reports what the file holds);
    ``to_canonical`` loads each submission id once and counts the rest. Rows that
    belong to no submission are in ``.problems``; the dialect found in
    ``.format`` (``kobo-xlsx``, ``kobo-csv``, ``kobo-via-r-xlsx``, ``ona-csv``,
    ``odk-briefcase-csv``, ``generic-csv``).
    """
    path = Path(path)
    if not path.is_file():
        raise SurveyReadError(f"{path}: no such file")
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        magic = handle.read(4)
    warnings: list[str] = []
    if suffix in (".xlsx", ".xlsm") or magic == b"PK\x03\x04":
        tables = read_xlsx_tables(path)
        mains = [t for t in tables if not _is_repeat_table(t)]
        if not mains:
            raise SurveyReadError(f"{path}: every sheet looks like a repeat group; no main sheet")
        main, repeats = mains[0], [t for t in tables if _is_repeat_table(t)]
        for other in mains[1:]:
            warnings.append(
                f"{path.name}!{other.name}: sheet not read (no _parent_index or "
                f"_submission__uuid column, so not a repeat group of {main.name!r})"
            )
        fmt = "xlsx"
    elif suffix in (".xls",):
        raise SurveyReadError(f"{path}: legacy .xls is not supported; re-export as XLSX or CSV")
    else:
        main = read_csv_table(path)
        if "PARENT_KEY" in {strip_bom(h) for h in main.headers}:
            raise SurveyReadError(
                f"{path}: this is a repeat-group file (it has PARENT_KEY); pass the form's main CSV"
            )
        repeats = _briefcase_repeat_files(path, main)
        fmt = "csv"
    result = assemble(main, repeats, fmt=fmt)
    result.warnings[:0] = warnings
    return result
