"""Data-quality checks beyond the schema, reported as warnings with the ingest, and Part 98
missing-data substitution.

Warnings never stop a batch: a verifier reads them in the ingest report. They compare the
incoming batch (temp table `incoming`) with the facility's own stored history:

- outliers: a quantity more than OUTLIER times, or less than 1/OUTLIER of, the median of the
  same series (facility, source, category, fuel, kind of quantity) when at least MIN_HISTORY
  stored records exist;
- gaps in monthly coverage: months missing between a series' first and last monthly record of
  a year (a monthly record starts on the 1st and ends in the same month), for the continuous
  categories (combustion, purchased electricity and heat; not refrigerant top-ups);
- a unit switching within a series;
- a measured heating value or carbon content outside a physically plausible range.

Missing-data substitution follows 40 CFR 98.35(b)(1) for facilities in the EPA GHGRP
(programmes contains EPA_GHGRP): when a series has quality-assured measurements of HHV or
carbon content in a reporting year and a record lacks one, the substitute is the arithmetic
average of the values immediately before and after the missing period; with no earlier value,
the first value after; with no later value (yet), the last value before. The record is stored
with data_quality 'substituted' and the ingest report says which values were used.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from openmrv.ingest.validate import file_plans, temp_table
from openmrv.store.db import Database
from openmrv.store.versions import heads_sql

OUTLIER = 3.0
MIN_HISTORY = 3
SHOW = 20  # warnings of one kind listed before "... and N more"
PART98 = "EPA_GHGRP"
SUBSTITUTED = "substituted"
# Plausible ranges in canonical units (GJ per kg, per m3 of liquid, per Nm3 of gas).
HEATING_VALUE = {"mass": (0.005, 0.060), "volume": (15.0, 45.0), "gas_volume": (0.003, 0.13)}
# Carbon content: kg C per GJ, fraction of mass, kg C per m3 of liquid.
CARBON = {"energy": (10.0, 35.0), "mass": (0.2, 1.0), "volume": (300.0, 900.0)}
HEATING_UNITS = {"mass": "GJ/kg", "volume": "GJ/m3", "gas_volume": "GJ/Nm3"}
CARBON_UNITS = {"energy": "kgC/GJ", "mass": "kgC/kg", "volume": "kgC/m3"}
SERIES = "facility_id, COALESCE(source_id, '') AS source, category, COALESCE(fuel, '') AS fuel"


def _stage(db: Database, batch_id: int) -> None:
    """Two small temp tables the checks share, so none of them joins the whole batch again:
    `quality_series`, the incoming batch's distinct series and years, and `quality_history`,
    the stored current, non-deleted versions of its facilities' other records (the batch's
    own rows, already inserted, are left out before looking for heads: far fewer to group)."""
    for table in ("quality_series", "quality_history"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    db.execute(f"CREATE TEMP TABLE quality_series AS SELECT DISTINCT {SERIES}, year FROM incoming")
    heads = heads_sql(
        f"batch_id <> {int(batch_id)} AND facility_id IN (SELECT facility_id FROM quality_series)"
    )
    db.execute(
        f"CREATE TEMP TABLE quality_history AS SELECT {HISTORY} FROM ({heads}) h WHERE NOT deleted "
        "AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.organization_id = h.organization_id "
        "AND i.record_id = h.record_id)"
    )


HISTORY = (
    "facility_id, source_id, category, fuel, qty_kind, qty, unit, year, period_start, period_end"
)


def _limited(lines: Iterable[str], total: int) -> list[str]:
    out = list(lines)
    if total > len(out):
        out.append(f"… and {total - len(out)} more of the kind above")
    return out


def warnings(db: Database, batch_id: int) -> list[str]:
    """The warnings for the batch being ingested (its rows: the view `incoming`)."""
    _stage(db, batch_id)
    return outliers(db) + monthly_gaps(db) + unit_switches(db) + implausible(db)


def outliers(db: Database) -> list[str]:
    sql = (
        f"WITH hist AS (SELECT {SERIES}, qty_kind, qty FROM quality_history "
        "WHERE qty IS NOT NULL), "
        "stats AS (SELECT facility_id, source, category, fuel, qty_kind, count(*) AS n, "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY qty) AS med FROM hist "
        "GROUP BY facility_id, source, category, fuel, qty_kind) "
        "SELECT i.record_id, i.quantity, i.unit, s.med, s.n, i.qty FROM incoming i JOIN stats s "
        "ON s.facility_id = i.facility_id AND s.source = COALESCE(i.source_id, '') "
        "AND s.category = i.category AND s.fuel = COALESCE(i.fuel, '') "
        "AND s.qty_kind = i.qty_kind "
        f"WHERE s.n >= {MIN_HISTORY} AND s.med > 0 AND (i.qty > {OUTLIER} * s.med "
        f"OR i.qty < s.med / {OUTLIER}) ORDER BY i.record_id"
    )
    rows = db.execute(sql)
    return _limited(
        (
            f"record {r[0]}: quantity {r[1]:g} {r[2]} is {r[5] / r[3]:.2g} times the median "
            f"of its {r[4]} stored records (outlier against the facility's own history)"
            for r in rows[:SHOW]
        ),
        len(rows),
    )


def monthly_gaps(db: Database) -> list[str]:
    monthly = (
        "category IN ('stationary_combustion', 'mobile_combustion', 'purchased_electricity', "
        "'purchased_heat') AND extract(day FROM period_start) = 1 AND "
        "extract(month FROM period_end) = extract(month FROM period_start) AND "
        "extract(year FROM period_end) = year"
    )
    sql = (
        f"WITH both_ AS (SELECT DISTINCT {SERIES}, year, CAST(extract(month FROM period_start) "
        f"AS INTEGER) AS m FROM incoming WHERE {monthly} UNION ALL SELECT {SERIES}, year, "
        f"CAST(extract(month FROM period_start) AS INTEGER) FROM quality_history WHERE {monthly}) "
        "SELECT facility_id, source, category, fuel, year, string_agg(DISTINCT CAST(m AS TEXT), "
        "',') FROM both_ WHERE (facility_id, source, category, fuel, year) IN (SELECT "
        "facility_id, source, category, fuel, year FROM quality_series) "
        "GROUP BY facility_id, source, category, fuel, year ORDER BY 1, 2, 3, 4, 5"
    )
    lines = []
    for fac, source, category, fuel, year, months in db.execute(sql):
        have = sorted({int(m) for m in months.split(",")})
        missing = [m for m in range(have[0], have[-1] + 1) if m not in have]
        if missing:
            what = " ".join(x for x in (fac, source, category, fuel) if x)
            gaps = ", ".join(f"{year}-{m:02d}" for m in missing)
            lines.append(f"{what}: no record for {gaps} (gap in monthly coverage)")
    return _limited(lines[:SHOW], len(lines))


def unit_switches(db: Database) -> list[str]:
    sql = (
        f"WITH both_ AS (SELECT {SERIES}, unit FROM incoming UNION SELECT {SERIES}, unit "
        "FROM quality_history) SELECT facility_id, source, category, fuel, "
        "string_agg(DISTINCT unit, ', ' ORDER BY unit) FROM both_ "
        "WHERE (facility_id, source, category, fuel) "
        "IN (SELECT facility_id, source, category, fuel FROM quality_series) "
        "GROUP BY facility_id, source, category, fuel HAVING count(DISTINCT unit) > 1 "
        "ORDER BY 1, 2, 3, 4"
    )
    rows = db.execute(sql)
    return _limited(
        (
            f"{' '.join(x for x in r[:4] if x)}: the unit switches between periods ({r[4]}); "
            "check that the quantities were converted"
            for r in rows[:SHOW]
        ),
        len(rows),
    )


def _range_sql(value: str, per: str, ranges: dict[str, tuple[float, float]]) -> str:
    return " OR ".join(
        f"({per} = '{k}' AND ({value} < {lo} OR {value} > {hi}))" for k, (lo, hi) in ranges.items()
    )


def implausible(db: Database) -> list[str]:
    checks = (
        ("heating value (HHV)", "hhv", "qty_kind", HEATING_VALUE, HEATING_UNITS),
        ("heating value (NCV)", "ncv", "qty_kind", HEATING_VALUE, HEATING_UNITS),
        ("carbon content", "carbon_content", "carbon_content_per", CARBON, CARBON_UNITS),
    )
    parts = []
    for label, col, per, ranges, units in checks:
        unit = "CASE " + " ".join(f"WHEN {per} = '{k}' THEN '{u}'" for k, u in units.items())
        parts.append(
            f"SELECT record_id, '{label}' AS what, {col} AS v, {unit} END AS u FROM incoming "
            f"WHERE {col} IS NOT NULL AND ({_range_sql(col, per, ranges)})"
        )
    rows = db.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2")
    return _limited(
        (
            f"record {r[0]}: {r[1]} {r[2]:.4g} {r[3]} is outside the plausible range for the "
            "fuel; check the value and its unit"
            for r in rows[:SHOW]
        ),
        len(rows),
    )


def substitute_missing(
    db: Database,
    engine: duckdb.DuckDBPyConnection,
    facilities: dict[str, tuple[str, str | None]],
) -> list[str]:
    """Fill missing HHV / carbon content of Part 98 facilities per 40 CFR 98.35(b)(1): define
    the engine's view `batch_rows`, the validated rows (`typed`) with the substitutes; return
    one report line per substituted value. `facilities`: id -> (organisation, programmes)."""
    engine.execute("CREATE OR REPLACE TEMP VIEW batch_rows AS SELECT * FROM typed")
    ids = sorted(f for f, (_, p) in facilities.items() if p and PART98 in p.upper())
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    cols = (
        "record_id, facility_id, COALESCE(source_id, '') AS source, fuel, year, period_start, "
        "hhv, carbon_content, carbon_content_per, data_quality"
    )
    where = f"category = 'stationary_combustion' AND facility_id IN ({marks})"
    with file_plans(engine):
        inc = engine.execute(f"SELECT {cols} FROM typed WHERE {where}", ids).df()
    if inc.empty or not (inc.hhv.isna() | inc.carbon_content.isna()).any():
        return []
    hist = db.arrow(
        f"SELECT {cols}, organization_id FROM ({_history_of(where)}) x", [*ids, *ids]
    ).to_pandas()
    # The incoming records' stored versions are left out: the same organisation's record ids.
    orgs = inc.facility_id.map(lambda f: facilities[f][0])
    incoming = set(zip(orgs, inc.record_id, strict=True))
    hist = hist[[k not in incoming for k in zip(hist.organization_id, hist.record_id, strict=True)]]
    rows = pd.concat([hist.assign(incoming=False), inc.assign(incoming=True)], ignore_index=True)
    rows["period_start"] = pd.to_datetime(rows.period_start)
    lines: list[str] = []
    updates: dict[str, list[tuple]] = {"hhv": [], "carbon_content": []}
    for _, g in rows.groupby(["facility_id", "source", "fuel", "year"], dropna=False):
        for param, label in (("hhv", "HHV"), ("carbon_content", "carbon content")):
            measured = g[g[param].notna() & (g.data_quality != SUBSTITUTED)]
            measured = measured.sort_values("period_start")
            if measured.empty:
                continue
            for r in g[g[param].isna() & g.incoming].itertuples():
                before = measured[measured.period_start < r.period_start].tail(1)
                after = measured[measured.period_start > r.period_start].head(1)
                if len(before) and len(after):
                    value = (before[param].iloc[0] + after[param].iloc[0]) / 2
                    how = "average of the values immediately before and after"
                    src = pd.concat([before, after])
                elif len(after):
                    value, how, src = after[param].iloc[0], "first value after (none before)", after
                else:
                    value, how, src = (
                        before[param].iloc[0],
                        "last value before (none after)",
                        before,
                    )
                per = src.carbon_content_per.iloc[0] if param == "carbon_content" else None
                updates[param].append((float(value), per, r.record_id))
                months = " and ".join(d.strftime("%Y-%m") for d in src.period_start)
                lines.append(
                    f"record {r.record_id}: {label} missing; substituted {value:.6g} (canonical), "
                    f"the {how} ({months}), per 40 CFR 98.35(b)(1); stored as '{SUBSTITUTED}'"
                )
    if lines:
        _substitute(engine, updates)
    return lines


def _substitute(engine: duckdb.DuckDBPyConnection, updates: dict[str, list[tuple]]) -> None:
    """Redefine `batch_rows` with the substituted values, marked as such."""
    subs: dict[str, list] = {}
    for v, _, rid in updates["hhv"]:
        subs.setdefault(rid, [rid, None, None, None])[1] = v
    for v, per, rid in updates["carbon_content"]:
        subs.setdefault(rid, [rid, None, None, None])[2:] = [v, per]
    df = pd.DataFrame(list(subs.values()), columns=["record_id", "hhv", "cc", "cc_per"])
    types = {"record_id": "string", "hhv": "float64", "cc": "float64", "cc_per": "string"}
    temp_table(engine, "substitutes", df.astype(types))
    engine.execute(
        "CREATE OR REPLACE TEMP VIEW batch_rows AS SELECT t.* REPLACE ("
        "COALESCE(s.hhv, t.hhv) AS hhv, COALESCE(s.cc, t.carbon_content) AS carbon_content, "
        "CASE WHEN s.cc IS NULL THEN t.carbon_content_per ELSE s.cc_per END "
        "AS carbon_content_per, "
        f"CASE WHEN s.record_id IS NULL THEN t.data_quality ELSE '{SUBSTITUTED}' END "
        "AS data_quality) FROM typed t LEFT JOIN substitutes s ON s.record_id = t.record_id"
    )


def _history_of(where: str) -> str:
    return f"SELECT * FROM ({heads_sql(where)}) h WHERE NOT deleted AND {where}"
