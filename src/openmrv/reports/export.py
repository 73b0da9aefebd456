"""Write results, the rows not computed, and run metadata; atomically, so a failed run leaves
nothing behind and a reader never sees half a file."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from openmrv.engine import RunResult

FORMATS = (".csv", ".parquet", ".json")


def _atomic(path: Path, write: Callable[[Path], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(table: pa.Table, path: Path) -> None:
    """Write an Arrow table as CSV, Parquet or JSON (records), chosen by the file suffix."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        _atomic(path, lambda p: pacsv.write_csv(table, p))
    elif suffix == ".parquet":
        _atomic(path, lambda p: pq.write_table(table, p))
    elif suffix == ".json":
        rows = table.to_pandas().to_json(orient="records", date_format="iso", force_ascii=False)
        _atomic(path, lambda p: p.write_text(rows, encoding="utf-8"))
    else:
        raise ValueError(f"unsupported output format {suffix!r}; use one of {', '.join(FORMATS)}")


def companion(path: Path, tag: str, suffix: str) -> Path:
    return path.with_name(f"{path.stem}.{tag}{suffix}")


def write_run(run: RunResult, path: Path) -> list[Path]:
    """Results at `path`; rows not computed and run metadata beside it."""
    if path.suffix.lower() not in FORMATS:
        raise ValueError(
            f"unsupported output format {path.suffix!r}; use one of {', '.join(FORMATS)}"
        )
    skipped = companion(path, "skipped", ".csv")
    meta = companion(path, "run", ".json")
    write_table(run.results, path)
    write_table(run.skipped, skipped)
    _atomic(meta, lambda p: p.write_text(json.dumps(run.meta, indent=2, ensure_ascii=False)))
    return [path, skipped, meta]
