"""Cell values of survey exports: missing markers, select-multiple, times, ids."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from etl.sources.survey.headers import SEP

TRUE_TEXT = frozenset({"1", "true", "True", "TRUE"})
FALSE_TEXT = frozenset({"0", "false", "False", "FALSE"})
#: Values written for "no answer": Ona pads with ``n/a``, R writes ``NA``.
MISSING_BY_DIALECT = {"ona": frozenset({"n/a"}), "r": frozenset({"NA"})}

_BRIEFCASE_FORMATS = ("%b %d, %Y %I:%M:%S %p", "%b %d, %Y %H:%M:%S", "%d %b %Y %H:%M:%S")


def clean_value(value: Any, missing: frozenset[str] = frozenset()) -> Any:
    """Strip text, turn empty text and dialect missing-markers into ``None``."""
    if isinstance(value, str):
        value = value.strip()
        if value == "" or value in missing:
            return None
    return value


def as_flag(value: Any) -> bool | None:
    """0/1, True/False (text or typed) as a bool; anything else is not a flag."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        if value in TRUE_TEXT:
            return True
        if value in FALSE_TEXT:
            return False
    return None


def is_flag_like(value: Any) -> bool:
    return value is None or as_flag(value) is not None


def is_true_false_text(value: Any) -> bool:
    return isinstance(value, bool) or (
        isinstance(value, str) and value.lower() in ("true", "false")
    )


def split_choices(value: Any) -> list[str] | None:
    """A select-multiple summary (``"it communication"``) as a list."""
    if value is None:
        return None
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value).split()


def collapse_select_multiple(
    columns: Sequence[str], rows: Iterable[dict[str, Any]]
) -> dict[str, list[str]]:
    """Find select-multiple questions among flat columns.

    Returns ``{question: [option columns]}``. A question qualifies when it has
    two or more ``question/option`` leaf columns holding only flag values and
    either a summary column of its own (Kobo: "single and separate columns"), or
    literal True/False values (Ona's split columns). Without a summary, 0/1 alone
    is ambiguous with a group of yes/no integer questions, so those are left
    alone; a mapping can still declare the question select-multiple.
    """
    rows = list(rows)
    colset = set(columns)
    children: dict[str, list[str]] = {}
    for column in columns:
        if SEP not in column:
            continue
        parent, leaf = column.rsplit(SEP, 1)
        if "[" in leaf or any(c.startswith(column + SEP) for c in colset):
            continue
        children.setdefault(parent, []).append(column)
    found: dict[str, list[str]] = {}
    for parent, options in children.items():
        if len(options) < 2:
            continue
        values = [row.get(o) for row in rows for o in options]
        if not all(is_flag_like(v) for v in values):
            continue
        if parent in colset or (
            any(v is not None for v in values)
            and all(v is None or is_true_false_text(v) for v in values)
        ):
            found[parent] = options
    return found


def apply_select_multiple(row: dict[str, Any], found: dict[str, list[str]]) -> dict[str, Any]:
    """Replace option columns by one list per question (summary column wins)."""
    out = dict(row)
    for question, options in found.items():
        flags = [out.pop(o, None) for o in options]
        summary = split_choices(out.get(question))
        if summary is None:
            chosen = [
                o.rsplit(SEP, 1)[1] for o, f in zip(options, flags, strict=True) if as_flag(f)
            ]
            answered = any(f is not None for f in flags)
            summary = chosen if answered else None
        out[question] = summary
    return out


def normalise_id(value: Any) -> str | None:
    """Submission ids compare equal across tools: ``uuid:`` prefix dropped."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.lower().startswith("uuid:"):
        text = text[5:]
    return text or None


def content_id(answers: dict[str, Any]) -> str:
    """A stable id for exports without one: identical rows get the same id, so
    that a spreadsheet pasted twice is still caught as duplicate."""
    payload = json.dumps(answers, sort_keys=True, default=str, ensure_ascii=False)
    return "sha1:" + hashlib.sha1(payload.encode("utf-8")).hexdigest()[:20]


def parse_submitted_at(value: Any, *, naive_is_utc: bool) -> str | None:
    """ISO 8601 text for a submission time.

    Kobo's and Ona's ``_submission_time`` are UTC written without an offset, so
    they get ``+00:00``; ODK Central writes ``…Z``; ODK Briefcase writes the
    Java "medium" date of the exporting computer's locale and time zone
    (``Apr 26, 2018 8:56:00 AM``), which stays without offset because the zone
    is unknown.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if not text:
            return None
        moment = None
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for fmt in _BRIEFCASE_FORMATS:
                try:
                    moment = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if moment is None:
            raise ValueError(f"not a recognised date-time: {text!r}")
    if moment.tzinfo is None:
        if naive_is_utc:
            moment = moment.replace(tzinfo=UTC)
    else:
        moment = moment.astimezone(UTC)
    return moment.isoformat()
