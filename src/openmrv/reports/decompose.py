"""Why two methodologies give different totals for the same records: the difference split into
its causes, record by record, so the causes add up to the total difference.

For fuel combustion with CO2 computed from heat, write each method's CO2 as
E = H · e, with H the heat on the method's basis (HHV for Part 98 and the Hub, NCV for MEE and
IPCC) and e = c · ox · 44/12 its CO2 per GJ (carbon per GJ times oxidation). Going from a base
method A to another method B:

* heating value and basis: (H_B − r·H_A) · e_A / r, where r converts A's basis to B's with the
  IPCC default NCV/GCV ratio of the fuel's state (1 when both use the same basis). Converting the
  basis alone changes nothing (r·H_A · e_A/r = H_A·e_A); what is left is how differently the
  two methods' heating values count the same fuel. When either method reached its heating
  value through a fuel density (its lineage has a ``fuel_density`` factor), this effect is
  named ``density``: the two cannot be told apart without a second reference;
* carbon content: H_B · (e_B·ox_A/ox_B − e_A/r), the carbon per GJ with oxidation held at A's;
* oxidation: H_B · e_B · (1 − ox_A/ox_B).

The three add up to E_B − E_A. CO2 not computed from heat (measured carbon, CEMS) goes wholly
to carbon content. For CH4 and N2O: factors = Σ (m_B − m_A) · GWP_A, GWP set = Σ m_B ·
(GWP_B − GWP_A). Purchased electricity: grid factor = the CO2e difference; purchased heat: other
factors. Biogenic CO2 is outside the totals.

The comparison is like for like: both totals hold only the records both methods computed (at
least one gas each). Gases of those records that only one method counts (MEE counts no
combustion CH4/N2O) are the cause `gases_one_method`. Records only one method computed are not
in either total: they are listed in `only`, by scope, with the reason the other method gave.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from openmrv.factors import Library, load_library
from openmrv.gases import gwp_table
from openmrv.methods import HHV_METHODS, METHODS
from openmrv.methods.base import ratio_frame
from openmrv.reports.coverage import categories, not_covered

CAUSES = (
    "heating_value",
    "density",
    "carbon_content",
    "oxidation",
    "non_co2_factors",
    "gwp",
    "grid_factor",
    "other_factor",
    "gases_one_method",
)
COMBUSTION = ("stationary_combustion", "mobile_combustion")


@dataclass
class Decomposition:
    base: str
    other: str
    base_t: float
    other_t: float
    effects: pd.DataFrame  # cause, effect_t (in CAUSES order)
    by_record: pd.DataFrame  # record_id, cause, effect_t
    only: pd.DataFrame = field(default_factory=pd.DataFrame)  # records one method computed
    by_scope: pd.DataFrame = field(default_factory=pd.DataFrame)  # both totals per scope

    @property
    def difference_t(self) -> float:
        return self.other_t - self.base_t


def _oxidation(rows: pd.DataFrame, values: dict[str, float], measured: pd.Series) -> pd.Series:
    """Oxidation fraction behind each CO2 row: its oxidation factor id, else the measured rate
    (a method with ``measured_oxidation``: MEE), else 1 (Part 98, Hub and IPCC Tier 1 assume
    complete oxidation)."""
    measuring = {i for i, m in METHODS.items() if m.measured_oxidation}

    def one(r) -> float:
        for fid in str(r.factor_ids or "").split(";"):
            if fid.endswith(":oxidation"):
                return values[fid]
        if r.methodology in measuring:
            m = measured.get(r.record_id)
            if m is None or m != m:
                raise ValueError(
                    f"record {r.record_id}: MEE used a measured oxidation rate; pass the "
                    "activity table so the comparison can attribute it"
                )
            return float(m)
        return 1.0

    return rows.apply(one, axis=1) if len(rows) else pd.Series(dtype=float)


def _used_density(*rows) -> bool:
    return any(
        fid.startswith("fuel_density:") for r in rows for fid in str(r.factor_ids or "").split(";")
    )


def decompose(
    results: pa.Table | pd.DataFrame,
    base: str,
    other: str,
    keys: dict[str, object] | None = None,
    activity: pa.Table | None = None,
    lib: Library | None = None,
    skipped: pa.Table | pd.DataFrame | None = None,
) -> Decomposition:
    """Split the difference other − base over the records matching `keys` that both methods
    computed into CAUSES; list the records only one of them computed (reasons from `skipped`)."""
    lib = lib or load_library()
    df = results.to_pandas() if isinstance(results, pa.Table) else results.copy()
    df = df[df.methodology.isin([base, other])]
    for k, v in (keys or {}).items():
        df = df[df[k] == v]
    df = df[~df.biogenic]
    df, only = like_for_like(df, [base, other], skipped)
    measured = pd.Series(dtype=float)
    if activity is not None:
        a = activity.select(["record_id", "oxidation_factor"]).to_pandas()
        measured = a.set_index("record_id").oxidation_factor
    values = dict(zip(lib.factors.factor_id, lib.factors.value_canonical, strict=True))
    state = dict(zip(lib.fuels.code, lib.fuels.state, strict=True))
    ratio = dict(zip(ratio_frame(lib).state, ratio_frame(lib).value, strict=True))
    gwps = {(s, g): float(v) for s, g, v in gwp_table(lib)[["gwp_set", "gas", "gwp"]].values}
    sets = df.groupby("methodology").gwp_set.first().to_dict()

    effects: list[tuple[str, str, float]] = []
    a_rows = df[df.methodology == base].set_index(["record_id", "gas"])
    b_rows = df[df.methodology == other].set_index(["record_id", "gas"])
    both = a_rows.index.intersection(b_rows.index)
    for rid, gas in a_rows.index.difference(both):
        effects.append((rid, "gases_one_method", -float(a_rows.loc[(rid, gas)].co2e_t)))
    for rid, gas in b_rows.index.difference(both):
        effects.append((rid, "gases_one_method", float(b_rows.loc[(rid, gas)].co2e_t)))
    co2 = df[(df.gas == "CO2") & df.category.isin(COMBUSTION) & (df.heat_gj > 0)]
    ox_rows = dict(
        zip(
            zip(co2.methodology, co2.record_id, strict=True),
            _oxidation(co2, values, measured),
            strict=True,
        )
    )
    for rid, gas in both:
        a, b = a_rows.loc[(rid, gas)], b_rows.loc[(rid, gas)]
        diff = float(b.co2e_t) - float(a.co2e_t)
        if a.category == "purchased_electricity":
            effects.append((rid, "grid_factor", diff))
        elif a.category not in COMBUSTION:
            effects.append((rid, "other_factor", diff))
        elif gas != "CO2":
            ga, gb = gwps[(sets[base], gas)], gwps[(sets[other], gas)]
            effects.append((rid, "non_co2_factors", (float(b.mass_t) - float(a.mass_t)) * ga))
            effects.append((rid, "gwp", float(b.mass_t) * (gb - ga)))
        elif not (a.heat_gj > 0 and b.heat_gj > 0):
            effects.append((rid, "carbon_content", diff))
        else:
            r = 1.0
            if (base in HHV_METHODS) != (other in HHV_METHODS):
                nr = ratio[state[a.fuel]]
                r = nr if base in HHV_METHODS else 1.0 / nr
            ha, hb = float(a.heat_gj), float(b.heat_gj)
            ea, eb = float(a.mass_t) / ha, float(b.mass_t) / hb
            oxa, oxb = ox_rows[(base, rid)], ox_rows[(other, rid)]
            # A heating value counted through a density (a mass given where the default is per
            # volume, or the reverse) differs partly by that density: named as its own cause.
            via = "density" if _used_density(a, b) else "heating_value"
            effects.append((rid, via, (hb - r * ha) * ea / r))
            effects.append((rid, "carbon_content", hb * (eb * oxa / oxb - ea / r)))
            effects.append((rid, "oxidation", hb * eb * (1.0 - oxa / oxb)))
    by_record = pd.DataFrame(effects, columns=["record_id", "cause", "effect_t"])
    total = by_record.groupby("cause").effect_t.agg(lambda s: math.fsum(s))
    table = pd.DataFrame({"cause": CAUSES, "effect_t": [float(total.get(c, 0.0)) for c in CAUSES]})
    base_t = math.fsum(df[df.methodology == base].co2e_t)
    other_t = math.fsum(df[df.methodology == other].co2e_t)
    scopes = pd.DataFrame(
        [
            {
                "scope": int(sc),
                "records": g.record_id.nunique(),
                "base_t": math.fsum(g[g.methodology == base].co2e_t),
                "other_t": math.fsum(g[g.methodology == other].co2e_t),
            }
            for sc, g in df.groupby("scope")
        ],
        columns=["scope", "records", "base_t", "other_t"],
    )
    return Decomposition(base, other, base_t, other_t, table, by_record, only, scopes)


def like_for_like(
    df: pd.DataFrame, methods: list[str], skipped: pa.Table | pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows of the records every one of `methods` computed, the other records): one row per
    record and method that computed it, with its scope, category, t CO2e and why the methods
    that did not compute it did not (from `skipped`, else 'not computed by M')."""
    done = df.groupby("methodology").record_id.agg(set)
    common = set.intersection(*[done.get(m, set()) for m in methods]) if methods else set()
    rest = df[~df.record_id.isin(common)]
    sk = skipped.to_pandas() if isinstance(skipped, pa.Table) else skipped
    why: dict[tuple[str, str], str] = {}
    if sk is not None and len(sk):
        for (m, rid), g in sk.groupby(["methodology", "record_id"]).reason:
            why[(m, rid)] = "; ".join(dict.fromkeys(g))
    rows = []
    for (rid, m), g in rest.groupby(["record_id", "methodology"]):
        missing = [x for x in methods if rid not in done.get(x, set())]
        rows.append(
            {
                "record_id": rid,
                "methodology": m,
                "scope": int(g.scope.iloc[0]),
                "category": g.category.iloc[0],
                "fuel": g.fuel.iloc[0],
                "co2e_t": math.fsum(g.co2e_t),
                "not_computed_by": ", ".join(missing),
                "reason": " | ".join(
                    f"{x}: {why.get((x, rid)) or _uncovered(x, g.category.iloc[0])}"
                    for x in missing
                ),
            }
        )
    cols = ["record_id", "methodology", "scope", "category", "fuel", "co2e_t"]
    only = pd.DataFrame(rows, columns=[*cols, "not_computed_by", "reason"])
    return df[df.record_id.isin(common)], only


def _uncovered(methodology: str, category: str) -> str:
    if category not in categories(methodology):
        return not_covered(methodology, category)
    return f"not computed by {methodology}"


def only_by_reason(only: pd.DataFrame) -> pd.DataFrame:
    """Records one method computed, summed by method, scope, category, fuel and reason."""
    keys = ["methodology", "scope", "category", "fuel", "not_computed_by", "reason"]
    return only.groupby(keys, as_index=False, dropna=False).agg(
        records=("record_id", "size"), co2e_t=("co2e_t", math.fsum)
    )
