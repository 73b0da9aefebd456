"""Meter-interval files into UTC hours, with the checks that need more than one row.

A file's timestamps are read once into `start_utc` (the interval's start, UTC), whatever the
source's convention — start or end of the interval, UTC offsets or local time in a named zone
(EIA-930 pitfalls: end-of-hour stamps, local-time reporters) — and the convention is kept with
the data. Then, in one DuckDB pass: unparseable stamps, local times that do not exist or occur
twice on DST days, units that are not Wh/kWh/MWh, interval lengths that do not divide the hour
or are not aligned, duplicate intervals, overlapping intervals, gaps, and a meter reported under
two facilities or markets, each a located Problem. Nothing is returned, or stored, on any."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from openmrv import units
from openmrv.grid.problems import refuse_rows
from openmrv.grid.schema import SUPPLY_KINDS
from openmrv.grid.stamps import Convention, Source
from openmrv.ingest.columns import Schema
from openmrv.ingest.readers import RawTable
from openmrv.ingest.validate import sql_string, validate_table

__all__ = ["TO_MWH", "Convention", "Source", "check", "read"]

MINUTES = (5, 10, 15, 30, 60)
# Electricity units and their factor to MWh, from the project's units registry (pint).
TO_MWH = {u: units.factor(u, "MWh") for u in ("Wh", "kWh", "MWh")}


# Stamps with minutes but no seconds before an offset ("… 01:00-04:00") gain ":00" for DuckDB.
_TS = (
    "regexp_replace(replace(trim(timestamp), 'T', ' '), "
    "'^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2})(Z|[+-]\\d{2}(:?\\d{2})?)?$', '\\1:00\\2')"
)


def _parsed(src: Source) -> str:
    tz = sql_string(src.tz)
    return f"""
    SELECT *, CASE WHEN has_offset THEN timezone('UTC', TRY_CAST(ts AS TIMESTAMPTZ))
                   ELSE timezone('UTC', timezone({tz}, local)) END AS stamp_utc
    FROM (SELECT *, regexp_matches(ts, '(Z|[+-]\\d{{2}}(:?\\d{{2}})?)$') AS has_offset,
                 TRY_CAST(ts AS TIMESTAMP) AS local,
                 COALESCE(CAST(interval_minutes AS INTEGER), 60) AS minutes,
                 unit_factor(trim(unit)) AS to_mwh
          FROM (SELECT *, {_TS} AS ts FROM typed))"""


def _problems_sql(src: Source, keyed: str, kind: bool) -> str:
    tz = sql_string(src.tz)
    shift = "- INTERVAL (minutes) MINUTE" if src.convention is Convention.end else ""
    lt = f"timezone({tz}, timezone({tz}, local)"
    return f"""
    WITH p AS ({_parsed(src)}),
    s AS (SELECT *, stamp_utc {shift} AS start_utc FROM p),
    w AS (SELECT *, start_utc + INTERVAL (minutes) MINUTE AS end_utc,
            row_number() OVER (PARTITION BY meter_id, start_utc ORDER BY source_row) AS nth,
            min(source_row) OVER (PARTITION BY meter_id, start_utc) AS first_row,
            lag(start_utc + INTERVAL (minutes) MINUTE) OVER m AS prev_end,
            lag(source_row) OVER m AS prev_row,
            count(DISTINCT {keyed}) OVER (PARTITION BY meter_id) AS homes
          FROM s WHERE stamp_utc IS NOT NULL AND minutes IN {MINUTES}
          WINDOW m AS (PARTITION BY meter_id ORDER BY start_utc, source_row))
    SELECT source_row, 'timestamp', timestamp, 'not a date and time',
           'YYYY-MM-DD HH:MM, optionally with a UTC offset such as +01:00 or Z'
      FROM p WHERE stamp_utc IS NULL AND NOT (NOT has_offset AND local IS NOT NULL)
    UNION ALL SELECT source_row, 'timestamp', timestamp,
           'a local time that does not exist in ' || {tz} || ' (clocks go forward)',
           'give the stamp with its UTC offset, or correct the hour'
      FROM p WHERE NOT has_offset AND local IS NOT NULL AND {lt}) <> local
    UNION ALL SELECT source_row, 'timestamp', timestamp,
           'an ambiguous local time in ' || {tz} || ' (occurs twice when clocks go back)',
           'give the stamp with its UTC offset (e.g. -04:00 or -05:00), or use UTC'
      FROM p WHERE NOT has_offset AND local IS NOT NULL AND {lt}) = local
       AND (timezone({tz}, timezone({tz}, local) - INTERVAL 1 HOUR) = local
         OR timezone({tz}, timezone({tz}, local) + INTERVAL 1 HOUR) = local)
    UNION ALL SELECT source_row, 'unit', unit, 'not an electricity unit', 'Wh, kWh or MWh'
      FROM p WHERE to_mwh IS NULL
    UNION ALL SELECT source_row, 'interval_minutes', CAST(interval_minutes AS VARCHAR),
           'an interval that does not divide the hour', '5, 10, 15, 30 or 60'
      FROM p WHERE minutes NOT IN {MINUTES}
    UNION ALL SELECT source_row, 'timestamp', timestamp,
           'an interval not aligned to its length (it would straddle two hours)',
           'intervals start on a multiple of their length past the hour'
      FROM s WHERE stamp_utc IS NOT NULL AND minutes IN {MINUTES}
       AND (minute(start_utc) % minutes <> 0 OR second(start_utc) <> 0)
    UNION ALL SELECT source_row, 'timestamp', timestamp,
           'a duplicate interval (meter ' || meter_id || ', same as row ' || first_row || ')',
           'keep one reading per meter and interval'
      FROM w WHERE nth > 1
    UNION ALL SELECT source_row, 'timestamp', timestamp,
           'overlaps the interval of row ' || prev_row || ' (meter ' || meter_id || ')',
           'intervals of one meter must not overlap: check the lengths and the convention'
      FROM w WHERE nth = 1 AND prev_end > start_utc AND prev_row IS NOT NULL
       AND start_utc <> (SELECT start_utc FROM w AS x WHERE x.source_row = w.prev_row)
    UNION ALL SELECT source_row, 'timestamp', timestamp,
           'a gap: meter ' || meter_id || ' has no reading from ' || strftime(prev_end,
           '%Y-%m-%d %H:%M') || ' to ' || strftime(start_utc, '%Y-%m-%d %H:%M') || ' UTC',
           'add the missing intervals (an estimated profile, flagged as such, if not metered)'
      FROM w WHERE nth = 1 AND prev_end < start_utc
    UNION ALL SELECT source_row, 'meter_id', meter_id,
           'the meter is reported under two facilities or markets',
           'one meter belongs to one facility and one market; rename one of them'
      FROM w WHERE homes > 1 AND source_row = (SELECT min(source_row) FROM w AS y
                                               WHERE y.meter_id = w.meter_id)
    {_KIND if kind else ""}
    ORDER BY 1, 2"""


_KIND = f"""UNION ALL SELECT source_row, 'kind', kind, 'not a kind of supply',
    'one of: {", ".join(SUPPLY_KINDS)}' FROM p WHERE kind NOT IN {SUPPLY_KINDS}"""


def _unit_factor(con: duckdb.DuckDBPyConnection) -> None:
    values = ", ".join(f"({sql_string(u)}, {f!r})" for u, f in TO_MWH.items())
    con.execute(
        f"CREATE OR REPLACE MACRO unit_factor(u) AS (SELECT f FROM (VALUES {values}) AS v(k, f) "
        "WHERE lower(k) = lower(u))"
    )


def check(
    typed: pa.Table, name: str, src: Source, row_word: str = "row", kind: bool = False
) -> pa.Table:
    """The typed rows of an interval file as hourly MWh per meter (start of the hour, UTC), or
    InputError with every located problem across rows. `kind`: the supply file's column."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    _unit_factor(con)
    con.register("typed", typed)
    keyed = "facility_id || '\x1f' || market"
    refuse_rows(con, name, _problems_sql(src, keyed, kind), row_word)
    shift = "- INTERVAL (minutes) MINUTE" if src.convention is Convention.end else ""
    k = "kind, " if kind else ""
    return con.execute(
        f"SELECT meter_id, facility_id, market, {k}date_trunc('hour', stamp_utc {shift}) AS hour,"
        f" sum(value * to_mwh) AS mwh FROM ({_parsed(src)}) GROUP BY ALL ORDER BY ALL"
    ).to_arrow_table()


def read(raw: RawTable, schema: Schema, src: Source) -> pa.Table:
    """Validate a raw interval file (generic per-row rules, then the checks across rows)."""
    typed = validate_table(raw, schema)
    return check(typed, raw.name, src, raw.row_word, kind="kind" in schema.arrow_schema.names)
