"""The store: versioned activity data and a tamper-evident ledger, on DuckDB or PostgreSQL."""

from __future__ import annotations

from openmrv.store.db import Busy, Database, StoreError, connect
from openmrv.store.recovery import recover
from openmrv.store.schema import migrate


def open_store(url: str | None = None, *, recovering: bool = True) -> Database:
    """Connect, bring the schema up to date and void rows an interrupted commit left
    (store/recovery.py; `recovering=False` leaves them for `ledger verify` to report)."""
    db = connect(url)
    try:
        migrate(db)
        if recovering:
            recover(db)
    except BaseException:
        db.close()
        raise
    return db


# What other packages may use: these names and the modules named.
__all__ = [
    "Busy",
    "Database",
    "StoreError",
    "connect",
    "db",
    "ingest",
    "ledger",
    "migrate",
    "open_store",
    "periods",
    "recover",
    "schema",
    "versions",
]
