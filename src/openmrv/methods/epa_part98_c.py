"""US EPA 40 CFR Part 98 Subpart C — general stationary fuel combustion, Tiers 1-4.

Equations (40 CFR 98.33, as amended; docs/methods.md gives each paragraph):

* C-1   CO2 = 1e-3 · Fuel · HHV · EF              Tier 1, default HHV (Table C-1)
* C-1a  CO2 = 1e-3 · Gas[therm] · 0.1 · EF        Tier 1, natural gas billed in therms
* C-1b  CO2 = 1e-3 · Gas[mmBtu] · EF              Tier 1, natural gas billed in mmBtu
* C-2a  CO2 = 1e-3 · Fuel · HHV_measured · EF      Tier 2 (C-2b: HHV_annual = Σ HHVᵢFuelᵢ / Σ Fuelᵢ;
        per-record results use each period's measured HHV, so their sum equals C-2a with C-2b)
* C-2c  CO2 = 1e-3 · Steam[lb] · B · EF           Tier 2, steam-based (MSW, solid fuel boilers)
* C-3   CO2 = 44/12 · Fuel[short ton] · CC · 0.91  Tier 3, solid fuel
* C-4   CO2 = 44/12 · Fuel[gal] · CC[kg C/gal] · 1e-3   Tier 3, liquid fuel
* C-5   CO2 = 44/12 · Fuel[scf] · CC · MW/MVC · 1e-3    Tier 3, gas, MVC = 849.5 scf/kg-mole
* Tier 4: CO2 measured by CEMS (C-6/C-7 are applied upstream by the CEMS data system).
* C-8 / C-8a / C-8b / C-9a / C-9b / C-10: CH4 or N2O = 1e-3 · (heat input, mmBtu) · EF (Table C-2).

Biomass CO2 is reported separately (98.33(e)) and flagged biogenic. GWPs follow Table A-1 of the
reporting year: AR4 before reporting year 2025, AR5 from 2025 (98.2, Table A-1 as amended 2024).
Quantities arrive in canonical units (kg, m³, Nm³, GJ); equation constants are applied exactly
as the regulation writes them (0.91, 849.5), the unit conversions exactly.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from openmrv.methods.base import (
    C_TO_CO2,
    GJ_PER_MMBTU,
    KG_PER_LB,
    KG_PER_SHORT_TON,
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
    unit_is,
)
from openmrv.units import factor

MVC_SCF_PER_KGMOLE = 849.5  # 98.33 Eq. C-5, at Part 98 standard conditions (68 °F, 14.7 psia)
SHORT_TO_METRIC = 0.91  # the regulation's rounded constant in Eq. C-3
SCF_PER_NM3 = factor("Nm3", "scf")
M3_PER_GAL = factor("gallon", "m**3")
THRESHOLD_T_CO2E = 25_000.0  # 98.2(a)(2) / (b)


class Part98SubpartC(Method):
    id = "epa_part98_c"
    version = "2016.1"
    title = "US EPA 40 CFR Part 98 Subpart C (Tiers 1-4)"
    label = "US EPA Part 98 C"
    label_zh = "美国 EPA Part 98 C 子部分"
    short_label = "US Part 98"
    country = "US"
    categories = ("stationary_combustion",)
    default_gwp = "AR4"  # Table A-1 before the 2024 amendment: reporting years up to 2024
    gwp_from_year = ((2025, "AR5"),)  # Table A-1 as amended in 2024 (89 FR 31802)
    heat_basis = "HHV"
    equations = (
        "C-1", "C-1a", "C-1b", "C-2a", "C-2c", "C-3", "C-3 (CC = CC per GJ × NCV)", "C-4", "C-5",
        "Tier 4 (CEMS)", "C-8", "C-8a", "C-8b", "C-9a", "C-9b", "C-10",
    )  # fmt: skip
    editions = {"cfr98_c1": "2016", "cfr98_c2": "2016"}

    def plan(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        """CO2 by the record's tier (C-1 to C-5, Tier 4), CH4 and N2O from heat input (C-8 to
        C-10); each step below is one equation or tier of 98.33."""
        t = self._factors(act, ctx)
        t = t.mutate(tier_=ibis.coalesce(t.tier, _auto_tier(t)))
        heat_gj, hv_fid = _heat_input(t)
        t = t.mutate(heat_=heat_gj, hv_fid_=hv_fid)
        tier12 = t.tier_ <= 2
        rows = [
            GasRow(
                gas="CO2",
                mass_t=ibis.cases(
                    (t.tier_ == 4, _tier4_co2(t)),
                    (t.tier_ == 3, _tier3_co2(t)),
                    else_=_tier12_co2(t),
                ),
                equation=_co2_equation(t),
                factor_ids=ids(tier12.ifelse(t.hv_fid_, None), tier12.ifelse(t.co2_fid, None)),
                reason=_co2_reason(t),
                biogenic=t.biogenic,
                tier=t.tier_,
                # Tier 3 and 4 CO2 is not computed from heat: no heat on the CO2 row.
                heat_gj=tier12.ifelse(t.heat_, None),
            ),
            *(_ch4_n2o(t, gas) for gas in ("CH4", "N2O")),
        ]
        return gas_rows(t, self, ctx, rows)

    def _factors(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        """The stationary combustion records with Table C-1 (HHV, CO2) and C-2 (CH4, N2O)
        factors, liquid densities and the IPCC NCV/GCV ratio joined on."""
        lib = ctx.lib
        e1, e2 = self.edition(ctx, "cfr98_c1"), self.edition(ctx, "cfr98_c2")
        t = act.filter(act.category == "stationary_combustion")
        t = lookup(t, fuel_factors(lib, "cfr98_c1", e1, "cfr98_c1", "hhv"), "fuel", "hhvd")
        t = lookup(t, density_frame(lib), "fuel", "dens")
        t = lookup(t, fuel_factors(lib, "cfr98_c1", e1, "cfr98_c1", "ef", "CO2"), "fuel", "co2")
        t = lookup(t, fuel_factors(lib, "cfr98_c2", e2, "cfr98_c2", "ef", "CH4"), "fuel", "ch4")
        t = lookup(t, fuel_factors(lib, "cfr98_c2", e2, "cfr98_c2", "ef", "N2O"), "fuel", "n2o")
        return lookup(t, ratio_frame(lib), "fuel_state", "r", on="state")


def _auto_tier(t: ir.Table) -> ir.IntegerValue:
    """The highest tier the record's measurements allow, where it gives none (98.33(b))."""
    return ibis.cases(
        (t.measured_co2_t.notnull(), 4),
        (t.carbon_content.notnull(), 3),
        (t.hhv.notnull() | t.boiler_ratio_b.notnull(), 2),
        else_=1,
    )


def _steam(t: ir.Table) -> ir.BooleanValue:
    return t.boiler_ratio_b.notnull()


def _heat_input(t: ir.Table) -> tuple[ir.FloatingValue, ir.IntegerValue]:
    """Heat input in GJ (HHV) and the factor keys behind it: C-2c for steam (lb of steam × B,
    mmBtu per lb), else the quantity × the measured (C-2a) or Table C-1 default (C-1) HHV."""
    hv, hv_fid = heat(t, "hhv", "hhvd", t.r_value, "HHV")
    steam = _steam(t)
    value = steam.ifelse(t.qty / KG_PER_LB * t.boiler_ratio_b * GJ_PER_MMBTU, hv)
    return value, steam.ifelse(ibis.null("int64"), hv_fid)


def _billed_in_therms(t: ir.Table) -> ir.BooleanValue:
    return unit_is(t, "therm", "therms")


def _gas_in_mmbtu(t: ir.Table) -> ir.BooleanValue:
    return (t.fuel == "natural_gas") & unit_is(t, "mmbtu", "dth")


def _cc_from_heat(t: ir.Table) -> ir.BooleanValue:
    """A solid's carbon content measured per GJ (China's practice) becomes the mass fraction
    C-3 needs when its NCV is measured too: kg C/kg = (kg C/GJ_NCV) · (GJ_NCV/kg)."""
    return (t.carbon_content_per == "energy") & t.ncv.notnull()


def _co2_equation(t: ir.Table) -> ir.StringValue:
    return ibis.cases(
        (t.tier_ == 4, "Tier 4 (CEMS)"),
        (
            t.tier_ == 3,
            ibis.cases(
                (
                    t.fuel_state == "solid",
                    _cc_from_heat(t).ifelse("C-3 (CC = CC per GJ × NCV)", "C-3"),
                ),
                (t.fuel_state == "liquid", "C-4"),
                else_="C-5",
            ),
        ),
        (t.tier_ == 2, _steam(t).ifelse("C-2c", "C-2a")),
        (_billed_in_therms(t), "C-1a"),
        (_gas_in_mmbtu(t), "C-1b"),
        else_="C-1",
    )


def _tier12_co2(t: ir.Table) -> ir.FloatingValue:
    """C-1, C-1a, C-1b, C-2a, C-2c: CO2 = 1e-3 · heat input (mmBtu) · EF (kg/mmBtu)."""
    return t.heat_ * t.co2_value / 1000.0


def _eq_c3(t: ir.Table) -> tuple[ir.BooleanValue, ir.FloatingValue]:
    """C-3, solid fuel: CO2 = 44/12 · Fuel (short tons) · CC · 0.91."""
    cc = ibis.cases(
        (t.carbon_content_per == "mass", t.carbon_content),
        (_cc_from_heat(t), t.carbon_content * t.ncv),
        else_=ibis.null("float64"),
    )
    applies = (t.fuel_state == "solid") & cc.notnull() & (t.qty_kind == "mass")
    return applies, C_TO_CO2 * (t.qty / KG_PER_SHORT_TON) * cc * SHORT_TO_METRIC


def _eq_c4(t: ir.Table) -> tuple[ir.BooleanValue, ir.FloatingValue]:
    """C-4, liquid fuel: CO2 = 44/12 · Fuel (gal) · CC (kg C/gal) · 1e-3."""
    applies = (
        (t.fuel_state == "liquid") & (t.carbon_content_per == "volume") & (t.qty_kind == "volume")
    )
    return applies, C_TO_CO2 * (t.qty / M3_PER_GAL) * (t.carbon_content * M3_PER_GAL) * 1e-3


def _eq_c5(t: ir.Table) -> tuple[ir.BooleanValue, ir.FloatingValue]:
    """C-5, gaseous fuel: CO2 = 44/12 · Fuel (scf) · CC · MW/MVC · 1e-3."""
    applies = (
        (t.fuel_state == "gas")
        & (t.carbon_content_per == "mass")
        & (t.qty_kind == "gas_volume")
        & t.molecular_weight.notnull()
    )
    co2 = (
        C_TO_CO2
        * (t.qty * SCF_PER_NM3)
        * t.carbon_content
        * (t.molecular_weight / MVC_SCF_PER_KGMOLE)
        * 1e-3
    )
    return applies, co2


def _tier3_co2(t: ir.Table) -> ir.FloatingValue:
    """Tier 3: the first of C-3, C-4, C-5 the record's fuel state and units fit; else null."""
    return ibis.cases(_eq_c3(t), _eq_c4(t), _eq_c5(t), else_=ibis.null("float64"))


def _tier4_co2(t: ir.Table) -> ir.FloatingValue:
    """Tier 4: CO2 measured by CEMS (C-6/C-7 are applied upstream by the CEMS data system)."""
    return t.measured_co2_t


def _co2_reason(t: ir.Table) -> ir.StringValue:
    """Why a record's CO2 is not computed (the first that applies), else null."""
    no_fuel = t.hhvd_value.isnull() & t.co2_value.isnull()
    r = skip(no_fuel, "fuel not in 40 CFR 98 Table C-1")
    r = skip(
        (t.tier_ == 3) & _tier3_co2(t).isnull(),
        "Tier 3 needs carbon content per mass (or per GJ with a measured NCV) for solids "
        "(C-3), per mass with molecular weight for gases (C-5), per volume for liquids "
        "given in volume (C-4)",
        r,
    )
    r = skip(
        (t.tier_ <= 2) & t.heat_.isnull(),
        "Table C-1 HHV is per "
        + t.hhvd_den.fill_null("?")
        + "; a quantity in "
        + t.unit
        + " needs a measured HHV, or the quantity in those units",
        r,
    )
    return skip((t.tier_ <= 2) & t.co2_value.isnull(), "no Table C-1 CO2 factor", r)


def _nonco2_equation(t: ir.Table) -> ir.StringValue:
    return ibis.cases(
        (t.tier_ == 4, "C-10"),
        (t.tier_ == 2, _steam(t).ifelse("C-9b", "C-9a")),
        (
            t.tier_ == 1,
            ibis.cases((_billed_in_therms(t), "C-8a"), (_gas_in_mmbtu(t), "C-8b"), else_="C-8"),
        ),
        else_="C-8",
    )


def _ch4_n2o(t: ir.Table, gas: str) -> GasRow:
    """C-8 to C-10: CH4 or N2O = 1e-3 · heat input (mmBtu) · EF (Table C-2), every tier."""
    p = gas.lower()
    r = skip(t[f"{p}_value"].isnull(), "fuel not in 40 CFR 98 Table C-2")
    r = skip(
        t.heat_.isnull(),
        "heat input unknown: give a measured HHV or the quantity in energy units",
        r,
    )
    return GasRow(
        gas=gas,
        mass_t=t.heat_ * t[f"{p}_value"] / 1000.0,
        equation=_nonco2_equation(t),
        factor_ids=ids(t.hv_fid_, t[f"{p}_fid"]),
        reason=r,
        tier=t.tier_,
        heat_gj=t.heat_,
    )
