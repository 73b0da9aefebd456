"""The v3 wire model against the digest's rules (reference/pact-v3.md §7): Decimal strings
only, at most one geography, URN lists non-empty and unique, unknown properties tolerated and
kept, unset optionals omitted on output; the filters' validity semantics (§5)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from openmrv.pact.filters import Filters
from openmrv.pact.model import Event, ProductFootprint, RequestCreatedData
from tests.pact.samples import FIRST, SECOND, footprint


def _with(path: str, value) -> dict:
    w = copy.deepcopy(FIRST)
    *parents, last = path.split(".")
    node = w
    for p in parents:
        node = node[p]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return w


def _refused(wire: dict, where: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ProductFootprint.model_validate(wire)
    locs = {".".join(str(p) for p in e["loc"]) for e in exc.value.errors()}
    assert any(where in loc for loc in locs), locs


@pytest.mark.parametrize("bad", [11.2, "1e3", " 1", "1.", ".5", "1,5", "NaN", True])
def test_fractional_values_are_decimal_strings(bad):
    _refused(_with("pcf.pcfExcludingBiogenicUptake", bad), "pcfExcludingBiogenicUptake")
    _refused(_with("pcf.dqi.temporalDQR", bad), "temporalDQR")


def test_wire_decimals_keep_their_digits():
    w = _with("pcf.fossilGhgEmissions", "-0.000120")
    assert ProductFootprint.model_validate(w).to_wire()["pcf"]["fossilGhgEmissions"] == "-0.000120"


def test_at_most_one_geography():
    _refused(_with("pcf.geographyCountrySubdivision", "CN-JS"), "pcf")
    _refused(_with("pcf.geographyCountry", "China"), "geographyCountry")
    global_ = ProductFootprint.model_validate(_with("pcf.geographyCountry", ...))
    assert global_.pcf.geographies() == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("productIds", []),
        ("productIds", ["urn:gtin:1", "urn:gtin:1"]),
        ("companyIds", ["not-a-urn"]),
        ("productClassifications", []),
        ("companyName", ""),
        ("id", "not-a-uuid"),
        ("status", "Retired"),
        ("pcf.declaredUnitAmount", "0"),
        ("pcf.declaredUnitOfMeasurement", "barrel"),
        ("pcf.biogenicCO2Uptake", "1"),  # an uptake is <= 0
        ("pcf.dqi.technologicalDQR", "6"),  # 1..5
        ("pcf.crossSectoralStandards", []),
        ("pcf.referencePeriodEnd", ...),
        ("pcf", ...),
    ],
)
def test_field_rules(path, value):
    _refused(_with(path, value), path.split(".")[-1] if value is not ... else "")


def test_unknown_properties_are_kept_and_unset_optionals_omitted():
    w = _with("x-example-note", {"a": 1})
    w["pcf"]["someFutureField"] = "kept"
    out = ProductFootprint.model_validate(w).to_wire()
    assert out["x-example-note"] == {"a": 1} and out["pcf"]["someFutureField"] == "kept"
    assert "comment" not in out and "precedingPfIds" not in out
    assert out == ProductFootprint.model_validate(out).to_wire()  # a fixed point


def test_events_take_the_data_of_their_type():
    base = {"specversion": "1.0", "id": "1", "source": "//buyer.example",
            "time": "2025-01-01T00:00:00Z"}  # fmt: skip
    pub = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3"
    with pytest.raises(ValidationError):
        Event.model_validate({**base, "type": pub, "data": {"pfIds": ["urn:gtin:1"]}})
    with pytest.raises(ValidationError):
        Event.model_validate({**base, "type": pub, "data": {"pfIds": []}})
    for missing in ("id", "source", "time", "specversion"):
        with pytest.raises(ValidationError):
            Event.model_validate({k: v for k, v in {**base, "type": pub}.items() if k != missing}
                                 | {"data": {"pfIds": [FIRST["id"]]}})  # fmt: skip
    with pytest.raises(ValidationError):
        Event.model_validate({**base, "type": "org.wbcsd.pathfinder.ProductFootprint.Published.v1",
                              "data": {"pfIds": [FIRST["id"]]}})  # fmt: skip
    ful = "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
    with pytest.raises(ValidationError):  # minItems 1
        Event.model_validate({**base, "type": ful, "data": {"requestEventId": "1", "pfs": []}})


def _matches(**q) -> bool:
    return Filters.of(q.items()).matches(footprint(SECOND))


def test_validity_falls_back_to_three_years_after_the_reference_period():
    # SECOND has no validity period; its reference period ends 2025-01-01
    start, end = footprint(SECOND).validity()
    assert (start, end) == (datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    assert _matches(validOn="2027-12-31T00:00:00Z") and not _matches(validOn="2028-01-02")
    assert _matches(validAfter="2024-12-31T00:00:00Z") and not _matches(validAfter="2025-01-01")
    assert _matches(validBefore="2028-01-02T00:00:00Z") and not _matches(validBefore="2027-12-31")
    assert not _matches(validOn="yesterday") and not _matches(status="active")


def test_request_criteria_filter_like_the_list():
    f = Filters.of_request(RequestCreatedData.model_validate(
        {"productId": ["urn:x:1", SECOND["productIds"][0]], "status": "Active"}))  # fmt: skip
    assert f.matches(footprint(SECOND)) and not f.matches(footprint(FIRST))
