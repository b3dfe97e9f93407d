"""The source configuration: one YAML file that declares every source.

It is validated on load with pydantic; a bad key or value is reported with its
path in the file (``sources[2].selectors.title: field required``) rather than as
a traceback, because the people who edit it are data engineers, not the authors.

``${NAME}`` (or ``${NAME:-default}``) in any string is replaced from the environment (so the demo can point
at a server on a free port, and production can keep hosts out of the file).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

_ENV = re.compile(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}")


class ConfigError(ValueError):
    """The configuration file is invalid; the message names the file and the key path."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Schedule(_Strict):
    """When the source is run and how stale it may get before an alert."""

    cron: str = "@daily"
    expected_every_hours: float = 48.0


class _SourceBase(_Strict):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    enabled: bool = True
    schedule: Schedule = Schedule()
    min_rows_share: float = Field(0.5, ge=0, le=1, description="volume-collapse gate")


class Pagination(_Strict):
    mode: Literal["next_link", "page_param"] = "next_link"
    next_selector: str = "a[rel=next]"
    param: str = "page"
    start: int = 1


class JobBoardSource(_SourceBase):
    kind: Literal["jobboard"]
    start_url: str
    allowed_hosts: list[str]
    allow_private: bool = False
    rate_per_second: float = Field(1.0, gt=0)
    max_pages: int = Field(500, ge=1)
    pagination: Pagination = Pagination()
    detail_link_selector: str
    selectors: dict[str, str] | None = None
    language: str | None = None


class PesApiSource(_SourceBase):
    kind: Literal["pes_api"]
    url: str
    allowed_hosts: list[str]
    allow_private: bool = False
    rate_per_second: float = Field(2.0, gt=0)
    max_pages: int = Field(1000, ge=1)
    pagination: Literal["page", "offset", "cursor"] = "page"
    page_param: str = "page"
    records_path: str = "results"
    total_pages_path: str | None = "total_pages"
    fields: dict[str, str]


class SdmxApiSource(_SourceBase):
    """An SDMX REST endpoint (ILOSTAT by default): one filtered query per run."""

    kind: Literal["sdmx_api"]
    endpoint: str = "https://sdmx.ilo.org/rest"
    flow: str
    key: Annotated[str, Field(min_length=1)]
    frequency: Literal["A", "Q", "M"] = "A"
    lookback_periods: int = Field(2, ge=0, description="periods before the interval, for revisions")
    unit_mults: list[int] = Field(default_factory=lambda: [0],
                                  description="unit multipliers a release may use (batch gate)")


class DropFolderSource(_SourceBase):
    """A folder where files land (observatory releases, survey exports, PES registers)."""

    kind: Literal["statistics", "survey", "returnees"]
    path: str
    pattern: str = "*"
    mapping: dict[str, Any] | None = None
    mapping_file: str | None = None
    unit_mults: list[int] = Field(default_factory=lambda: [0],
                                  description="statistics: unit multipliers a release may use")
    mappings: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="file-name glob -> reader mapping (observatory tables)"
    )

    def mapping_for(self, filename: str) -> dict[str, Any] | None:
        """The reader mapping of a dropped file: the first glob of ``mappings`` it matches."""
        from fnmatch import fnmatch

        for pattern, mapping in self.mappings.items():
            if fnmatch(filename, pattern):
                return mapping
        return self.mapping


Source = Annotated[JobBoardSource | PesApiSource | SdmxApiSource | DropFolderSource,
                   Field(discriminator="kind")]


class Operator(_Strict):
    name: str
    contact: str


class LmisConfig(_Strict):
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    operator: Operator
    language: Literal["fr", "en"] = "fr"
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "XOF"
    region_aliases: dict[str, str] = {}
    method_file: str = "method.yml"
    sources: list[Source]

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list) -> list:
        names = [s.name for s in sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"source names must be unique: {', '.join(dupes)}")
        return sources

    @property
    def user_agent(self) -> str:
        return f"ReintegrationLMIS/0.1 (+{self.operator.contact}; {self.operator.name})"

    def source(self, name: str) -> JobBoardSource | PesApiSource | SdmxApiSource | DropFolderSource:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(f"no source named {name!r} in the configuration")

    def sources_of(self, *kinds: str) -> list:
        return [s for s in self.sources if s.kind in kinds and s.enabled]


def _expand(value: Any, path: Path) -> Any:
    if isinstance(value, str):
        def repl(match: re.Match) -> str:
            name, default = match.group(1), match.group(2)
            if name not in os.environ and default is not None:
                return default
            if name not in os.environ:
                raise ConfigError(f"{path}: environment variable ${{{name}}} is not set")
            return os.environ[name]
        return _ENV.sub(repl, value)
    if isinstance(value, list):
        return [_expand(v, path) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, path) for k, v in value.items()}
    return value


def _location(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("jobboard", "pes_api", "sdmx_api", "statistics", "survey", "returnees") \
                and out.endswith("]"):
            continue  # pydantic's discriminator tag, not a key of the file
        else:
            out += f".{part}" if out else str(part)
    return out


def load_config(path: Path) -> LmisConfig:
    """Read and validate the source configuration, with errors that name key paths."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"configuration file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    try:
        return LmisConfig.model_validate(_expand(raw, path))
    except ValidationError as exc:
        problems = "; ".join(
            f"{_location(err['loc'])}: {err['msg']}" for err in exc.errors(include_url=False)
        )
        raise ConfigError(f"{path}: {problems}") from None


PACKAGE_CONFIG_DIR = Path(__file__).resolve().parent


def config_path(explicit: str | None = None) -> Path:
    """``--config``, then ``LMIS_CONFIG``, then ``LMIS_HOME/sources.yml``, else the demo file."""
    from etl.settings import lmis_home

    if explicit:
        return Path(explicit)
    if os.environ.get("LMIS_CONFIG"):
        return Path(os.environ["LMIS_CONFIG"])
    home_file = lmis_home() / "sources.yml"
    if home_file.exists():
        return home_file
    return PACKAGE_CONFIG_DIR / "demo_sources.yml"


def config_relative(config_file: Path, name: str) -> Path:
    """A file named by the config (method, mapping): beside it, else in the package."""
    beside = config_file.parent / name
    return beside if beside.exists() else PACKAGE_CONFIG_DIR / name
