"""The facilities and activity file schemas: one definition used by validation and the docs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | id | date | number | enum
    required: bool
    doc: str
    choices: tuple[str, ...] = ()


CATEGORIES = (
    "stationary_combustion",
    "mobile_combustion",
    "purchased_electricity",
    "purchased_heat",
    "refrigerant",
    "process",
    "ccs_transfer",
)
COMBUSTION = ("stationary_combustion", "mobile_combustion")
IPCC_SECTORS = (
    "energy_industries",
    "manufacturing_construction",
    "commercial_institutional",
    "residential",
    "other",
)

ACTIVITY: tuple[Column, ...] = (
    Column("record_id", "id", True, "Unique id of the record within the file (≤ 100 characters)."),
    Column(
        "facility_id",
        "id",
        True,
        "Facility the record belongs to (must be in the facilities file).",
    ),
    Column(
        "source_id", "id", False, "Emission source within the facility: unit, boiler, kiln, fleet."
    ),
    Column("period_start", "date", True, "First day of the period, ISO date YYYY-MM-DD."),
    Column(
        "period_end", "date", True, "Last day of the period, ISO date YYYY-MM-DD (≥ period_start)."
    ),
    Column("category", "enum", True, "Activity category.", CATEGORIES),
    Column(
        "fuel",
        "id",
        False,
        "Fuel code or name (combustion), refrigerant or blend (refrigerant); "
        "blank for electricity and heat. See docs/fuels.md.",
    ),
    Column("quantity", "number", True, "Amount consumed or released, ≥ 0."),
    Column("unit", "text", True, "Unit of quantity; one of the accepted units (docs/units.md)."),
    Column(
        "energy_basis",
        "enum",
        False,
        "HHV or NCV, for fuel quantities given in energy units. "
        "Defaults: therm, mmBtu and Btu are HHV; tce is NCV; other energy units must say.",
        ("HHV", "NCV"),
    ),
    Column("hhv", "number", False, "Measured higher heating value (Part 98 Tier 2)."),
    Column("hhv_unit", "text", False, "Unit of hhv, e.g. 'mmBtu/short ton', 'mmBtu/scf', 'GJ/t'."),
    Column("ncv", "number", False, "Measured net calorific value (MEE, IPCC)."),
    Column("ncv_unit", "text", False, "Unit of ncv, e.g. 'GJ/t', 'GJ/10^4 Nm3', 'TJ/Gg'."),
    Column("carbon_content", "number", False, "Measured carbon content (Part 98 Tier 3, MEE)."),
    Column(
        "carbon_content_unit",
        "text",
        False,
        "Unit: per heat ('tC/GJ', 'kgC/GJ'), per mass "
        "('kgC/kg', '%' of mass) or per volume ('kgC/gal').",
    ),
    Column("oxidation_factor", "number", False, "Measured carbon oxidation rate, fraction (0, 1]."),
    Column(
        "molecular_weight", "number", False, "Measured molecular weight of a gaseous fuel, kg/kmol."
    ),
    Column(
        "measured_co2_t", "number", False, "CO2 measured by CEMS, metric tons (Part 98 Tier 4)."
    ),
    Column(
        "boiler_ratio_b",
        "number",
        False,
        "Part 98 Eq. C-2c: boiler rated heat input / design "
        "steam output, mmBtu per lb steam; quantity is then steam generated (lb).",
    ),
    Column(
        "tier",
        "enum",
        False,
        "Force a Part 98 tier (1-4); default: the highest tier the measured parameters allow.",
        ("1", "2", "3", "4"),
    ),
    Column(
        "instrument",
        "enum",
        False,
        "Purchased electricity only: contractual instrument. "
        "green_power (green-power trading, direct renewable supply), certificate (covered by "
        "energy attribute certificates: China GEC, US REC), residual (the rest, when the "
        "organisation claims green power or certificates for part of its use).",
        ("green_power", "certificate", "residual"),
    ),
    Column("data_quality", "text", False, "measured, estimated, substituted, …"),
    Column("evidence_ref", "text", False, "Reference to the evidence (invoice, meter read)."),
    Column("notes", "text", False, "Free text."),
)

FACILITIES: tuple[Column, ...] = (
    Column("facility_id", "id", True, "Unique facility id."),
    Column("organization_id", "id", True, "Owning organisation."),
    Column("name", "text", True, "Facility name."),
    Column("name_zh", "text", False, "Facility name in Chinese."),
    Column("country", "enum", True, "ISO 3166-1 alpha-2 country code.", ("US", "CN")),
    Column("state_province", "text", True, "ISO 3166-2 subdivision, e.g. US-AZ, CN-JS."),
    Column(
        "grid_region",
        "text",
        False,
        "eGRID subregion (US, e.g. AZNM); blank in China, where the "
        "regional grid follows from the province.",
    ),
    Column("sector", "text", False, "Sector code (NAICS or GB/T 4754)."),
    Column(
        "ipcc_sector",
        "enum",
        True,
        "IPCC 2006 source category group for stationary combustion CH4/N2O factors.",
        IPCC_SECTORS,
    ),
    Column("equity_share", "number", False, "Equity share, fraction (0, 1]; default 1."),
    Column(
        "programmes", "text", False, "Reporting programmes, ';'-separated (e.g. EPA_GHGRP;CN_ETS)."
    ),
)

# Organisational-boundary flags (GHG Protocol consolidation). Kept apart from FACILITIES because
# the store added them later (migration 6): facilities versions stored before hold NULL for them,
# and ledger digests recorded before do not cover them (store/ledger.py, facilities scheme v2).
FACILITY_BOUNDARY: tuple[Column, ...] = (
    Column(
        "operational_control",
        "enum",
        False,
        "Does the organisation have operational control (GHG Protocol)? yes or no; default yes.",
        ("yes", "no"),
    ),
    Column(
        "financial_control",
        "enum",
        False,
        "Does the organisation have financial control (GHG Protocol)? yes or no; default yes.",
        ("yes", "no"),
    ),
)

MAX_FIELD = 1000  # characters; longer fields are rejected as hostile or broken input
MAX_ID = 100
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
