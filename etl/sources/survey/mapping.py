"""The per-survey mapping file: which question holds which canonical field.

Every chamber words and names its questionnaire differently, so the link from
questions to the canonical skills-gap fields is data (one YAML file per survey,
versioned with the project), not code. The file is validated strictly: a
misspelt key is an error naming the key's path and line, because a silently
ignored ``vacancy:`` instead of ``vacancies:`` would publish empty estimates.

Example (the demo's Kobo layout)::

    survey_id: chamber_skills_demo
    wave: {from_submitted_at: quarter}
    firm:
      firm_name: firm/name
      sector: firm/sector
      region: firm/region
      size: firm/size
      weight: weight
    occupations:
      repeat: occupations
      fields:
        occupation_text: occ_title
        isco08: isco
        vacancies: vacancies
        hard_to_fill: hard_to_fill
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from etl.sources.survey.tables import SurveyReadError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WaveFromQuestion(_Strict):
    question: str


class WaveFromTime(_Strict):
    """Wave label from the submission time: ``2025Q1`` (quarter) or ``2025``."""

    from_submitted_at: Literal["quarter", "year"]


class FirmFields(_Strict):
    """Questions (or tool columns such as ``_id``) holding the firm's fields."""

    firm_id: str | None = None  # default: the submission id
    firm_name: str | None = None
    sector: str | None = None
    region: str | None = None
    size: str | None = None
    weight: str | None = None  # absent: every firm weighs 1


class OccupationFields(_Strict):
    """Questions holding one occupation's answers (inside the repeat, or fixed)."""

    occupation_text: str | None = None
    isco08: str | None = None
    vacancies: str | None = None
    hard_to_fill: str | None = None
    filled: str | None = None
    applicants: str | None = None
    suitable_applicants: str | None = None
    skills_lacking: str | None = None
    reasons: str | None = None

    @model_validator(mode="after")
    def _names_an_occupation(self) -> OccupationFields:
        if self.occupation_text is None and self.isco08 is None:
            raise ValueError("give occupation_text or isco08 (or both)")
        return self


class Occupations(_Strict):
    """Either a repeat group (``repeat`` + ``fields``) or ``fixed`` column sets
    (questionnaires that ask "occupation 1 … occupation 3" without a repeat)."""

    repeat: str | None = None
    fields: OccupationFields | None = None
    fixed: list[OccupationFields] | None = None

    @model_validator(mode="after")
    def _one_layout(self) -> Occupations:
        if (self.repeat is None) == (self.fixed is None):
            raise ValueError("give either 'repeat' (with 'fields') or 'fixed', not both or neither")
        if self.repeat is not None and self.fields is None:
            raise ValueError("'repeat' needs 'fields'")
        if self.fixed is not None and self.fields is not None:
            raise ValueError("'fields' goes with 'repeat'; each 'fixed' entry lists its own")
        return self


class SizeThresholds(_Strict):
    """Lower bounds (employees) of the size bands, for numeric size answers.
    Default: the EU/ILO convention micro 1–9, small 10–49, medium 50–249, large 250+."""

    micro: int = 1
    small: int = 10
    medium: int = 50
    large: int = 250


class SurveyMapping(_Strict):
    survey_id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    wave: str | WaveFromQuestion | WaveFromTime
    firm: FirmFields
    occupations: Occupations
    sector_codes: dict[str, str] = Field(default_factory=dict)
    region_codes: dict[str, str] = Field(default_factory=dict)
    size_bands: dict[str, str] = Field(default_factory=dict)
    size_thresholds: SizeThresholds = Field(default_factory=SizeThresholds)
    valid_regions: list[str] | None = None

    @field_validator("wave", mode="before")
    @classmethod
    def _wave_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value

    @field_validator("sector_codes", "region_codes", "size_bands", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        # YAML reads `10: C` with an int key; answers are compared as text
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        return value

    @field_validator("sector_codes")
    @classmethod
    def _sections(cls, value: dict[str, str]) -> dict[str, str]:
        bad = {k: v for k, v in value.items() if not re.fullmatch(r"[A-U]", v)}
        if bad:
            raise ValueError(f"values must be ISIC Rev.4 section letters A–U, not {bad}")
        return value


def _node_line(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at a pydantic error location."""
    node, line = root, None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == str(part)), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def load_mapping(path: Path | str) -> SurveyMapping:
    """Read and validate a mapping file; errors name the file, key path and line."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise SurveyReadError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SurveyReadError(f"{path}: expected a mapping of keys at the top level")
    try:
        return SurveyMapping.model_validate(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not _is_union_tag(p))
            where = ".".join(str(p) for p in loc) or "(top level)"
            line = _node_line(root, loc)
            at = f" (line {line})" if line else ""
            lines.append(f"  {where}{at}: {error['msg']}")
        raise SurveyReadError(f"{path}: invalid survey mapping\n" + "\n".join(lines)) from exc


def _is_union_tag(part: Any) -> bool:
    # pydantic puts the union member's name in the location (e.g. "str",
    # "WaveFromTime"); it is not a key of the file
    return isinstance(part, str) and (
        part in {"str", "WaveFromQuestion", "WaveFromTime"} or part.startswith("function-")
    )
