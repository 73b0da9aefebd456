"""Fuel densities: each value equals the cited publication; a Chinese diesel record in tonnes
under Part 98 and the Hub, a US diesel record in gallons under MEE, each conversion in the lineage
with its factor id, and the comparison naming the density as a cause.

The densities are the UN Statistics Division's conversion factors (Energy Statistics Yearbook,
"Selected conversion factors for crude petroleum and petroleum products", metric tons to cubic
metres, unstats.un.org/unsd/energy/yearbook/conversion.htm), typed here from that page; the
arithmetic is by hand from the published Table C-1 / Hub and MEE defaults."""

from __future__ import annotations

import pytest

from openmrv.factors import load_library
from openmrv.methods import Options
from openmrv.reports.decompose import decompose
from tests.conftest import record

M3_PER_GAL = 0.003785411784
# UN product as printed -> cubic metres per metric ton (the page's "Cubic Metre" column)
UNSD_M3_PER_T = {
    "crude_oil": ("Crude petroleum (average specific gravity)", 1.164),
    "aviation_gasoline": ("Aviation gasolene", 1.370),
    "diesel": ("Gas diesel oil", 1.149),
    "motor_gasoline": ("Motor gasolene", 1.351),
    "jet_fuel": ("Jet fuel", 1.235),
    "kerosene": ("Kerosene", 1.235),
    "lpg": ("Liquefied petroleum gas", 1.852),
    "residual_fuel_oil_5": ("Residual fuel oil", 1.053),
    "residual_fuel_oil_6": ("Residual fuel oil", 1.053),
    "lubricants": ("Lubricants", 1.111),
    "naphtha": ("Naphthas (undifferentiated)", 1.389),
    "natural_gasoline": ("Natural gasolene", 1.590),
    "asphalt_road_oil": ("Bitumen", 0.962),
}
DIESEL_T_PER_M3 = 1 / UNSD_M3_PER_T["diesel"][1]
DIESEL_FID = "fuel_density:unsd_yearbook:diesel:specific_volume"
C1_DIESEL = (0.138, 73.96)  # mmBtu/gal, kg CO2/mmBtu: 40 CFR 98 Table C-1, distillate No. 2
C2_PETROLEUM = (3.0e-3, 6.0e-4)  # kg CH4, N2O per mmBtu: Table C-2, petroleum products
MEE_DIESEL = (42.652, 20.2, 0.98)  # GJ/t, tC/TJ, OF: official provincial table (GB/T 32151)


def test_each_density_equals_its_cited_value():
    f = load_library().factors
    rows = f[f.table_id == "fuel_density"].set_index("subject")
    assert sorted(rows.index) == sorted(UNSD_M3_PER_T)
    for fuel, (product, m3_per_t) in UNSD_M3_PER_T.items():
        r = rows.loc[fuel]
        want = (m3_per_t, "m3/t", "specific_volume", "official")
        assert (r.value, r.unit, r.parameter, r.status) == want, fuel
        assert r.publisher == "United Nations Statistics Division"
        assert f"'{product}': {round(m3_per_t * 1000)} litres per metric ton" in r.note
        assert r.value_canonical == pytest.approx(m3_per_t / 1000)  # m³/kg


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
            assert DIESEL_FID in ids.split(";")


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
        DIESEL_FID,
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
