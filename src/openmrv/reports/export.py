"""Write results, the rows not computed, and run metadata; atomically, so a failed run leaves
nothing behind and a reader never sees half a file."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from openmrv.engine import RunResult
from openmrv.files import atomic_write
from openmrv.reports.coverage import by_methodology

FORMATS = (".csv", ".parquet", ".json")


def write_table(table: pa.Table, path: Path) -> None:
    """Write an Arrow table as CSV, Parquet or JSON (records), chosen by the file suffix."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        atomic_write(path, lambda p: pacsv.write_csv(table, p))
    elif suffix == ".parquet":
        atomic_write(path, lambda p: pq.write_table(table, p))
    elif suffix == ".json":
        text = json.dumps(json_rows(table), ensure_ascii=False, default=_iso)
        atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
    else:
        raise ValueError(f"unsupported output format {suffix!r}; use one of {', '.join(FORMATS)}")


def json_rows(table: pa.Table) -> list[dict[str, object]]:
    """Records with every float at full precision (shortest repr that round-trips), NaN as
    null; pandas' to_json would round to 10 decimals."""
    return [
        {k: None if isinstance(v, float) and v != v else v for k, v in row.items()}
        for row in table.to_pylist()
    ]


def _iso(v: object) -> str:
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def companion(path: Path, tag: str, suffix: str) -> Path:
    return path.with_name(f"{path.stem}.{tag}{suffix}")


def write_run(run: RunResult, path: Path, activity: pa.Table | None = None) -> list[Path]:
    """Results at `path`; rows not computed and run metadata beside it; with the activity
    table, also every record a methodology did not compute, with the reason (including records
    of categories it does not cover, which leave no row in the skipped file)."""
    if path.suffix.lower() not in FORMATS:
        raise ValueError(
            f"unsupported output format {path.suffix!r}; use one of {', '.join(FORMATS)}"
        )
    skipped = companion(path, "skipped", ".csv")
    meta = companion(path, "run", ".json")
    write_table(run.results, path)
    write_table(run.skipped, skipped)
    atomic_write(meta, lambda p: p.write_text(json.dumps(run.meta, indent=2, ensure_ascii=False)))
    written = [path, skipped, meta]
    if activity is not None:
        led = by_methodology(run.results, run.skipped, activity, tuple(run.meta["methodologies"]))
        cols = ["methodology", "record_id", "facility_id", "year", "category", "in_scope", "reason"]
        missing = led.loc[~led.included, cols]
        written.append(companion(path, "not_computed", ".csv"))
        write_table(pa.Table.from_pandas(missing, preserve_index=False), written[-1])
    return written
