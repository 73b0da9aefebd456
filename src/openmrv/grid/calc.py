"""Hourly and annual Scope 2 and the 24/7 CFE score, per facility and year, as one DuckDB
query over hourly tables (never a per-row Python loop): it runs the same on a few hours in
memory and on Parquet datasets of billions of meter-hours (benchmarks/grid_hourly.py).

Per facility f, market m, UTC hour h, with L load, P contracted clean supply in the same
market (generation + storage discharge − storage charge; a charge beyond the hour's supply is
drawn from the grid and counted as load), EF and gridCFE the hour's average grid factor (the
region's annual factor where the hour has none, flagged):

- location-based hourly  Σ L·EF;           annual  ΣL · EF_annual
- matched_h = min(P, L); excess max(0, P − L) is not carried to another hour
- market-based hourly    Σ (L − matched)·EF (the draft's hourly matching; unmatched load at
  the grid factor, as the reference's worked example does; a residual mix would replace EF)
- market-based annual    max(0, ΣL − ΣP) · EF_annual (2015 Guidance: annual volumes)
- CFE score Σ [matched + (L − matched)·gridCFE] / ΣL (PyPSA/247-cfe, Google 2021)
- hourly-matched share Σ matched / ΣL; annual volumetric match ΣP / ΣL; residual Σ(L − matched)
- below the exemption threshold: the organisation's load in the year under 5, 10 or 50 GWh."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

__all__ = ["RESULT_COLUMNS", "THRESHOLDS_GWH", "hourly_sql", "register", "scope2_sql"]

THRESHOLDS_GWH = (5.0, 10.0, 50.0)
RESULT_COLUMNS = (
    "facility_id", "market", "year", "hours", "load_mwh", "clean_supply_mwh", "matched_mwh",
    "excess_mwh", "residual_mwh", "cfe_score", "hourly_matched_share", "annual_match",
    "location_hourly_t", "location_annual_t", "market_annual_t", "market_hourly_t",
    "fallback_hours", "missing_factor_hours", "factor_sources", "org_load_gwh",
    "below_threshold",
)  # fmt: skip


def register(con: duckdb.DuckDBPyConnection, tables: Mapping[str, object]) -> None:
    """Name the inputs for the query: load and supply (meter, facility, market[, kind], hour,
    mwh), factors (region, signal, hour, ef_t_per_mwh, cfe_fraction, source, edition) and annual
    (region, year, ef_t_per_mwh, cfe_fraction, source, edition): Arrow tables or relations."""
    for name, t in tables.items():
        con.register(f"{name}_in", t)


def hourly_sql() -> str:
    """One row per facility, market and UTC hour: L, P, matched, excess and the hour's factor."""
    return """
    WITH l AS (SELECT facility_id, market, hour, sum(mwh) AS l FROM load_in GROUP BY ALL),
    p AS (SELECT facility_id, market, hour,
            sum(CASE kind WHEN 'storage_charge' THEN -mwh ELSE mwh END) AS p
          FROM supply_in GROUP BY ALL),
    j AS (SELECT facility_id, market, hour, coalesce(l, 0) + greatest(-coalesce(p, 0), 0) AS l,
            greatest(coalesce(p, 0), 0) AS p
          FROM l FULL JOIN p USING (facility_id, market, hour)),
    a AS (SELECT * FROM annual_in)
    SELECT j.facility_id, j.market, j.hour, year(j.hour) AS year, j.l, j.p,
           least(j.p, j.l) AS matched, greatest(j.p - j.l, 0) AS excess,
           coalesce(f.ef_t_per_mwh, a.ef_t_per_mwh) AS ef,
           coalesce(f.cfe_fraction, a.cfe_fraction, 0) AS grid_cfe,
           f.ef_t_per_mwh IS NULL AND a.ef_t_per_mwh IS NOT NULL AS fallback,
           a.ef_t_per_mwh AS ef_annual,
           coalesce(f.source || ', ' || f.edition, a.source || ', ' || a.edition || ' (annual)')
             AS factor_source
    FROM j
    LEFT JOIN (SELECT * FROM factors_in WHERE signal = 'average') AS f
      ON f.region = j.market AND f.hour = j.hour
    LEFT JOIN a ON a.region = j.market AND a.year = year(j.hour)"""


def scope2_sql(threshold_gwh: float) -> str:
    """The per facility-year results (RESULT_COLUMNS) over `hourly_sql`."""
    return f"""
    WITH h AS ({hourly_sql()}),
    y AS (SELECT facility_id, market, year, count(*) AS hours, sum(l) AS load_mwh,
            sum(p) AS clean_supply_mwh, sum(matched) AS matched_mwh, sum(excess) AS excess_mwh,
            sum(l - matched) AS residual_mwh,
            sum(matched + (l - matched) * grid_cfe) AS cfe_mwh,
            sum(l * ef) AS location_hourly_t, sum((l - matched) * ef) AS market_hourly_t,
            any_value(ef_annual) AS ef_annual, count(*) FILTER (WHERE fallback) AS fallback_hours,
            count(*) FILTER (WHERE ef IS NULL) AS missing_factor_hours,
            string_agg(DISTINCT factor_source, '; ' ORDER BY factor_source) AS factor_sources
          FROM h GROUP BY ALL)
    SELECT facility_id, market, year, hours, load_mwh, clean_supply_mwh, matched_mwh, excess_mwh,
           residual_mwh, cfe_mwh / nullif(load_mwh, 0) AS cfe_score,
           matched_mwh / nullif(load_mwh, 0) AS hourly_matched_share,
           clean_supply_mwh / nullif(load_mwh, 0) AS annual_match,
           CASE WHEN missing_factor_hours = 0 THEN location_hourly_t END AS location_hourly_t,
           load_mwh * ef_annual AS location_annual_t,
           greatest(load_mwh - clean_supply_mwh, 0) * ef_annual AS market_annual_t,
           CASE WHEN missing_factor_hours = 0 THEN market_hourly_t END AS market_hourly_t,
           fallback_hours, missing_factor_hours, factor_sources,
           sum(load_mwh) OVER (PARTITION BY year) / 1000 AS org_load_gwh,
           sum(load_mwh) OVER (PARTITION BY year) / 1000 < {float(threshold_gwh)!r}
             AS below_threshold
    FROM y ORDER BY facility_id, market, year"""
