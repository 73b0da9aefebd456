"""Methodologies: one module each; this registry is the only place that lists them."""

from openmrv.methods.base import Method, Options
from openmrv.methods.epa_hub import EpaHubGhgp
from openmrv.methods.epa_part98_c import Part98SubpartC
from openmrv.methods.ipcc2006 import Ipcc2006Tier1
from openmrv.methods.mee import MeeEnterprise

METHODS: dict[str, Method] = {
    m.id: m for m in (Part98SubpartC(), EpaHubGhgp(), MeeEnterprise(), Ipcc2006Tier1())
}

# What other packages may use: these names and the modules named.
__all__ = [
    "METHODS",
    "EpaHubGhgp",
    "Ipcc2006Tier1",
    "MeeEnterprise",
    "Method",
    "Options",
    "Part98SubpartC",
    "base",
    "epa_part98_c",
    "lineage",
    "mee",
]
