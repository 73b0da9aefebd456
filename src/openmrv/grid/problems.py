"""Located problems from a checking query: every grid check across rows is one SQL query that
returns (row, column, value, problem, fix), and any row it returns refuses the whole file."""

from __future__ import annotations

import duckdb

from openmrv.ingest.columns import Schema
from openmrv.ingest.errors import InputError, Problem
from openmrv.ingest.readers import RawTable
from openmrv.ingest.validate import validate_table

__all__ = ["refuse_rows", "typed"]


def refuse_rows(con: duckdb.DuckDBPyConnection, name: str, sql: str, row_word: str = "row") -> None:
    """Raise InputError with a Problem per row `sql` returns in file `name`; nothing if none."""
    rows = con.execute(sql).fetchall()
    if rows:
        raise InputError([Problem(name, r, c, v, p, f, row_word) for r, c, v, p, f in rows])


def typed(raw: RawTable, schema: Schema) -> duckdb.DuckDBPyConnection:
    """A connection holding the file's rows checked and typed by ingest (view `typed`), for
    the checks across rows."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("typed", validate_table(raw, schema))
    return con
