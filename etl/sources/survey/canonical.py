"""Submissions + mapping → canonical firm and occupation rows, and the rejects.

This is where answers meet the reference classifications (ISIC Rev.4 sections,
ISCO-08 codes, the survey's regions and size bands) and where values that do
not fit are taken out with their reason instead of being loaded: text in a
number field, negative counts, hard-to-fill or filled vacancies above the
vacancies reported, unknown sector/region/size. A rejected firm takes its
occupation rows with it (each recorded), because an occupation row without its
firm's region, sector and weight cannot enter an estimate.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from etl.settings import REFERENCE_DIR
from etl.sources.survey.headers import SEP
from etl.sources.survey.mapping import (
    OccupationFields,
    SurveyMapping,
    WaveFromQuestion,
    WaveFromTime,
)
from etl.sources.survey.submission import Submission
from etl.sources.survey.values import as_flag, split_choices

Classifier = Callable[[str], tuple[str | None, float]]

FIRM_COLUMNS = [
    "survey_id",
    "wave",
    "submission_id",
    "submitted_at",
    "firm_id",
    "firm_name",
    "isic4_section",
    "region_code",
    "size_band",
    "weight",
]
COUNT_FIELDS = ["vacancies", "hard_to_fill", "filled", "applicants", "suitable_applicants"]
OCCUPATION_COLUMNS = [
    "survey_id",
    "wave",
    "submission_id",
    "occupation_text",
    "isco08",
    "isco_confidence",
    *COUNT_FIELDS,
    "skills_lacking",
    "reasons",
]
REJECTED_COLUMNS = ["submission_id", "source_row", "field", "value", "reject_reason"]
SIZE_BANDS = ("micro", "small", "medium", "large")

_WHOLE = re.compile(r"^[+]?\d+(?:[.,]0+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]")


@dataclass
class CanonicalSurvey:
    firms: pd.DataFrame
    occupations: pd.DataFrame
    rejected: pd.DataFrame
    #: submissions seen more than once (same uuid / instanceID), loaded once
    duplicates: int = 0
    duplicate_ids: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def isic_sections() -> dict[str, str]:
    """Every ISIC Rev.4 code (section, division, group, class) → its section.

    The structure file lists codes in hierarchical order, so a division belongs
    to the last section seen above it."""
    out: dict[str, str] = {}
    section = ""
    with (REFERENCE_DIR / "isic4_structure.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["level"] == "1":
                section = row["code"]
            out[row["code"]] = section
    return out


@lru_cache(maxsize=1)
def isco_codes() -> frozenset[str]:
    with (REFERENCE_DIR / "isco08_structure.csv").open(encoding="utf-8") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle))


class _Reject(Exception):
    def __init__(self, field_name: str, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.value = value
        self.reason = reason


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _lookup_code(table: dict[str, str], value: str) -> str | None:
    if value in table:
        return table[value]
    folded = {k.casefold(): v for k, v in table.items()}
    return folded.get(value.casefold())


def parse_count(field_name: str, value: Any) -> int | None:
    """A non-negative whole number, or ``_Reject`` saying why not."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Reject(field_name, value, "not a number (a yes/no value)")
    if isinstance(value, int | float):
        if isinstance(value, float) and (math.isnan(value) or not value.is_integer()):
            raise _Reject(field_name, value, "not a whole number")
        number = int(value)
    else:
        text = _SPACES.sub("", str(value))
        if text.startswith("-") and _WHOLE.match(text[1:]):
            raise _Reject(field_name, value, "negative count")
        if not _WHOLE.match(text):
            try:
                float(text.replace(",", "."))
            except ValueError:
                raise _Reject(field_name, value, "not a number") from None
            raise _Reject(field_name, value, "not a whole number")
        number = int(re.split(r"[.,]", text)[0])
    if number < 0:
        raise _Reject(field_name, value, "negative count")
    return number


def _choices(row: dict[str, Any], path: str | None) -> list[str]:
    """A select-multiple answer as a list: a list, a space-separated summary, or
    (when the export only had ``question/option`` 0/1 columns) the options set."""
    if path is None:
        return []
    value = row.get(path)
    if value is not None:
        return split_choices(value) or []
    prefix = path + SEP
    return [
        k[len(prefix) :]
        for k, v in row.items()
        if k.startswith(prefix) and SEP not in k[len(prefix) :] and as_flag(v)
    ]


class _Converter:
    def __init__(self, mapping: SurveyMapping, classify: Classifier | None) -> None:
        self.mapping = mapping
        self.classify = classify
        self.valid_regions = set(mapping.valid_regions) if mapping.valid_regions else None

    # -- firm ---------------------------------------------------------------
    def wave(self, sub: Submission) -> str:
        wave = self.mapping.wave
        if isinstance(wave, str):
            return wave
        if isinstance(wave, WaveFromQuestion):
            value = _text(_get(sub, wave.question))
            if value is None:
                raise _Reject("wave", None, f"no answer to wave question {wave.question!r}")
            return value
        assert isinstance(wave, WaveFromTime)
        if sub.submitted_at is None:
            raise _Reject("wave", None, "no submission time to derive the wave from")
        year, month = int(sub.submitted_at[:4]), int(sub.submitted_at[5:7])
        return f"{year}" if wave.from_submitted_at == "year" else f"{year}Q{(month - 1) // 3 + 1}"

    def sector(self, value: Any) -> str | None:
        text = _text(value)
        if text is None:
            return None
        mapped = _lookup_code(self.mapping.sector_codes, text)
        if mapped is not None:
            return mapped
        if re.fullmatch(r"[A-Ua-u]", text):
            return text.upper()
        code = text.zfill(2) if text.isdigit() and len(text) == 1 else text
        section = isic_sections().get(code)
        if section is None:
            raise _Reject("sector", value, "not an ISIC Rev.4 code and not in sector_codes")
        return section

    def region(self, value: Any) -> str | None:
        text = _text(value)
        if text is None:
            return None
        code = _lookup_code(self.mapping.region_codes, text) or text
        if self.valid_regions is not None and code not in self.valid_regions:
            raise _Reject("region", value, "unknown region (not in valid_regions)")
        return code

    def size_band(self, value: Any) -> str | None:
        if value is None:
            return None
        text = _text(value)
        assert text is not None
        mapped = _lookup_code(self.mapping.size_bands, text)
        if mapped is not None:
            return mapped
        if text.casefold() in SIZE_BANDS:
            return text.casefold()
        try:
            employees = parse_count("size", value)
        except _Reject:
            raise _Reject(
                "size", value, "unknown size band (not a band, not a head count)"
            ) from None
        t = self.mapping.size_thresholds
        if employees is None or employees < t.small:
            return "micro"
        if employees < t.medium:
            return "small"
        return "medium" if employees < t.large else "large"

    def weight(self, value: Any) -> float:
        if self.mapping.firm.weight is None:
            return 1.0
        if value is None:
            raise _Reject("weight", None, "missing survey weight")
        try:
            weight = float(str(value).replace(",", ".")) if not isinstance(value, bool) else None
        except ValueError:
            weight = None
        if weight is None or math.isnan(weight):
            raise _Reject("weight", value, "weight is not a number")
        if weight <= 0:
            raise _Reject("weight", value, "weight must be positive")
        return weight

    def firm(self, sub: Submission) -> tuple[dict[str, Any] | None, list[_Reject]]:
        f = self.mapping.firm
        record: dict[str, Any] = {
            "survey_id": self.mapping.survey_id,
            "submission_id": sub.submission_id,
            "submitted_at": sub.submitted_at,
            "firm_id": _text(_get(sub, f.firm_id)) if f.firm_id else sub.submission_id,
            "firm_name": _text(_get(sub, f.firm_name)) if f.firm_name else None,
        }
        if record["firm_id"] is None:
            record["firm_id"] = sub.submission_id
        problems: list[_Reject] = []
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("wave", lambda: self.wave(sub)),
            ("isic4_section", lambda: self.sector(_get(sub, f.sector))),
            ("region_code", lambda: self.region(_get(sub, f.region))),
            ("size_band", lambda: self.size_band(_get(sub, f.size))),
            ("weight", lambda: self.weight(_get(sub, f.weight))),
        ]
        for column, step in steps:
            try:
                record[column] = step()
            except _Reject as reject:
                problems.append(reject)
        return (None if problems else record), problems

    # -- occupations ----------------------------------------------------------
    def occupation(self, row: dict[str, Any], spec: OccupationFields) -> dict[str, Any]:
        def get(name: str | None) -> Any:
            return row.get(name) if name else None

        record: dict[str, Any] = {}
        problems: list[_Reject] = []
        for name in COUNT_FIELDS:
            try:
                record[name] = parse_count(name, get(getattr(spec, name)))
            except _Reject as reject:
                problems.append(reject)
        if problems:
            raise _Multi(problems)
        vac = record["vacancies"]
        for name in ("hard_to_fill", "filled"):
            if vac is not None and record[name] is not None and record[name] > vac:
                problems.append(
                    _Reject(name, record[name], f"{name} ({record[name]}) > vacancies ({vac})")
                )
        apps, suitable = record["applicants"], record["suitable_applicants"]
        if apps is not None and suitable is not None and suitable > apps:
            problems.append(
                _Reject(
                    "suitable_applicants",
                    suitable,
                    f"suitable_applicants ({suitable}) > applicants ({apps})",
                )
            )
        if problems:
            raise _Multi(problems)
        text = _text(get(spec.occupation_text))
        record["occupation_text"] = text
        record["isco08"], record["isco_confidence"] = self.isco(get(spec.isco08), text)
        # option order carries no meaning and differs between tools: sort
        record["skills_lacking"] = sorted(set(_choices(row, spec.skills_lacking)))
        record["reasons"] = sorted(set(_choices(row, spec.reasons)))
        return record

    def isco(self, code_value: Any, text: str | None) -> tuple[str | None, float | None]:
        code = _text(code_value)
        if isinstance(code_value, int | float) and code is not None and len(code) == 3:
            code = "0" + code  # a spreadsheet turned "0110" into the number 110
        if code is not None and code.isdigit() and code in isco_codes():
            return code, 1.0
        if text and self.classify is not None:
            found, confidence = self.classify(text)
            return found, float(confidence) if found is not None else None
        return None, None


class _Multi(Exception):
    def __init__(self, rejects: list[_Reject]) -> None:
        super().__init__("; ".join(r.reason for r in rejects))
        self.rejects = rejects


def _get(sub: Submission, path: str | None) -> Any:
    """A question's answer, or a tool column (``_id``, ``_index``) from meta."""
    if path is None:
        return None
    if path in sub.answers:
        return sub.answers[path]
    return sub.meta.get(path)


def _find_repeat(sub: Submission, name: str) -> tuple[list[dict], list[str]]:
    key = name if name in sub.repeats else None
    if key is None:
        key = next((k for k in sub.repeats if k.rsplit(SEP, 1)[-1] == name), None)
    if key is None:
        return [], []
    rows = sub.repeats[key]
    sources = sub.repeat_source_rows.get(key) or [
        f"{sub.source_row}, {key}[{i + 1}]" for i in range(len(rows))
    ]
    prefix = key + SEP
    rel = [
        {(k[len(prefix) :] if k.startswith(prefix) else k): v for k, v in r.items()} for r in rows
    ]
    return rel, sources


def _strip_repeat(spec: OccupationFields, repeat: str) -> OccupationFields:
    """Mapping fields may be written with the repeat's path (``occupations/vacancies``)."""
    values = {}
    for name, path in spec.model_dump().items():
        if isinstance(path, str):
            for prefix in (repeat + SEP, repeat.rsplit(SEP, 1)[-1] + SEP):
                if path.startswith(prefix):
                    path = path[len(prefix) :]
                    break
        values[name] = path
    return OccupationFields(**values)


def deduplicate(submissions: Iterable[Submission]) -> tuple[list[Submission], list[str]]:
    """One submission per id: the latest submission time wins (an edited form is
    re-sent with the same uuid), the first in the file on a tie."""
    best: dict[str, Submission] = {}
    duplicates: list[str] = []
    for sub in submissions:
        kept = best.get(sub.submission_id)
        if kept is None:
            best[sub.submission_id] = sub
            continue
        duplicates.append(sub.submission_id)
        if sub.submitted_at is not None and (
            kept.submitted_at is None or sub.submitted_at > kept.submitted_at
        ):
            best[sub.submission_id] = sub
    return list(best.values()), duplicates


def _reject_row(sub_id: str, source: str, field_name: str, value: Any, reason: str) -> dict:
    return {
        "submission_id": sub_id,
        "source_row": source,
        "field": field_name,
        "value": None if value is None else str(value),
        "reject_reason": reason,
    }


def to_canonical(
    submissions: Iterable[Submission],
    mapping: SurveyMapping,
    *,
    classify: Classifier | None = None,
) -> CanonicalSurvey:
    """Canonical ``firms``, ``occupations`` and ``rejected`` frames.

    ``classify`` turns free-text occupation titles into (ISCO-08 code,
    confidence) when no valid code was answered; without it such rows stay
    unclassified (``isco08`` null), never guessed.
    """
    problems = getattr(submissions, "problems", None) or []  # rows attached to no submission
    submissions = list(submissions)
    unique, duplicate_ids = deduplicate(submissions)
    conv = _Converter(mapping, classify)
    firms: list[dict] = []
    occupations: list[dict] = []
    rejected: list[dict] = [
        _reject_row("", p.source_row, "row", p.values or None, p.reason) for p in problems
    ]
    occ = mapping.occupations
    for sub in unique:
        firm, firm_problems = conv.firm(sub)
        for p in firm_problems:
            rejected.append(
                _reject_row(sub.submission_id, sub.source_row, p.field, p.value, p.reason)
            )
        if occ.repeat is not None:
            assert occ.fields is not None
            rows, sources = _find_repeat(sub, occ.repeat)
            specs = [_strip_repeat(occ.fields, occ.repeat)] * len(rows)
            pairs = [(r, s, sp, True) for r, s, sp in zip(rows, sources, specs, strict=True)]
        else:
            assert occ.fixed is not None
            pairs = [
                (sub.answers, f"{sub.source_row}, occupation {i + 1}", spec, False)
                for i, spec in enumerate(occ.fixed)
            ]
        for row, source, spec, is_repeat in pairs:
            used = [p for p in spec.model_dump().values() if p]
            if all(_choices(row, p) == [] and row.get(p) is None for p in used):
                if is_repeat:
                    rejected.append(
                        _reject_row(
                            sub.submission_id, source, "occupation", None, "empty occupation row"
                        )
                    )
                continue  # an unused "occupation 3 of 3" slot holds no data
            if firm is None:
                reasons = "; ".join(f"{p.field}: {p.reason}" for p in firm_problems)
                rejected.append(
                    _reject_row(
                        sub.submission_id, source, "firm", None, f"firm rejected ({reasons})"
                    )
                )
                continue
            try:
                record = conv.occupation(row, spec)
            except _Multi as multi:
                for r in multi.rejects:
                    rejected.append(
                        _reject_row(sub.submission_id, source, r.field, r.value, r.reason)
                    )
                continue
            record.update(
                survey_id=mapping.survey_id, wave=firm["wave"], submission_id=sub.submission_id
            )
            occupations.append(record)
        if firm is not None:
            firms.append(firm)
    return CanonicalSurvey(
        firms=_frame(firms, FIRM_COLUMNS, {"weight": "float64"}),
        occupations=_frame(
            occupations,
            OCCUPATION_COLUMNS,
            {**{c: "Int64" for c in COUNT_FIELDS}, "isco_confidence": "float64"},
        ),
        rejected=_frame(rejected, REJECTED_COLUMNS, {}),
        duplicates=len(duplicate_ids),
        duplicate_ids=duplicate_ids,
    )


def _frame(records: list[dict], columns: list[str], dtypes: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column, dtype in dtypes.items():
        frame[column] = frame[column].astype(dtype)
    return frame
