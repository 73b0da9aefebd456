"""Digests recorded before scheme v3, recomputed in Python from the raw values.

Until v3 (store/canonical.py) the store's own database computed each row's text — every
column cast to text, NULL as '\\N', joined by '|' — and its MD5; a batch's digest was SHA-256
over the concatenated MD5 hex strings in key order. Those events must verify forever, but
without asking the database to cast or hash (a macro or a function on the search path could
answer for it), so the text forms are rebuilt here exactly as each backend writes them:

- DuckDB: integers in decimal, booleans `true`/`false`, dates ISO, doubles as their shortest
  round-trip form (Python's `repr`, which DuckDB 1.x matches; a NaN keeps its sign);
- PostgreSQL with `extra_float_digits = 1` (db.PgDatabase sets it): doubles as their shortest
  round-trip digits, in exponent form (`1e+20`, `1.5e-05`) when the decimal exponent is below
  -4 or 15 and above, else plain without a trailing `.0`; `NaN`, `Infinity`. PostgreSQL's
  own shortest-digits algorithm (Ryu) writes a 17th digit for some doubles of 2^54 and above
  where Python finds 16 suffice: such a value (no activity quantity comes near) would make an
  old digest fail to verify, a false alarm, never a false pass.

tests/store/test_legacy.py holds both against the database's own casts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

NULL_TEXT = "\\N"


def _pg_float(x: float) -> str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0" if math.copysign(1, x) < 0 else "0"
    sign, digits, exp = Decimal(repr(x)).normalize().as_tuple()
    ds = "".join(map(str, digits))
    e = int(exp) + len(ds) - 1  # the decimal exponent of the first digit
    head = "-" if sign else ""
    if e < -4 or e >= 15:
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return f"{head}{mant}e{'-' if e < 0 else '+'}{abs(e):02d}"
    if e < 0:
        return f"{head}0.{'0' * (-e - 1)}{ds}"
    if len(ds) <= e + 1:
        return head + ds + "0" * (e + 1 - len(ds))
    return f"{head}{ds[: e + 1]}.{ds[e + 1 :]}"


def _duck_float(x: float) -> str:
    if math.isnan(x):  # the sign of a NaN is written
        return "-nan" if math.copysign(1, x) < 0 else "nan"
    return repr(x)


FLOAT_TEXT: dict[str, Callable[[float], str]] = {"duckdb": _duck_float, "postgresql": _pg_float}


def text(v: Any, dialect: str) -> str:
    """`COALESCE(CAST(v AS TEXT), '\\N')` as the backend `dialect` writes it."""
    if v is None:
        return NULL_TEXT
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return FLOAT_TEXT[dialect](v)
    if isinstance(v, dt.date | int | str):
        return v.isoformat() if isinstance(v, dt.date) else str(v)
    raise TypeError(f"no legacy text form for {type(v).__name__}")


def row_md5(values: Sequence[Any], dialect: str) -> str:
    """MD5 hex of a row's text (db.row_text): the columns' text joined by '|'."""
    joined = "|".join(text(v, dialect) for v in values)
    return hashlib.md5(joined.encode("utf-8"), usedforsecurity=False).hexdigest()


def digest(rows: Sequence[Sequence[Any]], dialect: str) -> str:
    """A batch digest of before v3: SHA-256 over the rows' MD5 hex, in the order given."""
    h = hashlib.sha256()
    for r in rows:
        h.update(row_md5(r, dialect).encode())
    return h.hexdigest()
