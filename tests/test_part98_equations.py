"""40 CFR Part 98 Subpart C equations, each with numbers worked by hand from the regulation's own
definitions (40 CFR 98.33; Tables C-1 and C-2). Every expected value below is written out as the
regulation's arithmetic, not taken from OpenMRV's output."""

from __future__ import annotations

import pytest

from tests.conftest import mass, record

P98 = ["epa_part98_c"]


def one(results, gas, rid="r1"):
    return mass(results, "epa_part98_c", gas, rid)


def equation(results, gas, rid="r1"):
    return results[(results.gas == gas) & (results.record_id == rid)].equation.iloc[0]


def test_c1_and_c8_tier1_default_hhv(run):
    # 98.33(a)(1), Eq. C-1: CO2 = 1e-3 · Fuel · HHV · EF; anthracite HHV 25.09 mmBtu/short ton,
    # EF 103.69 kg CO2/mmBtu (Table C-1). 98.33(c)(1), Eq. C-8 with Table C-2 coal factors
    # 1.1e-2 kg CH4 and 1.6e-3 kg N2O per mmBtu.
    res, _ = run([record(fuel="anthracite", quantity=500, unit="short ton")], P98)
    assert one(res, "CO2") == pytest.approx(1e-3 * 500 * 25.09 * 103.69)  # 1300.79105 t
    assert one(res, "CH4") == pytest.approx(1e-3 * 500 * 25.09 * 1.1e-2)  # 0.137995 t
    assert one(res, "N2O") == pytest.approx(1e-3 * 500 * 25.09 * 1.6e-3)  # 0.020072 t
    assert equation(res, "CO2") == "C-1" and equation(res, "CH4") == "C-8"


def test_c1_converts_metric_tonnes_to_the_equation_unit(run):
    # Eq. C-1's Fuel for solids is in short tons: 907.18474 t = 1000 short tons.
    res, _ = run([record(fuel="anthracite", quantity=907.18474, unit="t")], P98)
    assert one(res, "CO2") == pytest.approx(1e-3 * 1000 * 25.09 * 103.69)


def test_c1a_and_c8a_natural_gas_in_therms(run):
    # 98.33(a)(1)(ii), Eq. C-1a: CO2 = 1e-3 · therms · 0.1 · 53.06; Eq. C-8a likewise with
    # 1.0e-3 kg CH4/mmBtu and 1.0e-4 kg N2O/mmBtu.
    res, _ = run([record(fuel="natural_gas", quantity=250_000, unit="therm")], P98)
    assert one(res, "CO2") == pytest.approx(1e-3 * 250_000 * 0.1 * 53.06)  # 1326.5 t
    assert one(res, "CH4") == pytest.approx(1e-3 * 250_000 * 0.1 * 1.0e-3)  # 0.025 t
    assert one(res, "N2O") == pytest.approx(1e-3 * 250_000 * 0.1 * 1.0e-4)
    assert equation(res, "CO2") == "C-1a" and equation(res, "CH4") == "C-8a"


def test_c1b_and_c8b_natural_gas_in_mmbtu(run):
    # 98.33(a)(1)(ii), Eq. C-1b: CO2 = 1e-3 · mmBtu · 53.06; Eq. C-8b.
    res, _ = run([record(fuel="natural_gas", quantity=30_000, unit="mmBtu")], P98)
    assert one(res, "CO2") == pytest.approx(1e-3 * 30_000 * 53.06)  # 1591.8 t
    assert one(res, "CH4") == pytest.approx(1e-3 * 30_000 * 1.0e-3)
    assert equation(res, "CO2") == "C-1b" and equation(res, "N2O") == "C-8b"


def test_c2a_and_c9a_tier2_measured_hhv(run):
    # 98.33(a)(2), Eq. C-2a: CO2 = 1e-3 · Fuel · HHV(measured) · EF; Eq. C-9a for CH4/N2O.
    row = record(
        fuel="bituminous_coal",
        quantity=2000,
        unit="short ton",
        hhv=25.5,
        hhv_unit="mmBtu/short ton",
    )
    res, _ = run([row], P98)
    assert one(res, "CO2") == pytest.approx(1e-3 * 2000 * 25.5 * 93.28)  # 4757.28 t
    assert one(res, "CH4") == pytest.approx(1e-3 * 2000 * 25.5 * 1.1e-2)  # 0.561 t
    assert equation(res, "CO2") == "C-2a" and equation(res, "CH4") == "C-9a"
    assert set(res.tier) == {2}


def test_c2b_weighted_annual_hhv(run):
    # 98.33(a)(2)(ii), Eq. C-2b: HHV_annual = Σ(HHVᵢ·Fuelᵢ)/ΣFuelᵢ = (25·1000 + 26·3000)/4000
    # = 25.75 mmBtu/short ton; C-2a on the annual fuel: 1e-3 · 4000 · 25.75 · 93.28 = 9607.84 t.
    # OpenMRV reports per period; their sum must equal the annual C-2a/C-2b figure.
    rows = [
        record(
            record_id="jan",
            fuel="bituminous_coal",
            quantity=1000,
            unit="short ton",
            hhv=25.0,
            hhv_unit="mmBtu/short ton",
        ),
        record(
            record_id="feb",
            fuel="bituminous_coal",
            quantity=3000,
            unit="short ton",
            hhv=26.0,
            hhv_unit="mmBtu/short ton",
            period_start="2024-02-01",
            period_end="2024-02-29",
        ),
    ]
    res, _ = run(rows, P98)
    co2 = res[res.gas == "CO2"].mass_t.sum()
    assert co2 == pytest.approx(1e-3 * 4000 * 25.75 * 93.28)


def test_c2c_and_c9b_steam_based(run):
    # 98.33(a)(2)(iii), Eq. C-2c: CO2 = 1e-3 · Steam(lb) · B · EF, B in mmBtu/lb steam; MSW
    # EF 90.7 kg/mmBtu (Table C-1), CH4 3.2e-2 kg/mmBtu (Table C-2, other fuels - solid).
    row = record(fuel="municipal_solid_waste", quantity=1_000_000, unit="lb", boiler_ratio_b=0.0014)
    res, _ = run([row], P98)
    assert one(res, "CO2") == pytest.approx(1e-3 * 1_000_000 * 0.0014 * 90.7)  # 126.98 t
    assert one(res, "CH4") == pytest.approx(1e-3 * 1_000_000 * 0.0014 * 3.2e-2)
    assert equation(res, "CO2") == "C-2c" and equation(res, "CH4") == "C-9b"


def test_c3_solid_measured_carbon(run):
    # 98.33(a)(3)(i), Eq. C-3: CO2 = 44/12 · Fuel(short tons) · CC · 0.91.
    row = record(
        fuel="bituminous_coal",
        quantity=400,
        unit="short ton",
        carbon_content=0.6,
        carbon_content_unit="kgC/kg",
    )
    res, _ = run([row], P98)
    assert one(res, "CO2") == pytest.approx(44 / 12 * 400 * 0.6 * 0.91)  # 800.8 t
    assert equation(res, "CO2") == "C-3"
    # C-8 still uses the Table C-1 default HHV for CH4/N2O under Tier 3.
    assert one(res, "CH4") == pytest.approx(1e-3 * 400 * 24.93 * 1.1e-2)


def test_c4_liquid_measured_carbon(run):
    # 98.33(a)(3)(ii), Eq. C-4: CO2 = 44/12 · Fuel(gallons) · CC(kg C/gal) · 0.001.
    row = record(
        fuel="diesel",
        quantity=10_000,
        unit="gal",
        carbon_content=2.8,
        carbon_content_unit="kgC/gal",
    )
    res, _ = run([row], P98)
    assert one(res, "CO2") == pytest.approx(44 / 12 * 10_000 * 2.8 * 0.001)  # 102.667 t
    assert equation(res, "CO2") == "C-4"


def test_c5_gas_measured_carbon_and_molecular_weight(run):
    # 98.33(a)(3)(iii), Eq. C-5: CO2 = 44/12 · Fuel(scf) · CC · MW/MVC · 0.001, MVC = 849.5
    # scf/kg-mole at standard conditions (68 °F, 14.7 psia).
    row = record(
        fuel="natural_gas",
        quantity=5e7,
        unit="scf",
        carbon_content=0.72,
        carbon_content_unit="kgC/kg",
        molecular_weight=16.8,
    )
    res, _ = run([row], P98)
    assert one(res, "CO2") == pytest.approx(44 / 12 * 5e7 * 0.72 * 16.8 / 849.5 * 0.001)
    assert one(res, "CO2") == pytest.approx(2610.47675, rel=1e-8)
    assert equation(res, "CO2") == "C-5"


def test_c10_tier4_cems(run):
    # 98.33(a)(4): Tier 4 CO2 from CEMS; 98.33(c)(4), Eq. C-10: CH4/N2O = 1e-3 · HI · EF with
    # HI the annual heat input (mmBtu) and Table C-2 coal factors.
    row = record(
        fuel="subbituminous_coal",
        quantity=1_000_000,
        unit="mmBtu",
        energy_basis="HHV",
        measured_co2_t=95_000,
    )
    res, _ = run([row], P98)
    assert one(res, "CO2") == pytest.approx(95_000)
    assert one(res, "CH4") == pytest.approx(1e-3 * 1_000_000 * 1.1e-2)  # 11 t
    assert one(res, "N2O") == pytest.approx(1e-3 * 1_000_000 * 1.6e-3)  # 1.6 t
    assert equation(res, "CH4") == "C-10" and set(res.tier) == {4}


def test_gwp_of_the_reporting_year(run):
    # Table A-1: AR4 GWPs (CH4 25, N2O 298) before reporting year 2025, AR5 (28, 265) from 2025.
    rows = [
        record(record_id="y24", fuel="natural_gas", quantity=1e6, unit="mmBtu"),
        record(
            record_id="y25",
            fuel="natural_gas",
            quantity=1e6,
            unit="mmBtu",
            period_start="2025-01-01",
            period_end="2025-01-31",
        ),
    ]
    res, _ = run(rows, P98)
    ch4 = res[res.gas == "CH4"].set_index("record_id")
    assert ch4.gwp["y24"] == 25 and ch4.gwp_set["y24"] == "AR4"
    assert ch4.gwp["y25"] == 28 and ch4.gwp_set["y25"] == "AR5"
    assert ch4.co2e_t["y24"] == pytest.approx(1e-3 * 1e6 * 1.0e-3 * 25)


def test_biomass_co2_reported_separately(run):
    # 98.33(e): biogenic CO2 from biomass is calculated and reported separately.
    res, _ = run([record(fuel="wood", quantity=100, unit="short ton")], P98)
    co2 = res[res.gas == "CO2"]
    assert bool(co2.biogenic.iloc[0]) is True
    assert co2.mass_t.iloc[0] == pytest.approx(1e-3 * 100 * 17.48 * 93.8)
    assert not res[res.gas != "CO2"].biogenic.any()


def test_gas_in_normal_cubic_metres_uses_part98_standard_conditions(run):
    # Part 98 scf is at 68 °F and 14.7 psia (98.6); 1 Nm³ (0 °C, 101.325 kPa) is 37.89 scf.
    res, _ = run([record(fuel="natural_gas", quantity=1e6, unit="Nm3")], P98)
    scf = 1e6 * (101325 / 273.15) / ((14.7 * 6894.757293168361) / (527.67 * 5 / 9)) / 0.3048**3
    assert one(res, "CO2") == pytest.approx(1e-3 * scf * 1.026e-3 * 53.06, rel=1e-9)


def test_c3_with_carbon_content_per_heat_and_measured_ncv(run):
    # China-style measurements (NCV 22 GJ/t, carbon content 0.026 tC/GJ) give the mass fraction
    # C-3 needs: 0.026 · 22 = 0.572 kg C/kg; then 44/12 · Fuel(short tons) · 0.572 · 0.91.
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
    res, _ = run([row], P98)
    assert one(res, "CO2") == pytest.approx(44 / 12 * (1000 / 0.90718474) * 0.572 * 0.91)
    assert equation(res, "CO2").startswith("C-3")


def test_tier3_carbon_per_heat_without_ncv_is_not_computed(run):
    row = record(
        facility_id="CN-PLANT",
        fuel="bituminous_coal",
        quantity=1000,
        unit="t",
        carbon_content=0.026,
        carbon_content_unit="tC/GJ",
    )
    res, skipped = run([row], P98)
    assert "CO2" not in set(res.gas)
    assert "Tier 3 needs carbon content" in skipped[skipped.gas == "CO2"].reason.iloc[0]
