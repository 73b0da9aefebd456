"""One unambiguous byte encoding of a stored row, computed in Python from the raw values.

Why: a digest the database computes (its `md5`, its casts to text) can be redefined by whoever
controls the database — a `CREATE MACRO md5` in a DuckDB file, a `public.md5` ahead of
`pg_catalog` on PostgreSQL's search path — and text forms join values with separators that a
value can contain, and render NULL like the text `\\N`. A verifier that trusts nothing it checks
reads the raw values and encodes them itself:

- each value is a type tag and its bytes, length-prefixed: NULL is its own tag, so it differs
  from every string, and no value can run into the next;
- numbers are encoded exactly (integers in decimal, floats by their IEEE-754 bits), booleans,
  dates and times in ISO form, text as UTF-8;
- a row is its column count and its values in column order.

The encoding is the input of SHA-256 (`row_hash`); it never needs to be parsed back.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import struct
from collections.abc import Iterable, Sequence
from typing import Any

NULL, TRUE, FALSE = b"N", b"T", b"F"


def _tagged(tag: bytes, body: bytes) -> bytes:
    return tag + struct.pack(">I", len(body)) + body


def value(v: Any) -> bytes:
    """The bytes of one value, with its type tag and length."""
    if v is None:
        return NULL
    if isinstance(v, bool):
        return TRUE if v else FALSE
    if isinstance(v, int):
        return _tagged(b"i", str(v).encode())
    if isinstance(v, float):
        return _tagged(b"f", struct.pack(">d", v))
    if isinstance(v, decimal.Decimal):
        return _tagged(b"d", str(v.normalize()).encode())
    if isinstance(v, str):
        return _tagged(b"s", v.encode("utf-8"))
    if isinstance(v, bytes | bytearray | memoryview):
        return _tagged(b"b", bytes(v))
    if isinstance(v, dt.datetime):
        return _tagged(b"t", v.isoformat().encode())
    if isinstance(v, dt.date):
        return _tagged(b"D", v.isoformat().encode())
    raise TypeError(f"no canonical encoding for {type(v).__name__}")


def row(values: Sequence[Any]) -> bytes:
    """The bytes of a row: its column count, then each value."""
    return struct.pack(">I", len(values)) + b"".join(value(v) for v in values)


def row_hash(values: Sequence[Any]) -> bytes:
    return hashlib.sha256(row(values)).digest()


def rows_digest(rows: Iterable[Sequence[Any]]) -> str:
    """Hex SHA-256 over the rows' hashes, in the order given (callers fix the order)."""
    h = hashlib.sha256()
    for r in rows:
        h.update(row_hash(r))
    return h.hexdigest()
