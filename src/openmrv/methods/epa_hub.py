"""US corporate inventory per the GHG Protocol with EPA GHG Emission Factors Hub factors.

* Scope 1 stationary combustion: heat (HHV) × Table 1 CO2, CH4, N2O per mmBtu. Heat is the
  quantity × Table 1 HHV (or a measured HHV, or energy given directly). Per-unit factors are
  computed from HHV × EF, not from the Hub's rounded per-unit columns.
* Scope 1 mobile combustion: fuel volume × Table 2 CO2 per gallon or scf. Mobile CH4 and N2O need
  Tables 3-5 (vehicle type, model year, distance), not yet in the library: those rows are
  reported as not computed.
* Scope 1 refrigerants: mass released × GWP of the gas or blend (blend GWP from composition).
* Scope 2 location-based electricity: MWh × eGRID subregion total-output rates (Table 6).
* Scope 2 purchased steam and heat: mmBtu × Table 7.

Biomass CO2 is flagged biogenic (reported outside the scopes, per the GHG Protocol).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from openmrv.methods.base import (
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

GASES = (("CO2", "co2"), ("CH4", "ch4"), ("N2O", "n2o"))


def _subject_factors(lib, table_id: str, edition: str, parameter: str, gas: str) -> pd.DataFrame:
    t = lib.table(table_id, edition)
    t = t[(t.parameter == parameter) & (t.gas == gas)]
    return pd.DataFrame(
        {
            "key": t.subject,
            "value": t.value_canonical.astype(float),
            "fid": t.factor_id.map(lib.keys).astype("int64"),
        }
    )


class EpaHubGhgp(Method):
    id = "epa_hub_ghgp"
    version = "2025.1"
    title = "GHG Protocol corporate inventory with EPA GHG Emission Factors Hub 2025"
    label = "GHG Protocol / EPA Hub"
    label_zh = "温室气体核算体系 / EPA 排放因子中心"
    short_label = "GHGP/EPA Hub"
    country = "US"
    inventory_primary = True
    categories = (
        "stationary_combustion",
        "mobile_combustion",
        "refrigerant",
        "purchased_electricity",
        "purchased_heat",
    )
    default_gwp = "AR5"
    heat_basis = "HHV"
    equations = (
        "Hub T1: heat × EF",
        "Hub T2: fuel × EF",
        "Hub T3-T5",
        "mass released × GWP",
        "Scope 2 location-based: MWh × eGRID rate",
        "Scope 2: mmBtu × Hub T7",
    )
    editions = {
        "epa_hub_t1": "2025",
        "epa_hub_t2": "2025",
        "epa_hub_t6": "2025",
        "epa_hub_t7": "2025",
    }

    def plan(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        return ibis.union(
            self._stationary(act, ctx),
            self._mobile(act, ctx),
            self._refrigerant(act, ctx),
            self._electricity(act, ctx),
            self._heat(act, ctx),
        )

    def _stationary(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        lib, ed = ctx.lib, self.edition(ctx, "epa_hub_t1")
        t = act.filter(act.category == "stationary_combustion")
        t = lookup(t, fuel_factors(lib, "epa_hub_t1", ed, "epa_hub", "hhv"), "fuel", "hhvd")
        t = lookup(t, density_frame(lib), "fuel", "dens")
        for gas, p in GASES:
            t = lookup(t, fuel_factors(lib, "epa_hub_t1", ed, "epa_hub", "ef", gas), "fuel", p)
        t = lookup(t, ratio_frame(lib), "fuel_state", "r", on="state")
        hv, hv_fid = heat(t, "hhv", "hhvd", t.r_value, "HHV", measured_other="ncv")
        t = t.mutate(heat_=hv, hv_fid_=hv_fid)
        rows = []
        for gas, p in GASES:
            r = skip(t[f"{p}_value"].isnull(), "fuel not in EPA Hub Table 1")
            r = skip(
                t.heat_.isnull(),
                "Hub Table 1 HHV is per "
                + t.hhvd_den.fill_null("?")
                + "; a quantity in "
                + t.unit
                + " needs a measured HHV",
                r,
            )
            rows.append(
                GasRow(
                    gas=gas,
                    mass_t=t.heat_ * t[f"{p}_value"] / 1000.0,
                    equation="Hub T1: heat × EF",
                    factor_ids=ids(t.hv_fid_, t[f"{p}_fid"]),
                    reason=r,
                    biogenic=t.biogenic & (gas == "CO2"),
                    heat_gj=t.heat_,
                )
            )
        return gas_rows(t, self, ctx, rows)

    def _mobile(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        lib, ed = ctx.lib, self.edition(ctx, "epa_hub_t2")
        t = act.filter(act.category == "mobile_combustion")
        t = lookup(
            t, fuel_factors(lib, "epa_hub_t2", ed, "epa_hub_mobile", "ef", "CO2"), "fuel", "co2"
        )
        r = skip(t.co2_value.isnull(), "fuel not in EPA Hub Table 2")
        r = skip(
            t.co2_den != t.qty_kind,
            "Hub Table 2 factor is per " + t.co2_den.fill_null("?") + "; give the fuel as a volume",
            r,
        )
        co2 = GasRow(
            gas="CO2",
            mass_t=t.qty * t.co2_value / 1000.0,
            equation="Hub T2: fuel × EF",
            factor_ids=ids(t.co2_fid),
            reason=r,
            biogenic=t.biogenic,
        )
        missing = "mobile CH4/N2O need Hub Tables 3-5 (vehicle type, distance): not in library"
        others = [
            GasRow(
                gas=g,
                mass_t=ibis.null("float64"),
                equation="Hub T3-T5",
                factor_ids=ibis.null("int64"),
                reason=ibis.literal(missing),
            )
            for g in ("CH4", "N2O")
        ]
        return gas_rows(t, self, ctx, [co2, *others])

    def _refrigerant(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        t = act.filter(act.category == "refrigerant")
        row = GasRow(
            gas=t.fuel,
            mass_t=t.qty / 1000.0,
            equation="mass released × GWP",
            factor_ids=ibis.null("int64"),
            reason=ibis.null("string"),
        )
        return gas_rows(t, self, ctx, [row])

    def _purchased(
        self,
        t: ir.Table,
        ctx: Ctx,
        table_id: str,
        key: str,
        equation: str,
        missing: str,
        reason: ir.Value | None = None,
    ) -> ir.Table:
        """Scope 2 rows: energy × the per-energy factors of `table_id`, looked up by `key`."""
        ed = self.edition(ctx, table_id)
        for gas, p in GASES:
            t = lookup(t, _subject_factors(ctx.lib, table_id, ed, "ef", gas), key, p, on="key")
        rows = []
        for gas, p in GASES:
            r = skip(t[f"{p}_value"].isnull(), missing + t[key].fill_null("(blank)"), reason)
            rows.append(
                GasRow(
                    gas=gas,
                    mass_t=t.qty * t[f"{p}_value"] / 1000.0,
                    equation=equation,
                    factor_ids=ids(t[f"{p}_fid"]),
                    reason=r,
                    scope=2,
                )
            )
        return gas_rows(t, self, ctx, rows)

    def _electricity(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        fac = ctx.facilities
        f = fac.select(fid_=fac.facility_id, grid_=fac.grid_region, country_=fac.country)
        t = act.filter(act.category == "purchased_electricity")
        t = t.left_join(f, t.facility_id == f.fid_).drop("fid_")
        outside = skip(t.country_ != "US", "location-based eGRID factors apply to US facilities")
        return self._purchased(
            t,
            ctx,
            "epa_hub_t6",
            "grid_",
            "Scope 2 location-based: MWh × eGRID rate",
            "no eGRID subregion factor for grid region ",
            outside,
        )

    def _heat(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        t = act.filter(act.category == "purchased_heat").mutate(k_=ibis.literal("steam_and_heat"))
        return self._purchased(
            t, ctx, "epa_hub_t7", "k_", "Scope 2: mmBtu × Hub T7", "no Hub Table 7 factor for "
        )
