"""Gases and GWP sets (AR4, AR5, AR6), including refrigerant blends.

A GWP set is the IPCC assessment's 100-year GWPs (table ``gwp_ipcc``), completed for AR5 by the
EPA Hub 2025 Table 11 gases (the same AR5 values; a test checks they agree where both list a
gas). A blend's GWP in any set is the mass-weighted sum of its constituents' GWPs (composition
from EPA Hub 2025 Table 12); as in Table 12, constituents that are not HFCs or PFCs (HCFCs,
hydrocarbons) count as zero. A blend with an HFC/PFC constituent missing from a set has no GWP
in that set.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from openmrv.factors import Library, load_library

GWP_SETS = ("AR4", "AR5", "AR6")
KYOTO_PREFIXES = ("HFC-", "PFC-")


def _gas_gwps(lib: Library) -> pd.DataFrame:
    f = lib.factors
    ipcc = f[f.table_id == "gwp_ipcc"][["edition", "gas", "value", "factor_id"]]
    hub = f[f.table_id == "epa_hub_t11"][["gas", "value", "factor_id"]].assign(edition="AR5")
    extra = hub[~hub.gas.isin(ipcc[ipcc.edition == "AR5"].gas)]
    out = pd.concat([ipcc, extra[ipcc.columns]], ignore_index=True)
    return out.rename(columns={"edition": "gwp_set", "value": "gwp", "factor_id": "gwp_factor_id"})


def _blend_gwps(lib: Library, gases: pd.DataFrame) -> pd.DataFrame:
    f = lib.factors
    comp = f[(f.table_id == "epa_hub_t12") & (f.parameter == "mass_fraction")]
    rows = []
    for gwp_set in GWP_SETS:
        table = gases[gases.gwp_set == gwp_set].set_index("gas").gwp
        for blend, parts in comp.groupby("subject"):
            total, complete = 0.0, True
            for p in parts.itertuples():
                if p.gas.startswith(KYOTO_PREFIXES):
                    if p.gas not in table:
                        complete = False
                        break
                    total += float(p.value) * float(table[p.gas])
            if complete:
                fid = f"epa_hub_t12:2025:{blend.lower().replace('-', '_')}:composition"
                rows.append((gwp_set, blend, total, f"{fid}+gwp_ipcc:{gwp_set.lower()}"))
    return pd.DataFrame(rows, columns=["gwp_set", "gas", "gwp", "gwp_factor_id"])


@cache
def gwp_table(lib: Library | None = None) -> pd.DataFrame:
    """(gwp_set, gas, gwp, gwp_factor_id) for every gas and blend in every set."""
    lib = lib or load_library()
    gases = _gas_gwps(lib)
    return pd.concat([gases, _blend_gwps(lib, gases)], ignore_index=True)


def gwp(gas: str, gwp_set: str) -> float:
    """One GWP (for reports and tests; the engine joins the whole table)."""
    t = gwp_table()
    hit = t[(t.gas == gas) & (t.gwp_set == gwp_set)]
    if hit.empty:
        raise KeyError(f"no {gwp_set} GWP for {gas}")
    return float(hit.gwp.iloc[0])
