"""The toy domain's input file: gas flared per meter reading, declared once."""

from __future__ import annotations

from openmrv.ingest.columns import Column, Dtype, Schema

M3 = "TRY_CAST(flared_m3 AS DOUBLE)"
READINGS = Schema(
    "toy_flare_readings",
    (
        Column("record_id", kind="id", dtype=Dtype.TEXT, required=True, doc="Reading id."),
        Column("facility_id", kind="id", dtype=Dtype.TEXT, required=True, doc="Facility."),
        Column(
            "flared_m3",
            kind="number",
            dtype=Dtype.DOUBLE,
            required=True,
            sql=M3,
            unit_kind="m3",
            doc="Gas flared, m³.",
        ),
        Column("qty", dtype=Dtype.DOUBLE, sql=M3, unit_kind="m3"),
        Column("source_row", dtype=Dtype.BIGINT, sql="_row", lineage=True),
    ),
)
