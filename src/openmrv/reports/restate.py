"""Pinned vs restated: recalculate a past year under newer factor editions and show, record by
record, what changed. Reports pin their editions (principle 6); a restatement is explicit, names
the editions on both sides, and says whether it crosses the recalculation threshold of the
inventory's policy (GHG Protocol Corporate Standard ch. 5: recalculate the base year when a
change is significant; 5 % is a common threshold and the default here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from openmrv.engine import RunResult, calculate
from openmrv.factors import Library
from openmrv.ingest.columns import Schema
from openmrv.methods import Options

KEY = ["record_id", "methodology", "gas"]
SIGNIFICANT = 0.05


@dataclass
class Restatement:
    year: int
    pinned: dict[str, object]  # factor editions of the pinned run
    restated: dict[str, object]
    diff: pd.DataFrame  # per record, methodology and gas: pinned and restated values
    summary: pd.DataFrame  # per methodology: totals, change, significant
    run: RunResult | None = None  # the restated calculation of the year

    @property
    def changed(self) -> pd.DataFrame:
        return self.diff[self.diff.delta_t != 0]


def diff_runs(pinned: RunResult, restated: RunResult) -> pd.DataFrame:
    """Per record, methodology and gas, both values; biogenic CO2 is outside every total
    (reported apart), so its rows carry 0 t CO2e here, like in the inventory."""
    cols = [*KEY, "facility_id", "year", "co2e_t", "factor_ids"]

    def fossil(run: RunResult) -> pd.DataFrame:
        df = run.results.select([*cols, "biogenic"]).to_pandas()
        df["co2e_t"] = df.co2e_t.where(~df.biogenic, 0.0)
        return df.drop(columns="biogenic")

    a, b = fossil(pinned), fossil(restated)
    d = a.merge(b, on=[*KEY, "facility_id", "year"], how="outer", suffixes=("_pinned", "_restated"))
    d["delta_t"] = d.co2e_t_restated.fillna(0.0) - d.co2e_t_pinned.fillna(0.0)
    return d.sort_values(KEY).reset_index(drop=True)


def restate(
    activity: pa.Table,
    facilities: pd.DataFrame,
    year: int,
    methods: list[str],
    pinned: Options,
    newer: Options,
    lib: Library | None = None,
    threshold: float = SIGNIFICANT,
    *,
    schema: Schema,
) -> Restatement:
    """Recalculate `year` under `pinned` and `newer` options (editions) and diff the results
    (`schema`: the activity's)."""
    act = activity.filter(pc.equal(activity["year"], year))
    if act.num_rows == 0:
        raise ValueError(f"no activity records in {year}")
    a = calculate(act, facilities, methods, pinned, lib=lib, schema=schema)
    b = calculate(act, facilities, methods, newer, lib=lib, schema=schema)
    d = diff_runs(a, b)
    rows = []
    for m, g in d.groupby("methodology"):
        old = math.fsum(g.co2e_t_pinned.fillna(0.0))
        new = math.fsum(g.co2e_t_restated.fillna(0.0))
        change = (new - old) / old if old else float("nan")
        rows.append(
            {
                "methodology": m,
                "pinned_t": old,
                "restated_t": new,
                "delta_t": new - old,
                "change": change,
                "records_changed": int(g[g.delta_t != 0].record_id.nunique()),
                "significant": bool(abs(change) >= threshold),
            }
        )
    return Restatement(
        year, a.meta["factor_editions"], b.meta["factor_editions"], d, pd.DataFrame(rows), b
    )


@dataclass(frozen=True)
class RecalculationPolicy:
    """An inventory's base year and the significance threshold for recalculating it (GHG
    Protocol Corporate Standard ch. 5: structural changes, changes in methodology or emission
    factors, and errors that are significant trigger a base-year recalculation)."""

    base_year: int
    threshold: float = SIGNIFICANT


def base_year_triggers(
    policy: RecalculationPolicy,
    facilities_by_year: dict[int, set[str]],
    restatement: Restatement | None = None,
) -> list[str]:
    """Why the base year must be recalculated, if it must: facilities that entered or left the
    boundary since the base year (structural change), and a significant restatement of the
    base year under newer factors."""
    out = []
    base = facilities_by_year.get(policy.base_year, set())
    for year in sorted(y for y in facilities_by_year if y > policy.base_year):
        now = facilities_by_year[year]
        if now - base:
            out.append(
                f"{year}: records from facilities absent in {policy.base_year} (acquisition or "
                f"new facility?): {sorted(now - base)}"
            )
        if base - now:
            out.append(
                f"{year}: no records from facilities present in {policy.base_year} (divestment, "
                f"closure or missing data?): {sorted(base - now)}"
            )
    if restatement is not None and restatement.year == policy.base_year:
        for r in restatement.summary.itertuples():
            if abs(r.change) >= policy.threshold:
                out.append(
                    f"{r.methodology}: restating {policy.base_year} changes it by "
                    f"{100 * r.change:+.2f} %, at or above the {100 * policy.threshold:.0f} % "
                    "threshold"
                )
    return out
