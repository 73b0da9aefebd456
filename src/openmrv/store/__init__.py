"""The store: versioned activity data and a tamper-evident ledger, on DuckDB or PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence

from openmrv.store.coverage import Coverage
from openmrv.store.db import Busy, Database, StoreError, connect
from openmrv.store.ledger import COVERAGE
from openmrv.store.recovery import recover
from openmrv.store.schema import Migration, core_migrations, migrate


def open_store(
    url: str | None = None,
    *,
    recovering: bool = True,
    migrations: Sequence[Migration] | None = None,
    coverage: Sequence[Coverage] = COVERAGE,
) -> Database:
    """Connect, bring the schema up to date with `migrations` (default: the core's) and void
    rows an interrupted commit left in the `coverage` tables (store/recovery.py;
    `recovering=False` leaves them for `ledger verify` to report)."""
    db = connect(url)
    try:
        migrate(db, core_migrations() if migrations is None else migrations)
        if recovering:
            recover(db, coverage)
    except BaseException:
        db.close()
        raise
    return db


__all__ = ["Busy", "Database", "StoreError", "connect", "open_store"]
