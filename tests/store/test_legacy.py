"""Digests recorded before scheme v3 were the database's own text forms: store/legacy.py
rebuilds them in Python. Held here against each database's own casts (as the digests of
before used them: CAST(x AS TEXT), NULL as '\\N')."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from openmrv.store import legacy
from openmrv.store.db import connect

# PostgreSQL's Ryu writes a 17th digit for some doubles of 2^54 and above (store/legacy.py).
doubles = st.floats(allow_nan=True, allow_infinity=True).filter(
    lambda x: math.isnan(x) or math.isinf(x) or abs(x) < 2**53
)
values = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), doubles,
                   st.text().filter(lambda s: "\x00" not in s), st.dates())  # fmt: skip
SQL_TYPE = {bool: "BOOLEAN", int: "BIGINT", float: "DOUBLE PRECISION", str: "TEXT",
            dt.date: "DATE"}  # fmt: skip


def cast(db, v):
    if v is None:
        return db.scalar("SELECT COALESCE(CAST(NULL AS TEXT), '\\N')")
    return db.scalar(f"SELECT CAST(CAST(? AS {SQL_TYPE[type(v)]}) AS TEXT)", [v])


def test_text_forms_are_the_databases(store_url):
    db = connect(store_url)
    try:

        @settings(max_examples=300, deadline=None)
        @given(values)
        def check(v):
            assert legacy.text(v, db.kind) == cast(db, v), v

        check()
        for v in (0.0, -0.0, 1e15, 1e16, 1e-5, 123456789012345.6, 1e20, 5e-324):
            assert legacy.text(v, db.kind) == cast(db, v), v
    finally:
        db.close()
