"""Canonical units and the accepted unit strings.

Units are parsed once per *distinct* unit string with pint and turned into a conversion factor to
the canonical unit of their kind; the calculation then joins those factors instead of touching
pint per row.

Kinds and canonical units:

* ``mass`` -> kg
* ``volume`` (liquid or solid volume, geometric) -> m³
* ``gas_volume`` (gas volume at stated reference conditions) -> Nm³ (0 °C, 101.325 kPa)
* ``energy`` -> GJ

Gas volumes are modelled as amounts of substance (ideal gas), so a standard cubic foot and a
normal cubic metre convert through their reference temperature and pressure instead of a bare
ft³→m³ factor. ``scf`` follows 40 CFR 98.6 ("standard conditions": 68 °F and 14.7 psia);
``scf_60F`` is the 60 °F / 14.696 psia convention used by AGA and EIA. A plain ``m3``/``ft3`` of a
gaseous fuel is ambiguous and is rejected by validation.

Btu is the International Table Btu (1055.05585262 J); therm = 100 000 Btu; mmBtu = 10⁶ Btu.
tce (tonne of coal equivalent) = 29.3076 GJ (7000 kcal/kg, China's standard-coal convention).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

import pint

from openmrv.errors import InvalidInput

_DEFINITIONS = """
btu_it_ = 1055.05585262 * joule
mmBtu = 1e6 * btu_it_ = MMBtu
therm_it_ = 1e5 * btu_it_
tonne_of_coal_equivalent = 29.3076 * gigajoule = tce
normal_cubic_meter = 101325 * pascal * meter ** 3 / (molar_gas_constant * 273.15 * kelvin) = Nm3
standard_cubic_foot = 14.7 * psi * foot ** 3 / (molar_gas_constant * 527.67 * degR) = scf
standard_cubic_foot_60F = 14.696 * psi * foot ** 3 / (molar_gas_constant * 519.67 * degR) = scf_60F
"""

ureg: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
for _line in _DEFINITIONS.strip().splitlines():
    ureg.define(_line)

KINDS = ("mass", "volume", "gas_volume", "energy")
CANONICAL = {"mass": "kg", "volume": "m**3", "gas_volume": "Nm3", "energy": "GJ"}
_DIMENSIONS = {
    "mass": ureg.kg.dimensionality,
    "volume": (ureg.m**3).dimensionality,
    "gas_volume": ureg.mol.dimensionality,
    "energy": ureg.GJ.dimensionality,
}

# Accepted unit strings (after normalisation: lower-cased, spaces and "_" removed, superscripts
# folded). Keys are what users write; values are pint expressions. Documented in docs/units.md.
ACCEPTED: dict[str, str] = {
    # mass
    "kg": "kg",
    "g": "g",
    "t": "metric_ton",
    "tonne": "metric_ton",
    "tonnes": "metric_ton",
    "metricton": "metric_ton",
    "mt": "metric_ton",
    "kt": "1000 * metric_ton",
    "gg": "Gg",
    "shortton": "short_ton",
    "shorttons": "short_ton",
    "lb": "lb",
    "lbs": "lb",
    "吨": "metric_ton",
    "千克": "kg",
    # liquid volume
    "l": "liter",
    "litre": "liter",
    "liter": "liter",
    "kl": "kiloliter",
    "m3": "m**3",
    "gal": "gallon",
    "gallon": "gallon",
    "gallons": "gallon",
    "usgal": "gallon",
    "bbl": "oil_barrel",
    "barrel": "oil_barrel",
    "ft3": "ft**3",
    "升": "liter",
    # gas volume at reference conditions
    "nm3": "Nm3",
    "10^4nm3": "1e4 * Nm3",
    "10⁴nm3": "1e4 * Nm3",
    "万nm3": "1e4 * Nm3",
    "万立方米": "1e4 * Nm3",
    "scf": "scf",
    "mscf": "1e3 * scf",
    "mcf": "1e3 * scf",
    "mmscf": "1e6 * scf",
    "scf60f": "scf_60F",
    # energy
    "j": "J",
    "kj": "kJ",
    "mj": "MJ",
    "gj": "GJ",
    "tj": "TJ",
    "btu": "btu_it_",
    "mmbtu": "mmBtu",
    "therm": "therm_it_",
    "therms": "therm_it_",
    "dth": "mmBtu",
    "kwh": "kWh",
    "mwh": "MWh",
    "gwh": "GWh",
    "tce": "tce",
    "吨标准煤": "tce",
}

_SUPERSCRIPTS = str.maketrans({"³": "3", "²": "2"})


def normalise(unit: str) -> str:
    """Fold the many ways people write a unit into one lookup key."""
    s = unit.strip().translate(_SUPERSCRIPTS).lower()
    s = s.replace("metric tons", "metricton").replace("short tons", "shortton")
    return re.sub(r"[\s_·]+", "", s)


class UnitError(InvalidInput, ValueError):
    """Raised for a unit string that is not accepted, or not of the kind the context needs
    (a ValueError too, for callers that parse values and units alike)."""


@dataclass(frozen=True)
class UnitInfo:
    """What one accepted unit string means: its kind and the factor to the canonical unit."""

    text: str
    kind: str
    to_canonical: float


def suggest(unit: str) -> str:
    """A 'did you mean' hint for an unknown unit string."""
    close = difflib.get_close_matches(normalise(unit), ACCEPTED.keys(), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"Accepted units are listed in docs/units.md{'.' + hint if hint else ''}"


@cache
def parse(unit: str) -> UnitInfo:
    """Parse one accepted unit string (cached: called once per distinct string)."""
    key = normalise(unit)
    expr = ACCEPTED.get(key)
    if expr is None:
        raise UnitError(f"unknown unit {unit!r}. {suggest(unit)}")
    q: pint.Quantity = ureg.Quantity(expr)
    for kind, dim in _DIMENSIONS.items():
        if q.dimensionality == dim:
            return UnitInfo(unit, kind, float(q.to(CANONICAL[kind]).magnitude))
    raise UnitError(
        f"unit {unit!r} is not a mass, volume, gas volume or energy"
    )  # pragma: no cover


def factor(from_unit: str, to_unit: str) -> float:
    """Conversion factor between two pint expressions (used for equation constants)."""
    return float(ureg.Quantity(1, from_unit).to(to_unit).magnitude)


def ratio_factor(expr: str, target: str) -> float:
    """Factor that turns a value in unit `expr` (a pint expression such as 'mmBtu/short_ton')
    into `target`; raises UnitError when the dimensions differ."""
    try:
        return float(ureg.Quantity(1, expr).to(target).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"unit {expr!r} cannot be converted to {target!r}") from exc
    except (pint.errors.UndefinedUnitError, AttributeError, TypeError, ValueError) as exc:
        raise UnitError(f"unit {expr!r} does not parse") from exc


# Units of measured parameters (HHV, NCV, carbon content) are written as ratios such as
# "mmBtu/short ton", "GJ/t", "GJ/10^4 Nm3", "tC/TJ", "kg C/kg". They are parsed by splitting on
# "/" and resolving each side through ACCEPTED (carbon mass "tC"/"kgC" counts as mass).
_CARBON = re.compile(r"^(k?g|t)c$")


def _side(text: str) -> tuple[str, float]:
    key = normalise(text)
    if _CARBON.match(key):
        key = key[:-1]
    if key in ("", "1", "fraction"):
        return "one", 1.0
    info = parse(key) if key in ACCEPTED else None
    if info is None:
        raise UnitError(f"unknown unit {text!r} in a parameter unit. {suggest(text)}")
    return info.kind, info.to_canonical


@cache
def parse_ratio(unit: str) -> tuple[str, str, float]:
    """Parse 'numerator/denominator' into (numerator kind, denominator kind, factor to canonical
    numerator per canonical denominator), e.g. 'mmBtu/short ton' -> ('energy', 'mass', GJ/kg)."""
    text = unit.strip()
    if text in ("%", "percent"):
        return "one", "one", 0.01
    if text in ("1", "fraction", ""):
        return "one", "one", 1.0
    if "/" not in text:
        raise UnitError(f"parameter unit {unit!r} must be a ratio such as 'GJ/t' or 'kg C/kg'")
    num, den = text.split("/", 1)
    nk, nf = _side(num)
    dk, df = _side(den)
    return nk, dk, nf / df
