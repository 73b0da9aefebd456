"""The store: versioned activity data and a tamper-evident ledger, on DuckDB or PostgreSQL."""

from __future__ import annotations

from openmrv.store.db import Busy, Database, StoreError, connect
from openmrv.store.schema import migrate


def open_store(url: str | None = None) -> Database:
    """Connect and bring the schema up to date."""
    db = connect(url)
    try:
        migrate(db)
    except BaseException:
        db.close()
        raise
    return db


__all__ = ["Busy", "Database", "StoreError", "connect", "open_store"]
