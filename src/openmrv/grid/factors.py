"""Hourly grid factors from user files (a documented CSV layout, docs/grid.md, modelled on
Open Grid Emissions' hourly carbon-accounting files and Electricity Maps' CSV exports), with
source and edition on every row; average and marginal signals kept apart (only `average` enters
the inventory); annual factors as the fallback, flagged on every hour that uses one."""

from __future__ import annotations

import pyarrow as pa

from openmrv.grid.problems import refuse_rows, typed
from openmrv.grid.schema import ANNUAL, FACTORS, SIGNALS
from openmrv.ingest.readers import RawTable

__all__ = ["read_annual", "read_hourly"]


def read_hourly(raw: RawTable) -> pa.Table:
    """region, signal, hour (UTC), t CO2e/MWh, CFE share, source, edition; located problems for
    stamps that are not whole UTC hours, shares above 1 and a region-hour-signal given twice."""
    con = typed(raw, FACTORS)
    con.execute(
        "CREATE TEMP TABLE f AS SELECT *, TRY_CAST(replace(trim(datetime_utc), 'T', ' ') "
        "AS TIMESTAMP) AS hour, row_number() OVER (PARTITION BY region, signal, "
        "TRY_CAST(replace(trim(datetime_utc), 'T', ' ') AS TIMESTAMP) ORDER BY source_row) "
        "AS nth FROM typed"
    )
    refuse_rows(
        con,
        raw.name,
        "SELECT source_row, 'datetime_utc', datetime_utc, 'not the start of a UTC hour', "
        "'YYYY-MM-DD HH:00 in UTC' FROM f WHERE hour IS NULL OR date_trunc('hour', hour) <> hour "
        "UNION ALL SELECT source_row, 'cfe_fraction', CAST(cfe_fraction AS VARCHAR), "
        "'a share above 1', 'a fraction, 0.35 for 35 %' FROM f WHERE cfe_fraction > 1 "
        "UNION ALL SELECT source_row, 'datetime_utc', datetime_utc, 'this region, hour and "
        "signal are given twice', 'one factor per region, hour and signal' FROM f "
        "WHERE nth > 1 UNION ALL SELECT source_row, 'signal', signal, 'not a signal', "
        "'average (inventory) or marginal (avoided emissions)' FROM f "
        f"WHERE signal NOT IN {SIGNALS} ORDER BY 1",
    )
    return con.execute(
        "SELECT region, signal, hour, co2e_kg_per_mwh / 1000 AS ef_t_per_mwh, cfe_fraction, "
        "source, edition FROM f ORDER BY region, signal, hour"
    ).to_arrow_table()


def read_annual(raw: RawTable) -> pa.Table:
    """region, year, t CO2e/MWh, CFE share, source, edition (one row per region and year)."""
    con = typed(raw, ANNUAL)
    refuse_rows(
        con,
        raw.name,
        "SELECT source_row, 'year', CAST(year AS VARCHAR), 'this region and year are given "
        "twice', 'one annual factor per region and year' FROM (SELECT *, row_number() OVER "
        "(PARTITION BY region, year ORDER BY source_row) AS nth FROM typed) WHERE nth > 1 "
        "UNION ALL SELECT source_row, 'cfe_fraction', CAST(cfe_fraction AS VARCHAR), "
        "'a share above 1', 'a fraction, 0.35 for 35 %' FROM typed WHERE cfe_fraction > 1 "
        "ORDER BY 1",
    )
    return con.execute(
        "SELECT region, CAST(year AS INTEGER) AS year, co2e_kg_per_mwh / 1000 AS ef_t_per_mwh, "
        "cfe_fraction, source, edition FROM typed"
    ).to_arrow_table()
