"""The toy domain's tables, their migrations and what the ledger vouches for: readings are
written in batches (their digests cover them), permits by their own events (a check)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openmrv.store import ledger
from openmrv.store.coverage import Coverage, Event, Finding, LedgerCheck
from openmrv.store.db import Database
from openmrv.store.schema import Migration

MIGRATIONS = [
    Migration(
        "toy",
        1,
        "toy flare readings, written in batches",
        (
            "CREATE TABLE toy_readings (organization_id TEXT NOT NULL, record_id TEXT NOT NULL, "
            "facility_id TEXT NOT NULL, flared_m3 DOUBLE PRECISION NOT NULL, "
            "batch_id BIGINT NOT NULL)",
        ),
    ),
    Migration(
        "toy",
        2,
        "toy flaring permits, each written with a ledger event",
        (
            "CREATE TABLE toy_permits (organization_id TEXT NOT NULL, facility_id TEXT NOT NULL, "
            "limit_m3 DOUBLE PRECISION NOT NULL, event_seq BIGINT NOT NULL)",
        ),
    ),
]
READINGS = Coverage(
    "toy_readings",
    ("organization_id", "record_id", "facility_id", "flared_m3", "batch_id"),
    "organization_id, record_id",
)
PERMIT_FIELDS = ("organization_id", "facility_id", "limit_m3")


def add_readings(db: Database, org: str, rows: list[dict[str, Any]], actor: str) -> int:
    """Store readings as one batch, with its ledger event; return the batch id."""
    with db.write():
        batch = db.next_id("batches", "batch_id")
        db.execute(
            "INSERT INTO batches (batch_id, kind, submitted_by, submitted_at, row_count, "
            "organization_id) VALUES (?, 'toy', ?, ?, ?, ?)",
            [batch, actor, ledger.now(), len(rows), org],
        )
        db.executemany(
            "INSERT INTO toy_readings VALUES (?, ?, ?, ?, ?)",
            [(org, r["record_id"], r["facility_id"], r["flared_m3"], batch) for r in rows],
        )
        ledger.record_batch(db, actor, "toy-readings", org, None, {"batch_id": batch})
    return batch


def add_permit(db: Database, org: str, facility_id: str, limit_m3: float, actor: str) -> int:
    """Record a flaring permit with its own ledger event; return the event's seq."""
    with db.write():
        seq = db.next_id("ledger_events", "seq")
        row = {"organization_id": org, "facility_id": facility_id, "limit_m3": limit_m3}
        db.execute("INSERT INTO toy_permits VALUES (?, ?, ?, ?)", [*row.values(), seq])
        return ledger.append(db, actor, "toy-permit", facility_id, None, {"permit": row}).seq


def readings(db: Database, org: str) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT record_id, facility_id, flared_m3 FROM toy_readings WHERE organization_id = ? "
        "ORDER BY record_id",
        [org],
    )
    return [dict(zip(("record_id", "facility_id", "flared_m3"), r, strict=True)) for r in rows]


@dataclass
class Seen:
    seqs: set[int] = field(default_factory=set)


def check_permit(db: Database, e: Event, seen: Seen) -> list[str]:
    seen.seqs.add(e.seq)
    row = db.one(f"SELECT {', '.join(PERMIT_FIELDS)} FROM toy_permits WHERE event_seq = ?", [e.seq])
    recorded = e.data()["permit"]
    if row is None or dict(zip(PERMIT_FIELDS, row, strict=True)) != recorded:
        return [f"toy permit of {recorded['facility_id']} differs from what was recorded"]
    return []


def unrecorded_permits(db: Database, seen: Seen) -> list[Finding]:
    rows = db.execute("SELECT facility_id, event_seq FROM toy_permits ORDER BY 2")
    return [
        Finding(None, f"a toy permit of {f} that no event records")
        for f, s in rows
        if s not in seen.seqs
    ]


PERMITS = LedgerCheck(
    name="toy permits",
    action_prefix="toy-permit",
    check_event=check_permit,
    unaccounted=unrecorded_permits,
    tally=Seen,
    tables={"toy_permits": "event_seq"},
)
