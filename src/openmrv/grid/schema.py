"""The grid domain's input files, declared once (ingest.columns): meter-interval consumption,
contracted clean supply (generation and own storage), hourly grid factors and their annual
fallback. Per-row checks are ingest's generic ones; the checks across rows (gaps, duplicates,
overlaps, DST, units) are in grid.intervals and grid.factors."""

from __future__ import annotations

from openmrv.ingest.columns import Column, Dtype, Schema

SUPPLY_KINDS = ("generation", "storage_charge", "storage_discharge")
SIGNALS = ("average", "marginal")
ROW = Column("source_row", dtype=Dtype.BIGINT, sql="_row", lineage=True)


def _id(name: str, doc: str, required: bool = True) -> Column:
    return Column(name, kind="id", dtype=Dtype.TEXT, required=required, doc=doc)


def _num(name: str, doc: str, unit: str = "", required: bool = True) -> Column:
    return Column(
        name,
        kind="number",
        dtype=Dtype.DOUBLE,
        required=required,
        sql=f"TRY_CAST(NULLIF(trim({name}), '') AS DOUBLE)",
        unit_kind=unit,
        doc=doc,
    )


def _text(name: str, doc: str, required: bool = True) -> Column:
    return Column(name, kind="text", dtype=Dtype.TEXT, required=required, doc=doc)


TIMESTAMP = _text(
    "timestamp",
    "Interval timestamp: `YYYY-MM-DD HH:MM[:SS]`, with a UTC offset (`+01:00`, `Z`) or local "
    "in the zone given by --tz; start or end of the interval as --convention says.",
)
MINUTES = _num(
    "interval_minutes", "Interval length in minutes: 5, 10, 15, 30 or 60 (default 60).", "",
    required=False,
)  # fmt: skip
ENERGY = (
    _num("value", "Energy in the interval (≥ 0), in `unit`.", "energy"),
    _text("unit", "Wh, kWh or MWh (converted through openmrv.units)."),
)

LOAD = Schema(
    "grid_load",
    (
        _id("meter_id", "Meter (one facility, one market)."),
        _id("facility_id", "Facility the meter serves."),
        _id("market", "Market boundary / grid region (eGRID subregion, balancing authority, "
            "province) the meter draws from."),
        TIMESTAMP,
        *ENERGY,
        MINUTES,
        ROW,
    ),
    record="meter_id",
    quantity="value",
)  # fmt: skip

SUPPLY = Schema(
    "grid_supply",
    (
        _id("meter_id", "Production or storage device's meter."),
        _id("facility_id", "Facility the contracted supply (PPA, own plant, storage) serves."),
        _id("market", "Market boundary the device delivers into."),
        Column("kind", kind="enum", dtype=Dtype.TEXT, required=True, choices=SUPPLY_KINDS,
               doc="generation (clean production), storage_charge or storage_discharge."),
        TIMESTAMP,
        *ENERGY,
        MINUTES,
        ROW,
    ),
    record="meter_id",
    quantity="value",
)  # fmt: skip

FACTORS = Schema(
    "grid_factors",
    (
        _id("region", "Grid region (same codes as `market`)."),
        _text("datetime_utc", "Start of the hour, UTC (`YYYY-MM-DD HH:MM`), as in Open Grid "
              "Emissions' `datetime_utc` or Electricity Maps' `Datetime (UTC)`."),
        Column("signal", kind="enum", dtype=Dtype.TEXT, required=True, choices=SIGNALS,
               doc="average (attributional inventory) or marginal (avoided emissions only)."),
        _num("co2e_kg_per_mwh", "Emission rate, kg CO2e/MWh (consumption-based where "
             "available)."),
        _num("cfe_fraction", "Carbon-free share of the grid supply in the hour (0-1).", "",
             required=False),
        _text("source", "Provider and product, e.g. 'Open Grid Emissions, carbon accounting'."),
        _text("edition", "Release or download date."),
        ROW,
    ),
    record="region",
    quantity="co2e_kg_per_mwh",
)  # fmt: skip

ANNUAL = Schema(
    "grid_annual_factors",
    (
        _id("region", "Grid region."),
        _num("year", "Year.", ""),
        _num("co2e_kg_per_mwh", "Annual average emission rate, kg CO2e/MWh (eGRID subregion "
             "output rate, provincial factor)."),
        _num("cfe_fraction", "Annual carbon-free share (0-1).", "", required=False),
        _text("source", "Source table, e.g. 'eGRID2022 subregion'."),
        _text("edition", "Edition."),
        ROW,
    ),
    record="region",
    quantity="co2e_kg_per_mwh",
)  # fmt: skip

SCHEMAS = (LOAD, SUPPLY, FACTORS, ANNUAL)
