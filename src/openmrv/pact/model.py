"""The PACT v3 wire format (Data Exchange Protocol 3.0), written from the project's digest of
the spec (reference/pact-v3.md §2, §6, §7), not copied from the spec's files.

Input tolerates unknown properties (the spec has no `additionalProperties: false`); `to_wire()`
emits camelCase JSON with every fractional value as a Decimal string and unset optionals left
out. Decimal strings are validated against the spec's pattern so "1e3" or " 1" are refused.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)
from pydantic.alias_generators import to_camel

__all__ = [
    "EVENT_TYPES",
    "CarbonFootprint",
    "DataQualityIndicators",
    "Error",
    "Event",
    "ProductFootprint",
    "PublishedData",
    "RequestCreatedData",
    "RequestFulfilledData",
    "RequestRejectedData",
    "Verification",
    "decimal_string",
]

DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
URN = re.compile(r"^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$", re.IGNORECASE)
SPEC_VERSION = "3.0.0"
PUBLISHED = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3"
REQUEST_CREATED = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
REQUEST_FULFILLED = "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
REQUEST_REJECTED = "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"
EVENT_TYPES = (PUBLISHED, REQUEST_CREATED, REQUEST_FULFILLED, REQUEST_REJECTED)


def decimal_string(v: Any) -> Decimal:
    """A v3 Decimal: a JSON string matching ^[+-]?\\d+(\\.\\d+)?$ (a Decimal from Python code is
    taken as is; floats and JSON numbers are refused, as the wire type is a string)."""
    if isinstance(v, Decimal):
        if not v.is_finite():
            raise ValueError("a Decimal must be finite")
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return Decimal(v)
    if not isinstance(v, str) or not DECIMAL.match(v):
        raise ValueError(f"{v!r} is not a Decimal string (pattern ^[+-]?\\d+(\\.\\d+)?$)")
    return Decimal(v)


def _wire_decimal(d: Decimal) -> str:
    return format(d, "f")


Dec = Annotated[
    Decimal,
    BeforeValidator(decimal_string),
    PlainSerializer(_wire_decimal, return_type=str, when_used="always"),
]


def _at_most_zero(d: Decimal) -> Decimal:
    if d > 0:
        raise ValueError("must be less than or equal to 0 (a removal or uptake)")
    return d


def _dqr(d: Decimal) -> Decimal:
    if not Decimal(1) <= d <= Decimal(5):
        raise ValueError("a data quality rating is between 1 and 5")
    return d


def _positive(d: Decimal) -> Decimal:
    if d <= 0:
        raise ValueError("must be greater than 0")
    return d


NonPositive = Annotated[Dec, AfterValidator(_at_most_zero)]
Positive = Annotated[Dec, AfterValidator(_positive)]
Rating = Annotated[Dec, AfterValidator(_dqr)]


def _urn(v: str) -> str:
    if not URN.match(v):
        raise ValueError(f"{v!r} is not a URN (urn:<namespace>:<id>)")
    return v


def _unique(v: list[Any]) -> list[Any]:
    if len(set(v)) != len(v):
        raise ValueError("items must be unique")
    return v


Urn = Annotated[str, AfterValidator(_urn)]
UrnList = Annotated[list[Urn], Field(min_length=1), AfterValidator(_unique)]
UuidList = Annotated[list[UUID], Field(min_length=1), AfterValidator(_unique)]
NonEmpty = Annotated[str, Field(min_length=1)]


def _aware(d: datetime) -> datetime:
    """Naive times are taken as UTC, so every timestamp compares with every other."""
    return d.replace(tzinfo=UTC) if d.tzinfo is None else d


def _utc(d: datetime) -> str:
    """RFC 3339 in UTC with a Z."""
    return d.astimezone(UTC).isoformat().replace("+00:00", "Z")


Timestamp = Annotated[
    datetime,
    AfterValidator(_aware),
    PlainSerializer(_utc, return_type=str, when_used="always"),
]


class Wire(BaseModel):
    """camelCase on the wire, snake_case in Python; unknown properties kept and re-emitted."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="allow", frozen=False
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON object as the spec writes it: camelCase, Decimals as strings, unset
        optionals omitted."""
        out: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return out


class DataQualityIndicators(Wire):
    technological_dqr: Rating = Field(alias="technologicalDQR")
    geographical_dqr: Rating = Field(alias="geographicalDQR")
    temporal_dqr: Rating = Field(alias="temporalDQR")


class Verification(Wire):
    coverage: str | None = None
    provider_name: str | None = None
    completed_at: Timestamp | None = None
    standard_name: str | None = None
    comments: str | None = None


class EmissionFactorSource(Wire):
    name: NonEmpty
    version: NonEmpty


class ProductOrSectorSpecificRule(Wire):
    operator: str
    rule_names: Annotated[list[NonEmpty], Field(min_length=1)]
    other_operator_name: str | None = None


DeclaredUnit = Literal[
    "liter",
    "kilogram",
    "cubic meter",
    "kilowatt hour",
    "megajoule",
    "ton kilometer",
    "square meter",
    "piece",
    "hour",
    "megabit second",
]
CrossSectoralStandard = Literal[
    "ISO14067", "ISO14083", "ISO14040-44", "GHGP-Product", "PEF", "PACT-1.0", "PACT-2.0", "PAS2050"
]


class CarbonFootprint(Wire):
    """The `pcf` of a ProductFootprint: the numbers, declared unit, period, geography,
    standards, DQR and verification (digest §7.2)."""

    declared_unit_of_measurement: DeclaredUnit
    declared_unit_amount: Positive
    product_mass_per_declared_unit: Dec
    reference_period_start: Timestamp
    reference_period_end: Timestamp
    pcf_excluding_biogenic_uptake: Dec
    pcf_including_biogenic_uptake: Dec
    fossil_ghg_emissions: Dec
    fossil_carbon_content: Dec
    ipcc_characterization_factors: Annotated[list[NonEmpty], Field(min_length=1)]
    cross_sectoral_standards: Annotated[list[CrossSectoralStandard], Field(min_length=1)]
    exempted_emissions_percent: Dec
    # geography: at most one of the three (none: global)
    geography_region_or_subregion: str | None = None
    geography_country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    geography_country_subdivision: (
        Annotated[str, Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")] | None
    ) = None
    boundary_processes_description: str | None = None
    biogenic_carbon_content: Dec | None = None
    recycled_carbon_content: Dec | None = None
    land_use_change_ghg_emissions: Dec | None = None
    land_carbon_leakage: Dec | None = None
    land_management_fossil_ghg_emissions: Dec | None = None
    land_management_biogenic_co2_emissions: Dec | None = Field(
        None, alias="landManagementBiogenicCO2Emissions"
    )
    land_management_biogenic_co2_removals: NonPositive | None = Field(
        None, alias="landManagementBiogenicCO2Removals"
    )
    biogenic_co2_uptake: NonPositive | None = Field(None, alias="biogenicCO2Uptake")
    biogenic_non_co2_emissions: Dec | None = Field(None, alias="biogenicNonCO2Emissions")
    land_area_occupation: Dec | None = None
    aircraft_ghg_emissions: Dec | None = None
    packaging_emissions_included: bool | None = None
    packaging_ghg_emissions: Dec | None = None
    packaging_biogenic_carbon_content: Dec | None = None
    outbound_logistics_ghg_emissions: Dec | None = None
    ccs_technological_co2_capture_included: bool | None = Field(
        None, alias="ccsTechnologicalCO2CaptureIncluded"
    )
    ccs_technological_co2_capture: NonPositive | None = Field(
        None, alias="ccsTechnologicalCO2Capture"
    )
    technological_co2_capture_origin: str | None = Field(
        None, alias="technologicalCO2CaptureOrigin"
    )
    technological_co2_removals: NonPositive | None = Field(None, alias="technologicalCO2Removals")
    ccu_carbon_content: Dec | None = None
    ccu_calculation_approach: Literal["Cut-off", "Credit"] | None = None
    ccu_credit_certification: str | None = None
    product_or_sector_specific_rules: list[ProductOrSectorSpecificRule] | None = None
    exempted_emissions_description: str | None = None
    allocation_rules_description: str | None = None
    secondary_emission_factor_sources: list[EmissionFactorSource] | None = None
    primary_data_share: Dec | None = None
    dqi: DataQualityIndicators | None = None
    verification: Verification | None = None

    @model_validator(mode="after")
    def _checks(self) -> CarbonFootprint:
        geo = [
            self.geography_region_or_subregion,
            self.geography_country,
            self.geography_country_subdivision,
        ]
        if sum(g is not None for g in geo) > 1:
            raise ValueError(
                "at most one of geographyRegionOrSubregion, geographyCountry and "
                "geographyCountrySubdivision may be set"
            )
        if self.reference_period_end < self.reference_period_start:
            raise ValueError("referencePeriodEnd is before referencePeriodStart")
        return self

    def geographies(self) -> list[str]:
        """The geography values a `geography` filter matches (empty: global)."""
        return [
            g
            for g in (
                self.geography_region_or_subregion,
                self.geography_country,
                self.geography_country_subdivision,
            )
            if g is not None
        ]


class DataModelExtension(Wire):
    spec_version: NonEmpty
    data_schema: NonEmpty
    data: dict[str, Any]
    documentation: str | None = None


class ProductFootprint(Wire):
    """One product carbon footprint (digest §7.1)."""

    id: UUID
    spec_version: NonEmpty = SPEC_VERSION
    preceding_pf_ids: UuidList | None = None
    created: Timestamp
    status: Literal["Active", "Deprecated"] = "Active"
    validity_period_start: Timestamp | None = None
    validity_period_end: Timestamp | None = None
    company_name: NonEmpty
    company_ids: UrnList
    product_description: str
    product_ids: UrnList
    product_classifications: UrnList | None = None
    product_name_company: NonEmpty
    comment: str | None = None
    pcf: CarbonFootprint
    extensions: list[DataModelExtension] | None = None

    @model_validator(mode="after")
    def _validity(self) -> ProductFootprint:
        s, e = self.validity_period_start, self.validity_period_end
        if s is not None and e is not None and e < s:
            raise ValueError("validityPeriodEnd is before validityPeriodStart")
        return self

    def validity(self) -> tuple[datetime, datetime]:
        """The validity period; without one, [referencePeriodEnd, referencePeriodEnd + 3 years]
        (the spec's default, as the conformance tool's filters read it)."""
        end = self.pcf.reference_period_end
        start = self.validity_period_start or end
        stop = self.validity_period_end
        if stop is None:
            try:
                stop = end.replace(year=end.year + 3)
            except ValueError:  # 29 February
                stop = end.replace(year=end.year + 3, day=28)
        return start, stop


class Error(Wire):
    """The error body of every non-authentication error: {code, message}."""

    code: NonEmpty
    message: str


class PublishedData(Wire):
    pf_ids: UuidList


class RequestCreatedData(Wire):
    """The criteria of a request: the list filters, each a list OR-ed within (digest §2)."""

    product_id: list[str] | None = None
    company_id: list[str] | None = None
    geography: list[str] | None = None
    classification: list[str] | None = None
    valid_on: str | None = None
    valid_after: str | None = None
    valid_before: str | None = None
    status: str | None = None
    comment: str | None = None


class RequestFulfilledData(Wire):
    request_event_id: NonEmpty
    pfs: Annotated[list[ProductFootprint], Field(min_length=1)]


class RequestRejectedData(Wire):
    request_event_id: NonEmpty
    error: Error


DATA: dict[str, type[Wire]] = {
    PUBLISHED: PublishedData,
    REQUEST_CREATED: RequestCreatedData,
    REQUEST_FULFILLED: RequestFulfilledData,
    REQUEST_REJECTED: RequestRejectedData,
}


class Event(Wire):
    """A CloudEvents 1.0 envelope in structured JSON mode; in v3 every field is required.
    `data` is parsed into the shape of its `type` (an unknown type is refused)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    type: Literal[
        "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
        "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
        "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
        "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3",
    ]
    specversion: Literal["1.0"]
    id: NonEmpty
    source: NonEmpty
    time: Timestamp
    data: PublishedData | RequestCreatedData | RequestFulfilledData | RequestRejectedData

    @model_validator(mode="before")
    @classmethod
    def _data_by_type(cls, v: Any) -> Any:
        if isinstance(v, dict) and v.get("type") in DATA and isinstance(v.get("data"), dict):
            v = {**v, "data": DATA[v["type"]].model_validate(v["data"])}
        return v
