"""Activity files for the store tests, and `verify` as `ledger verify` runs it."""

from __future__ import annotations

from pathlib import Path

from openmrv.combustion.schema import ACTIVITY
from openmrv.store import ledger
from tests.conftest import record, write_csv

COLS = [c.name for c in ACTIVITY.file_columns]


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


def generated_csv(path: Path, n: int, prefix: str = "R") -> Path:
    """n generated records (the benchmark's vectorised generator) as a CSV file."""
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    from benchmarks.datagen import generate

    from openmrv.ingest.readers import ROW

    table = generate(n).table.drop_columns([ROW])
    ids = pc.binary_join_element_wise(prefix, table["record_id"], "")
    pacsv.write_csv(table.set_column(0, "record_id", ids), path)
    return path


def generated_facilities(path: Path) -> Path:
    from benchmarks.datagen import FACILITIES

    FACILITIES.to_csv(path, index=False)
    return path


def verify(db, expect_head: str | None = None) -> ledger.Verification:
    """The ledger verified with every registered coverage and check (as the command does)."""
    return ledger.verify(db, expect_head=expect_head)
