"""Rows that no committed batch accounts for: found and voided before the store is written to.

Why this exists: DuckDB 1.x writes the row groups of a large insert (one or more row groups,
122,880 rows each) into the database file before the commit, and when a crash cuts the
write-ahead log inside the commit, WAL replay keeps those row groups while rolling back the
rest of the transaction: the batch row, its ledger event and the small inserts are gone, the
rows are there (docs/store.md, "Crash safety", has a reproduction of our own). PostgreSQL
never shows this state (its commit is atomic), and DuckDB 2.0 no longer does either; the
check runs on every backend all the same, because it costs one aggregate.

The torn state is recognisable: every row written under a batch carries its batch id, and the
batch row is written in the same transaction as a small insert, so rows whose batch id has no
batch row are rows of a commit that did not happen. Before the next write they are removed,
and the batch id is kept as a batch row of kind `void` with its own ledger event (recording
what was removed, with the digests of the removed rows), so the id is never used again for
other rows and `ledger verify` checks that the void batch stays empty.
"""

from __future__ import annotations

from collections.abc import Sequence

from openmrv.store import ledger
from openmrv.store.coverage import Coverage
from openmrv.store.db import Database

ACTOR = "openmrv (recovery)"


def orphans(db: Database, coverage: Sequence[Coverage] | None = None) -> dict[int, dict[str, int]]:
    """Batch id -> {table: rows} for rows whose batch has no batch row, in the tables whose
    rows carry the batch that wrote them (those the ledger digests per batch; default: the
    core's and every domain's)."""
    coverage = ledger.all_coverage() if coverage is None else coverage
    found: dict[int, dict[str, int]] = {}
    for table in (c.table for c in coverage):
        if not db.columns(table):  # a store opened with fewer migrations: not created yet
            continue
        for batch_id, n in db.execute(
            f"SELECT t.batch_id, count(*) FROM {table} t WHERE NOT EXISTS "
            "(SELECT 1 FROM batches b WHERE b.batch_id = t.batch_id) GROUP BY t.batch_id"
        ):
            found.setdefault(int(batch_id), {})[table] = int(n)
    return found


def void_orphans(db: Database, coverage: Sequence[Coverage] | None = None) -> list[int]:
    """Inside a write transaction: remove the rows no batch accounts for, keep each of their
    batch ids as a `void` batch with a ledger event; return the ids voided."""
    coverage = ledger.all_coverage() if coverage is None else coverage
    found = orphans(db, coverage)
    for batch_id, counts in sorted(found.items()):
        # What the rows were, before they go.
        removed = ledger.digests(db, batch_id, coverage=coverage)
        for table in counts:
            db.execute(f"DELETE FROM {table} WHERE batch_id = ?", [batch_id])
        rows = sum(counts.values())
        reason = (
            f"{rows:,} row(s) of batch {batch_id} without their batch row: an interrupted "
            "commit left them; removed"
        )
        db.execute(
            "INSERT INTO batches (batch_id, kind, submitted_by, submitted_at, row_count, reason) "
            "VALUES (?, 'void', ?, ?, 0, ?)",
            [batch_id, ACTOR, ledger.now(), reason],
        )
        ledger.record_batch(
            db,
            ACTOR,
            "void",
            f"batch {batch_id}",
            reason,
            {"batch_id": batch_id, "removed": removed},
            coverage,
        )
    return sorted(found)


def recover(db: Database, coverage: Sequence[Coverage] | None = None) -> list[int]:
    """Void orphan rows if there are any (a read when there are none, as on nearly every open)."""
    if not orphans(db, coverage):
        return []
    with db.write():
        return void_orphans(db, coverage)
