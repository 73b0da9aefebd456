"""Reporting periods (a facility's calendar year) locked after verification.

A locked period refuses every change — new records, new versions, tombstones — except through
a restatement: a batch that names the period and a reason, whose ledger event records the diff
(each changed field, old and new) so a verifier sees exactly what moved after sign-off.
Each lock is a ledger event "lock" recording the lock's row; `LEDGER_CHECK` is how `ledger
verify` checks the rows of `period_locks` against those events.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from openmrv.store import ledger
from openmrv.store.coverage import Event, EventKind, Finding, LedgerCheck
from openmrv.store.db import Database, StoreError
from openmrv.store.schema import CONTENT_NAMES, SAME_RECORD
from openmrv.store.versions import current_sql

DIFF_FIELDS = tuple(c for c in CONTENT_NAMES if c != "record_id")
LOCK = EventKind("lock")
LOCK_FIELDS = ("facility_id", "year", "locked_by", "locked_at", "reason", "event_seq")


def lock(db: Database, facility_id: str, year: int, actor: str, reason: str) -> ledger.Event:
    """Lock a facility's reporting year (e.g. when its verification is signed off)."""
    with db.write():
        return lock_within(db, facility_id, year, actor, reason)


def lock_within(db: Database, facility_id: str, year: int, actor: str, reason: str) -> ledger.Event:
    """`lock` inside a write transaction the caller holds (a verification sign-off locks the
    period and records its own step in the same transaction)."""
    if not reason:
        raise StoreError('a lock needs a reason, e.g. --reason "verified by ..."')
    if not db.scalar("SELECT count(*) FROM facilities WHERE facility_id = ?", [facility_id]):
        raise StoreError(f"no such facility: {facility_id}")
    held = _lock(db, facility_id, year)
    if held:
        raise StoreError(f"{facility_id} {year} is already {held}")
    seq = db.next_id("ledger_events", "seq")
    row: dict[str, Any] = {
        "facility_id": facility_id,
        "year": year,
        "locked_by": actor,
        "locked_at": ledger.now(),
        "reason": reason,
        "event_seq": seq,
    }
    db.execute("INSERT INTO period_locks VALUES (?, ?, ?, ?, ?, ?)", list(row.values()))
    totals = db.execute(
        "SELECT count(*), COALESCE(sum(qty), 0) FROM "
        f"({current_sql('facility_id = ? AND year = ?')}) h WHERE NOT deleted",
        [facility_id, year] * 2,
    )[0]
    return ledger.append(
        db,
        actor,
        LOCK.name,
        f"{facility_id} {year}",
        reason,
        {"lock": row, "records": totals[0], "sum_qty": totals[1]},
        at=row["locked_at"],
    )


def _lock(db: Database, facility_id: str, year: int) -> str | None:
    row = db.one(
        "SELECT locked_by, locked_at, reason FROM period_locks WHERE facility_id = ? AND year = ?",
        [facility_id, year],
    )
    return None if row is None else f"locked by {row[0]} at {row[1]} ({row[2]})"


def _refusal(facility_id: str, year: int, held: str) -> StoreError:
    return StoreError(
        f"period {facility_id} {year} is {held}; its data cannot change. To correct it, "
        f'restate it: openmrv period restate {facility_id} {year} FILE --reason "...". '
        "Nothing was stored."
    )


def refuse_if_locked(db: Database, facility_id: str, year: int) -> None:
    held = _lock(db, facility_id, year)
    if held:
        raise _refusal(facility_id, year, held)


def refuse_locked(db: Database, restating: tuple[str, int] | None) -> None:
    """Refuse a staged batch (temp tables incoming and plan) that touches a locked period
    other than the one being restated."""
    hits = db.execute(
        "SELECT DISTINCT l.facility_id, l.year FROM period_locks l JOIN (SELECT facility_id, "
        "year FROM plan WHERE change <> 'same' UNION SELECT prev_facility, prev_year FROM plan "
        "WHERE change = 'changed') p ON p.facility_id = l.facility_id AND p.year = l.year "
        "ORDER BY 1, 2"
    )
    for facility_id, year in hits:
        if restating != (facility_id, year):
            raise _refusal(facility_id, year, _lock(db, facility_id, year) or "locked")
    if restating and _lock(db, *restating) is None:
        raise StoreError(
            f"{restating[0]} {restating[1]} is not locked; ingest the file normally "
            "(a restatement is for locked periods)."
        )


# Each planned record (p) with its incoming row (i) and the stored version it follows (h).
_STAGED = (
    f"plan p JOIN incoming i ON {SAME_RECORD.format(a='i', b='p')} LEFT JOIN activity_records h "
    f"ON {SAME_RECORD.format(a='h', b='p')} AND h.version = p.prev_version"
)


def diff(db: Database, period: tuple[str, int]) -> dict[str, Any]:
    """What a staged restatement changes in the period: per record, the fields old -> new."""
    facility_id, year = period
    cols = ", ".join(f"h.{c}, i.{c}" for c in DIFF_FIELDS)
    rows = db.execute(
        f"SELECT p.record_id, p.change, p.prev_version, p.version, {cols} FROM {_STAGED} "
        "WHERE p.change <> 'same' AND ((p.facility_id = ? AND p.year = ?) OR "
        "(p.prev_facility = ? AND p.prev_year = ?)) ORDER BY p.record_id",
        [facility_id, year, facility_id, year],
    )
    changes = []
    for r in rows:
        record_id, change, prev, version = r[:4]
        pairs = r[4:]
        fields = {
            f: [_plain(pairs[2 * k]), _plain(pairs[2 * k + 1])]
            for k, f in enumerate(DIFF_FIELDS)
            if change == "new" or pairs[2 * k] != pairs[2 * k + 1]
        }
        if change == "new":
            fields = {f: [None, v[1]] for f, v in fields.items() if v[1] is not None}
        changes.append(
            {"record_id": record_id, "from_version": prev, "to_version": version, "fields": fields}
        )
    before, after = db.execute(
        f"SELECT COALESCE(sum(h.qty), 0), COALESCE(sum(i.qty), 0) FROM {_STAGED} "
        "WHERE p.change <> 'same' "
        "AND p.facility_id = ? AND p.year = ?",
        [facility_id, year],
    )[0]
    return {
        "facility_id": facility_id,
        "year": year,
        "records": changes,
        "qty_before": before,
        "qty_after": after,
    }


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


def _check_lock(db: Database, e: Event, seen: set[tuple[str, int]]) -> list[str]:
    """The lock a "lock" event recorded is stored as it was recorded."""
    lock = e.data().get("lock")
    if not isinstance(lock, dict):
        return ["a lock event that records no lock"]
    seen.add((lock["facility_id"], lock["year"]))
    row = db.one(
        f"SELECT {', '.join(LOCK_FIELDS)} FROM period_locks WHERE facility_id = ? AND year = ?",
        [lock["facility_id"], lock["year"]],
    )
    if row is None or dict(zip(LOCK_FIELDS, row, strict=True)) != lock:
        return [f"lock of {lock['facility_id']} {lock['year']} differs from what was recorded"]
    return []


def _unaccounted_locks(db: Database, seen: set[tuple[str, int]]) -> list[Finding]:
    return [
        Finding(None, f"a lock of {f} {y} that no event records")
        for f, y in db.execute("SELECT facility_id, year FROM period_locks ORDER BY 1, 2")
        if (f, y) not in seen
    ]


LEDGER_CHECK: LedgerCheck[set[tuple[str, int]]] = LedgerCheck(
    "period locks",
    LOCK.name,
    _check_lock,
    _unaccounted_locks,
    tally=set,
    tables={"period_locks": "facility_id, year"},
)
