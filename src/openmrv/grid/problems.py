"""Located problems from a checking query: every grid check across rows is one SQL query that
returns (row, column, value, problem, fix), and any row it returns refuses the whole file."""

from __future__ import annotations

import duckdb

from openmrv.ingest.columns import Schema
from openmrv.ingest.errors import InputError, Problem
from openmrv.ingest.readers import RawTable
from openmrv.ingest.validate import validate_table

__all__ = ["hour_interval", "refuse_rows", "typed", "utc_text"]


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


def utc_text(col: str) -> str:
    """SQL: the UTC stamp in `col` (space or T) as 'YYYY-MM-DD HH:MM:SS' text, NULL if not one."""
    return f"strftime(TRY_CAST(replace(trim({col}), 'T', ' ') AS TIMESTAMP), '%Y-%m-%d %H:%M:%S')"


def hour_interval(table: str, start: str, end: str, fix: str) -> str:
    """Check SQL over `table` (stamps as utc_text): a start that is no stamp, or an interval
    not between 1 second and 1 hour long (EnergyTag: a certificate covers at most an hour)."""
    return f"""SELECT source_row, '{start}', NULL, 'not a date and time (UTC)',
                  'YYYY-MM-DD HH:MM' FROM {table} WHERE {start} IS NULL
        UNION ALL SELECT source_row, '{end}', {end},
               'the interval is not between 1 second and 1 hour long', '{fix}'
          FROM {table} WHERE {start} IS NOT NULL AND ({end} IS NULL
           OR CAST({end} AS TIMESTAMP) <= CAST({start} AS TIMESTAMP)
           OR CAST({end} AS TIMESTAMP) - CAST({start} AS TIMESTAMP) > INTERVAL 1 HOUR)"""
