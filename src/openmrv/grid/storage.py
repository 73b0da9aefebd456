"""Storage charge and discharge records of granular certificates (EnergyTag; FEA reference
registry, static/descriptions/storage.md; energytag_gc_bundle_fields.csv).

A storage charge record (SCR) is allocated one-to-one to a cancelled bundle of the charging
interval: the bundle becomes `stored` — final, it can never be claimed — with the storage device
as beneficiary. A storage discharge record (SDR) issues storage-discharge certificates (SD-GCs,
energy source battery_storage, face value 1 Wh) that are transferred, cancelled and claimed as
any bundle. Losses are deducted: a discharge of E Wh at efficiency η draws E / η from the
device's charged energy, and the draws up to any discharge never exceed what the device had
been charged before it (the certificates stored by SCRs ending by the discharge's start).
SD-GC ids continue the highest id under the issuer `SDR <device>` (the running total of
discharged Wh), so a discharged Wh is certified once."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from openmrv.grid import store
from openmrv.grid.certificates import Bundle, split
from openmrv.grid.problems import hour_interval, refuse_rows, typed, utc_text
from openmrv.ingest.columns import Column, Dtype, Schema
from openmrv.ingest.errors import InputError, Problem
from openmrv.ingest.readers import RawTable
from openmrv.store import ledger
from openmrv.store.coverage import Coverage
from openmrv.store.db import Database
from openmrv.store.schema import Migration

__all__ = ["COVERAGE", "MIGRATION", "RECORDS", "import_records", "read_records"]

RECORDS = Schema(
    "grid_gc_storage_records",
    (
        Column("record_id", kind="id", dtype=Dtype.TEXT, required=True,
               doc="Storage record id (SCR or SDR), unique per organisation."),
        Column("kind", kind="enum", dtype=Dtype.TEXT, required=True,
               choices=("charge", "discharge"), doc="charge (SCR) or discharge (SDR)."),
        Column("device_id", kind="id", dtype=Dtype.TEXT, required=True,
               doc="Storage device."),
        Column("region", kind="id", dtype=Dtype.TEXT, required=True,
               doc="Market zone of the device."),
        Column("interval_start", kind="text", dtype=Dtype.TEXT, required=True,
               doc="Start of the charging or discharging interval, UTC."),
        Column("interval_end", kind="text", dtype=Dtype.TEXT, required=True,
               doc="End of the interval, UTC (at most 1 hour later)."),
        Column("energy_wh", kind="number", dtype=Dtype.BIGINT, required=True,
               doc="Energy charged or discharged, whole Wh.",
               sql="TRY_CAST(trim(energy_wh) AS BIGINT)"),
        Column("bundle_id", kind="number", dtype=Dtype.BIGINT, required=False,
               doc="Charge: the cancelled bundle allocated to it (its energy exactly).",
               sql="TRY_CAST(trim(bundle_id) AS BIGINT)"),
        Column("efficiency", kind="number", dtype=Dtype.DOUBLE, required=False,
               doc="Discharge: the device's storage efficiency factor (0 < η ≤ 1).",
               sql="TRY_CAST(trim(efficiency) AS DOUBLE)"),
        Column("source_row", dtype=Dtype.BIGINT, sql="_row", lineage=True),
    ),
    record="record_id",
    quantity="energy_wh",
)  # fmt: skip
_COLS = ("record_id", "kind", "device_id", "region", "interval_start", "interval_end",
         "energy_wh", "bundle_id", "efficiency")  # fmt: skip
MIGRATION = Migration(
    "grid",
    3,
    "storage charge and discharge records of granular certificates (SCR, SDR)",
    (
        "CREATE TABLE grid_gc_storage (organization_id TEXT NOT NULL, record_id TEXT NOT NULL, "
        "kind TEXT NOT NULL, device_id TEXT NOT NULL, region TEXT NOT NULL, interval_start TEXT "
        "NOT NULL, interval_end TEXT NOT NULL, energy_wh BIGINT NOT NULL, bundle_id BIGINT "
        "NOT NULL, efficiency DOUBLE PRECISION, batch_id BIGINT NOT NULL)",
        "CREATE UNIQUE INDEX grid_gc_storage_key ON grid_gc_storage (organization_id, record_id)",
    ),
)
COVERAGE = Coverage("grid_gc_storage", ("organization_id", *_COLS, "batch_id"),
                    "organization_id, record_id")  # fmt: skip


def read_records(raw: RawTable) -> pa.Table:
    """The records of a storage file, typed, in time order, with located problems: an interval
    longer than an hour or not after its start, energy below 1 Wh, a charge without its bundle,
    a discharge without an efficiency in (0, 1], a record id given twice."""
    con = typed(raw, RECORDS)
    con.execute(
        f"CREATE TEMP TABLE r AS SELECT * REPLACE ({utc_text('interval_start')} AS "
        f"interval_start, {utc_text('interval_end')} AS interval_end) FROM typed"
    )
    refuse_rows(
        con,
        raw.name,
        f"""{
            hour_interval(
                "r",
                "interval_start",
                "interval_end",
                "a storage record covers at most one hour, as a certificate does",
            )
        }
        UNION ALL SELECT source_row, 'energy_wh', CAST(energy_wh AS VARCHAR),
               'not a whole number of Wh above 0', 'the energy in Wh, rounded down'
          FROM r WHERE energy_wh IS NULL OR energy_wh < 1
        UNION ALL SELECT source_row, 'bundle_id', NULL, 'a charge names no bundle',
               'the cancelled bundle of the charged energy (openmrv grid gc list)'
          FROM r WHERE kind = 'charge' AND bundle_id IS NULL
        UNION ALL SELECT source_row, 'efficiency', CAST(efficiency AS VARCHAR),
               'a discharge needs the storage efficiency factor', 'a number above 0, at most 1'
          FROM r WHERE kind = 'discharge' AND (efficiency IS NULL OR efficiency <= 0
           OR efficiency > 1)
        UNION ALL SELECT x.source_row, 'record_id', x.record_id,
               'given twice (also row ' || y.source_row || ')', 'one row per record'
          FROM r AS x JOIN r AS y ON x.record_id = y.record_id AND x.source_row > y.source_row
        ORDER BY 1""",
        raw.row_word,
    )
    return con.execute(
        "SELECT * FROM r ORDER BY interval_start, kind, source_row"  # charges first
    ).to_arrow_table()


def _sdr_issuer(device: str) -> str:
    return f"SDR {device}"


def import_records(db: Database, org: str, table: pa.Table, name: str, actor: str) -> int:
    """Store checked storage records (read_records) as one batch: each charge stores its
    bundle, each discharge issues its SD-GC bundle; refused, located, with nothing stored, for
    a record id already stored, a charge whose bundle is not a current cancelled bundle of the
    interval, region and energy, or a discharge beyond the device's charged energy less losses."""
    rows = table.to_pylist()
    with db.write():
        batch = store.new_batch(db, org, actor, len(rows))
        for r in rows:  # in time order: a discharge sees the charges before it
            at = _store_charge if r["kind"] == "charge" else _issue_discharge
            refused = _known(db, org, r) or at(db, org, r, batch)
            if refused:  # the transaction rolls back: nothing stored
                col, (problem, fix) = refused
                raise InputError([Problem(name, r["source_row"], col, str(r[col]), problem, fix)])
        ledger.record_batch(db, actor, "grid-gc-storage", org, None, {"batch_id": batch})
    return batch


_Refusal = tuple[str, tuple[str, str]] | None  # (column, (problem, fix))


def _known(db: Database, org: str, r: dict[str, Any]) -> _Refusal:
    b = db.one(
        "SELECT batch_id FROM grid_gc_storage WHERE organization_id = ? AND record_id = ?",
        [org, r["record_id"]],
    )
    return None if b is None else ("record_id", (f"stored in batch {b[0]}", "store it once"))


def _record(db: Database, org: str, r: dict[str, Any], bundle_id: int, batch: int) -> None:
    vals = [org, *(r[c] for c in _COLS[:-2]), bundle_id, r["efficiency"], batch]
    db.execute(f"INSERT INTO grid_gc_storage VALUES ({', '.join('?' * len(vals))})", vals)


def _store_charge(db: Database, org: str, r: dict[str, Any], batch: int) -> _Refusal:
    """SCR: the allocated bundle must be current, cancelled, of the device's region, produced
    within the charging interval and hold exactly the charged Wh; it becomes `stored`."""
    current = {b.bundle_id: b for b in store.current(db, org)}
    b = current.get(r["bundle_id"])
    fix = "a current cancelled bundle of the charged energy (openmrv grid gc list)"
    if b is None or b.status != "cancelled":
        state = "not a current bundle" if b is None else f"the bundle is {b.status}"
        return "bundle_id", (f"{state}: only a cancelled bundle can be stored", fix)
    if b.region != r["region"]:
        return "region", (f"the bundle is of region {b.region}", "charge in the same market")
    if not (r["interval_start"] <= b.production_start and b.production_end <= r["interval_end"]):
        return "bundle_id", ("the bundle was produced outside the charging interval", fix)
    if b.quantity * b.face_value_wh != r["energy_wh"]:
        return "energy_wh", (f"the bundle holds {b.quantity * b.face_value_wh} Wh", fix)
    store.spend(db, org, b.bundle_id, "store", batch)
    [child] = split(b, b.quantity, store.next_bundle(db), status="stored",
                    beneficiary=r["device_id"])  # fmt: skip
    store.insert(db, org, [child], batch)
    _record(db, org, r, child.bundle_id, batch)
    return None


def _issue_discharge(db: Database, org: str, r: dict[str, Any], batch: int) -> _Refusal:
    """SDR: the device's draws with this one (E / η each) within its charge before the
    discharge's start; issues the SD-GC bundle of the next E ids of the device's issuer."""
    charged, drawn = db.one(
        "SELECT coalesce(sum(energy_wh) FILTER (WHERE kind = 'charge' AND interval_end <= ?), "
        "0), coalesce(sum(energy_wh / efficiency) FILTER (WHERE kind = 'discharge'), 0) "
        "FROM grid_gc_storage WHERE organization_id = ? AND device_id = ?",
        [r["interval_start"], org, r["device_id"]],
    ) or (0, 0)  # an aggregate always gives its one row
    issued = db.scalar(  # the issuer's highest id (an import under its name too)
        "SELECT coalesce(max(range_end), 0) FROM grid_gc_bundles WHERE organization_id = ? "
        "AND issuing_body = ?",
        [org, _sdr_issuer(r["device_id"])],
    )
    charged, drawn = float(charged), float(drawn)  # PostgreSQL sums BIGINT as NUMERIC
    draw = r["energy_wh"] / r["efficiency"]
    if drawn + draw > charged * (1 + 1e-12):
        left = max(charged - drawn, 0.0) * r["efficiency"]
        return "energy_wh", (
            f"beyond the device's charge: {charged:.0f} Wh stored before, {drawn:.0f} Wh drawn, "
            f"this draws {draw:.0f} Wh at efficiency {r['efficiency']}",
            f"at most {int(left)} Wh after losses",
        )
    sd = Bundle(store.next_bundle(db), None, r["record_id"], _sdr_issuer(r["device_id"]),
                r["device_id"], "battery_storage", "storage discharge", r["region"],
                r["interval_start"], r["interval_end"], 1, int(issued) + 1,
                int(issued) + r["energy_wh"], r["device_id"])  # fmt: skip
    store.insert(db, org, [sd], batch)
    _record(db, org, r, sd.bundle_id, batch)
    return None
