"""Raw tables → submissions: the part that knows each tool's conventions.

A main table (first sheet, main CSV) gives one submission per row. Repeat
groups arrive in one of three shapes, all handled here:

* Kobo XLSX: one extra sheet per repeat group, rows linked to their parent by
  ``_parent_table_name`` + ``_parent_index`` (→ the parent's ``_index``) and to
  the submission by ``_submission__uuid``;
* ODK Briefcase / Central: one extra CSV per repeat group, rows linked by
  ``PARENT_KEY`` → the parent's ``KEY``;
* Ona CSV: flattened into the main row as ``children[1]/childs_name``.

Repeat rows that cannot be attached are returned as problems, never dropped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from etl.sources.survey.headers import (
    ID_COLUMNS,
    SEP,
    SUBMITTED_AT_COLUMNS,
    is_metadata,
    normalise_headers,
    split_flat_repeat,
)
from etl.sources.survey.submission import RowProblem, Submission, SubmissionList
from etl.sources.survey.tables import RawTable
from etl.sources.survey.values import (
    MISSING_BY_DIALECT,
    apply_select_multiple,
    clean_value,
    collapse_select_multiple,
    content_id,
    normalise_id,
    parse_submitted_at,
)

#: Columns only Ona writes; with them, ``n/a`` means "no answer".
_ONA_MARKERS = frozenset(
    {"_total_media", "_media_count", "_media_all_received", "_date_modified", "meta/instanceID"}
)


@dataclass
class Prepared:
    """A raw table with normalised headers and cleaned values."""

    raw: RawTable
    headers: list[str]
    dialect: str
    records: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def label(self, i: int) -> str:
        return self.raw.label(self.raw.row_numbers[i])


def _dedupe_headers(headers: list[str], source: str, warnings: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for header in headers:
        if header in seen:
            seen[header] += 1
            new = f"{header}~{seen[header]}"
            warnings.append(f"{source}: header {header!r} appears twice; second kept as {new!r}")
            out.append(new)
        else:
            seen[header] = 1
            out.append(header)
    return out


def prepare(raw: RawTable, *, ona: bool | None = None) -> Prepared:
    headers, dialect = normalise_headers(raw.headers)
    warnings: list[str] = []
    headers = _dedupe_headers(headers, raw.source, warnings)
    if ona is None:
        ona = dialect == "kobo" and (
            bool(_ONA_MARKERS & set(headers)) or any(split_flat_repeat(h) for h in headers)
        )
    if ona:
        dialect = "ona"
    missing = MISSING_BY_DIALECT.get(dialect, frozenset())
    records = [
        {h: clean_value(v, missing) for h, v in zip(headers, row, strict=True)} for row in raw.rows
    ]
    return Prepared(raw=raw, headers=headers, dialect=dialect, records=records, warnings=warnings)


def _first(record: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = record.get(name)
        if value is not None:
            return value
    return None


def _ragged_problems(raw: RawTable) -> list[RowProblem]:
    return [
        RowProblem(
            source_row=raw.label(number),
            reason=f"row has {len(cells)} cells, header has {len(raw.headers)}",
            values={"cells": [str(c) for c in cells]},
        )
        for number, cells in raw.ragged
    ]


def _nest_flat_repeats(
    flat: dict[str, dict[int, dict[str, Any]]],
) -> tuple[dict[str, list[dict]], dict[str, list[int]]]:
    """Ona's ``children[1]/…`` columns, already split, as lists of instances
    (and the ``[n]`` each came from).

    Instances with no value at all are Ona's padding up to the largest repeat
    count in the export, not answers, so they are left out.
    """
    out: dict[str, list[dict]] = {}
    positions: dict[str, list[int]] = {}
    for path, instances in flat.items():
        rows, kept = [], []
        for index in sorted(instances):
            answers, nested = _split_answers(instances[index])
            if all(v is None for v in answers.values()) and not any(nested.values()):
                continue
            answers.update(nested)
            rows.append(answers)
            kept.append(index)
        out[path] = rows
        positions[path] = kept
    return out, positions


def _split_answers(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[dict]]]:
    answers, repeats, _ = _split_answers_at(values)
    return answers, repeats


def _split_answers_at(
    values: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, list[dict]], dict[str, list[int]]]:
    answers: dict[str, Any] = {}
    flat: dict[str, dict[int, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    for header, value in values.items():
        parts = split_flat_repeat(header)
        if parts is None:
            answers[header] = value
        else:
            path, index, rest = parts
            flat[path][index][rest] = value
    repeats, positions = _nest_flat_repeats(flat)
    return answers, repeats, positions


def _collapse_repeat_choices(submissions: list[Submission]) -> None:
    """Select-multiple detection inside flattened repeats, across all instances."""
    by_path: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sub in submissions:
        for path, rows in sub.repeats.items():
            by_path[path].extend(rows)
    for path, rows in by_path.items():
        columns = list(dict.fromkeys(k for r in rows for k in r))
        found = collapse_select_multiple(columns, rows)
        if found:
            for sub in submissions:
                if path in sub.repeats:
                    sub.repeats[path] = [apply_select_multiple(r, found) for r in sub.repeats[path]]


def build_main(table: Prepared) -> tuple[list[Submission], list[str]]:
    warnings: list[str] = []
    answer_cols = [h for h in table.headers if not is_metadata(h) and split_flat_repeat(h) is None]
    choices = collapse_select_multiple(
        answer_cols, ({c: r[c] for c in answer_cols} for r in table.records)
    )
    naive_is_utc = table.dialect != "odk-dash"
    submissions: list[Submission] = []
    for i, record in enumerate(table.records):
        meta = {h: v for h, v in record.items() if is_metadata(h)}
        answers, repeats, positions = _split_answers_at(
            {h: v for h, v in record.items() if not is_metadata(h)}
        )
        answers = apply_select_multiple(answers, choices)
        sub_id = normalise_id(_first(record, ID_COLUMNS)) or content_id(answers)
        raw_time = _first(record, SUBMITTED_AT_COLUMNS)
        try:
            submitted_at = parse_submitted_at(raw_time, naive_is_utc=naive_is_utc)
        except ValueError as exc:
            warnings.append(f"{table.label(i)}: submission time left empty, {exc}")
            submitted_at = None
        submissions.append(
            Submission(
                submission_id=sub_id,
                submitted_at=submitted_at,
                answers=answers,
                repeats=repeats,
                source_row=table.label(i),
                meta=meta,
                repeat_source_rows={
                    path: [f"{table.label(i)}, {path}[{n}]" for n in kept]
                    for path, kept in positions.items()
                },
            )
        )
    _collapse_repeat_choices(submissions)
    return submissions, warnings


def _repeat_path(table: Prepared) -> str:
    """The repeat group's path: the common group prefix of its question columns
    cut after the sheet's name (Kobo names the sheet after the repeat), or the
    sheet name when the export was made without group names in headers."""
    parents = [h.split(SEP)[:-1] for h in table.headers if not is_metadata(h)]
    common: list[str] = parents[0] if parents else []
    for p in parents[1:]:
        n = 0
        while n < min(len(common), len(p)) and common[n] == p[n]:
            n += 1
        common = common[:n]
    name = table.raw.name
    for i in range(len(common) - 1, -1, -1):
        if common[i] == name or (len(name) >= 31 and common[i].startswith(name)):
            return SEP.join(common[: i + 1])
    return SEP.join(common) if common else name


def _relative(values: dict[str, Any], path: str) -> dict[str, Any]:
    prefix = path + SEP
    return {(k[len(prefix) :] if k.startswith(prefix) else k): v for k, v in values.items()}


@dataclass
class _Instance:
    answers: dict[str, Any]
    source_row: str
    record: dict[str, Any]
    table: Prepared
    path: str


def _sheet_matches(name: str | None, sheet: str) -> bool:
    if name is None:
        return False
    return name == sheet or (len(sheet) >= 31 and name.startswith(sheet))


def attach_repeats(
    main: Prepared,
    submissions: list[Submission],
    repeat_tables: list[Prepared],
) -> tuple[list[RowProblem], list[str]]:
    """Attach rows of repeat sheets/files to their parents (submission or repeat row)."""
    problems: list[RowProblem] = []
    warnings: list[str] = []
    by_index: dict[str, Submission] = {}
    by_uuid: dict[str, list[Submission]] = defaultdict(list)
    by_key: dict[str, Any] = {}  # ODK KEY → Submission or _Instance
    for sub, record in zip(submissions, main.records, strict=True):
        if record.get("_index") is not None:
            # a re-sent row copied whole repeats its _index; its repeat rows
            # belong to the first copy (the one deduplication keeps on a tie)
            index = str(normalise_id(record["_index"]))
            if index in by_index:
                warnings.append(
                    f"{sub.source_row}: _index {index} already used by "
                    f"{by_index[index].source_row}; repeat rows go to the first"
                )
            by_index.setdefault(index, sub)
        by_uuid[sub.submission_id].append(sub)
        if record.get("KEY") is not None:
            by_key[str(record["KEY"])] = sub

    instances: list[_Instance] = []
    by_table_index: dict[tuple[str, str], _Instance] = {}
    for table in repeat_tables:
        if table.dialect == "odk-dash":
            set_of = [h for h in table.headers if h.startswith("SET-OF-")]
            path = set_of[0][len("SET-OF-") :].replace("-", SEP) if set_of else table.raw.name
        else:
            path = _repeat_path(table)
        cols = [h for h in table.headers if not is_metadata(h)]
        rel_rows = [_relative({c: r[c] for c in cols}, path) for r in table.records]
        choices = collapse_select_multiple(
            list(dict.fromkeys(k for r in rel_rows for k in r)), rel_rows
        )
        for i, record in enumerate(table.records):
            inst = _Instance(
                answers=apply_select_multiple(rel_rows[i], choices),
                source_row=table.label(i),
                record=record,
                table=table,
                path=path,
            )
            instances.append(inst)
            if record.get("_index") is not None:
                by_table_index[(table.raw.name, str(normalise_id(record["_index"])))] = inst
            if record.get("KEY") is not None:
                by_key[str(record["KEY"])] = inst
        problems.extend(_ragged_problems(table.raw))

    repeat_names = [t.raw.name for t in repeat_tables]
    for inst in instances:
        parent, reason = _find_parent(
            inst, main, by_index, by_uuid, by_key, by_table_index, repeat_names
        )
        if parent is None:
            problems.append(RowProblem(inst.source_row, reason, _json_safe(inst.answers)))
            continue
        if isinstance(parent, Submission):
            parent.repeats.setdefault(inst.path, []).append(inst.answers)
            parent.repeat_source_rows.setdefault(inst.path, []).append(inst.source_row)
        else:
            key = inst.path
            if key.startswith(parent.path + SEP):
                key = key[len(parent.path) + 1 :]
            parent.answers.setdefault(key, []).append(inst.answers)
    return problems, warnings


def _find_parent(inst, main, by_index, by_uuid, by_key, by_table_index, repeat_names):
    record = inst.record
    if "PARENT_KEY" in record:
        parent_key = record.get("PARENT_KEY")
        parent = by_key.get(str(parent_key)) if parent_key is not None else None
        return parent, f"PARENT_KEY {parent_key!r} matches no submission or repeat row"
    parent_table = record.get("_parent_table_name")
    parent_index = record.get("_parent_index")
    sub_uuid = normalise_id(record.get("_submission__uuid"))
    nested = (
        parent_table is not None
        and not _sheet_matches(parent_table, main.raw.name)
        and any(_sheet_matches(parent_table, n) for n in repeat_names)
    )
    if nested:
        name = next(n for n in repeat_names if _sheet_matches(parent_table, n))
        parent = by_table_index.get((name, str(normalise_id(parent_index))))
        return parent, f"_parent_index {parent_index!r} matches no row of sheet {name!r}"
    if parent_index is not None and by_index:
        parent = by_index.get(str(normalise_id(parent_index)))
        if parent is None:
            return None, f"_parent_index {parent_index!r} matches no _index of the main sheet"
        if sub_uuid is not None and sub_uuid != parent.submission_id:
            return None, (
                f"_parent_index {parent_index!r} points to submission {parent.submission_id} "
                f"but _submission__uuid is {sub_uuid}"
            )
        return parent, ""
    if sub_uuid is not None:
        matches = by_uuid.get(sub_uuid)
        if matches:
            return matches[0], ""
        return None, f"_submission__uuid {sub_uuid!r} matches no submission"
    return None, "repeat row has neither _parent_index, _submission__uuid nor PARENT_KEY"


def _json_safe(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v if isinstance(v, str | int | float | bool | list) or v is None else str(v))
        for k, v in values.items()
    }


def assemble(main_raw: RawTable, repeat_raws: list[RawTable], *, fmt: str) -> SubmissionList:
    main = prepare(main_raw)
    repeats = [prepare(r, ona=False) for r in repeat_raws]
    submissions, warnings = build_main(main)
    problems = _ragged_problems(main_raw)
    rep_problems, rep_warnings = attach_repeats(main, submissions, repeats)
    problems.extend(rep_problems)
    warnings = main.warnings + [w for t in repeats for w in t.warnings] + warnings + rep_warnings
    tool = {"ona": "ona", "odk-dash": "odk-briefcase", "r": "kobo-via-r"}.get(main.dialect)
    if tool is None:
        kobo_meta = {"_uuid", "_id", "_submission_time", "_index"} & set(main.headers)
        tool = "kobo" if kobo_meta else "generic"
    return SubmissionList(
        submissions,
        format=f"{tool}-{fmt}",
        problems=problems,
        warnings=warnings,
    )
