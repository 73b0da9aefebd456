"""Content hashes of tables and datasets, independent of row order and of how they are stored.

A run records the hash of its input and of its results. Both are computed by DuckDB in one
streaming pass: every row is hashed (all columns, in schema order) and the row hashes are summed
as 128-bit integers, so the hash does not depend on row order, chunking, file layout or the
engine that wrote the rows, and needs no sort and no memory beyond a few numbers. The schema
(names and types) is hashed too. DuckDB's row hash is stable for a given DuckDB version, which
the run metadata records.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def content_hash(
    source: pa.Table | str | Path, con: duckdb.DuckDBPyConnection | None = None
) -> str:
    """sha256 over the schema, the row count and the sum of row hashes of `source`: an Arrow
    table, or a Parquet file, directory (hive-partitioned included) or glob."""
    own = con is None
    con = con or duckdb.connect()
    try:
        if isinstance(source, pa.Table):
            rel = con.from_arrow(source)
        else:
            rel = con.read_parquet(parquet_glob(source), hive_partitioning=True)
        cols = sorted(rel.columns)
        types = dict(zip(rel.columns, map(str, rel.types), strict=True))
        row = ", ".join(_quote(c) for c in cols)
        n, total = rel.aggregate(f"count(*), sum(hash({row})::HUGEINT)").fetchone()
    finally:
        if own:
            con.close()
    text = repr([(c, types[c]) for c in cols]) + f"|{n}|{total or 0}"
    return hashlib.sha256(text.encode()).hexdigest()


def parquet_glob(path: str | Path) -> str:
    p = Path(path)
    return str(p / "**" / "*.parquet") if p.is_dir() else str(path)
