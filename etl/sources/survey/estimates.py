"""Weighted skills-gap estimates per cell, with a reliability flag.

A cell is a combination of the ``by`` columns (e.g. wave × region × ISIC
section × ISCO-08 code). The unit of the survey is the firm, so every
estimate is built from per-firm totals inside the cell, weighted by the firm's
survey weight ``w``:

* ``vacancies`` = Σ w·V, ``hard_to_fill`` = Σ w·H (weighted totals);
* ``hard_to_fill_rate`` = R = Σ w·H / Σ w·V, ``fill_rate`` = Σ w·F / Σ w·V,
  ``suitable_applicants_per_vacancy`` = Σ w·S / Σ w·V — ratio estimators; each
  uses only occupation rows where both its numerator and ``vacancies`` were
  answered;
* ``skill_gap_share`` = Σ w·g / Σ w, with g = 1 when the firm reports at least
  one skill lacking (for the occupation, when the cell is per occupation);
* ``respondents`` = number of firms in the cell.

Which firms are in a cell: when ``by`` holds only firm columns (wave, region,
sector, size band), every responding firm with those attributes, including
firms that reported no vacancy; when it holds an occupation column (``isco08``),
the firms that reported that occupation.

Precision of the hard-to-fill rate: Taylor linearisation of the ratio under
with-replacement sampling of firms (as survey packages do for a one-stage
design without strata)::

    z_i = (H_i − R·V_i) / X,        X = Σ w_i·V_i
    v(R) = n / (n − 1) · Σ (w_i·z_i)²      (Σ w_i·z_i = 0 by construction)
    cv(R) = √v(R) / R

with n the respondents in the cell. The cv is 0 when R = 0 (then every H_i is
0 and the variance vanishes), undefined (NaN) when n < 2 or X = 0. A cell is
reliable when n ≥ ``min_respondents`` and cv ≤ ``max_cv``.
"""

from __future__ import annotations

import math

import pandas as pd

ESTIMATE_COLUMNS = [
    "respondents",
    "vacancies",
    "hard_to_fill",
    "hard_to_fill_rate",
    "fill_rate",
    "suitable_applicants_per_vacancy",
    "skill_gap_share",
    "hard_to_fill_rate_cv",
    "is_reliable",
]
_KEYS = ["survey_id", "wave", "submission_id"]


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan


def _per_firm(occ: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per (cell, firm) totals; pair columns keep only rows where both parts exist."""
    v = occ["vacancies"].astype("Float64")
    work = pd.DataFrame(index=occ.index)
    work["V"] = v.fillna(0)
    work["H"] = occ["hard_to_fill"].astype("Float64").fillna(0)
    for name, col in (("h", "hard_to_fill"), ("f", "filled"), ("s", "suitable_applicants")):
        value = occ[col].astype("Float64")
        both = value.notna() & v.notna()
        work[f"{name}_num"] = value.where(both, 0).fillna(0)
        work[f"{name}_den"] = v.where(both, 0).fillna(0)
    work["gap"] = occ["skills_lacking"].map(lambda s: bool(s) and len(s) > 0).astype(float)
    work[keys] = occ[keys]
    sums = work.groupby(keys, dropna=False, sort=False).agg(
        {c: "sum" for c in work.columns if c not in keys and c != "gap"} | {"gap": "max"}
    )
    return sums.reset_index().astype({c: float for c in sums.columns})


def estimate(
    firms: pd.DataFrame,
    occupations: pd.DataFrame,
    by: list[str],
    *,
    min_respondents: int = 5,
    max_cv: float = 0.3,
) -> pd.DataFrame:
    """Weighted totals, rates, respondent counts, cv and reliability per cell."""
    keys = [k for k in _KEYS if k in firms.columns and k in occupations.columns]
    if "submission_id" not in keys:
        raise ValueError("firms and occupations both need a submission_id column")
    unknown = [c for c in by if c not in firms.columns and c not in occupations.columns]
    if unknown:
        raise ValueError(f"cannot group by {unknown}: not a column of firms or occupations")
    firm_by = [c for c in by if c in firms.columns]
    occ_by = [c for c in by if c not in firms.columns]
    firm_cols = firms[list(dict.fromkeys([*keys, *firm_by, "weight"]))]
    linked = occupations.merge(firm_cols[keys], on=keys, how="left", indicator=True)
    orphans = int((linked["_merge"] == "left_only").sum())
    if orphans:
        raise ValueError(f"{orphans} occupation rows have no firm in `firms` (keys {keys})")

    per_firm = _per_firm(occupations, keys + occ_by)
    if occ_by:
        cells = per_firm.merge(firm_cols, on=keys, how="inner")
    else:  # firm cells: firms without occupation rows still answer (0 vacancies, no gap)
        cells = firm_cols.merge(per_firm, on=keys, how="left")
        cells[per_firm.columns.difference(keys)] = cells[per_firm.columns.difference(keys)].fillna(
            0
        )

    rows = []
    grouped = cells.groupby(by, dropna=False, sort=True) if by else [((), cells)]
    for cell, group in grouped:
        cell = cell if isinstance(cell, tuple) else (cell,)
        w = group["weight"].astype(float)
        n = len(group)
        x = float((w * group["h_den"]).sum())
        rate = _ratio(float((w * group["h_num"]).sum()), x)
        rows.append(
            {
                **dict(zip(by, cell, strict=True)),
                "respondents": n,
                "vacancies": float((w * group["V"]).sum()),
                "hard_to_fill": float((w * group["H"]).sum()),
                "hard_to_fill_rate": rate,
                "fill_rate": _ratio(
                    float((w * group["f_num"]).sum()), float((w * group["f_den"]).sum())
                ),
                "suitable_applicants_per_vacancy": _ratio(
                    float((w * group["s_num"]).sum()), float((w * group["s_den"]).sum())
                ),
                "skill_gap_share": _ratio(float((w * group["gap"]).sum()), float(w.sum())),
                "hard_to_fill_rate_cv": _cv(w, group["h_num"], group["h_den"], rate, x, n),
            }
        )
    out = pd.DataFrame.from_records(rows, columns=[*by, *ESTIMATE_COLUMNS[:-1]])
    out["is_reliable"] = (
        (out["respondents"] >= min_respondents)
        & out["hard_to_fill_rate_cv"].notna()
        & (out["hard_to_fill_rate_cv"] <= max_cv)
    )
    out["respondents"] = out["respondents"].astype("int64")
    return out.reset_index(drop=True)


def _cv(w: pd.Series, y: pd.Series, x: pd.Series, rate: float, total_x: float, n: int) -> float:
    if n < 2 or math.isnan(rate) or total_x <= 0:
        return math.nan
    if rate == 0:
        return 0.0
    z = w * (y - rate * x) / total_x
    variance = n / (n - 1) * float((z**2).sum())
    return math.sqrt(variance) / rate
