"""ILO codes and the warehouse's classifications.

ILOSTAT codes carry their classification in a prefix: ``OC2_ISCO08_25`` is the
ISCO-08 sub-major group 25, ``OCU_ISCO08_2`` the major group 2,
``ECO_ISIC4_C`` the ISIC Rev.4 section C, ``EC2_ISIC4_C10`` the division 10.
This module turns such codes into the warehouse's ISCO-08 and ISIC Rev.4 codes,
checked against ``etl/reference_data`` (so an ILO code that names an ISCO group
which does not exist is reported, not loaded), and resolves reference areas,
regions, sex and observation-status labels.

Outcomes are explicit: a code is *mapped* (to a warehouse code), an *aggregate*
(TOTAL, not-classified X, broad sectors, skill levels: kept, no code), or
*rejected* with a reason (unknown code, or an older classification such as
ISCO-88 or ISIC Rev.3 that has no one-to-one mapping to ISCO-08 / ISIC Rev.4).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from etl.settings import REFERENCE_DIR

ILO_CODELISTS = REFERENCE_DIR / "ilo" / "ilo_codelists.csv"


@dataclass(frozen=True)
class CodeMapping:
    """What a classification code means for the warehouse."""

    code: str | None  # warehouse code ('25', 'C', '10') or None for aggregates
    level: int | None = None
    reject_reason: str | None = None  # set when the observation must not be loaded


@lru_cache(maxsize=1)
def ilo_codelists() -> dict[str, dict[str, dict[str, str]]]:
    """``{codelist_id: {code: {"parent", "name_en", "name_fr"}}}`` from the extracted ILO codelists."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    with ILO_CODELISTS.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["codelist"], {})[row["code"]] = {
                "parent": row["parent"],
                "name_en": row["name_en"],
                "name_fr": row["name_fr"],
            }
    return out


@lru_cache(maxsize=1)
def ilo_code_index() -> dict[str, str]:
    """Every ILO code -> the codelist it belongs to (codes are unique across ILO codelists
    except for generic ones such as ``_Z`` and the digits of CL_DECIMALS)."""
    index: dict[str, str] = {}
    for cl_id, codes in ilo_codelists().items():
        for code in codes:
            index.setdefault(code, cl_id)
    return index


def _structure_codes(filename: str) -> dict[str, int]:
    with (REFERENCE_DIR / filename).open(encoding="utf-8", newline="") as fh:
        return {row["code"]: int(row["level"]) for row in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def isco08_codes() -> dict[str, int]:
    """ISCO-08 code -> level (1-4), the warehouse's occupation dimension."""
    return _structure_codes("isco08_structure.csv")


@lru_cache(maxsize=1)
def isic4_codes() -> dict[str, int]:
    """ISIC Rev.4 code -> level (1 = section letter … 4 = class)."""
    return _structure_codes("isic4_structure.csv")


# --- occupations -----------------------------------------------------------------------------

_ILO_OCC = re.compile(
    r"^(?P<family>OCU|OC2|OC3|OC4)_(?P<classif>ISCO\d\d|SKILL|DETAILS)_(?P<item>.+)$"
)
_AGGREGATE_ITEMS = {"TOTAL", "X"}


def is_occupation_code(code: str) -> bool:
    return bool(_ILO_OCC.match(code))


def map_occupation(code: str) -> CodeMapping:
    """``OC2_ISCO08_25`` -> ('25', 2). Aggregates keep no code; unknown codes are rejected."""
    m = _ILO_OCC.match(code)
    if not m:
        return CodeMapping(None, None, f"unknown occupation code {code!r}")
    classif, item = m.group("classif"), m.group("item")
    if item in _AGGREGATE_ITEMS or classif in {"SKILL", "DETAILS"}:
        if classif in {"SKILL", "DETAILS"} and code not in ilo_code_index():
            return CodeMapping(None, None, f"unknown ILO occupation code {code!r}")
        return CodeMapping(None)
    if classif != "ISCO08":
        return CodeMapping(
            None, None, f"{code!r} is coded in {classif[:4]}-{classif[4:]}: no ISCO-08 mapping"
        )
    return map_isco08(item, origin=code)


def map_isco08(digits: str, *, origin: str | None = None) -> CodeMapping:
    """A bare ISCO-08 code ('2512') checked against the warehouse's ISCO-08 structure."""
    digits = str(digits).strip()
    level = isco08_codes().get(digits)
    if level is None:
        what = origin or digits
        return CodeMapping(
            None, None, f"unknown occupation code {what!r}: no ISCO-08 group {digits!r}"
        )
    return CodeMapping(digits, level)


def ilo_occupation_code(isco: str) -> str:
    """The ILO-style code for an ISCO-08 group: '2' -> OCU_ISCO08_2, '25' -> OC2_ISCO08_25."""
    family = {1: "OCU", 2: "OC2", 3: "OC3", 4: "OC4"}[len(isco)]
    return f"{family}_ISCO08_{isco}"


# --- economic activity -------------------------------------------------------------------------

_ILO_ECO = re.compile(
    r"^(?P<family>ECO|EC2)_(?P<classif>ISIC\d|SECTOR|AGGREGATE|DETAILS)_(?P<item>.+)$"
)


def is_activity_code(code: str) -> bool:
    return bool(_ILO_ECO.match(code))


def map_activity(code: str) -> CodeMapping:
    """``ECO_ISIC4_C`` -> 'C' (section); ``EC2_ISIC4_C10`` -> '10' (division)."""
    m = _ILO_ECO.match(code)
    if not m:
        return CodeMapping(None, None, f"unknown economic activity code {code!r}")
    family, classif, item = m.group("family"), m.group("classif"), m.group("item")
    if classif in {"SECTOR", "AGGREGATE", "DETAILS"}:
        if code not in ilo_code_index():
            return CodeMapping(None, None, f"unknown ILO economic activity code {code!r}")
        return CodeMapping(None)
    if item in _AGGREGATE_ITEMS:
        return CodeMapping(None)
    if classif != "ISIC4":
        return CodeMapping(
            None, None, f"{code!r} is coded in ISIC Rev.{classif[-1]}: no ISIC Rev.4 mapping"
        )
    if family == "ECO":
        if code in ilo_code_index() and item not in isic4_codes():
            # ILO groupings of sections (DE, HJ, LMN, RSTU): a real ILO aggregate, no single code.
            return CodeMapping(None)
        return map_isic4(item, origin=code)
    # EC2_ISIC4_C10: section letter then division digits; the letter must be the division's
    letter, division = (item[:1], item[1:]) if item[:1].isalpha() else ("", item)
    mapping = map_isic4(division, origin=code)
    if mapping.code and letter and isic4_section(mapping.code) != letter:
        return CodeMapping(
            None,
            None,
            f"unknown economic activity code {code!r}: division {division} is in section "
            f"{isic4_section(mapping.code)}, not {letter}",
        )
    return mapping


def isic4_section(code: str) -> str | None:
    """The section letter of an ISIC Rev.4 division/group/class ('10' -> 'C')."""
    if code.isalpha():
        return code
    return _isic4_sections().get(code[:2])


@lru_cache(maxsize=1)
def _isic4_sections() -> dict[str, str]:
    sections: dict[str, str] = {}
    current = ""
    for code, level in isic4_codes().items():  # hierarchical order: section before its divisions
        if level == 1:
            current = code
        elif level == 2:
            sections[code] = current
    return sections


def map_isic4(value: str, *, origin: str | None = None) -> CodeMapping:
    value = str(value).strip().upper()
    level = isic4_codes().get(value)
    if level is None:
        return CodeMapping(
            None,
            None,
            f"unknown economic activity code {origin or value!r}: no ISIC Rev.4 {value!r}",
        )
    return CodeMapping(value, level)


# --- reference areas and regions ---------------------------------------------------------------


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@dataclass(frozen=True)
class Area:
    ref_area: str  # as ILO writes it (alpha-3, or ILO aggregate such as X01)
    country_code: str | None  # ISO 3166-1 alpha-2, None for aggregates


def resolve_area(code: str) -> Area | None:
    """An ILO/ISO area code (alpha-3 or alpha-2) -> Area; None when unknown."""
    code = str(code).strip().upper()
    if not code:
        return None
    country = None
    if len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
    elif len(code) == 2:
        country = pycountry.countries.get(alpha_2=code)
    if country is not None:
        return Area(code, country.alpha_2)
    if code in ilo_codelists().get("CL_AREA", {}):
        return Area(code, None)  # ILO regional/income aggregate or non-ISO territory (KOS)
    return None


def resolve_subdivision(code: str) -> tuple[str, str] | None:
    """An ISO 3166-2 code ('SN-DK') -> (country alpha-2, subdivision code); None when unknown."""
    code = str(code).strip().upper()
    if "-" not in code:
        return None
    subdivision = pycountry.subdivisions.get(code=code)
    return (subdivision.country_code, subdivision.code) if subdivision is not None else None


@lru_cache(maxsize=1)
def _area_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, row in ilo_codelists().get("CL_AREA", {}).items():
        for key in ("name_en", "name_fr"):
            if row[key]:
                names.setdefault(_fold(row[key]), code)
    return names


def area_from_label(label: str) -> Area | None:
    """'Senegal' / 'Sénégal' / 'United States of America' -> Area."""
    code = _area_names().get(_fold(label))
    if code is None:
        for candidate in (label, re.sub(r"\s*\(.*?\)", "", label)):
            try:
                code = pycountry.countries.lookup(candidate.strip()).alpha_3
                break
            except LookupError:
                continue
    return resolve_area(code) if code else None


def resolve_region(value: str, country_code: str | None) -> str | None:
    """A region given as an ISO 3166-2 code ('SN-DK') or a name ('Dakar', 'Thiès', 'THIES')
    -> ISO 3166-2 code, or None when it is not a subdivision of ``country_code``."""
    value = str(value).strip()
    if not value or not country_code:
        return None
    subdivisions = pycountry.subdivisions.get(country_code=country_code) or []
    by_code = {s.code.upper(): s.code for s in subdivisions}
    if value.upper() in by_code:
        return by_code[value.upper()]
    by_name = {_fold(s.name): s.code for s in subdivisions}
    return by_name.get(_fold(value))


# --- sex, status and labels --------------------------------------------------------------------

_SEX_CODES = {
    "SEX_T": "SEX_T", "SEX_M": "SEX_M", "SEX_F": "SEX_F", "SEX_O": "SEX_O",
    "_T": "SEX_T", "T": "SEX_T", "M": "SEX_M", "F": "SEX_F", "_Z": "_Z",
}  # fmt: skip
_SEX_LABELS = {
    "total": "SEX_T", "ensemble": "SEX_T", "les deux sexes": "SEX_T", "deux sexes": "SEX_T",
    "male": "SEX_M", "males": "SEX_M", "men": "SEX_M", "hommes": "SEX_M", "homme": "SEX_M",
    "masculin": "SEX_M", "female": "SEX_F", "females": "SEX_F", "women": "SEX_F",
    "femmes": "SEX_F", "femme": "SEX_F", "feminin": "SEX_F", "other": "SEX_O", "autre": "SEX_O",
}  # fmt: skip


def normalise_sex(value: str) -> str | None:
    """ILO and SDMX cross-domain sex codes and their labels (en/fr) -> SEX_T/SEX_M/SEX_F/SEX_O."""
    value = str(value).strip()
    return _SEX_CODES.get(value.upper()) or _SEX_LABELS.get(_fold(value))


@lru_cache(maxsize=1)
def _status_by_label() -> dict[str, str]:
    return {
        _fold(row[key]): code
        for code, row in ilo_codelists().get("CL_OBS_STATUS", {}).items()
        for key in ("name_en", "name_fr")
        if row[key]
    }


def obs_status_from_label(label: str) -> str | None:
    """'Break in series' -> 'B' (ILO CL_OBS_STATUS)."""
    return _status_by_label().get(_fold(label))


# Label prefixes of ILOSTAT's labelled downloads -> the prefix of the matching codes.
LABEL_PREFIXES = {
    "Area type": "GEO_COV_",
    "Currency": "CUR_TYPE_",
    "Age (Youth, adults)": "AGE_YTHADULT_",
    "Age (Youth bands)": "AGE_YTHBANDS_",
    "Age (Aggregate bands)": "AGE_AGGREGATE_",
    "Age (10-year bands)": "AGE_10YRBANDS_",
    "Age (5-year bands)": "AGE_5YRBANDS_",
    "Occupation (ISCO-08)": "OCU_ISCO08_",
    "Occupation (ISCO-08), 2 digit level": "OC2_ISCO08_",
    "Occupation (Skill level)": "OCU_SKILL_",
    "Economic activity (ISIC-Rev.4)": "ECO_ISIC4_",
    "Economic activity (ISIC-Rev.4), 2 digit level": "EC2_ISIC4_",
    "Economic activity (Broad sector)": "ECO_SECTOR_",
    "Economic activity (Aggregate)": "ECO_AGGREGATE_",
}


@lru_cache(maxsize=1)
def _names_by_prefix() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for codes in ilo_codelists().values():
        for code, row in codes.items():
            for prefix in LABEL_PREFIXES.values():
                if code.startswith(prefix):
                    out.setdefault(prefix, {})[_fold(row["name_en"])] = code
    return out


def classification_from_label(label: str) -> str | None:
    """'Area type: National' -> 'GEO_COV_NAT'; 'Occupation (ISCO-08), 2 digit level: 25 - …'
    -> 'OC2_ISCO08_25'. None when the label names no code the ILO codelists know."""
    kind, sep, name = str(label).partition(": ")
    if not sep:
        return None
    prefix = LABEL_PREFIXES.get(kind.strip())
    if prefix is None:
        return None
    found = _names_by_prefix().get(prefix, {}).get(_fold(name))
    if found:
        return found
    # ISCO/ISIC labels start with their code ("25 - Information and …", "C. Manufacturing")
    m = re.match(r"^\s*([A-Z]?\d{1,4}|[A-U])\s*[-.]\s", name)
    if m and (prefix.startswith(("OC", "EC"))):
        return prefix + m.group(1)
    if _fold(name) == "total":
        return prefix + "TOTAL"
    return None
