"""The certificate tables, their migration and ledger coverage, and the lifecycle actions.

Rows are never updated: an import writes bundles; an action marks its bundle spent (a row of
grid_gc_spent, unique per bundle, so two actions on one bundle cannot both commit) and writes
its children. The current bundles are those not spent. Each import or action is one batch with
its ledger event, whose digests cover both tables. A certificate therefore reaches `claimed`
once: its ids are imported once per issuer (overlaps refused), only a current bundle is acted
on, and a claimed bundle is final."""

from __future__ import annotations

from dataclasses import astuple, fields
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from openmrv.grid.certificates import NEXT, Bundle, split
from openmrv.ingest.errors import InputError, Problem
from openmrv.store import ledger
from openmrv.store.coverage import Coverage
from openmrv.store.db import Database
from openmrv.store.schema import Migration

__all__ = [
    "COVERAGE",
    "HOURLY",
    "MIGRATIONS",
    "act",
    "claimed_supply",
    "current",
    "import_bundles",
    "insert",
    "new_batch",
    "next_bundle",
    "spend",
    "store_hourly",
]

COLUMNS = tuple(f.name for f in fields(Bundle))
_TYPES = {"bundle_id": "BIGINT NOT NULL", "parent_id": "BIGINT", "face_value_wh": "BIGINT",
          "range_start": "BIGINT NOT NULL", "range_end": "BIGINT NOT NULL"}  # fmt: skip
MIGRATIONS = [
    Migration(
        "grid",
        1,
        "granular certificate bundles (append-only) and the bundles spent by an action",
        (
            "CREATE TABLE grid_gc_bundles (organization_id TEXT NOT NULL, "
            + ", ".join(f"{c} {_TYPES.get(c, 'TEXT')}" for c in COLUMNS)
            + ", batch_id BIGINT NOT NULL)",
            "CREATE UNIQUE INDEX grid_gc_bundle_id ON grid_gc_bundles (organization_id, bundle_id)",
            "CREATE TABLE grid_gc_spent (organization_id TEXT NOT NULL, bundle_id BIGINT NOT NULL,"
            " action TEXT NOT NULL, batch_id BIGINT NOT NULL)",
            "CREATE UNIQUE INDEX grid_gc_spent_once ON grid_gc_spent (organization_id, bundle_id)",
        ),
    ),
    Migration(
        "grid",
        2,
        "hourly accounting rows per facility, market and UTC hour (for the pages and report)",
        (
            "CREATE TABLE grid_hourly (organization_id TEXT NOT NULL, facility_id TEXT NOT NULL,"
            " market TEXT NOT NULL, hour TEXT NOT NULL, load_mwh DOUBLE PRECISION, supply_mwh "
            "DOUBLE PRECISION, matched_mwh DOUBLE PRECISION, grid_cfe DOUBLE PRECISION, "
            "batch_id BIGINT NOT NULL)",
            "CREATE UNIQUE INDEX grid_hourly_key ON grid_hourly "
            "(organization_id, facility_id, market, hour)",
        ),
    ),
]
HOURLY = ("facility_id", "market", "hour", "load_mwh", "supply_mwh", "matched_mwh", "grid_cfe")
COVERAGE = [
    Coverage("grid_gc_bundles", ("organization_id", *COLUMNS, "batch_id"),
             "organization_id, bundle_id"),
    Coverage("grid_gc_spent", ("organization_id", "bundle_id", "action", "batch_id"),
             "organization_id, bundle_id"),
    Coverage("grid_hourly", ("organization_id", *HOURLY, "batch_id"),
             "organization_id, facility_id, market, hour"),
]  # fmt: skip
_CURRENT = (
    "SELECT {cols} FROM grid_gc_bundles b WHERE organization_id = ? AND NOT EXISTS "
    "(SELECT 1 FROM grid_gc_spent s WHERE s.organization_id = b.organization_id "
    "AND s.bundle_id = b.bundle_id)"
)


def new_batch(db: Database, org: str, actor: str, n: int) -> int:
    batch = db.next_id("batches", "batch_id")
    db.execute(
        "INSERT INTO batches (batch_id, kind, submitted_by, submitted_at, row_count, "
        "organization_id) VALUES (?, 'grid-gc', ?, ?, ?, ?)",
        [batch, actor, ledger.now(), n, org],
    )
    return batch


def insert(db: Database, org: str, bundles: list[Bundle], batch: int) -> None:
    marks = ", ".join("?" * (len(COLUMNS) + 2))
    db.executemany(
        f"INSERT INTO grid_gc_bundles (organization_id, {', '.join(COLUMNS)}, batch_id) "
        f"VALUES ({marks})",
        [(org, *astuple(b), batch) for b in bundles],
    )


def next_bundle(db: Database) -> int:
    return db.next_id("grid_gc_bundles", "bundle_id")


def spend(db: Database, org: str, bundle_id: int, action: str, batch: int) -> None:
    """Mark a bundle spent by `action` (once: the unique index refuses a second)."""
    db.execute("INSERT INTO grid_gc_spent VALUES (?, ?, ?, ?)", [org, bundle_id, action, batch])


def current(db: Database, org: str) -> list[Bundle]:
    """The organisation's current bundles (not split or spent), by id."""
    rows = db.execute(_CURRENT.format(cols=", ".join(COLUMNS)) + " ORDER BY bundle_id", [org])
    return [Bundle(*r) for r in rows]


def import_bundles(db: Database, org: str, table: pa.Table, name: str, actor: str) -> int:
    """Store the bundles of a checked import file (certificates.read_bundles) as one batch;
    refuse, with located problems and nothing stored, ids already imported by the issuer."""
    rows = table.to_pylist()
    with db.write():
        held = db.execute(
            "SELECT issuing_body, range_start, range_end, batch_id FROM grid_gc_bundles "
            "WHERE organization_id = ? AND parent_id IS NULL",
            [org],
        )
        problems = [
            Problem(name, r["source_row"], "range_start", f"{r['range_start']}–{r['range_end']}",
                    f"certificates already imported in batch {b}", "import each id once")
            for r in rows for body, lo, hi, b in held
            if body == r["issuing_body"] and lo <= r["range_end"] and r["range_start"] <= hi
        ]  # fmt: skip
        if problems:
            raise InputError(problems)
        batch = new_batch(db, org, actor, len(rows))
        first = next_bundle(db)
        keep = [c for c in COLUMNS if c not in ("bundle_id", "parent_id", "status", "beneficiary")]
        bundles = [Bundle(first + i, None, **{c: r[c] for c in keep}) for i, r in enumerate(rows)]
        insert(db, org, bundles, batch)
        ledger.record_batch(db, actor, "grid-gc-import", org, None, {"batch_id": batch})
    return batch


def _refuse(bundle_id: int, column: str, value: Any, problem: str, fix: str) -> InputError:
    return InputError([Problem(f"bundle {bundle_id}", None, column, str(value), problem, fix)])


def act(
    db: Database, org: str, action: str, bundle_id: int, actor: str,
    quantity: int | None = None, account: str | None = None, beneficiary: str | None = None,
) -> list[Bundle]:  # fmt: skip
    """Transfer (to `account`), cancel (for `beneficiary`) or claim `quantity` certificates of a
    current bundle (all by default), splitting it; returns the children. Refused, located and
    with nothing stored, for another organisation's or a spent bundle, a wrong status or size."""
    if action not in NEXT:
        raise _refuse(bundle_id, "action", action, "not an action", "transfer, cancel or claim")
    needs, gives = NEXT[action]
    with db.write():
        row = db.one(
            f"SELECT {', '.join(COLUMNS)} FROM grid_gc_bundles WHERE organization_id = ? "
            "AND bundle_id = ?",
            [org, bundle_id],
        )
        if row is None:
            raise _refuse(bundle_id, "bundle_id", bundle_id, "no such bundle", "list them: "
                          "openmrv grid gc list")  # fmt: skip
        b = Bundle(*row)
        spent = db.one(
            "SELECT action, batch_id FROM grid_gc_spent WHERE organization_id = ? AND "
            "bundle_id = ?",
            [org, bundle_id],
        )
        if spent is not None:
            raise _refuse(bundle_id, "bundle_id", bundle_id,
                          f"already split or spent ({spent[0]}, batch {spent[1]})",
                          "act on its current children (openmrv grid gc list)")  # fmt: skip
        if b.status != needs:
            raise _refuse(bundle_id, "status", b.status, f"a {b.status} bundle cannot be "
                          f"{action}ed", f"only a {needs} bundle can be")  # fmt: skip
        q = b.quantity if quantity is None else quantity
        if not 1 <= q <= b.quantity:
            raise _refuse(bundle_id, "quantity", q, "not between 1 and the bundle's "
                          f"{b.quantity} certificates", "a smaller quantity")  # fmt: skip
        changed: dict[str, Any] = {"status": gives}
        if action == "transfer":
            if not account:
                raise _refuse(bundle_id, "account", account, "no account to transfer to",
                              "--to ACCOUNT")  # fmt: skip
            changed["account"] = account
        if action == "cancel":
            changed["beneficiary"] = beneficiary or b.account
        batch = new_batch(db, org, actor, 1)
        spend(db, org, bundle_id, action, batch)
        children = split(b, q, next_bundle(db), **changed)
        insert(db, org, children, batch)
        ledger.record_batch(db, actor, f"grid-gc-{action}", org, None, {"batch_id": batch})
    return children


def claimed_supply(db: Database, org: str) -> pa.Table:
    """The organisation's claimed certificates as hourly supply for grid.calc: beneficiary as
    the facility, region as the market, MWh in the hour the production interval starts."""
    t = db.arrow(
        _CURRENT.format(cols="device_id AS meter_id, beneficiary AS facility_id, region AS "
                        "market, 'generation' AS kind, production_start, CAST((range_end - "
                        "range_start + 1) * face_value_wh AS DOUBLE PRECISION) / 1e6 AS mwh")
        + " AND status = 'claimed'",
        [org],
    )  # fmt: skip
    start = pc.strptime(t["production_start"], "%Y-%m-%d %H:%M:%S", "us")
    hour = pc.floor_temporal(start, unit="hour")
    return t.drop_columns("production_start").add_column(4, "hour", hour)


def store_hourly(db: Database, org: str, hourly: pa.Table, actor: str) -> int:
    """Store an accounting's hourly rows (HOURLY columns, hour as UTC text) as one batch, for
    the pages and the report; hours already stored for the facility are refused, located."""
    rows = hourly.select(list(HOURLY)).to_pylist()
    with db.write():
        have = db.execute(
            "SELECT facility_id, market, min(hour), max(hour) FROM grid_hourly WHERE "
            "organization_id = ? GROUP BY facility_id, market",
            [org],
        )
        spans = {(f, m): (lo, hi) for f, m, lo, hi in have}
        clash = {
            (r["facility_id"], r["market"]) for r in rows
            if (r["facility_id"], r["market"]) in spans
            and spans[r["facility_id"], r["market"]][0] <= r["hour"]
            <= spans[r["facility_id"], r["market"]][1]
        }  # fmt: skip
        if clash:
            raise InputError([
                Problem("hourly results", None, "facility_id", f"{f} / {m}",
                        "these hours are already stored", "store each facility-hour once")
                for f, m in sorted(clash)
            ])  # fmt: skip
        batch = new_batch(db, org, actor, len(rows))
        marks = ", ".join("?" * (len(HOURLY) + 2))
        db.executemany(
            f"INSERT INTO grid_hourly VALUES ({marks})",
            [(org, *(r[c] for c in HOURLY), batch) for r in rows],
        )
        ledger.record_batch(db, actor, "grid-hourly", org, None, {"batch_id": batch})
    return batch
