"""Methodologies: one module each; this registry is the only place that lists them.

Everything else reads what a method says about itself (``Method`` class attributes) from here:
labels, country, heat basis, categories, comparisons; no methodology id is spelt outside this
package (tests/test_method_ids.py).
"""

from typing import TYPE_CHECKING, Literal

from openmrv.methods.base import Method, Options
from openmrv.methods.epa_hub import EpaHubGhgp
from openmrv.methods.epa_part98_c import Part98SubpartC
from openmrv.methods.ipcc2006 import Ipcc2006Tier1
from openmrv.methods.mee import MeeEnterprise

METHODS: dict[str, Method] = {
    m.id: m for m in (Part98SubpartC(), EpaHubGhgp(), MeeEnterprise(), Ipcc2006Tier1())
}

# Country (ISO code) -> the methodology a facility there is inventoried under by default.
COUNTRY_METHOD: dict[str, str] = {
    m.country: m.id for m in METHODS.values() if m.country and m.inventory_primary
}
# Methods tried, in order, for what a facility's primary method does not compute: IPCC 2006
# Tier 1 first (international, net-calorific basis like MEE), then the EPA Hub (refrigerants,
# mobile combustion).
FALLBACK: tuple[str, ...] = (Ipcc2006Tier1.id, EpaHubGhgp.id)
# Methods whose heat is on a gross (HHV) basis.
HHV_METHODS: tuple[str, ...] = tuple(m.id for m in METHODS.values() if m.heat_basis == "HHV")
# Like-for-like comparisons as (base, other), in registry order.
COMPARISONS: tuple[tuple[str, str], ...] = tuple(
    (m.compares_with, m.id) for m in METHODS.values() if m.compares_with
)
# Every method a comparison involves, bases first.
COMPARED: tuple[str, ...] = tuple(
    dict.fromkeys([*(b for b, _ in COMPARISONS), *(o for _, o in COMPARISONS)])
)

# A methodology id as a request field: pydantic refuses any other value (422) and OpenAPI lists
# the choices. Type checkers see a str (the Literal is built from the registry at run time).
if TYPE_CHECKING:
    MethodId = str
else:
    MethodId = Literal[tuple(METHODS)]


def labels(lang: str = "en") -> dict[str, str]:
    """Each methodology's label in `lang` ('en' or 'zh-CN'), by id, in registry order."""
    return {i: m.label_zh if lang == "zh-CN" else m.label for i, m in METHODS.items()}


def short_label(method_id: str) -> str:
    """The short name of a methodology (its id when it is not registered)."""
    m = METHODS.get(method_id)
    return m.short_label if m is not None else method_id


__all__ = [
    "COMPARED",
    "COMPARISONS",
    "COUNTRY_METHOD",
    "FALLBACK",
    "HHV_METHODS",
    "METHODS",
    "EpaHubGhgp",
    "Ipcc2006Tier1",
    "MeeEnterprise",
    "Method",
    "MethodId",
    "Options",
    "Part98SubpartC",
    "base",
    "epa_part98_c",
    "labels",
    "lineage",
    "mee",
    "short_label",
]
