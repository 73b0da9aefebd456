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
from typing import TypeAlias

import duckdb
import pyarrow as pa


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


Piece: TypeAlias = pa.Table | str | Path


def content_hash(source: Piece, con: duckdb.DuckDBPyConnection | None = None) -> str:
    """sha256 over the schema, the row count and the sum of row hashes of `source`: an Arrow
    table, or a Parquet file, directory (hive-partitioned included) or glob. No rows at all (an
    empty table, or a folder without Parquet files) hash as "empty", whatever the schema."""
    if isinstance(source, pa.Table) and source.num_rows == 0:
        return "empty"
    if not isinstance(source, pa.Table) and not has_parquet(source):
        return "empty"
    own = con is None
    con = con or duckdb.connect()
    try:
        if isinstance(source, pa.Table):
            rel = con.from_arrow(source)
        else:
            rel = con.read_parquet(parquet_glob(source), hive_partitioning=True)
        n, total = rel.aggregate(f"count(*), {row_hash_sum(rel.columns)}").fetchall()[0]
        types = dict(zip(rel.columns, map(str, rel.types), strict=True))
    finally:
        if own:
            con.close()
    return digest(types, n, total)


def row_hash_sum(columns: list[str]) -> str:
    """The SQL aggregate summing the row hashes (all columns, in name order)."""
    return f"sum(hash({', '.join(_quote(c) for c in sorted(columns))})::HUGEINT)"


def digest(types: dict[str, str], n: int, total: int | None) -> str:
    """The content hash from the schema, the row count and the sum of row hashes (which may be
    summed in parts, e.g. per group of a GROUP BY)."""
    if not n:
        return "empty"
    text = repr(sorted(types.items())) + f"|{n}|{total or 0}"
    return hashlib.sha256(text.encode()).hexdigest()


def has_parquet(path: str | Path) -> bool:
    """A Parquet file, or a folder holding at least one (Spark writes none for no rows)."""
    p = Path(path)
    return any(p.rglob("*.parquet")) if p.is_dir() else p.exists() or "*" in str(p)


def parquet_glob(path: str | Path) -> str:
    p = Path(path)
    return str(p / "**" / "*.parquet") if p.is_dir() else str(path)
