"""Fuel densities: a Chinese diesel record in tonnes under Part 98 and the Hub, a US diesel record
in gallons under MEE, each conversion in the lineage with its factor id, and the comparison
naming the density as a cause.

The density values are provisional (no primary source verified yet: see factors/SOURCES.md);
the test pins the value the data file states, and the arithmetic by hand from the published
Table C-1 / Hub and MEE defaults."""

from __future__ import annotations

import pytest

from openmrv.factors import load_library
from openmrv.methods import Options
from openmrv.reports.decompose import decompose
from tests.conftest import record

M3_PER_GAL = 0.003785411784
DIESEL_T_PER_M3 = 0.84  # fuel_density__provisional.csv (provisional)
C1_DIESEL = (0.138, 73.96)  # mmBtu/gal, kg CO2/mmBtu: 40 CFR 98 Table C-1, distillate No. 2
C2_PETROLEUM = (3.0e-3, 6.0e-4)  # kg CH4, N2O per mmBtu: Table C-2, petroleum products
MEE_DIESEL = (42.652, 20.2, 0.98)  # GJ/t, tC/TJ, OF: official provincial table (GB/T 32151)


def test_density_is_in_the_library_as_stated():
    f = load_library().factors
    d = f[(f.table_id == "fuel_density") & (f.subject == "diesel")].iloc[0]
    assert (d.value, d.unit, d.status) == (0.84, "t/m3", "provisional")
    assert d.value_canonical == pytest.approx(840.0)  # kg/m³


@pytest.fixture
def diesel(run):
    rows = [
        record(record_id="cn-diesel", facility_id="CN-FACTORY", fuel="柴油", quantity=10, unit="t"),
        record(record_id="us-diesel", fuel="Distillate Fuel Oil No. 2", quantity=1000,
               unit="gallon"),
    ]  # fmt: skip
    return run(rows, ["epa_part98_c", "epa_hub_ghgp", "cn_mee"], Options())


def test_chinese_diesel_in_tonnes_under_part_98_and_the_hub(diesel):
    results, _ = diesel
    gallons = 10 * 1000 / (DIESEL_T_PER_M3 * 1000) / M3_PER_GAL
    mmbtu = gallons * C1_DIESEL[0]
    for m in ("epa_part98_c", "epa_hub_ghgp"):
        got = results[(results.record_id == "cn-diesel") & (results.methodology == m)]
        got = got.set_index("gas")
        assert got.mass_t["CO2"] == pytest.approx(1e-3 * mmbtu * C1_DIESEL[1], rel=1e-9)
        assert got.mass_t["CH4"] == pytest.approx(1e-3 * mmbtu * C2_PETROLEUM[0], rel=1e-9)
        assert got.mass_t["N2O"] == pytest.approx(1e-3 * mmbtu * C2_PETROLEUM[1], rel=1e-9)
        for ids in got.factor_ids:  # the conversion, with its factor id, next to the HHV's
            assert "fuel_density:provisional:diesel:density" in ids.split(";")


def test_us_diesel_in_gallons_under_mee(diesel):
    results, _ = diesel
    tonnes = 1000 * M3_PER_GAL * DIESEL_T_PER_M3
    ncv, cc, of = MEE_DIESEL
    want = tonnes * ncv * cc / 1000 * of * 44 / 12
    got = results[(results.record_id == "us-diesel") & (results.methodology == "cn_mee")]
    assert got.mass_t.iloc[0] == pytest.approx(want, rel=1e-9)
    # All four factors, in order: the packed key exceeds 2**53, so a decode through floating
    # point would lose the last one (the oxidation rate).
    assert got.factor_ids.iloc[0].split(";") == [
        "mee_fuel_defaults:gbt32151_2022:diesel:ncv",
        "fuel_density:provisional:diesel:density",
        "mee_fuel_defaults:gbt32151_2022:diesel:carbon_content",
        "mee_fuel_defaults:gbt32151_2022:diesel:oxidation",
    ]


def test_records_in_native_units_use_no_density(diesel):
    results, _ = diesel
    native = results[
        ((results.record_id == "us-diesel") & (results.methodology != "cn_mee"))
        | ((results.record_id == "cn-diesel") & (results.methodology == "cn_mee"))
    ]
    assert len(native) == 7
    assert not native.factor_ids.str.contains("fuel_density").any()


def test_comparison_names_the_density_as_a_cause(diesel):
    results, _ = diesel
    d = decompose(results, "cn_mee", "epa_part98_c", {"record_id": "cn-diesel"})
    effects = d.effects.set_index("cause").effect_t
    assert effects["density"] != 0 and effects["heating_value"] == 0
    assert effects.sum() == pytest.approx(d.difference_t, rel=1e-9)
