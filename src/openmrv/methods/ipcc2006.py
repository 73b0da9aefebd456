"""IPCC 2006 Guidelines, Vol. 2 Energy, Tier 1 stationary combustion.

E_gas = Fuel consumption (TJ, net calorific basis) × default EF_gas (kg/TJ)  (Vol. 2 Ch. 2, Eq. 2.1)

* CO2 factors (Table 1.4) assume full oxidation (oxidation factor 1).
* CH4 and N2O factors depend on the source category, the facility's ``ipcc_sector``: energy
  industries (Table 2.2), manufacturing industries and construction (2.3),
  commercial/institutional (2.4), residential and agriculture/forestry/fishing (2.5); a facility
  of another sector gets CO2 only (its CH4/N2O rows say why).
* Fuel in mass is converted with the default NCV (Table 1.2) or a measured NCV. Fuel in volume
  needs a heating value per volume, which IPCC leaves to national data: the country's own
  default is used (US: 40 CFR 98 Table C-1 HHV × IPCC NCV/GCV ratio; China: the MEE default NCV).
* Biomass CO2 is a memo item (flagged biogenic); its CH4 and N2O count.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from openmrv.methods.base import (
    Ctx,
    GasRow,
    Method,
    fuel_factors,
    gas_rows,
    ids,
    lookup,
    ratio_frame,
    skip,
)


def _sector_factors(lib, gas: str) -> pd.DataFrame:
    t = lib.table("ipcc2006", "2006")
    t = t[(t.parameter == "ef") & (t.gas == gas) & t.subject.str.contains("|", regex=False)]
    fuels = lib.fuels[lib.fuels.ipcc2006 != ""][["code", "ipcc2006"]]
    t = t.assign(ipcc=t.subject.str.split("|").str[0], sector=t.subject.str.split("|").str[1])
    m = fuels.merge(t, left_on="ipcc2006", right_on="ipcc")
    return pd.DataFrame(
        {
            "key": m.code + "|" + m.sector,
            "value": m.value_canonical.astype(float),
            "fid": m.factor_id.map(lib.keys).astype("int64"),
        }
    )


class Ipcc2006Tier1(Method):
    id = "ipcc2006_t1"
    version = "2006.2"
    title = "IPCC 2006 Guidelines, Tier 1 stationary combustion"
    label = "IPCC 2006 Tier 1"
    label_zh = "IPCC 2006 层级 1"
    short_label = "IPCC 2006"
    country = None
    compares_with = "epa_part98_c"
    oxidation = 1.0  # Vol. 2 Ch. 2: the Tier 1 CO2 factors assume an oxidation factor of 1
    categories = ("stationary_combustion",)
    default_gwp = "AR5"
    heat_basis = "NCV"
    equations = ("Eq. 2.1: TJ × EF (Table 1.4)", "Eq. 2.1: TJ × EF (Tables 2.2-2.5)")
    editions = {"ipcc2006": "2006", "cfr98_c1": "2016", "mee_fuel_defaults": "gbt32151-2022"}

    def plan(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        """Eq. 2.1 for CO2 (Table 1.4) and for CH4 and N2O (Tables 2.2-2.5 by sector), on the
        fuel's energy in TJ (NCV)."""
        t = self._factors(act, ctx)
        tj, fid = _energy(t)
        t = t.mutate(gj_=tj, hv_fid_=fid)
        rows = [_co2(t), *(_by_sector(t, gas) for gas in ("CH4", "N2O"))]
        return gas_rows(t, self, ctx, rows)

    def _factors(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        """The stationary combustion records with the facility's country and IPCC sector, the
        IPCC defaults (NCV, CO2, sector CH4/N2O), the national heating values for fuel in
        volume (US Table C-1 HHV, China MEE NCV) and the NCV/GCV ratio joined on."""
        lib = ctx.lib
        fac = ctx.facilities
        f = fac.select(fid_=fac.facility_id, country_=fac.country, sector_=fac.ipcc_sector)
        t = act.filter(act.category == "stationary_combustion")
        t = t.left_join(f, t.facility_id == f.fid_).drop("fid_")
        ed = self.edition(ctx, "ipcc2006")
        t = lookup(t, fuel_factors(lib, "ipcc2006", ed, "ipcc2006", "ncv"), "fuel", "ncvd")
        t = lookup(t, fuel_factors(lib, "ipcc2006", ed, "ipcc2006", "ef", "CO2"), "fuel", "co2")
        t = lookup(
            t,
            fuel_factors(lib, "cfr98_c1", self.edition(ctx, "cfr98_c1"), "cfr98_c1", "hhv"),
            "fuel",
            "us",
        )
        t = lookup(
            t,
            fuel_factors(
                lib, "mee_fuel_defaults", self.edition(ctx, "mee_fuel_defaults"), "mee", "ncv"
            ),
            "fuel",
            "cn",
        )
        t = lookup(t, ratio_frame(lib), "fuel_state", "r", on="state")
        t = t.mutate(skey_=t.fuel + "|" + t.sector_.fill_null(""))
        for gas in ("CH4", "N2O"):
            t = lookup(t, _sector_factors(lib, gas), "skey_", gas.lower(), on="key")
        return t


def _energy(t: ir.Table) -> tuple[ir.FloatingValue, ir.IntegerValue]:
    """Fuel consumption in GJ (NCV) and the factor keys behind it: energy given (HHV through
    the NCV/GCV ratio), a measured NCV or HHV, the IPCC default NCV, else the country's own
    heating value per volume."""
    energy = t.qty_kind == "energy"
    us_vol = (t.country_ == "US") & (t.us_den == t.qty_kind)
    cn_vol = (t.country_ == "CN") & (t.cn_den == t.qty_kind)
    tj = ibis.cases(
        (energy & (t.energy_basis == "NCV"), t.qty),
        (energy & (t.energy_basis == "HHV"), t.qty * t.r_value),
        (t.ncv.notnull(), t.qty * t.ncv),
        (t.hhv.notnull(), t.qty * t.hhv * t.r_value),
        (t.ncvd_den == t.qty_kind, t.qty * t.ncvd_value),
        (us_vol, t.qty * t.us_value * t.r_value),
        (cn_vol, t.qty * t.cn_value),
        else_=ibis.null("float64"),
    )
    fid = ibis.cases(
        (energy & (t.energy_basis == "HHV"), t.r_fid),
        (energy | t.ncv.notnull(), ibis.null("int64")),
        (t.hhv.notnull(), t.r_fid),
        (t.ncvd_den == t.qty_kind, t.ncvd_fid),
        (us_vol, ids(t.us_fid, t.r_fid)),
        (cn_vol, t.cn_fid),
        else_=ibis.null("int64"),
    )
    return tj, fid


def _no_energy(t: ir.Table) -> ir.StringValue:
    return (
        "no heating value for a quantity in "
        + t.unit
        + ": give a measured NCV or the quantity in energy units"
    )


def _co2(t: ir.Table) -> GasRow:
    """Eq. 2.1 with the Table 1.4 CO2 factor (full oxidation); biomass CO2 is a memo item."""
    r = skip(t.co2_value.isnull(), "fuel not in IPCC 2006 Table 1.4 (library)")
    r = skip(t.gj_.isnull(), _no_energy(t), r)
    return GasRow(
        gas="CO2",
        mass_t=t.gj_ * t.co2_value / 1000.0,
        equation="Eq. 2.1: TJ × EF (Table 1.4)",
        factor_ids=ids(t.hv_fid_, t.co2_fid),
        reason=r,
        biogenic=t.biogenic,
        heat_gj=t.gj_,
    )


def _by_sector(t: ir.Table, gas: str) -> GasRow:
    """Eq. 2.1 with the CH4 or N2O factor of the facility's source category (Tables 2.2-2.5)."""
    p = gas.lower()
    r = skip(
        t[f"{p}_value"].isnull(),
        "no IPCC 2006 Tables 2.2-2.5 "
        + gas
        + " factor for this fuel and sector ("
        + t.sector_.fill_null("?")
        + ")",
    )
    r = skip(t.gj_.isnull(), _no_energy(t), r)
    return GasRow(
        gas=gas,
        mass_t=t.gj_ * t[f"{p}_value"] / 1000.0,
        equation="Eq. 2.1: TJ × EF (Tables 2.2-2.5)",
        factor_ids=ids(t.hv_fid_, t[f"{p}_fid"]),
        reason=r,
        heat_gj=t.gj_,
    )
