"""EnergyTag granular certificate bundles: the import file and the splitting of id ranges.

A bundle is a contiguous, inclusive range of certificate ids of equal face value (whole Wh)
from one device for one production interval of at most an hour (EnergyTag GC Standard;
FEA reference registry, energytag_gc_bundle_fields.csv). A partial transfer, cancellation or
claim splits it: the acted part takes the low ids, the rest keeps the high ids and the parent's
state. Statuses follow the registry: active → (transfer) active, active → cancelled →
claimed; a claimed bundle is final."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa

from openmrv.grid.problems import hour_interval, refuse_rows, typed, utc_text
from openmrv.ingest.columns import Column, Dtype, Schema
from openmrv.ingest.readers import RawTable

__all__ = ["BUNDLES", "ENERGY_SOURCES", "NEXT", "Bundle", "read_bundles", "split"]

ENERGY_SOURCES = (
    "solar_pv", "wind", "hydro", "biomass", "nuclear", "geothermal", "battery_storage", "other",
)  # fmt: skip
# action -> (status it needs, status it gives)
NEXT = {
    "transfer": ("active", "active"),
    "cancel": ("active", "cancelled"),
    "claim": ("cancelled", "claimed"),
}


def _c(name: str, doc: str, kind: str = "id", required: bool = True) -> Column:
    return Column(name, kind=kind, dtype=Dtype.TEXT, required=required, doc=doc)


def _int(name: str, doc: str) -> Column:
    return Column(
        name, kind="number", dtype=Dtype.BIGINT, required=True, doc=doc,
        sql=f"TRY_CAST(trim({name}) AS BIGINT)",
    )  # fmt: skip


BUNDLES = Schema(
    "grid_gc_bundles",
    (
        _c("issuance_id", "Issuance id (kept by every child bundle after a split)."),
        _c("issuing_body", "Issuer; certificate ids are unique within it."),
        _c("device_id", "Production or storage device (one per bundle)."),
        Column("energy_source", kind="enum", dtype=Dtype.TEXT, required=True,
               choices=ENERGY_SOURCES, doc="Energy source (EnergyTag list)."),
        _c("technology", "Device technology type.", "text"),
        _c("region", "Market zone of issuance (the market boundary of hourly matching)."),
        _c("production_start", "Start of the production interval, UTC.", "text"),
        _c("production_end", "End of the production interval, UTC (at most 1 hour later).",
           "text"),
        _int("face_value_wh", "Energy per certificate, whole Wh."),
        _int("range_start", "First certificate id (inclusive)."),
        _int("range_end", "Last certificate id (inclusive)."),
        _c("account", "Account holding the bundle."),
        Column("source_row", dtype=Dtype.BIGINT, sql="_row", lineage=True),
    ),
    record="issuance_id",
    quantity="face_value_wh",
)  # fmt: skip


@dataclass(frozen=True)
class Bundle:
    """One bundle's state (a stored row of grid_gc_bundles without its tenancy and batch)."""

    bundle_id: int
    parent_id: int | None
    issuance_id: str
    issuing_body: str
    device_id: str
    energy_source: str
    technology: str
    region: str
    production_start: str
    production_end: str
    face_value_wh: int
    range_start: int
    range_end: int
    account: str
    status: str = "active"
    beneficiary: str | None = None

    @property
    def quantity(self) -> int:
        return self.range_end - self.range_start + 1


def split(b: Bundle, quantity: int, first_id: int, **acted: Any) -> list[Bundle]:
    """The children of acting on `quantity` certificates of `b`: the low ids with the `acted`
    fields changed, and, if any are left, the high ids as they were. Ids from `first_id`."""
    done = replace(b, bundle_id=first_id, parent_id=b.bundle_id,
                   range_end=b.range_start + quantity - 1, **acted)  # fmt: skip
    if quantity == b.quantity:
        return [done]
    rest = replace(b, bundle_id=first_id + 1, parent_id=b.bundle_id,
                   range_start=b.range_start + quantity)  # fmt: skip
    return [done, rest]


def read_bundles(raw: RawTable) -> pa.Table:
    """The bundles of an import file, typed, with located problems: an interval longer than an
    hour or not after its start, an empty id range, a face value of 0 Wh, id ranges that
    overlap within the file (same issuer)."""
    con = typed(raw, BUNDLES)
    con.execute(
        f"CREATE TEMP TABLE b AS SELECT * REPLACE ({utc_text('production_start')} AS "
        f"production_start, {utc_text('production_end')} AS production_end) FROM typed"
    )
    refuse_rows(
        con,
        raw.name,
        f"""{
            hour_interval(
                "b",
                "production_start",
                "production_end",
                "a granular certificate covers at most one hour (EnergyTag)",
            )
        }
        UNION ALL SELECT source_row, 'energy_source', energy_source, 'not an energy source',
               'one of: {", ".join(ENERGY_SOURCES)}' FROM b
          WHERE energy_source NOT IN {ENERGY_SOURCES}
        UNION ALL SELECT source_row, 'face_value_wh', CAST(face_value_wh AS VARCHAR),
               'not a whole number of Wh above 0', 'the face value in Wh, rounded down'
          FROM b WHERE face_value_wh IS NULL OR face_value_wh < 1
        UNION ALL SELECT source_row, 'range_end', CAST(range_end AS VARCHAR),
               'the id range is empty (end before start)', 'range_end ≥ range_start'
          FROM b WHERE range_end < range_start
        UNION ALL SELECT x.source_row, 'range_start', CAST(x.range_start AS VARCHAR),
               'ids ' || x.range_start || '–' || x.range_end || ' overlap those of row '
               || y.source_row, 'each certificate id is issued once'
          FROM b AS x JOIN b AS y ON x.issuing_body = y.issuing_body
           AND x.source_row > y.source_row AND x.range_start <= y.range_end
           AND y.range_start <= x.range_end
        ORDER BY 1""",
        raw.row_word,
    )
    return con.execute("SELECT * FROM b ORDER BY source_row").to_arrow_table()
