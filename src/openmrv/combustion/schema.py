"""The activity file of stationary and mobile combustion, purchased energy, refrigerants and
process emissions: declared once here; validation, the store, the engine and docs/schemas.md
derive their forms from it (ingest.columns).

The order is the order of both the file's columns and the validated table's. `sql` is the
typed value over validation's checked view (ingest.validate: ``d0``/``d1`` the parsed dates,
``q``/``qf`` the quantity and its factor to the canonical unit, ``f*`` the resolved fuel,
``*_v``/``*_f`` a measured value and its unit's factor, ``_row`` the row in the file).
"""

from __future__ import annotations

from openmrv.ingest.columns import Column, Dtype, Schema

__all__ = ["ACTIVITY", "CATEGORIES", "COMBUSTION"]

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

TEXT, NUMBER = Dtype.TEXT, Dtype.DOUBLE
_PER_QTY = "GJ per canonical unit of qty_kind"

ACTIVITY = Schema(
    "activity",
    (
        Column(
            "record_id",
            kind="id",
            dtype=TEXT,
            required=True,
            doc="Unique id of the record within the file (≤ 100 characters).",
        ),
        Column(
            "facility_id",
            kind="id",
            dtype=TEXT,
            required=True,
            key=True,
            doc="Facility the record belongs to (must be in the facilities file).",
        ),
        Column(
            "source_id",
            kind="id",
            dtype=TEXT,
            sql="NULLIF(source_id, '')",
            doc="Emission source within the facility: unit, boiler, kiln, fleet.",
        ),
        Column(
            "period_start",
            kind="date",
            dtype=Dtype.DATE,
            required=True,
            sql="d0",
            key=True,
            doc="First day of the period, ISO date YYYY-MM-DD.",
        ),
        Column(
            "period_end",
            kind="date",
            dtype=Dtype.DATE,
            required=True,
            sql="d1",
            key=True,
            doc="Last day of the period, ISO date YYYY-MM-DD (≥ period_start).",
        ),
        Column(
            "year",
            dtype=Dtype.INTEGER,
            sql="CAST(year(d0) AS INTEGER)",
            key=True,
            doc="Reporting (data) year: the year of period_start.",
        ),
        Column(
            "category",
            kind="enum",
            dtype=TEXT,
            required=True,
            choices=CATEGORIES,
            key=True,
            doc="Activity category.",
        ),
        Column(
            "fuel",
            kind="id",
            dtype=TEXT,
            sql="COALESCE(fcode, rname, NULLIF(fuel, ''))",
            key=True,
            doc="Fuel code or name (combustion), refrigerant or blend (refrigerant); "
            "blank for electricity and heat. See docs/fuels.md.",
        ),
        Column(
            "fuel_state",
            dtype=TEXT,
            sql="fstate",
            key=True,
            doc="solid, liquid or gas (the fuel catalogue).",
        ),
        Column(
            "biogenic",
            dtype=Dtype.BOOLEAN,
            sql="COALESCE(fbio, false)",
            key=True,
            doc="Biogenic fuel (the fuel catalogue).",
        ),
        Column(
            "quantity",
            kind="number",
            dtype=NUMBER,
            required=True,
            sql="q",
            unit_kind="unit",
            doc="Amount consumed or released, ≥ 0.",
        ),
        Column(
            "unit",
            kind="text",
            dtype=TEXT,
            required=True,
            key=True,
            doc="Unit of quantity; one of the accepted units (docs/units.md).",
        ),
        Column(
            "unit_key",
            dtype=TEXT,
            sql="ukey",
            key=True,
            doc="The unit, normalised (units.normalise).",
        ),
        Column(
            "qty_kind",
            dtype=TEXT,
            sql="qkind",
            key=True,
            doc="What the unit measures: mass, volume, gas_volume or energy.",
        ),
        Column(
            "qty",
            dtype=NUMBER,
            sql="q * qf",
            unit_kind="canonical unit of qty_kind (units.CANONICAL)",
            doc="The quantity in the canonical unit of its kind.",
        ),
        Column(
            "energy_basis",
            kind="enum",
            dtype=TEXT,
            choices=("HHV", "NCV"),
            sql="CASE WHEN combustion AND qkind = 'energy' THEN COALESCE(basis_given, ubasis) END",
            key=True,
            doc="HHV or NCV, for fuel quantities given in energy units. "
            "Defaults: therm, mmBtu and Btu are HHV; tce is NCV; other energy units must say.",
        ),
        Column(
            "hhv",
            kind="number",
            dtype=NUMBER,
            sql="hhv_v * hhv_f",
            unit_kind=_PER_QTY,
            measured=True,
            doc="Measured higher heating value (Part 98 Tier 2).",
        ),
        Column(
            "hhv_unit",
            kind="text",
            doc="Unit of hhv, e.g. 'mmBtu/short ton', 'mmBtu/scf', 'GJ/t'.",
        ),
        Column(
            "ncv",
            kind="number",
            dtype=NUMBER,
            sql="ncv_v * ncv_f",
            unit_kind=_PER_QTY,
            measured=True,
            doc="Measured net calorific value (MEE, IPCC).",
        ),
        Column(
            "ncv_unit",
            kind="text",
            doc="Unit of ncv, e.g. 'GJ/t', 'GJ/10^4 Nm3', 'TJ/Gg'.",
        ),
        Column(
            "carbon_content",
            kind="number",
            dtype=NUMBER,
            sql="cc_v * cc_f",
            unit_kind="kg C per canonical unit of carbon_content_per, or a mass fraction",
            measured=True,
            doc="Measured carbon content (Part 98 Tier 3, MEE).",
        ),
        Column(
            "carbon_content_unit",
            kind="text",
            doc="Unit: per heat ('tC/GJ', 'kgC/GJ'), per mass "
            "('kgC/kg', '%' of mass) or per volume ('kgC/gal').",
        ),
        Column(
            "carbon_content_per",
            dtype=TEXT,
            sql="CASE WHEN cc_num = 'one' THEN 'mass' ELSE cc_den END",
            key=True,
            doc="What the carbon content is per: mass, volume, gas_volume or energy.",
        ),
        Column(
            "oxidation_factor",
            kind="number",
            dtype=NUMBER,
            sql="of_v",
            unit_kind="fraction",
            measured=True,
            doc="Measured carbon oxidation rate, fraction (0, 1].",
        ),
        Column(
            "molecular_weight",
            kind="number",
            dtype=NUMBER,
            sql="mw_v",
            unit_kind="kg/kmol",
            measured=True,
            doc="Measured molecular weight of a gaseous fuel, kg/kmol.",
        ),
        Column(
            "measured_co2_t",
            kind="number",
            dtype=NUMBER,
            sql="co2_v",
            unit_kind="t",
            measured=True,
            doc="CO2 measured by CEMS, metric tons (Part 98 Tier 4).",
        ),
        Column(
            "boiler_ratio_b",
            kind="number",
            dtype=NUMBER,
            sql="b_v",
            unit_kind="mmBtu/lb",
            measured=True,
            doc="Part 98 Eq. C-2c: boiler rated heat input / design "
            "steam output, mmBtu per lb steam; quantity is then steam generated (lb).",
        ),
        Column(
            "tier",
            kind="enum",
            dtype=Dtype.INTEGER,
            choices=("1", "2", "3", "4"),
            sql="TRY_CAST(NULLIF(tier, '') AS INTEGER)",
            key=True,
            doc="Force a Part 98 tier (1-4); default: the highest tier the measured parameters "
            "allow.",
        ),
        Column(
            "instrument",
            kind="enum",
            dtype=TEXT,
            choices=("green_power", "certificate", "residual"),
            sql="NULLIF(instrument, '')",
            key=True,
            doc="Purchased electricity only: contractual instrument. "
            "green_power (green-power trading, direct renewable supply), certificate (covered by "
            "energy attribute certificates: China GEC, US REC), residual (the rest, when the "
            "organisation claims green power or certificates for part of its use).",
        ),
        Column(
            "data_quality",
            kind="text",
            dtype=TEXT,
            sql="NULLIF(data_quality, '')",
            doc="measured, estimated, substituted, …",
        ),
        Column(
            "evidence_ref",
            kind="text",
            dtype=TEXT,
            sql="NULLIF(evidence_ref, '')",
            doc="Reference to the evidence (invoice, meter read).",
        ),
        Column("notes", kind="text", doc="Free text."),
        Column(
            "source_row",
            dtype=Dtype.BIGINT,
            sql="_row",
            lineage=True,
            doc="The record's key: its row in the file, numbered on across a dataset's parts.",
        ),
        Column(
            "source_file",
            dtype=TEXT,
            sql=None,
            lineage=True,
            doc="File the record was validated from.",
        ),
        Column(
            "source_sha256",
            dtype=TEXT,
            sql=None,
            lineage=True,
            stored=False,  # the store keeps it once, on the batch
            doc="SHA-256 of that file.",
        ),
        Column(
            "file_row",
            dtype=Dtype.BIGINT,
            sql=None,
            lineage=True,
            stored=False,  # the store's source_row is the row in the file
            doc="The record's row in that file.",
        ),
    ),
)
