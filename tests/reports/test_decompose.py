"""The methodology comparison: the difference between two methods decomposed into causes that
sum to the total difference, and each cause checked against published factors."""

from __future__ import annotations

import math

import pytest

from openmrv.methods import Options
from openmrv.reports.bundle import comparison_keys
from openmrv.reports.decompose import CAUSES, decompose
from tests.conftest import record
from tests.reports.conftest import calc

GJ_PER_MMBTU = 1.05505585262
# Published values (shared/reference/factors): 40 CFR 98 Table C-1 natural gas 53.06 kg CO2 /
# mmBtu, Table C-2 1.0E-03 kg CH4 and 1.0E-04 kg N2O / mmBtu; IPCC 2006 Vol. 2 Table 1.4
# natural gas 56,100 kg CO2 / TJ, Table 2.2 (energy industries) 1 kg CH4 and 0.1 kg N2O / TJ;
# IPCC default NCV/GCV of gas 0.9 (Vol. 2 Ch. 1 §1.4.1.3); GWP AR4 CH4 25, N2O 298
# (Part 98 before reporting year 2025), AR5 CH4 28, N2O 265 (IPCC default here).
P98_CO2, P98_CH4, P98_N2O = 53.06, 1.0e-3, 1.0e-4
IPCC_CO2, IPCC_CH4, IPCC_N2O = 56.1, 1.0e-3, 1.0e-4  # kg per GJ (NCV)
RATIO = 0.9


def test_gas_decomposition_matches_published_factors(run):
    mmbtu = 1000.0
    rows = [record(fuel="natural_gas", quantity=mmbtu, unit="mmBtu", facility_id="US-PLANT")]
    res, _ = run(rows, ["epa_part98_c", "ipcc2006_t1"])
    d = decompose(res, "epa_part98_c", "ipcc2006_t1")
    eff = d.effects.set_index("cause").effect_t
    h_hhv = mmbtu * GJ_PER_MMBTU
    h_ncv = h_hhv * RATIO
    # Part 98 total (AR4) and IPCC total (AR5), from the published factors alone
    p98 = mmbtu * (P98_CO2 + 25 * P98_CH4 + 298 * P98_N2O) / 1000
    ipcc = h_ncv * (IPCC_CO2 + 28 * IPCC_CH4 + 265 * IPCC_N2O) / 1000
    assert d.base_t == pytest.approx(p98, rel=1e-9)
    assert d.other_t == pytest.approx(ipcc, rel=1e-9)
    # IPCC converts the HHV quantity with the same default ratio: no heating-value effect
    assert eff["heating_value"] == pytest.approx(0.0, abs=1e-9)
    # carbon content: 56.1 kg/GJ NCV against Part 98's 53.06 kg/mmBtu expressed per GJ NCV
    cc = h_ncv * (IPCC_CO2 - P98_CO2 / GJ_PER_MMBTU / RATIO) / 1000
    assert eff["carbon_content"] == pytest.approx(cc, rel=1e-9)
    assert eff["oxidation"] == 0.0
    factors = (h_ncv * IPCC_CH4 - mmbtu * P98_CH4) * 25 + (h_ncv * IPCC_N2O - mmbtu * P98_N2O) * 298
    assert eff["non_co2_factors"] == pytest.approx(factors / 1000, rel=1e-9)
    gwp = h_ncv * (IPCC_CH4 * (28 - 25) + IPCC_N2O * (265 - 298)) / 1000
    assert eff["gwp"] == pytest.approx(gwp, rel=1e-9)
    assert math.fsum(d.effects.effect_t) == pytest.approx(d.difference_t, rel=1e-12, abs=1e-12)


def test_same_gwp_set_gives_no_gwp_effect(run):
    rows = [record(fuel="natural_gas", quantity=500.0, unit="mmBtu")]
    res, _ = run(rows, ["epa_part98_c", "ipcc2006_t1"], Options(gwp_set="AR5"))
    eff = decompose(res, "epa_part98_c", "ipcc2006_t1").effects.set_index("cause").effect_t
    assert eff["gwp"] == 0.0 and eff["non_co2_factors"] != 0.0


def test_mee_oxidation_below_one_shows_as_oxidation(tmp_path):
    """MEE: E = FC · NCV · CC · OF · 44/12 with a measured oxidation rate of 0.98; against
    IPCC (oxidation 1, same NCV basis) the oxidation effect is H_B · e_B · (1 − 1/0.98)."""
    rows = [
        record(
            fuel="natural_gas",
            quantity=1000.0,
            unit="mmBtu",
            facility_id="CN-PLANT",
            oxidation_factor=0.98,
        )
    ]
    _, act, run = calc(tmp_path, rows, ["ipcc2006_t1", "cn_mee"])
    res = run.results
    with pytest.raises(ValueError, match="measured oxidation rate"):
        decompose(res, "ipcc2006_t1", "cn_mee")
    d = decompose(res, "ipcc2006_t1", "cn_mee", activity=act)
    mee = res.to_pandas().query("methodology == 'cn_mee' and gas == 'CO2'").iloc[0]
    eff = d.effects.set_index("cause").effect_t
    assert eff["oxidation"] == pytest.approx(mee.mass_t * (1 - 1 / 0.98), rel=1e-12)
    assert eff["heating_value"] == pytest.approx(0.0, abs=1e-9)  # both NCV, same energy
    assert math.fsum(d.effects.effect_t) == pytest.approx(d.difference_t, rel=1e-12)


def test_every_example_comparison_sums_exactly_to_the_total_difference(example):
    keys = comparison_keys(example.run.results)
    assert len(keys) >= 6
    for fac, year in keys:
        for other in ("cn_mee", "ipcc2006_t1"):
            d = decompose(
                example.run.results,
                "epa_part98_c",
                other,
                {"facility_id": fac, "year": year},
                example.activity,
            )
            assert list(d.effects.cause) == list(CAUSES)
            total = math.fsum(d.effects.effect_t)
            assert total == pytest.approx(d.difference_t, rel=1e-12, abs=1e-9), (fac, year, other)
            # and per record, the causes add up to that record's difference
            df = example.run.results.to_pandas()
            df = df[(df.facility_id == fac) & (df.year == year) & ~df.biogenic]
            for rid, g in d.by_record.groupby("record_id"):
                r = df[df.record_id == rid]
                want = (
                    r[r.methodology == other].co2e_t.sum()
                    - r[r.methodology == "epa_part98_c"].co2e_t.sum()
                )
                assert math.fsum(g.effect_t) == pytest.approx(want, rel=1e-9, abs=1e-9)
