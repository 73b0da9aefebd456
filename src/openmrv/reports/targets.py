"""Targets and progress: absolute reductions, intensity reductions (per unit of output or
revenue) and peak-by-year targets (China's CO2 peak before 2030), measured against an
inventory's yearly totals. The path to a reduction target is linear from the base year.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from openmrv.ingest.errors import InputError, Problem
from openmrv.reports.inputs import require_columns

KINDS = ("absolute", "intensity", "peak")
MEASURES = {
    "scope1": ("scope1_t",),
    "scope1_2_location": ("scope1_t", "scope2_location_t"),
    "scope1_2_market": ("scope1_t", "scope2_market_t"),
}
TARGET_COLUMNS = ("target_id", "organization_id", "kind", "scope", "base_year", "target_year")


@dataclass(frozen=True)
class Target:
    target_id: str
    organization_id: str
    kind: str
    scope: str
    base_year: int
    target_year: int  # the year to reach the reduction, or the peak year
    reduction: float = 0.0  # fraction of the base-year figure (absolute, intensity)
    output_unit: str = ""  # intensity denominator, e.g. 'MWh', 'USD million'


def check_targets(df: pd.DataFrame, name: str = "targets") -> list[Target]:
    """Targets from a table (one row each), or InputError with every bad cell located."""
    require_columns(df, name, TARGET_COLUMNS)
    problems: list[Problem] = []
    out = []
    for i, r in enumerate(df.fillna("").astype(str).to_dict("records"), start=2):
        bad = []
        if r["kind"] not in KINDS:
            bad.append(("kind", r["kind"], "unknown target kind", "use " + ", ".join(KINDS)))
        if r["scope"] not in MEASURES:
            bad.append(("scope", r["scope"], "unknown scope", "use " + ", ".join(MEASURES)))
        years = {}
        for c in ("base_year", "target_year"):
            try:
                years[c] = int(r[c])
            except ValueError:
                bad.append((c, r[c], "not a year", "e.g. 2020"))
        red = 0.0
        if r["kind"] in ("absolute", "intensity"):
            try:
                red = float(r.get("reduction", ""))
                if not 0 < red <= 1:
                    raise ValueError
            except ValueError:
                bad.append(
                    ("reduction", r.get("reduction"), "must be a fraction in (0, 1]", "0.3 = 30 %")
                )
        if r["kind"] == "intensity" and not r.get("output_unit"):
            bad.append(("output_unit", "", "intensity needs an output unit", "e.g. MWh"))
        if len(years) == 2 and years["target_year"] <= years["base_year"]:
            bad.append(("target_year", r["target_year"], "must be after the base year", ""))
        if bad:
            problems += [Problem(name, i, c, v, p, f) for c, v, p, f in bad]
            continue
        out.append(
            Target(
                r["target_id"],
                r["organization_id"],
                r["kind"],
                r["scope"],
                years["base_year"],
                years["target_year"],
                red,
                r.get("output_unit", ""),
            )
        )
    if problems:
        raise InputError(problems)
    return out


def progress(
    totals: pd.DataFrame, targets: list[Target], output: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per target and year with data: actual (t CO2e, or t CO2e per output unit), the target
    level for that year, and whether it is on track. `totals` as Inventory.totals; `output`
    has organization_id, year, value (the intensity denominator)."""
    rows = []
    for tg in targets:
        org = totals[totals.organization_id == tg.organization_id].set_index("year")
        if org.empty:
            raise InputError(
                [
                    Problem(
                        "targets",
                        None,
                        "organization_id",
                        tg.organization_id,
                        "no inventory for this organisation",
                        "check the organisation id",
                    )
                ]
            )
        actual = org[list(MEASURES[tg.scope])].sum(axis=1)
        if tg.kind == "intensity":
            if output is None:
                raise InputError(
                    [
                        Problem(
                            "targets",
                            None,
                            "kind",
                            tg.target_id,
                            "intensity target needs output data",
                            "pass --output FILE",
                        )
                    ]
                )
            mine = output[output.organization_id == tg.organization_id]
            out = pd.Series(mine.value.astype(float).values, index=mine.year.astype(int).values)
            actual = (actual / out).dropna()
        base = actual.get(tg.base_year)
        for year, value in actual.sort_index().items():
            if tg.kind == "peak":
                upto = actual[actual.index <= tg.target_year]
                level = float(upto.max()) if len(upto) else float("nan")
                ok = year <= tg.target_year or value <= level
            elif base is None:
                level, ok = float("nan"), None
            else:
                frac = min(max((year - tg.base_year) / (tg.target_year - tg.base_year), 0), 1)
                level = float(base) * (1 - tg.reduction * frac)
                ok = bool(value <= level)
            rows.append(
                {
                    "target_id": tg.target_id,
                    "organization_id": tg.organization_id,
                    "kind": tg.kind,
                    "scope": tg.scope,
                    "year": int(year),
                    "actual": float(value),
                    "target": level,
                    "on_track": ok,
                }
            )
    return pd.DataFrame(rows)
