"""EIA-930 hourly balancing-authority files (the "Six-month files" / API CSV) into hourly grid
factors: per BA and UTC hour, the generation-weighted emission rate Σ_f G_f·r_f / Σ_f G_f and
the carbon-free share Σ_clean G_f / Σ_f G_f, with G_f the net generation by fuel (negative
values — pumped storage pumping, station use at night — counted as 0) and r_f the per-fuel
rate the user gives with its source (e.g. plant rates from eGRID or CEMS: EIA-930 has MW by
fuel, not emissions). Production-based: imports are not traced (Open Grid Emissions'
consumption-based rates do that). Column layout: reference hourly-scope2-smart-grid.md §4.1.

Stamps are EIA's "UTC Time at End of Hour" (the hour before it is the factor's hour). Some BAs
stamp differently (CISO, PJM, TEPC start of hour; SC local time — Open Grid Emissions' notes):
correct those files before reading them."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from openmrv.grid.problems import refuse_rows
from openmrv.ingest.errors import InputError, Problem
from openmrv.ingest.readers import RawTable

__all__ = ["CLEAN", "FUELS", "hourly_factors"]

FUELS = (
    "Coal", "Natural Gas", "Nuclear", "All Petroleum Products", "Hydropower and Pumped Storage",
    "Solar", "Wind", "Other Fuel Sources", "Unknown Fuel Sources",
)  # fmt: skip
CLEAN = ("Nuclear", "Hydropower and Pumped Storage", "Solar", "Wind")  # carbon-free (Google)
BA, END = "Balancing Authority", "UTC Time at End of Hour"
RATE_COLUMNS = ("fuel", "co2e_kg_per_mwh", "source", "edition")
# "1/1/2025 6:00:00 AM" (six-month files), "2025-01-01 06:00[:00]", API "2025-01-01T06"
_FORMATS = "['%m/%d/%Y %I:%M:%S %p', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%dT%H']"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _mw(col: str) -> str:
    """SQL: a MW cell as a number (thousands separators dropped; blank = not reported = 0)."""
    return f"TRY_CAST(NULLIF(replace(trim(coalesce({_q(col)}, '')), ',', ''), '') AS DOUBLE)"


def _rates(raw: RawTable, fuels: list[str]) -> dict[str, tuple[float, str]]:
    """fuel -> (kg CO2e/MWh, its edition); located problems, a cited rate for every fuel."""
    missing = [c for c in RATE_COLUMNS if c not in raw.table.column_names]
    if missing:
        fix = ", ".join(RATE_COLUMNS)
        raise InputError([Problem(raw.name, None, c, None, "column missing", fix) for c in missing])
    rows = raw.table.to_pylist()
    out, problems = {}, []
    for r in rows:
        try:
            rate = float(r["co2e_kg_per_mwh"])
        except (TypeError, ValueError):
            rate = -1.0
        if rate < 0 or not (r["source"] or "").strip():
            col = "source" if rate >= 0 else "co2e_kg_per_mwh"
            problems.append(Problem(raw.name, r["_row"], col, r[col], "missing or not a rate",
                                    "kg CO2e per MWh generated, ≥ 0, with its source"))  # fmt: skip
        fuel = (r["fuel"] or "").strip()
        if fuel in out:
            problems.append(Problem(raw.name, r["_row"], "fuel", fuel, "given twice",
                                    "one rate per fuel"))  # fmt: skip
        out[fuel] = (rate, str(r["edition"]))
    problems += [
        Problem(raw.name, None, "fuel", f, "no rate for this fuel of the EIA-930 file",
                "add a row (0 for a carbon-free source)")
        for f in fuels if f not in out
    ]  # fmt: skip
    if problems:
        raise InputError(problems)
    return out


def hourly_factors(balance: RawTable, rates: RawTable) -> pa.Table:
    """The hourly factor file's rows (grid.schema.FACTORS: region, datetime_utc, signal,
    co2e_kg_per_mwh, cfe_fraction, source: the two files, edition: those of the emitting fuels'
    rates) of an EIA-930 balance file; located
    problems for stamps, non-numeric MW, a BA-hour given twice, an hour without generation."""
    cols = balance.table.column_names
    fuels = [f for f in FUELS if f"Net Generation (MW) from {f}" in cols]
    if BA not in cols or END not in cols or not fuels:
        fix = f"columns '{BA}', '{END}', 'Net Generation (MW) from <fuel>'"
        raise InputError([Problem(balance.name, None, None, None, "not an EIA-930 file", fix)])
    rate = _rates(rates, fuels)

    def gen(f: str) -> str:  # the adjusted series where the file has it
        c = f"Net Generation (MW) from {f}"
        return f"{c} (Adjusted)" if f"{c} (Adjusted)" in cols else c

    con = duckdb.connect()
    con.register("raw", balance.table)
    g = {f: f"greatest(coalesce({_mw(gen(f))}, 0), 0)" for f in fuels}
    con.execute(
        f"CREATE TEMP TABLE b AS SELECT _row, trim({_q(BA)}) AS ba, {_q(END)} AS stamp, "
        f"try_strptime(trim({_q(END)}), {_FORMATS}) - INTERVAL 1 HOUR AS hour, "
        + ", ".join(f"{g[f]} AS g{i}" for i, f in enumerate(fuels))
        + ", "
        + " OR ".join(
            f"({_mw(gen(f))} IS NULL AND trim(coalesce({_q(gen(f))}, '')) <> '')" for f in fuels
        )
        + " AS bad_mw FROM raw"
    )
    total = " + ".join(f"g{i}" for i in range(len(fuels)))
    refuse_rows(
        con,
        balance.name,
        f"""SELECT _row, '{END}', stamp, 'not a date and hour', 'M/D/YYYY H:MM:SS AM (UTC)'
              FROM b WHERE hour IS NULL
        UNION ALL SELECT _row, 'Net Generation (MW)', NULL, 'a value that is not a number',
               'MW, or blank where not reported' FROM b WHERE bad_mw
        UNION ALL SELECT _row, '{END}', stamp, 'no net generation in this hour',
               'drop the hour or fill it in' FROM b WHERE hour IS NOT NULL AND {total} = 0
        UNION ALL SELECT _row, '{BA}', ba, 'this BA and hour are given twice',
               'one row per BA and hour' FROM (SELECT *, row_number() OVER (PARTITION BY ba,
               hour ORDER BY _row) AS nth FROM b) WHERE nth > 1
        ORDER BY 1""",
        balance.row_word,
    )
    weighted = " + ".join(f"g{i} * {rate[f][0]!r}" for i, f in enumerate(fuels))
    clean = " + ".join(f"g{i}" for i, f in enumerate(fuels) if f in CLEAN) or "0"
    editions = "; ".join(sorted({rate[f][1] for f in fuels if rate[f][0] > 0}))
    return con.execute(
        f"SELECT ba AS region, strftime(hour, '%Y-%m-%d %H:%M') AS datetime_utc, 'average' AS "
        f"signal, ({weighted}) / ({total}) AS co2e_kg_per_mwh, ({clean}) / ({total}) AS "
        f"cfe_fraction, ? AS source, ? AS edition FROM b ORDER BY ba, hour",
        [
            f"EIA-930 {balance.name} (production-based) × per-fuel rates of {rates.name}",
            editions[:1000],
        ],
    ).to_arrow_table()
