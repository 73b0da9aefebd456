"""Corporate inventory per the GHG Protocol Corporate Standard: the organisational boundary
(equity share, operational or financial control) applied to each facility, Scope 1 by category,
Scope 2 location-based and market-based (reports.scope2), biogenic CO2 outside the scopes.

Every figure is a sum of per-record result rows times the facility's consolidated share,
added with math.fsum so totals equal the sum of the records exactly (no order-dependent
rounding); nothing is recomputed. Each facility is inventoried under its own country's method
(US: GHG Protocol with EPA Hub factors; China: MEE), unless told otherwise; where that method
does not compute a record or gas (MEE has no refrigerants and no combustion CH4/N2O), the first
fallback method that does (IPCC 2006 Tier 1, then the EPA Hub, by default) supplies it, marked
`fallback` in the records. Records no method of the chain computes are in `ledger` with the
reasons, and every total carries its coverage (reports.coverage).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from openmrv.engine import RunResult
from openmrv.factors import Library, load_library
from openmrv.i18n import method_label
from openmrv.ingest.errors import InputError, Problem
from openmrv.methods import COUNTRY_METHOD, FALLBACK
from openmrv.methods.mee import PROVINCE_GRID, MeeEnterprise, grid_factors
from openmrv.reports import coverage
from openmrv.reports.i18n import t
from openmrv.reports.inputs import fsum, require_columns
from openmrv.reports.scope2 import INSTRUMENT_RUNG, check_instruments, market_based

BOUNDARIES = ("equity_share", "operational_control", "financial_control")
# COUNTRY_METHOD (country -> primary methodology) and FALLBACK (the methods tried, in order,
# for what the primary one does not compute) come from the methods registry.
GJ_PER_MWH = 3.6


def shares(facilities: pd.DataFrame, boundary: str) -> pd.Series:
    """Consolidated share of each facility (index facility_id) under the boundary approach."""
    if boundary not in BOUNDARIES:
        raise InputError(
            [
                Problem(
                    "--boundary",
                    None,
                    None,
                    boundary,
                    "unknown organisational boundary",
                    "use one of " + ", ".join(BOUNDARIES),
                )
            ]
        )
    f = facilities.set_index("facility_id")
    if boundary == "equity_share":
        s = f.equity_share.astype(float)
        bad = s[(s <= 0) | (s > 1)]
        if len(bad):
            raise InputError(
                [
                    Problem(
                        "facilities",
                        None,
                        "equity_share",
                        f"{fid}: {v}",
                        "equity share must be in (0, 1]",
                        "e.g. 0.5 for 50 %",
                    )
                    for fid, v in bad.items()
                ]
            )
        return s
    flag = f[boundary] if boundary in f.columns else pd.Series(True, index=f.index)
    return flag.fillna(True).astype(bool).astype(float)


@dataclass
class Inventory:
    """The records behind the inventory and the tables built from them."""

    boundary: str
    records: pd.DataFrame  # one row per result row used, with share and consolidated_t
    scope2: pd.DataFrame  # market-based slices per facility-year and rung, consolidated
    by_category: pd.DataFrame  # organisation, year, scope, category -> t CO2e (consolidated)
    totals: pd.DataFrame  # organisation, year -> scope 1, scope 2 LB / MB, biogenic
    ledger: pd.DataFrame | None = None  # every record in the boundary: included or why not
    coverage: pd.DataFrame | None = None  # organisation, year, scope -> records, not computed
    chains: dict[str, tuple[str, ...]] | None = None  # facility_id -> methods tried in order
    methods: dict[str, str] | None = None  # country -> primary methodology
    fallback: tuple[str, ...] = ()

    def method_note(self, lang: str = "en") -> str:
        """Which methodology each facility's figures come from, and the fallback order."""

        def name(m: str) -> str:  # beside its id, a methodology's label in `lang`
            return m if lang == "en" else f"{method_label(m, lang) or m} ({m})"

        primary = "; ".join(f"{c}: {name(m)}" for c, m in (self.methods or {}).items())
        return t("inventory.methods", lang).format(
            primary=primary, fallback=", ".join(map(name, self.fallback)) or "-"
        )

    def totals_with_coverage(self, lang: str = "en") -> pd.DataFrame:
        """The totals with each scope's coverage ('complete' or '⚠ partial: ...')."""
        out = self.totals.copy()
        if self.coverage is None:
            return out
        for scope in (1, 2):
            c = self.coverage[self.coverage.scope == scope].set_index(["organization_id", "year"])
            text = coverage.label(c, lang)
            idx = pd.MultiIndex.from_frame(out[["organization_id", "year"]])
            out[f"coverage_scope{scope}"] = (
                text.reindex(idx).fillna(coverage.text(0, 0, "", lang)).values
            )
        return out

    def not_computed(self) -> pd.DataFrame:
        """The records outside the totals, by organisation, year, scope, category and reason."""
        assert self.ledger is not None
        return coverage.reasons(self.ledger, ["organization_id", "year", "scope"])


ACTIVITY_INSTRUMENT = {"green_power": "green_power", "certificate": "gec"}


def activity_instruments(
    df: pd.DataFrame, activity: pa.Table, facilities: pd.DataFrame, level: str, lib: Library
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Chinese electricity records that carry an activity-file `instrument` (MEE's green
    electricity treatment) as the GHG Protocol wants them: location-based at the grid average
    of the facility's grid, year and level; the green power or certificates as market-based
    instruments (record id as instrument id). Returns (rows with location CO2e, instruments)."""
    act = activity.select(["record_id", "instrument", "qty"]).to_pandas()
    act = act[act.instrument.notna()].set_index("record_id")
    hit = df.record_id.isin(act.index) & (df.category == "purchased_electricity")
    hit &= df.methodology == MeeEnterprise.id
    if not hit.any():
        return df, pd.DataFrame()
    fac = facilities.set_index("facility_id")
    grid = grid_factors(lib, level).set_index(["key", "year"]).value
    region = {p: f"grid:{g}" for p, g in PROVINCE_GRID.items()}

    def key(fid: str) -> str:
        prov = fac.state_province[fid]
        return {"national": "CN", "provincial": prov}.get(level) or region.get(prov, "")

    df = df.copy()
    mwh = df.loc[hit, "record_id"].map(act.qty) / GJ_PER_MWH
    rate = [  # the library holds grid factors in canonical kg CO2 per GJ
        grid.get((key(f), int(y)), float("nan"))
        for f, y in zip(df.loc[hit, "facility_id"], df.loc[hit, "year"], strict=True)
    ]
    t = mwh * GJ_PER_MWH * pd.Series(rate, index=mwh.index) / 1000.0
    df.loc[hit, "co2e_t"] = t
    df.loc[hit, "mass_t"] = t
    rows = df[hit & df.record_id.map(act.instrument).isin(ACTIVITY_INSTRUMENT)]
    inst = pd.DataFrame(
        {
            "instrument_id": rows.record_id,
            "facility_id": rows.facility_id,
            "year": rows.year.astype(int),
            "type": rows.record_id.map(act.instrument).map(ACTIVITY_INSTRUMENT),
            "mwh": rows.record_id.map(act.qty) / GJ_PER_MWH,
            "t_co2e_per_mwh": 0.0,
        }
    )
    return df, inst.assign(rung=inst.type.map(INSTRUMENT_RUNG), file_row=0)


# GHG Protocol Corporate Value Chain (Scope 3) Standard, the 15 categories.
SCOPE3 = {
    1: "Purchased goods and services",
    2: "Capital goods",
    3: "Fuel- and energy-related activities",
    4: "Upstream transportation and distribution",
    5: "Waste generated in operations",
    6: "Business travel",
    7: "Employee commuting",
    8: "Upstream leased assets",
    9: "Downstream transportation and distribution",
    10: "Processing of sold products",
    11: "Use of sold products",
    12: "End-of-life treatment of sold products",
    13: "Downstream leased assets",
    14: "Franchises",
    15: "Investments",
}


def check_scope3(tags: pd.DataFrame, activity: pa.Table, name: str = "scope3") -> pd.Series:
    """Scope 3 tags (record_id, scope3_category 1-15): activity records the organisation holds
    that belong to another company's operations (e.g. fuel of rented vehicles on business
    travel, 6; electricity bought for resale, 3). Returns record_id -> category, or raises
    InputError with every bad row located."""
    require_columns(tags, name, ("record_id", "scope3_category"))
    problems = []
    known = set(activity.column("record_id").to_pylist())
    out = {}
    for i, r in enumerate(tags.astype(str).itertuples(index=False), start=2):
        cat = pd.to_numeric(r.scope3_category, errors="coerce")
        if cat != cat or int(cat) != cat or int(cat) not in SCOPE3:
            problems.append(
                Problem(
                    name,
                    i,
                    "scope3_category",
                    r.scope3_category,
                    "not a Scope 3 category",
                    "a number from 1 to 15",
                )
            )
        elif r.record_id not in known:
            problems.append(
                Problem(
                    name,
                    i,
                    "record_id",
                    r.record_id,
                    "no such activity record",
                    "tag records of the activity file",
                )
            )
        else:
            out[r.record_id] = int(cat)
    if problems:
        raise InputError(problems)
    return pd.Series(out, dtype="int64")


def electricity_use(activity: pa.Table, records: pd.DataFrame) -> pd.DataFrame:
    """MWh and location-based t CO2e per facility-year (inventory method's rows)."""
    act = activity.select(["record_id", "category", "qty"]).to_pandas()
    act = act[act.category == "purchased_electricity"]
    loc = records[(records.category == "purchased_electricity") & (records.scope == 2)]
    t = loc.groupby(["facility_id", "year", "grid_key"], as_index=False).co2e_t.agg(fsum)
    used = act[act.record_id.isin(loc.record_id)].merge(
        loc.drop_duplicates("record_id")[["record_id", "facility_id", "year"]], on="record_id"
    )
    mwh = used.groupby(["facility_id", "year"], as_index=False).qty.agg(fsum)
    mwh["mwh"] = mwh.qty / GJ_PER_MWH
    return t.rename(columns={"co2e_t": "location_t"}).merge(
        mwh[["facility_id", "year", "mwh"]], on=["facility_id", "year"]
    )


def build(
    run: RunResult,
    activity: pa.Table,
    facilities: pd.DataFrame,
    boundary: str = "operational_control",
    instruments: pd.DataFrame | None = None,
    residual: pd.DataFrame | None = None,
    methods: dict[str, str] | None = None,
    lib: Library | None = None,
    scope3: pd.Series | None = None,
    fallback: tuple[str, ...] = FALLBACK,
) -> Inventory:
    """The inventory of every organisation and year in `run`: each record and gas from the
    facility's primary method (`methods`: country -> id), else the first of `fallback`."""
    share = shares(facilities, boundary)
    methods = methods or COUNTRY_METHOD
    fac = facilities.set_index("facility_id")
    chains = chains_for(facilities, methods, fallback)
    df = choose(run.results.to_pandas(), chains)
    df["country"] = df.facility_id.map(fac.country)
    df["organization_id"] = df.facility_id.map(fac.organization_id)
    df["share"] = df.facility_id.map(share)
    df["grid_key"] = df.facility_id.map(
        fac.grid_region.where(fac.country == "US", fac.state_province)
    )
    level = str(dict(run.meta.get("options", {})).get("cn_grid", "national"))
    df, from_activity = activity_instruments(df, activity, facilities, level, lib or load_library())
    if len(from_activity):
        given = instruments
        if instruments is not None and "rung" not in instruments.columns:
            given = check_instruments(instruments)
        instruments = pd.concat([x for x in (given, from_activity) if x is not None])
    if scope3 is not None and len(scope3):
        tagged = df.record_id.isin(scope3.index)
        df.loc[tagged, "scope"] = 3
        df.loc[tagged, "category"] = [f"scope3_{c}" for c in df.record_id[tagged].map(scope3)]
    df["biogenic_co2_t"] = df.mass_t.where(df.biogenic & (df.gas == "CO2"), 0.0)
    df["co2e_t"] = df.co2e_t.where(~df.biogenic, 0.0)
    df["consolidated_t"] = df.co2e_t * df.share
    df["consolidated_biogenic_t"] = df.biogenic_co2_t * df.share
    use = electricity_use(activity, df)
    mb = market_based(use, instruments, residual)
    mb["share"] = mb.facility_id.map(share)
    mb["organization_id"] = mb.facility_id.map(fac.organization_id)
    mb["consolidated_t"] = mb.co2e_t * mb.share
    keys = ["organization_id", "year"]
    by_cat = df.groupby([*keys, "scope", "category"], as_index=False).consolidated_t.agg(fsum)
    s1 = df[df.scope == 1].groupby(keys).consolidated_t.agg(fsum).rename("scope1_t")
    s2l = df[df.scope == 2].groupby(keys).consolidated_t.agg(fsum).rename("scope2_location_t")
    # heat and steam have no certificates here: their market-based figure is the same rows
    other = df[(df.scope == 2) & (df.category != "purchased_electricity")]
    both = pd.concat([mb[[*keys, "consolidated_t"]], other[[*keys, "consolidated_t"]]])
    s2m = both.groupby(keys).consolidated_t.agg(fsum).rename("scope2_market_t")
    s3 = df[df.scope == 3].groupby(keys).consolidated_t.agg(fsum).rename("scope3_tagged_t")
    bio = df.groupby(keys).consolidated_biogenic_t.agg(fsum).rename("biogenic_co2_t")
    totals = pd.concat([s1, s2l, s2m, s3, bio], axis=1).fillna(0.0).reset_index()
    if "scope3_tagged_t" not in totals:
        totals.insert(len(totals.columns) - 1, "scope3_tagged_t", 0.0)
    led = coverage.ledger(
        activity, df.record_id, run.skipped.to_pandas(), chains, coverage.INVENTORY
    )
    led = led[led.facility_id.map(share) > 0]  # facilities outside the boundary are not gaps
    led["organization_id"] = led.facility_id.map(fac.organization_id)
    cov = coverage.summary(led, ["organization_id", "year", "scope"])
    return Inventory(boundary, df, mb, by_cat, totals, led, cov, chains, methods, fallback)


def chains_for(
    facilities: pd.DataFrame, methods: dict[str, str], fallback: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    """facility_id -> its country's method, then the fallbacks (each once, in order)."""
    return {
        f: tuple(dict.fromkeys([m, *fallback])) if (m := methods.get(c)) else ()
        for f, c in zip(facilities.facility_id, facilities.country, strict=True)
    }


def choose(results: pd.DataFrame, chains: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Each record's rows, gas by gas, from the first method of its facility's chain that
    computed that gas; `primary_methodology` and `fallback` say where each row came from."""
    rank = {(f, m): i for f, chain in chains.items() for i, m in enumerate(chain)}
    keys = list(zip(results.facility_id, results.methodology, strict=True))
    df = results.assign(_rank=[rank.get(k) for k in keys])
    df = df[df._rank.notna()].sort_values("_rank", kind="stable")
    df = df.drop_duplicates(["record_id", "gas"]).sort_index()
    df["primary_methodology"] = df.facility_id.map({f: c[0] for f, c in chains.items() if c})
    df["fallback"] = df.methodology != df.primary_methodology
    return df.drop(columns="_rank")
