"""The store: versioned activity data and a tamper-evident ledger, on DuckDB or PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence

from openmrv.store.coverage import Coverage
from openmrv.store.db import Busy, Database, StoreError, connect
from openmrv.store.ledger import all_coverage
from openmrv.store.recovery import recover
from openmrv.store.schema import Migration, all_migrations, migrate


def open_store(
    url: str | None = None,
    *,
    recovering: bool = True,
    migrations: Sequence[Migration] | None = None,
    coverage: Sequence[Coverage] | None = None,
) -> Database:
    """Connect, bring the schema up to date with `migrations` (default: the core's, then every
    domain's) and void rows an interrupted commit left in the `coverage` tables (default: the
    core's and the domains'; store/recovery.py; `recovering=False` leaves them for `ledger
    verify` to report)."""
    db = connect(url)
    try:
        migrate(db, all_migrations() if migrations is None else migrations)
        if recovering:
            recover(db, all_coverage() if coverage is None else coverage)
    except BaseException:
        db.close()
        raise
    return db


# What other packages may use: these names and the modules named.
__all__ = [
    "Busy",
    "Coverage",
    "Database",
    "Migration",
    "StoreError",
    "all_coverage",
    "all_migrations",
    "bundle",
    "canonical",
    "connect",
    "coverage",
    "db",
    "ingest",
    "ledger",
    "legacy",
    "merkle",
    "migrate",
    "note",
    "offline",
    "open_store",
    "periods",
    "recover",
    "schema",
    "state",
    "tlog",
    "versions",
]
