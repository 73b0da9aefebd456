"""The digest's wire rules (reference/pact-v3.md §7), checked on a JSON footprint as a partner
receives it, independently of our pydantic model: required fields present, every fractional
value a Decimal string, URN lists non-empty and unique, at most one geography, no v2 fields."""

from __future__ import annotations

import re
import uuid
from typing import Any

DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
REQUIRED_PF = ("id", "specVersion", "created", "status", "companyName", "companyIds",
               "productDescription", "productIds", "productNameCompany", "pcf")  # fmt: skip
REQUIRED_PCF = ("declaredUnitOfMeasurement", "declaredUnitAmount", "productMassPerDeclaredUnit",
                "referencePeriodStart", "referencePeriodEnd", "pcfExcludingBiogenicUptake",
                "pcfIncludingBiogenicUptake", "fossilGhgEmissions", "fossilCarbonContent",
                "ipccCharacterizationFactors", "crossSectoralStandards",
                "exemptedEmissionsPercent")  # fmt: skip
DECIMAL_PCF = ("declaredUnitAmount", "productMassPerDeclaredUnit", "pcfExcludingBiogenicUptake",
               "pcfIncludingBiogenicUptake", "fossilGhgEmissions", "fossilCarbonContent",
               "exemptedEmissionsPercent", "biogenicCarbonContent", "recycledCarbonContent",
               "landUseChangeGhgEmissions", "landCarbonLeakage",
               "landManagementFossilGhgEmissions", "landManagementBiogenicCO2Emissions",
               "landManagementBiogenicCO2Removals", "biogenicCO2Uptake",
               "biogenicNonCO2Emissions", "landAreaOccupation", "aircraftGhgEmissions",
               "packagingGhgEmissions", "packagingBiogenicCarbonContent",
               "outboundLogisticsGhgEmissions", "ccsTechnologicalCO2Capture",
               "technologicalCO2Removals", "ccuCarbonContent", "primaryDataShare")  # fmt: skip
GEOGRAPHY = ("geographyRegionOrSubregion", "geographyCountry", "geographyCountrySubdivision")
REMOVED_IN_V3 = ("version", "updated", "statusComment", "productCategoryCpc")


def _urns(v: Any, name: str) -> None:
    assert isinstance(v, list) and v, f"{name}: a non-empty list"
    assert len(set(v)) == len(v), f"{name}: unique"
    assert all(isinstance(u, str) and u.lower().startswith("urn:") for u in v), name


def check_footprint(pf: dict[str, Any]) -> None:
    """Assert the digest's rules on one wire footprint."""
    missing = [k for k in REQUIRED_PF if k not in pf]
    assert not missing, f"footprint lacks {missing}"
    uuid.UUID(pf["id"])
    assert pf["specVersion"].startswith("3."), pf["specVersion"]
    assert pf["status"] in ("Active", "Deprecated")
    _urns(pf["companyIds"], "companyIds")
    _urns(pf["productIds"], "productIds")
    if "productClassifications" in pf:
        _urns(pf["productClassifications"], "productClassifications")
    assert not [k for k in REMOVED_IN_V3 if k in pf], "a v2 field in a v3 footprint"
    pcf = pf["pcf"]
    missing = [k for k in REQUIRED_PCF if k not in pcf]
    assert not missing, f"pcf lacks {missing}"
    assert "declaredUnit" not in pcf  # renamed in v3
    for k in DECIMAL_PCF:
        if k in pcf:
            assert isinstance(pcf[k], str) and DECIMAL.match(pcf[k]), (k, pcf[k])
    for k in ("technologicalDQR", "geographicalDQR", "temporalDQR"):
        if "dqi" in pcf:
            v = pcf["dqi"][k]
            assert isinstance(v, str) and DECIMAL.match(v), (k, v)
    assert sum(k in pcf for k in GEOGRAPHY) <= 1, "more than one geography"
    assert float(pcf["declaredUnitAmount"]) > 0
