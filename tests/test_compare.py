"""The same fuel record under Part 98, MEE and IPCC: three results and the reasons they differ."""

from __future__ import annotations

import pandas as pd
import pytest

from openmrv.reports.summary import compare
from tests.conftest import record


def test_one_record_three_methods_and_why(run):
    row = record(facility_id="CN-PLANT", fuel="bituminous_coal", quantity=10_000, unit="t")
    res, _ = run([row], ["epa_part98_c", "cn_mee", "ipcc2006_t1"])
    c = compare(_as_arrow(res), {"record_id": "r1"})
    t = c.table.set_index("methodology")
    assert set(t.index) == {"epa_part98_c", "cn_mee", "ipcc2006_t1"}
    assert len(set(t.total_co2e_t.round(6))) == 3  # three different answers
    # Heating-value basis: Part 98 on HHV (Table C-1: 24.93 mmBtu/short ton), the others on NCV.
    assert t.heat_basis["epa_part98_c"] == "HHV" and t.heat_basis["cn_mee"] == "NCV"
    hhv_gj = 10_000 / 0.90718474 * 24.93 * 1.05505585262
    assert t.heat_gj["epa_part98_c"] == pytest.approx(hhv_gj)
    assert t.heat_gj["ipcc2006_t1"] == pytest.approx(10_000 * 25.8)  # Table 1.2: 25.8 TJ/Gg
    assert t.oxidation["ipcc2006_t1"] == 1.0 and t.oxidation["cn_mee"] < 1.0
    assert t.ch4_n2o_co2e_t["cn_mee"] == 0 and t.ch4_n2o_co2e_t["epa_part98_c"] > 0
    assert t.gwp_set["epa_part98_c"] == "AR4" and t.gwp_set["ipcc2006_t1"] == "AR5"
    text = " ".join(c.reasons)
    for cause in ("Heating-value basis", "Carbon content", "Oxidation", "CH4 and N2O", "GWP set"):
        assert cause in text


def _as_arrow(df):
    import pyarrow as pa

    return pa.Table.from_pandas(df, preserve_index=False)


def test_measured_heating_value_on_the_other_basis(run):
    # A Chinese plant measures NCV (22 GJ/t): the Hub inventory uses it as HHV = NCV / 0.95
    # (IPCC default ratio for solids) instead of the US default HHV; IPCC uses it directly.
    row = record(
        facility_id="CN-PLANT",
        fuel="bituminous_coal",
        quantity=1000,
        unit="t",
        ncv=22,
        ncv_unit="GJ/t",
    )
    res, _ = run([row], ["epa_hub_ghgp", "ipcc2006_t1"])
    co2 = res[res.gas == "CO2"].set_index("methodology")
    assert co2.heat_gj["epa_hub_ghgp"] == pytest.approx(22_000 / 0.95)
    assert co2.heat_gj["ipcc2006_t1"] == pytest.approx(22_000)
    assert "ipcc2006_ncv_gcv" in co2.factor_ids["epa_hub_ghgp"]


def test_tier3_co2_is_not_expressed_per_gj(run):
    # Part 98 Tier 3 computes CO2 from carbon content and mass; the comparison must not divide
    # that CO2 by the Table C-1 default heat used only for CH4/N2O.
    row = record(
        facility_id="CN-PLANT",
        fuel="bituminous_coal",
        quantity=1000,
        unit="t",
        ncv=22,
        ncv_unit="GJ/t",
        carbon_content=0.026,
        carbon_content_unit="tC/GJ",
    )
    res, _ = run([row], ["epa_part98_c", "cn_mee"])
    c = compare(_as_arrow(res), {"record_id": "r1"})
    t = c.table.set_index("methodology")
    assert pd.isna(t.co2_kg_per_gj["epa_part98_c"])
    assert t.heat_gj["epa_part98_c"] == pytest.approx(1000 / 0.90718474 * 24.93 * 1.05505585262)
    assert "computed CO2 from measured carbon content" in " ".join(c.reasons)
