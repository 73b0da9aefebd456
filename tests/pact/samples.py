"""Sample PACT v3 footprints written for the tests from the digest's field rules (our own
values; none is copied from the spec's examples): two of one organisation, the first with a
geography, a classification and a validity period, as the conformance tool needs."""

from __future__ import annotations

import copy
from typing import Any

from openmrv.pact.model import ProductFootprint

FIRST_ID = "6f0c2f3a-4a0e-4c7b-9d7e-3b0d2a1c5e01"
SECOND_ID = "6f0c2f3a-4a0e-4c7b-9d7e-3b0d2a1c5e02"
COMPANY = "urn:pact:example.org:company-id:pvmodules"
OTHER_COMPANY = "urn:pact:example.org:company-id:pvmodules-eu"


def _pcf(**over: Any) -> dict[str, Any]:
    pcf = {
        "declaredUnitOfMeasurement": "piece",
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": "21.5",
        "referencePeriodStart": "2024-01-01T00:00:00Z",
        "referencePeriodEnd": "2025-01-01T00:00:00Z",
        "pcfExcludingBiogenicUptake": "312.40",
        "pcfIncludingBiogenicUptake": "312.40",
        "fossilGhgEmissions": "310.75",
        "fossilCarbonContent": "0",
        "biogenicCarbonContent": "0",
        "ipccCharacterizationFactors": ["AR6"],
        "crossSectoralStandards": ["ISO14067", "GHGP-Product"],
        "exemptedEmissionsPercent": "0.5",
        "boundaryProcessesDescription": "cradle-to-gate: cells, glass, frame, lamination",
        "primaryDataShare": "62.5",
        "dqi": {"technologicalDQR": "2", "geographicalDQR": "1.5", "temporalDQR": "1"},
    }
    pcf.update(over)
    return pcf


FIRST: dict[str, Any] = {
    "id": FIRST_ID,
    "specVersion": "3.0.0",
    "created": "2025-03-01T10:00:00Z",
    "status": "Active",
    "validityPeriodStart": "2025-03-01T00:00:00Z",
    "validityPeriodEnd": "2026-12-31T23:59:59Z",
    "companyName": "Example PV Modules Co.",
    "companyIds": [COMPANY],
    "productDescription": "Monocrystalline PV module, 400 W, 108 half cells",
    "productIds": ["urn:gtin:4712345060507"],
    "productClassifications": ["urn:pact:productclassification:un-cpc:46410"],
    "productNameCompany": "PV-400M",
    "pcf": _pcf(geographyCountry="CN"),
}
SECOND: dict[str, Any] = {
    "id": SECOND_ID,
    "specVersion": "3.0.0",
    "created": "2025-03-02T10:00:00Z",
    "status": "Active",
    "companyName": "Example PV Modules Co.",
    "companyIds": [OTHER_COMPANY],
    "productDescription": "Tempered solar glass, 3.2 mm, per square metre",
    "productIds": ["urn:pact:example.org:product-id:glass-3.2"],
    "productNameCompany": "SG-32",
    "pcf": _pcf(
        declaredUnitOfMeasurement="square meter",
        productMassPerDeclaredUnit="8",
        pcfExcludingBiogenicUptake="11.2",
        pcfIncludingBiogenicUptake="11.2",
        fossilGhgEmissions="11.2",
        geographyCountrySubdivision="CN-JS",
    ),
}


def footprint(wire: dict[str, Any], **over: Any) -> ProductFootprint:
    w = copy.deepcopy(wire)
    w.update(over)
    return ProductFootprint.model_validate(w)
