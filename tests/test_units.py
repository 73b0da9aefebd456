"""Units: every accepted string parses; reference conditions and the traps are handled."""

from __future__ import annotations

import pytest

from openmrv.units import ACCEPTED, UnitError, factor, parse, parse_ratio


@pytest.mark.parametrize("unit", sorted(ACCEPTED))
def test_every_accepted_unit_parses(unit):
    assert parse(unit).to_canonical > 0


def test_traps():
    assert parse("short ton").to_canonical == pytest.approx(907.18474)
    assert parse("t").to_canonical == 1000
    assert parse("therm").to_canonical == pytest.approx(0.105505585262)  # GJ
    assert parse("tce").to_canonical == pytest.approx(29.3076)
    assert parse("MMBtu").to_canonical == parse("mmbtu").to_canonical
    assert parse("10⁴ Nm³").to_canonical == 1e4
    with pytest.raises(UnitError):
        parse("ton")  # ambiguous (pint's 'ton' is a short ton): refused


def test_gas_volumes_at_reference_conditions():
    # 40 CFR 98.6 standard conditions 68 °F / 14.7 psia; Nm³ at 0 °C / 101.325 kPa; ideal gas.
    assert factor("Nm3", "scf") == pytest.approx(37.89, rel=1e-3)
    assert factor("scf", "scf_60F") == pytest.approx((519.67 / 527.67) * (14.7 / 14.696))
    assert factor("kmol", "scf") == pytest.approx(849.26, rel=1e-4)  # Part 98 rounds to 849.5


def test_unknown_unit_suggests():
    with pytest.raises(UnitError, match="Did you mean"):
        parse("kgg")


@pytest.mark.parametrize(
    ("text", "num", "den"),
    [
        ("mmBtu/short ton", "energy", "mass"),
        ("GJ/10^4 Nm3", "energy", "gas_volume"),
        ("tC/GJ", "mass", "energy"),
        ("kgC/kg", "mass", "mass"),
        ("%", "one", "one"),
        ("kgC/gal", "mass", "volume"),
    ],
)
def test_ratio_units(text, num, den):
    assert parse_ratio(text)[:2] == (num, den)
