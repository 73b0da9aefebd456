"""The facilities file's schema (used by validation and the docs) and the limits every input
file's fields obey. Activity files are declared by their domain (openmrv.combustion.schema)."""

from __future__ import annotations

from openmrv.ingest.columns import Column

IPCC_SECTORS = (
    "energy_industries",
    "manufacturing_construction",
    "commercial_institutional",
    "residential",
    "other",
)

FACILITIES: tuple[Column, ...] = (
    Column("facility_id", kind="id", required=True, doc="Unique facility id."),
    Column("organization_id", kind="id", required=True, doc="Owning organisation."),
    Column("name", kind="text", required=True, doc="Facility name."),
    Column("name_zh", kind="text", doc="Facility name in Chinese."),
    Column(
        "country",
        kind="enum",
        required=True,
        choices=("US", "CN"),
        doc="ISO 3166-1 alpha-2 country code.",
    ),
    Column(
        "state_province",
        kind="text",
        required=True,
        doc="ISO 3166-2 subdivision, e.g. US-AZ, CN-JS.",
    ),
    Column(
        "grid_region",
        kind="text",
        doc="eGRID subregion (US, e.g. AZNM); blank in China, where the regional grid follows "
        "from the province.",
    ),
    Column("sector", kind="text", doc="Sector code (NAICS or GB/T 4754)."),
    Column(
        "ipcc_sector",
        kind="enum",
        required=True,
        choices=IPCC_SECTORS,
        doc="IPCC 2006 source category group for stationary combustion CH4/N2O factors.",
    ),
    Column("equity_share", kind="number", doc="Equity share, fraction (0, 1]; default 1."),
    Column(
        "programmes",
        kind="text",
        doc="Reporting programmes, ';'-separated (e.g. EPA_GHGRP;CN_ETS).",
    ),
)

# Organisational-boundary flags (GHG Protocol consolidation). Kept apart from FACILITIES because
# the store added them later (migration 6): facilities versions stored before hold NULL for them,
# and ledger digests recorded before do not cover them (store/ledger.py, facilities scheme v2).
FACILITY_BOUNDARY: tuple[Column, ...] = (
    Column(
        "operational_control",
        kind="enum",
        choices=("yes", "no"),
        doc="Does the organisation have operational control (GHG Protocol)? yes or no; "
        "default yes.",
    ),
    Column(
        "financial_control",
        kind="enum",
        choices=("yes", "no"),
        doc="Does the organisation have financial control (GHG Protocol)? yes or no; default yes.",
    ),
)

MAX_FIELD = 1000  # characters; longer fields are rejected as hostile or broken input
MAX_ID = 100
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
