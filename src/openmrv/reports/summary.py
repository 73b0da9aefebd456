"""Summaries of a calculation run: totals, coverage, the Part 98 threshold, and why the US,
Chinese and IPCC methods give different numbers for the same fuel.

All figures are sums of the per-record, per-gas result rows; nothing is recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from openmrv.factors import Library, load_library
from openmrv.i18n import N_
from openmrv.methods import COMPARED, METHODS
from openmrv.methods.epa_part98_c import THRESHOLD_T_CO2E, Part98SubpartC
from openmrv.reports import coverage as cov
from openmrv.reports.decompose import like_for_like
from openmrv.reports.inputs import fsum

LABEL = {i: m.short_label for i, m in METHODS.items()}
PART98 = Part98SubpartC.id


def totals(results: pa.Table) -> pd.DataFrame:
    """t CO2e (biogenic CO2 excluded) and biogenic CO2 by methodology and facility."""
    df = results.to_pandas()
    df["fossil_co2e_t"] = df.co2e_t.where(~df.biogenic, 0.0)
    df["biogenic_co2_t"] = df.mass_t.where(df.biogenic & (df.gas == "CO2"), 0.0)
    out = df.groupby(["methodology", "facility_id"], as_index=False)[
        ["fossil_co2e_t", "biogenic_co2_t"]
    ].sum()
    return out.rename(columns={"fossil_co2e_t": "co2e_t"})


def scope_totals(
    results: pa.Table, skipped: pa.Table, activity: pa.Table, methods: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Per methodology, facility and year: Scope 1 and Scope 2 (location-based) t CO2e (biogenic
    CO2 excluded), biogenic CO2, the categories each holds, and the coverage of the records
    (records, not_computed, missing_share; reports.coverage.label renders it). No total of
    both scopes: a methodology that has no Scope 2 would look smaller, not be smaller."""
    df = results.to_pandas()
    keys = ["methodology", "facility_id", "year"]
    df["year"] = df.year.astype("int64")
    fossil = df[~df.biogenic]
    parts = {
        "scope1_t": fossil[fossil.scope == 1].groupby(keys).co2e_t.agg(fsum),
        "scope2_location_t": fossil[fossil.scope == 2].groupby(keys).co2e_t.agg(fsum),
        "biogenic_co2_t": df[df.biogenic & (df.gas == "CO2")].groupby(keys).mass_t.agg(fsum),
    }
    sums = pd.DataFrame(parts)
    cats = df.groupby(keys).category.agg(lambda s: ", ".join(sorted(set(s))))
    led = cov.by_methodology(results, skipped, activity, methods)
    summary = cov.summary(led, keys).set_index(keys)
    out = summary.join(sums, how="left").join(cats.rename("categories"), how="left")
    out[list(parts)] = out[list(parts)].fillna(0.0)
    out["categories"] = out.categories.fillna("")
    cols = [*parts, "categories", "records", "not_computed", "missing_share", "outside_categories"]
    return out.reset_index()[[*keys, *cols]]


def coverage(results: pa.Table, skipped: pa.Table) -> pd.DataFrame:
    """Per methodology: records computed, and rows not computed grouped by reason."""
    done = results.to_pandas().groupby("methodology").record_id.nunique().rename("records")
    sk = skipped.to_pandas()
    if sk.empty:
        return done.reset_index().assign(reason="", rows=0)
    why = sk.groupby(["methodology", "reason"]).size().rename("rows").reset_index()
    return why.merge(done.reset_index(), on="methodology", how="left").fillna({"records": 0})


def part98_threshold(results: pa.Table) -> pd.DataFrame:
    """Facility-years whose Part 98 Subpart C emissions reach 25,000 t CO2e (biogenic CO2
    excluded, 98.2(a)(2)). Subpart C is only part of a facility's total: the flag is indicative."""
    df = results.to_pandas()
    df = df[(df.methodology == PART98) & ~df.biogenic]
    out = df.groupby(["facility_id", "year"], as_index=False).co2e_t.sum()
    out["above_threshold"] = out.co2e_t >= THRESHOLD_T_CO2E
    return out


@dataclass
class Comparison:
    """The same fuel use under the three methodologies, with the reasons they differ."""

    table: pd.DataFrame  # one row per methodology, over the records all of them computed
    reasons: list[str]
    only: pd.DataFrame = field(default_factory=pd.DataFrame)  # records not all methods computed


def _factor_values(lib: Library) -> dict[str, float]:
    f = lib.factors
    return dict(zip(f.factor_id, f.value_canonical, strict=True))


def compare(
    results: pa.Table,
    keys: dict[str, object],
    lib: Library | None = None,
    skipped: pa.Table | None = None,
    methods: tuple[str, ...] = COMPARED,
) -> Comparison:
    """Compare stationary combustion under Part 98, MEE and IPCC for the rows matching `keys`
    (e.g. {"record_id": "r1"} or {"facility_id": "F", "fuel": "bituminous_coal", "year": 2024}),
    like for like: every figure is over the records all the methods that computed any of them
    computed; the others are in `only`, with the reason from `skipped`. Pass two `methods`
    for a pairwise comparison (the records both computed)."""
    lib = lib or load_library()
    df = results.to_pandas()
    df = df[df.methodology.isin(methods) & (df.category == "stationary_combustion")]
    for k, v in keys.items():
        df = df[df[k] == v]
    df = df[~df.biogenic]
    df, only = like_for_like(df, list(dict.fromkeys(df.methodology)), skipped)
    values = _factor_values(lib)
    # CO2 per GJ only over the records whose CO2 every method computed from heat: a CEMS or
    # measured-carbon CO2 row carries no heat, and dividing it by other rows' heat (or by
    # the default heat used for CH4/N2O) would mix records
    co2_all = df[df.gas == "CO2"]
    with_heat = co2_all[co2_all.heat_gj > 0].groupby("methodology").record_id.agg(set)
    per_gj = set.intersection(*with_heat) if len(with_heat) else set()
    rows = []
    for m, g in df.groupby("methodology"):
        co2 = g[g.gas == "CO2"]
        # heat of each record from any of its rows (a CEMS unit's CH4/N2O rows carry its heat
        # input), so the heating-value ratio covers the same records on both sides
        heat = g.groupby("record_id").heat_gj.max()
        known = heat[heat > 0]
        co2_known = co2[co2.record_id.isin(per_gj)]
        ox = [
            values[i]
            for ids in co2.factor_ids.dropna()
            for i in ids.split(";")
            if i.endswith(":oxidation")
        ]
        rows.append(
            {
                "methodology": m,
                "records": g.record_id.nunique(),
                "heat_gj": fsum(known) if len(known) == len(heat) else float("nan"),
                "heat_basis": g.heat_basis.dropna().iloc[0] if g.heat_basis.notna().any() else None,
                "co2_t": fsum(co2.mass_t),
                "co2_kg_per_gj": 1000 * fsum(co2_known.mass_t) / fsum(co2_known.heat_gj)
                if len(co2_known)
                else float("nan"),
                "co2_per_gj_records": len(co2_known),
                "co2_not_from_heat": int((~(co2.heat_gj > 0)).sum()),
                "oxidation": (sum(ox) / len(ox)) if ox else _stated_oxidation(m),
                "ch4_n2o_co2e_t": fsum(g[g.gas != "CO2"].co2e_t),
                "gwp_set": ",".join(sorted(set(g.gwp_set))),
                "total_co2e_t": fsum(g.co2e_t),
            }
        )
    table = pd.DataFrame(rows)
    return Comparison(table, _reasons(table, only), only)


def _stated_oxidation(method_id: str) -> float | None:
    m = METHODS.get(method_id)
    return m.oxidation if m is not None else None


def _reasons(t: pd.DataFrame, only: pd.DataFrame | None = None) -> list[str]:
    """Plain-language reasons for the differences, from the compared figures. Each sentence is
    a catalogue template (openmrv.i18n.message translates it where it is shown); the fields
    named `*method`/`*methods` hold methodology labels, shown in the reader's language."""
    out = []
    if only is not None and len(only):
        out.append(
            N_(
                "{n} record(s) were computed by some of the methods only; they are left out of "
                "every figure above and listed separately, with the reason."
            ).format(n=only.record_id.nunique())
        )
    if len(t) < 2:
        return [*out, N_("fewer than two methodologies computed these records; nothing to compare")]
    by = t.set_index("methodology")
    lo, hi = by.total_co2e_t.idxmin(), by.total_co2e_t.idxmax()
    spread = 100 * (by.total_co2e_t[hi] / by.total_co2e_t[lo] - 1) if by.total_co2e_t[lo] else 0
    out.append(
        N_(
            "Totals range from {low} t CO2e ({low_method}) to {high} t CO2e ({high_method}), "
            "{spread} % apart."
        ).format(
            low=f"{by.total_co2e_t[lo]:,.1f}",
            low_method=LABEL[lo],
            high=f"{by.total_co2e_t[hi]:,.1f}",
            high_method=LABEL[hi],
            spread=f"{spread:.1f}",
        )
    )
    if PART98 in by.index and len(by.heat_basis.unique()) > 1:
        us = by.loc[PART98]
        for m in by.index.drop(PART98):
            ratio = by.heat_gj[m] / us.heat_gj if us.heat_gj else float("nan")
            out.append(
                N_(
                    "Heating-value basis: Part 98 counts {us_gj} GJ on a gross (HHV) basis; "
                    "{method} counts {gj} GJ on a net (NCV) basis ({ratio} of it): latent heat "
                    "of water vapour is excluded, so per-GJ factors are not comparable across "
                    "bases."
                ).format(
                    us_gj=f"{us.heat_gj:,.0f}",
                    method=LABEL[m],
                    gj=f"{by.heat_gj[m]:,.0f}",
                    ratio=f"{ratio:.3f}",
                )
            )
    na = N_("n/a")
    ef = ", ".join(f"{LABEL[m]} {v:,.1f}" for m, v in by.co2_kg_per_gj.items() if v == v)
    out.append(
        N_(
            "Carbon content: CO2 per GJ of the basis used is {by_methods} kg/GJ; the factors "
            "embody each method's default or measured carbon content per unit of heat."
        ).format(by_methods=ef or na)
    )
    direct = [LABEL[m] for m, n in by.co2_not_from_heat.items() if n]
    if direct:
        out.append(
            N_(
                "{methods} computed CO2 from measured carbon content and fuel mass (or CEMS), "
                "not from heat, for some records: those are left out of the per-GJ figures of "
                "every method."
            ).format(methods=", ".join(direct))
        )
    ox = ", ".join(f"{LABEL[m]} {v:.2f}" for m, v in by.oxidation.items() if v == v and v)
    out.append(
        N_(
            "Oxidation: {by_methods}; Part 98's Table C-1 factors assume complete combustion, "
            "IPCC 2006 Tier 1 assumes an oxidation factor of 1, MEE applies a fuel-specific "
            "oxidation rate below 1."
        ).format(by_methods=ox or na)
    )
    nco2 = ", ".join(f"{LABEL[m]} {v:,.1f}" for m, v in by.ch4_n2o_co2e_t.items())
    out.append(
        N_(
            "CH4 and N2O (t CO2e): {by_methods}. MEE enterprise accounting counts CO2 only for "
            "combustion; Part 98 uses Table C-2 factors per mmBtu (HHV), IPCC uses Tables "
            "2.2/2.3 per TJ (NCV) by source category."
        ).format(by_methods=nco2)
    )
    sets = ", ".join(f"{LABEL[m]} {v}" for m, v in by.gwp_set.items())
    out.append(
        N_(
            "GWP set: {by_methods}. Part 98 uses AR4 values before reporting year 2025 and AR5 "
            "from 2025; the others default to AR5."
        ).format(by_methods=sets)
    )
    return out
