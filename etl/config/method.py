"""The rating method's versioned thresholds (``method.yml``)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from etl.config.sources import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Signal(_Strict):
    shortage_above: float | None = None
    shortage_below: float | None = None
    surplus_above: float | None = None
    surplus_below: float | None = None


class Rating(_Strict):
    major_shortage_net: int
    shortage_net: int
    surplus_net: int
    large_surplus_net: int


class Survey(_Strict):
    min_respondents: int
    max_cv: float
    max_age_quarters: int


class Disclosure(_Strict):
    min_persons: int
    min_firms: int


class Method(_Strict):
    version: str
    minimum_indicators: int
    signals: dict[str, Signal]
    rating: Rating
    survey: Survey
    disclosure: Disclosure
    min_base_vacancies: int = 3
    open_days_without_closing: int = 60
    indicator_roles: dict[str, list[str]] = {}

    def sql_params(self) -> dict[str, object]:
        """Flattened thresholds, bound as parameters into the published-table SQL."""
        params: dict[str, object] = {
            "method_version": self.version,
            "minimum_indicators": self.minimum_indicators,
            "survey_max_age_quarters": self.survey.max_age_quarters,
            "min_persons": self.disclosure.min_persons,
            "min_firms": self.disclosure.min_firms,
            "min_base_vacancies": self.min_base_vacancies,
            **{k: v for k, v in self.rating.model_dump().items()},
        }
        for name, signal in self.signals.items():
            for key, value in signal.model_dump().items():
                params[f"{name}_{key}"] = value
        return params


def load_method(path: Path) -> Method:
    try:
        return Method.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise ConfigError(f"method file not found: {path}") from exc
    except Exception as exc:  # pydantic or YAML: say which file
        raise ConfigError(f"{path}: {exc}") from None
