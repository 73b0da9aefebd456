"""China MEE enterprise GHG accounting (GB/T 32150-2015 family and the MEE sector guidelines).

* Fuel combustion: E = FC · NCV · CC · OF · 44/12 with FC in t or 10⁴ Nm³, NCV in GJ per unit,
  CC in tC/GJ, OF a fraction; each parameter measured when given, else the default. Where the
  carbon content is measured per mass (the power-sector guideline's received-basis element carbon),
  E = FC · CC_mass · OF · 44/12. Only CO2 is counted for combustion.
* Purchased electricity: MWh · grid factor (tCO2/MWh) of the series the facility's reporting
  programme selects (`ETS_PROGRAMMES`): the carbon-market series (national, table
  ``mee_ets_grid``) for reports to MEE's enterprise GHG reporting system, else the MEE/NBS
  electricity CO2 factors (``mee_grid``) at the level the user selects (national, regional grid
  or province), for the record's data year; when that year is not yet published the latest
  earlier published year is used (recorded in the factor id).
* Green electricity (records with an ``instrument``): green power counts zero; use covered by
  green certificates takes the national average excluding market-traded non-fossil power; the
  residual takes the fossil-only factor. This follows the treatment proposed in China Electric
  Power News (2025) for the three calibers of the MEE/NBS 2022 factors, not a rule of a guideline.
* Purchased heat: GJ · heat factor.

Biomass fuels have no default here and are not counted (the guidelines count fossil CO2). The
fuel defaults are seeded as provisional (see factors/SOURCES.md); results show their ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from openmrv.methods.base import (
    C_TO_CO2,
    Ctx,
    GasRow,
    Method,
    density_frame,
    fuel_factors,
    gas_rows,
    heat,
    ids,
    lookup,
    ratio_frame,
    skip,
)

PROVINCE_GRID = {
    "CN-BJ": "north", "CN-TJ": "north", "CN-HE": "north", "CN-SX": "north", "CN-SD": "north",
    "CN-NM": "north", "CN-LN": "northeast", "CN-JL": "northeast", "CN-HL": "northeast",
    "CN-SH": "east", "CN-JS": "east", "CN-ZJ": "east", "CN-AH": "east", "CN-FJ": "east",
    "CN-HA": "central", "CN-HB": "central", "CN-HN": "central", "CN-JX": "central",
    "CN-SN": "northwest", "CN-GS": "northwest", "CN-QH": "northwest", "CN-NX": "northwest",
    "CN-XJ": "northwest", "CN-GD": "south", "CN-GX": "south", "CN-YN": "south", "CN-GZ": "south",
    "CN-HI": "south", "CN-SC": "southwest", "CN-CQ": "southwest", "CN-XZ": "southwest",
}  # fmt: skip
# Regional grids as grouped in the MEE/NBS electricity CO2 factor announcements (2021 data on);
# Inner Mongolia is listed under North China here (its east is served by the Northeast grid).
YEARS = range(2000, 2101)
GRID_LEVELS = ("national", "regional", "provincial")
# Programmes (reports.obligations) that report to MEE's enterprise GHG reporting system, whose
# notices set the carbon-market national grid factor (0.6101 for data years to 2020, 0.5810 for
# 2021 by 环办气候函〔2022〕111号, 0.5703 for 2022 by 环办气候函〔2023〕43号). Facilities in no such
# programme (enterprise accounting outside it, product footprints) take the MEE/NBS series.
ETS_PROGRAMMES = ("CN_ETS", "CN_ETS_ENTERPRISE")


@dataclass(frozen=True)
class Options:
    """MEE's own choice for a run (``base.Options.methods["cn_mee"]``): the level of the grid
    factor for purchased electricity. Recorded in run.json as ``options.cn_grid``, the name of
    the command-line flag."""

    grid_level: str = "national"  # one of GRID_LEVELS

    def __post_init__(self) -> None:
        if self.grid_level not in GRID_LEVELS:
            raise ValueError(
                f"unknown China grid level {self.grid_level!r}; use one of {', '.join(GRID_LEVELS)}"
            )


def grid_options(level: str) -> dict[str, Options]:
    """``base.Options.methods`` choosing the grid level `level` (the CLI's ``--cn-grid``)."""
    return {MeeEnterprise.id: Options(grid_level=level)}


def grid_factors(
    lib, level: str, caliber: str = "average", table: str = "mee_grid"
) -> pd.DataFrame:
    """(key, year, value, fid): for each grid key and data year, the factor of that year or of the
    latest earlier published year. An edition names the first data year its value applies to
    (``mee_ets_grid``'s "2015-2020": data years 2015 to 2020)."""
    t = lib.table(table)
    t = t[t.subject.str.endswith(f"|{caliber}")]
    t = t.assign(key=t.subject.str.split("|").str[0], y=t.edition.str[:4].astype(int))
    if level == "national":
        t = t[t.key == "CN"]
    elif level == "regional":
        t = t[t.key.str.startswith("grid:")]
    else:
        t = t[t.key.str.startswith("CN-")]
    pub = pd.DataFrame(
        {
            "key": t.key.astype(str),
            "y": t.y.astype("int64"),
            "value": t.value_canonical.astype(float),
            "fid": t.factor_id.map(lib.keys).astype("int64"),
        }
    ).sort_values("y")
    years = pd.DataFrame({"year": list(YEARS)}, dtype="int64")
    grid = years.merge(pub[["key"]].drop_duplicates(), how="cross")
    hit = pd.merge_asof(grid, pub, left_on="year", right_on="y", by="key", direction="backward")
    hit = hit.dropna(subset=["y"]).sort_values(["key", "year"], ignore_index=True)
    return hit[["key", "year", "value", "fid"]].astype({"fid": "int64"})


class MeeEnterprise(Method):
    id = "cn_mee"
    version = "2015.2"
    title = "China MEE enterprise GHG accounting (GB/T 32150-2015 family)"
    label = "China MEE"
    label_zh = "中国生态环境部"
    short_label = "China MEE"
    country = "CN"
    inventory_primary = True
    compares_with = "epa_part98_c"
    measured_oxidation = True
    options_type = Options
    categories = (
        "stationary_combustion",
        "mobile_combustion",
        "purchased_electricity",
        "purchased_heat",
    )
    default_gwp = "AR5"  # CO2 only: the GWP set does not change results
    heat_basis = "NCV"
    equations = (
        "FC × NCV × CC × OF × 44/12",
        "FC × C_mass × OF × 44/12",
        "green power: 0",
        "AD × EF (national, excl. market-traded non-fossil)",
        "AD × EF (national, fossil power)",
        "AD × EF_grid (national)",
        "AD × EF_grid (regional)",
        "AD × EF_grid (provincial)",
        "AD × EF_heat",
        "AD × EF_grid (carbon market, national)",
    )
    editions = {"mee_fuel_defaults": "gbt32151-2022", "mee_heat": "provisional"}

    def plan(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        return ibis.union(
            self._combustion(act, ctx), self._electricity(act, ctx), self._heat(act, ctx)
        )

    def _combustion(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        lib, ed = ctx.lib, self.edition(ctx, "mee_fuel_defaults")
        t = act.filter(act.category.isin(["stationary_combustion", "mobile_combustion"]))
        t = lookup(t, fuel_factors(lib, "mee_fuel_defaults", ed, "mee", "ncv"), "fuel", "ncvd")
        t = lookup(t, density_frame(lib), "fuel", "dens")
        t = lookup(
            t, fuel_factors(lib, "mee_fuel_defaults", ed, "mee", "carbon_content"), "fuel", "ccd"
        )
        t = lookup(t, fuel_factors(lib, "mee_fuel_defaults", ed, "mee", "oxidation"), "fuel", "ofd")
        t = lookup(t, ratio_frame(lib), "fuel_state", "r", on="state")
        ad, ad_fid = heat(t, "ncv", "ncvd", t.r_value, "NCV", measured_other="hhv")
        cc_heat = (t.carbon_content_per == "energy").ifelse(t.carbon_content, ibis.null("float64"))
        cc_mass = ((t.carbon_content_per == "mass") & (t.qty_kind == "mass")).ifelse(
            t.carbon_content, ibis.null("float64")
        )
        cc = ibis.coalesce(cc_heat, t.ccd_value)
        of = ibis.coalesce(t.oxidation_factor, t.ofd_value)
        t = t.mutate(
            ad_=ad,
            ad_fid_=ad_fid,
            cc_=cc,
            of_=of,
            ccm_=cc_mass,
            cc_fid_=cc_heat.isnull().ifelse(t.ccd_fid, ibis.null("int64")),
            of_fid_=t.oxidation_factor.isnull().ifelse(t.ofd_fid, ibis.null("int64")),
        )
        element = t.ccm_.notnull()
        co2 = element.ifelse(
            t.qty * t.ccm_ * t.of_ * C_TO_CO2 / 1000.0, t.ad_ * t.cc_ * t.of_ * C_TO_CO2 / 1000.0
        )
        r = skip(t.biogenic, "biomass CO2 is not counted in MEE enterprise accounting")
        r = skip(
            ~element & t.ad_.isnull() & (t.qty_kind == "volume"),
            "MEE needs fuel mass (t) for liquids: give the quantity in t or a measured NCV "
            "per volume",
            r,
        )
        r = skip(
            ~element & t.ad_.isnull(), "no NCV: no MEE default for this fuel and no measured NCV", r
        )
        r = skip(
            ~element & t.cc_.isnull(),
            "no carbon content: no MEE default for this fuel and no measured value per GJ",
            r,
        )
        r = skip(t.of_.isnull(), "no oxidation rate: no default and no measured value", r)
        eq = element.ifelse("FC × C_mass × OF × 44/12", "FC × NCV × CC × OF × 44/12")
        row = GasRow(
            gas="CO2",
            mass_t=co2,
            equation=eq,
            factor_ids=ids(
                element.ifelse(None, t.ad_fid_), element.ifelse(None, t.cc_fid_), t.of_fid_
            ),
            reason=r,
            heat_gj=element.ifelse(None, t.ad_),
        )
        return gas_rows(t, self, ctx, [row])

    def record_options(self, own: Options) -> dict[str, str]:
        return {"cn_grid": own.grid_level}

    def _electricity(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        level = self.own_options(ctx.options).grid_level
        fac = ctx.facilities
        keys = fac.select(
            fid_=fac.facility_id,
            country_=fac.country,
            key_=_grid_key(fac, level),
            ets_=_in_ets(fac.programmes),
        )
        t = act.filter(act.category == "purchased_electricity")
        t = t.left_join(keys, t.facility_id == keys.fid_).drop("fid_")
        frames = [grid_factors(ctx.lib, level).assign(c="", s="nbs")]
        for instrument, caliber in (("certificate", "excl_green"), ("residual", "fossil")):
            frames.append(grid_factors(ctx.lib, "national", caliber).assign(c=instrument, s="nbs"))
        frames.append(grid_factors(ctx.lib, "national", table="mee_ets_grid").assign(c="", s="ets"))
        g = ibis.memtable(
            pd.concat(frames).rename(
                columns={
                    "key": "g_key",
                    "year": "g_year",
                    "value": "g_value",
                    "fid": "g_fid",
                    "c": "g_c",
                    "s": "g_s",
                }
            )
        )
        inst = t.instrument.fill_null("")
        ets = t.ets_.fill_null(False)
        national = ets | inst.isin(["certificate", "residual"])
        t = t.mutate(
            gk_=national.ifelse("CN", t.key_),
            gi_=(ets | (inst == "green_power")).ifelse("", inst),
            gs_=ets.ifelse("ets", "nbs"),
        )
        t = t.left_join(
            g,
            (t.gk_ == g.g_key) & (t.year == g.g_year) & (t.gi_ == g.g_c) & (t.gs_ == g.g_s),
        )
        t = t.drop("g_key", "g_year", "g_c", "g_s")
        green = ~ets & (inst == "green_power")
        r = skip(t.country_ != "CN", "MEE grid factors apply to facilities in China")
        r = skip(
            ets & (inst != ""),
            "the carbon-market grid factor has no published treatment of green power or "
            "certificates here: give the electricity without an instrument for the facility's "
            f"{'/'.join(ETS_PROGRAMMES)} report",
            r,
        )
        r = skip(
            ~green & t.g_value.isnull(),
            ets.ifelse(
                "no carbon-market grid factor for this data year",
                f"no MEE grid factor ({level}) for this facility, year and instrument",
            ),
            r,
        )
        eq = ibis.cases(
            (ets, "AD × EF_grid (carbon market, national)"),
            (green, "green power: 0"),
            (inst == "certificate", "AD × EF (national, excl. market-traded non-fossil)"),
            (inst == "residual", "AD × EF (national, fossil power)"),
            else_=f"AD × EF_grid ({level})",
        )
        row = GasRow(
            gas="CO2",
            mass_t=green.ifelse(0.0, t.qty * t.g_value / 1000.0),
            equation=eq,
            factor_ids=ids(green.ifelse(None, t.g_fid)),
            reason=r,
            scope=2,
        )
        return gas_rows(t, self, ctx, [row])

    def _heat(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        ht = ctx.lib.table("mee_heat", self.edition(ctx, "mee_heat"))
        h = ht.iloc[0]
        t = act.filter(act.category == "purchased_heat")
        row = GasRow(
            gas="CO2",
            mass_t=t.qty * float(h.value_canonical) / 1000.0,
            equation="AD × EF_heat",
            factor_ids=ids(ibis.literal(ctx.lib.keys[h.factor_id], "int64")),
            reason=ibis.null("string"),
            scope=2,
        )
        return gas_rows(t, self, ctx, [row])


def _in_ets(programmes: ir.StringValue) -> ir.BooleanValue:
    """Whether a facility's ';'-separated `programmes` name one of ETS_PROGRAMMES."""
    names = "|".join(ETS_PROGRAMMES)
    return programmes.fill_null("").re_search(rf"(^|;)\s*({names})\s*(;|$)")


def _grid_key(fac: ir.Table, level: str) -> ir.StringValue:
    """The key of the facility's grid factor at the chosen level."""
    if level == "national":
        return ibis.literal("CN")
    if level == "provincial":
        return fac.state_province
    regions = {p: f"grid:{g}" for p, g in PROVINCE_GRID.items()}
    return fac.state_province.substitute(regions, else_=ibis.null("string"))
