"""Activity files for the store tests."""

from __future__ import annotations

from pathlib import Path

from openmrv.ingest.schema import ACTIVITY
from tests.conftest import record, write_csv

COLS = [c.name for c in ACTIVITY]


def coal(record_id: str, month: int = 1, quantity: float = 100, **kw) -> dict[str, object]:
    """A monthly coal record of the US plant."""
    end = {2: 29, 4: 30, 6: 30, 9: 30, 11: 30}.get(month, 31)
    return (
        record(
            record_id=record_id,
            period_start=f"2024-{month:02d}-01",
            period_end=f"2024-{month:02d}-{end}",
            fuel="bituminous_coal",
            quantity=quantity,
            unit="short ton",
            source_id="B1",
        )
        | kw
    )


def activity(path: Path, *rows: dict[str, object]) -> Path:
    return write_csv(path, list(rows), COLS)


def count(db, table: str = "activity_records") -> int:
    return int(db.scalar(f"SELECT count(*) FROM {table}"))
