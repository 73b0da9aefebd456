"""Regulator-shaped tables built from result rows: the EPA Part 98 Subpart C fuel-level report,
the China MEE enterprise tables (bilingual headers, each parameter's source), and totals in
IPCC 2006 categories by state/province, sector and country. Sums only; nothing recomputed.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from openmrv.i18n import N_
from openmrv.methods.base import GJ_PER_MMBTU
from openmrv.methods.epa_part98_c import THRESHOLD_T_CO2E, Part98SubpartC
from openmrv.methods.mee import MeeEnterprise
from openmrv.reports import coverage
from openmrv.reports.i18n import bilingual, t
from openmrv.reports.inputs import fsum
from openmrv.reports.inventory import FALLBACK, chains_for, choose

GASES = ("CO2", "CH4", "N2O")
# What the MEE enterprise report holds (tables 1-3): a process record MEE cannot compute here
# leaves table 2 short, so the report's totals say partial.
MEE_REPORT = (
    "stationary_combustion",
    "mobile_combustion",
    "process",
    "purchased_electricity",
    "purchased_heat",
)


def _records(activity: pa.Table) -> pd.DataFrame:
    cols = ["record_id", "quantity", "unit", "ncv", "carbon_content", "oxidation_factor"]
    return activity.select(cols).to_pandas().set_index("record_id")


def part98(
    results: pa.Table,
    activity: pa.Table,
    facilities: pd.DataFrame,
    skipped: pa.Table | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """One row per facility, year, unit and fuel, in the shape of EPA's published Subpart C
    fuel-level data (C_FUEL_LEVEL_INFORMATION: tierN_<gas>_combustion_emissions in metric tons,
    annual_heat_input in mmBtu), plus biogenic CO2, CO2e and the facility's 25,000 t CO2e
    threshold flag (Subpart C only, biogenic CO2 excluded: indicative). With `skipped`, each
    row carries its facility-year's coverage: stationary combustion records Part 98 could not
    compute make the facility total partial (reports.coverage.of_method lists them)."""
    df = results.to_pandas()
    df = df[df.methodology == Part98SubpartC.id].copy()
    act = _records(activity)
    df["unit_name"] = df.source_id.fillna("(facility)")
    df["tier"] = df.groupby("record_id").tier.transform("max")
    keys = ["facility_id", "year", "unit_name", "fuel", "tier"]
    rows = []
    for k, g in df.groupby(keys, dropna=False):
        recs = g.record_id.unique()
        units = act.loc[recs].unit.unique()
        co2 = g[g.gas == "CO2"]
        row = dict(zip(keys, k, strict=True))
        tier = int(row["tier"])
        row |= {
            "fuel_quantity": fsum(act.loc[recs].quantity) if len(units) == 1 else float("nan"),
            "fuel_quantity_uom": units[0] if len(units) == 1 else "mixed",
            "annual_heat_input": fsum(co2.heat_gj.fillna(0.0)) / GJ_PER_MMBTU,
            "annual_heat_input_uom": "mmBtu",
        }
        for gas in GASES:
            fossil = g[(g.gas == gas) & ~g.biogenic]
            row[f"tier{tier}_{gas.lower()}_combustion_emissions"] = fsum(fossil.mass_t)
        row["biogenic_co2_emissions"] = fsum(co2[co2.biogenic].mass_t)
        row["co2e_emissions"] = fsum(g[~g.biogenic].co2e_t)
        row["gwp_set"] = ",".join(sorted(set(g.gwp_set)))
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    fac_total = out.groupby(["facility_id", "year"]).co2e_emissions.transform(fsum)
    out["facility_co2e"] = fac_total
    out["above_threshold"] = fac_total >= THRESHOLD_T_CO2E
    names = facilities.set_index("facility_id").name
    out.insert(1, "facility_name", out.facility_id.map(names))
    out = out.rename(columns={"year": "reporting_year", "fuel": "fuel_type"})
    tier_cols = sorted(c for c in out.columns if c.startswith("tier") and c[4:5].isdigit())
    out[tier_cols] = out[tier_cols].fillna(0.0)
    if skipped is not None:
        summ, _ = coverage.of_method(results, skipped, activity, Part98SubpartC.id, lang)
        text = summ.set_index(["facility_id", "year"]).coverage
        out["facility_coverage"] = [
            text.get((f, y), "") for f, y in zip(out.facility_id, out.reporting_year, strict=True)
        ]
    return out


def _source(measured: pd.Series, lang: str) -> pd.Series:
    word = {True: bilingual("source.measured"), False: bilingual("source.default")}
    return (
        measured.notna().map(word)
        if lang == "both"
        else measured.notna().map(
            {True: t("source.measured", lang), False: t("source.default", lang)}
        )
    )


def mee_tables(
    results: pa.Table,
    activity: pa.Table,
    facilities: pd.DataFrame,
    lang: str = "both",
    skipped: pa.Table | None = None,
) -> dict[str, pd.DataFrame]:
    """The MEE enterprise report tables (fuel combustion, process, purchased electricity and
    heat, totals) with bilingual headers ('both') or one language; per fuel record the source
    of NCV, carbon content and oxidation rate (measured or the guideline default)."""

    def h(key: str) -> str:
        return bilingual(key) if lang == "both" else t(key, lang)

    df = results.to_pandas()
    df = df[(df.methodology == MeeEnterprise.id) & ~df.biogenic]
    act = _records(activity)
    fuel = df[df.category.isin(["stationary_combustion", "mobile_combustion"])]
    a = act.loc[fuel.record_id]
    table1 = pd.DataFrame(
        {
            h("col.facility_id"): fuel.facility_id.values,
            h("col.year"): fuel.year.values,
            h("col.fuel"): fuel.fuel.values,
            h("col.activity"): a.quantity.values,
            h("col.activity_unit"): a.unit.values,
            h("col.heat_gj"): fuel.heat_gj.values,
            h("col.ncv_source"): _source(a.ncv, lang).values,
            h("col.cc_source"): _source(a.carbon_content, lang).values,
            h("col.of_source"): _source(a.oxidation_factor, lang).values,
            h("col.co2_t"): fuel.mass_t.values,
        }
    )
    proc = df[df.category == "process"]
    table2 = pd.DataFrame(
        {
            h("col.facility_id"): proc.facility_id.values,
            h("col.year"): proc.year.values,
            h("col.co2e_t"): proc.co2e_t.values,
        }
    )
    energy = df[df.category.isin(["purchased_electricity", "purchased_heat"])]
    e = act.loc[energy.record_id]
    table3 = pd.DataFrame(
        {
            h("col.facility_id"): energy.facility_id.values,
            h("col.year"): energy.year.values,
            h("col.category"): [h(f"category.{c}") for c in energy.category],
            h("col.activity"): e.quantity.values,
            h("col.activity_unit"): e.unit.values,
            h("col.ef"): (energy.mass_t.values / e.quantity.astype(float).values),
            h("col.co2_t"): energy.mass_t.values,
        }
    )
    total = df.groupby(["facility_id", "year", "category"], as_index=False).co2e_t.agg(fsum)
    table4 = pd.DataFrame(
        {
            h("col.facility_id"): total.facility_id,
            h("col.year"): total.year,
            h("col.category"): [h(f"category.{c}") for c in total.category],
            h("col.co2e_t"): total.co2e_t,
        }
    )
    if skipped is not None:  # each facility-year's coverage beside its totals
        langs = ("en", "zh-CN") if lang == "both" else (lang,)
        per = [
            coverage.of_method(results, skipped, activity, MeeEnterprise.id, x, MEE_REPORT)[0]
            .set_index(["facility_id", "year"])
            .coverage
            for x in langs
        ]
        table4[h("col.coverage")] = [
            " / ".join(str(c.get((f, y), "")) for c in per)
            for f, y in zip(total.facility_id, total.year, strict=True)
        ]
    return {
        h("table.mee_fuel"): table1,
        h("table.mee_process"): table2,
        h("table.mee_energy"): table3,
        h("table.mee_total"): table4,
    }


# IPCC 2006 source categories (Vol. 1 Ch. 8 Table 8.2 numbering). Stationary combustion maps
# by the facility's IPCC sector group; 1.A.2 is reported as 1.A.2 (industry sub-sector 1.A.2.a-m
# would need the facility's ISIC code). Purchased energy is indirect: a memo line, not a
# national-inventory category (the emissions are in the generator's 1.A.1). The names are
# catalogue messages (N_), shown in the report's language (reports.i18n.localize).
IPCC_CATEGORY = {
    ("stationary_combustion", "energy_industries"): ("1.A.1.a", N_("Public electricity and heat")),
    ("stationary_combustion", "manufacturing_construction"): (
        "1.A.2",
        N_("Manufacturing industries and construction"),
    ),
    ("stationary_combustion", "commercial_institutional"): (
        "1.A.4.a",
        N_("Commercial/institutional"),
    ),
    ("stationary_combustion", "residential"): ("1.A.4.b", N_("Residential")),
    ("stationary_combustion", "other"): ("1.A.5", N_("Other (not elsewhere specified)")),
    ("mobile_combustion", "*"): ("1.A.3.b", N_("Road transportation")),
    ("refrigerant", "*"): ("2.F.1", N_("Refrigeration and air conditioning")),
    ("process", "*"): ("2", N_("Industrial processes and product use")),
    ("purchased_electricity", "*"): ("memo", N_("Indirect: purchased electricity")),
    ("purchased_heat", "*"): ("memo", N_("Indirect: purchased heat")),
}
LEVELS = {
    "facility": ["facility_id"],
    "state": ["country", "state_province"],
    "sector": ["country", "sector"],
    "national": ["country"],
}


def ipcc_categories(
    results: pa.Table,
    facilities: pd.DataFrame,
    methods: dict[str, str],
    level: str = "national",
    fallback: tuple[str, ...] = FALLBACK,
) -> pd.DataFrame:
    """t CO2e by IPCC 2006 category, year and the methodology the rows come from, at a level
    (facility, state, sector, national): each facility under its country's method in
    `methods` (country -> methodology id), and what that does not compute under the first of
    `fallback` that does (as in the inventory). fallback=() gives one methodology only (pure
    IPCC with methods mapping every country to IPCC 2006 Tier 1's id)."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    fac = facilities.set_index("facility_id")
    df = choose(results.to_pandas(), chains_for(facilities, methods, fallback))
    df["country"] = df.facility_id.map(fac.country)
    df = df[~df.biogenic].copy()
    df["state_province"] = df.facility_id.map(fac.state_province)
    df["sector"] = df.facility_id.map(fac.sector).fillna("")
    group = df.facility_id.map(fac.ipcc_sector)
    cat = [
        IPCC_CATEGORY.get((c, s)) or IPCC_CATEGORY.get((c, "*"), ("?", c))
        for c, s in zip(df.category, group, strict=True)
    ]
    df["ipcc_category"] = [c[0] for c in cat]
    df["ipcc_name"] = [c[1] for c in cat]
    keys = [*LEVELS[level], "year", "ipcc_category", "ipcc_name", "methodology"]
    return df.groupby(keys, as_index=False).co2e_t.agg(fsum)
