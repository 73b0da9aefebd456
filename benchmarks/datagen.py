"""Generated activity records for benchmarks and scale tests, shaped like real submissions.

`generate` makes raw records (all text, as a reader produces them) vectorised with a fixed seed.
Sixty US and Chinese facilities; coal, natural gas, diesel and fuel oil combustion, mobile
diesel, purchased electricity and refrigerants; fuel names and units spelled as submissions
spell them (EPA's printed names and Chinese ones: 烟煤, 天然气, 柴油; 吨, 千克, 万立方米, 升,
gal, L, short tons, scf, therms…); meter-read-cycle periods (each facility reads on its own day:
the 1st to the month's end, or the 7th, 15th or 21st to the day before the next month's —
periods of 28 to 31 days); about five thousand distinct kinds of record. A share of the
combustion records of measurable kinds (`measured`, default 16 %: about 6 % of all records)
carry measured
parameters the way plants report them: Chinese coal with a monthly NCV, carbon content per GJ
and oxidation rate, US coal with a measured HHV (Part 98 Tier 2) or CEMS CO2 (Tier 4), gas
with a measured HHV or carbon content and molecular weight (Tier 3), oil with a carbon content
per gallon.

`validated` writes N validated records as a Parquet dataset: one block of up to 1M records goes
through the real validation, larger N repeat that block with new record ids and source rows
(DuckDB, streaming), so 100M records need no 100M-row validation in memory.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from openmrv.combustion.schema import ACTIVITY
from openmrv.ingest.readers import ROW, RawTable
from openmrv.ingest.validate import validate_activity, validate_facilities

BLOCK = 1_000_000
MEASURED_SHARE = 0.16  # of records of measurable kinds: about 6 % of all records
US_STATES = [
    ("AZ", "AZNM"), ("WY", "RMPA"), ("WA", "NWPP"), ("TX", "ERCT"), ("CA", "CAMX"),
    ("NY", "NYUP"), ("PA", "RFCE"), ("GA", "SRSO"), ("OH", "RFCW"), ("IL", "SRMW"),
]  # fmt: skip
CN_PROVINCES = ["JS", "SD", "BJ", "GD", "ZJ", "HE", "HA", "SX", "NM", "SC"]
SECTORS = ["manufacturing_construction", "energy_industries", "commercial_institutional"]
READ_DAYS = [1, 7, 15, 21]  # the day each facility's meters are read (1: calendar months)
CYCLES = 11  # read cycles per facility, all within 2024
# Per country: (category, fuel as spelled, unit as spelled, typical quantity, measurement).
US_KINDS = [
    ("stationary_combustion", "bituminous_coal", "short ton", 20_000, "hhv_coal"),
    ("stationary_combustion", "Bituminous", "short tons", 15_000, "cems"),
    ("stationary_combustion", "natural_gas", "scf", 5e6, "hhv_gas"),
    ("stationary_combustion", "Natural gas (Weighted U.S. Average)", "Mscf", 5e3, "cc_gas"),
    ("stationary_combustion", "Natural Gas", "therms", 50_000, ""),
    ("stationary_combustion", "diesel", "gal", 500, "cc_oil"),
    ("stationary_combustion", "Distillate Fuel Oil No. 2", "gallons", 800, ""),
    ("stationary_combustion", "Residual Fuel Oil No. 6", "bbl", 40, ""),
    ("mobile_combustion", "diesel", "gal", 800, ""),
    ("purchased_electricity", "", "MWh", 3000, ""),
    ("refrigerant", "R-410A", "kg", 10, ""),
]
CN_KINDS = [
    ("stationary_combustion", "烟煤", "吨", 20_000, "ncv_coal"),
    ("stationary_combustion", "bituminous_coal", "t", 20_000, "ncv_coal"),
    ("stationary_combustion", "无烟煤", "千克", 5e6, ""),
    ("stationary_combustion", "天然气", "万立方米", 10, "ncv_gas"),
    ("stationary_combustion", "natural_gas", "10^4 Nm3", 10, ""),
    ("stationary_combustion", "柴油", "吨", 50, ""),
    ("stationary_combustion", "diesel", "L", 60_000, ""),
    ("stationary_combustion", "柴油", "升", 60_000, ""),
    ("mobile_combustion", "柴油", "L", 3_000, ""),
    ("purchased_electricity", "", "MWh", 5000, ""),
]
# Measured columns per measurement: (column, unit column, unit, low, high), a value ~ U(low, high)
# (CEMS CO2 and carbon mass per record are per unit of quantity: multiplied by it).
MEASURED = {
    "hhv_coal": [("hhv", "hhv_unit", "mmBtu/short ton", 23.0, 26.5)],
    "cems": [("measured_co2_t", "", "", 2.0, 2.4)],
    "hhv_gas": [("hhv", "hhv_unit", "mmBtu/scf", 1.01e-3, 1.06e-3)],
    "cc_gas": [
        ("carbon_content", "carbon_content_unit", "kgC/kg", 0.70, 0.75),
        ("molecular_weight", "", "", 16.5, 17.8),
    ],
    "cc_oil": [("carbon_content", "carbon_content_unit", "kgC/gal", 2.70, 2.85)],
    "ncv_coal": [
        ("ncv", "ncv_unit", "GJ/t", 19.0, 25.0),
        ("carbon_content", "carbon_content_unit", "tC/GJ", 0.0250, 0.0275),
        ("oxidation_factor", "", "", 0.97, 0.995),
    ],
    "ncv_gas": [("ncv", "ncv_unit", "GJ/10^4 Nm3", 380.0, 395.0)],
}
MEASURED_COLUMNS = ["hhv", "hhv_unit", "ncv", "ncv_unit", "carbon_content", "carbon_content_unit",
                    "oxidation_factor", "molecular_weight", "measured_co2_t"]  # fmt: skip


def _facilities() -> pd.DataFrame:
    rows = []
    for i in range(30):
        st, grid = US_STATES[i % len(US_STATES)]
        rows.append((f"US{i:02d}", "US", f"US-{st}", grid, SECTORS[i % 3]))
        rows.append((f"CN{i:02d}", "CN", f"CN-{CN_PROVINCES[i % 10]}", "", SECTORS[i % 3]))
    df = pd.DataFrame(rows, columns=["facility_id", "country", "state_province", "grid_region",
                                     "ipcc_sector"])  # fmt: skip
    return df.assign(organization_id="ORG", name=lambda d: "Facility " + d.facility_id)


FACILITIES = _facilities()


def kinds() -> pd.DataFrame:
    """Every facility with every kind of record of its country: the catalogue records draw on."""
    parts = []
    for country, table in (("US", US_KINDS), ("CN", CN_KINDS)):
        k = pd.DataFrame(table, columns=["category", "fuel", "unit", "qty", "measure"])
        fac = FACILITIES[FACILITIES.country == country][["facility_id"]]
        parts.append(fac.merge(k, how="cross"))
    out = pd.concat(parts, ignore_index=True)
    fac_no = out.facility_id.str[2:].astype(int).to_numpy()
    out["read_day"] = np.array(READ_DAYS)[fac_no % len(READ_DAYS)]
    return out


def _periods(read_day: np.ndarray, cycle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Meter-read cycle `cycle` (0-based) of 2024 for facilities reading on `read_day`: from
    the read day of month cycle + 1 to the day before the next month's (the month's end for
    day 1)."""
    start = pd.to_datetime(pd.DataFrame({"year": 2024, "month": cycle + 1, "day": read_day}))
    nxt = pd.to_datetime(pd.DataFrame({"year": 2024, "month": cycle + 2, "day": read_day}))
    end = nxt - pd.Timedelta(days=1)
    return start.dt.strftime("%Y-%m-%d").to_numpy(str), end.dt.strftime("%Y-%m-%d").to_numpy(str)


def generate(n: int, seed: int = 7, measured: float = MEASURED_SHARE, mix: str = "all") -> RawTable:
    """n activity records as the all-text table a reader produces; `measured` is the share of
    records of measurable kinds that carry measured parameters; `mix` "measurable" draws from
    those kinds only (so that measured = 1 gives a dataset of measured records only)."""
    rng = np.random.default_rng(seed)
    cat = kinds()
    if mix == "measurable":
        cat = cat[cat.measure != ""].reset_index(drop=True)
    k = rng.integers(0, len(cat), n)
    pick = cat.iloc[k].reset_index(drop=True)
    cycle = rng.integers(0, CYCLES, n)
    start, end = _periods(pick.read_day.to_numpy(), cycle)
    qty = pick.qty.to_numpy(float) * rng.uniform(0.5, 1.5, n)
    cols: dict[str, object] = {
        "record_id": np.char.add("R", np.arange(n).astype(str)),
        "facility_id": pick.facility_id.to_numpy(str),
        "period_start": start,
        "period_end": end,
        "category": pick.category.to_numpy(str),
        "fuel": pick.fuel.to_numpy(str),
        "quantity": np.round(qty, 3).astype(str),
        "unit": pick.unit.to_numpy(str),
    }
    values = {c: np.full(n, None, dtype=object) for c in MEASURED_COLUMNS}
    is_measured = (pick.measure.to_numpy(str) != "") & (rng.random(n) < measured)
    for name, params in MEASURED.items():
        m = is_measured & (pick.measure.to_numpy(str) == name)
        for col, unit_col, unit, lo, hi in params:
            v = rng.uniform(lo, hi, m.sum())
            if col == "measured_co2_t":
                v = v * qty[m]
            values[col][m] = np.char.mod("%.6g", v)
            if unit_col:
                values[unit_col][m] = unit
    table = pa.table(
        {
            **cols,
            **{c: pa.array(v, pa.string()) for c, v in values.items()},
            ROW: np.arange(2, n + 2),
        }
    )
    return RawTable("generated.csv", table, "row")


def facilities() -> pd.DataFrame:
    text = pa.table({c: FACILITIES[c].astype(str) for c in FACILITIES.columns})
    rows = pa.array(range(2, len(FACILITIES) + 2))
    return validate_facilities(RawTable("facilities.csv", text.append_column(ROW, rows), "row"))


def validated(n: int, out: Path, measured: float = MEASURED_SHARE, mix: str = "all") -> Path:
    """Write n validated records to the folder `out` (Parquet files); return it."""
    out.mkdir(parents=True, exist_ok=True)
    fac = facilities()
    raw = generate(min(n, BLOCK), measured=measured, mix=mix)
    block = validate_activity(raw, set(fac.facility_id), schema=ACTIVITY).table
    if n <= BLOCK:
        pq.write_table(block, out / "part-0.parquet")
        return out
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.register("block", block)
    copies = -(-n // BLOCK)
    con.execute(
        f"""COPY (SELECT * REPLACE (i * {BLOCK} + source_row AS source_row,
                   'R' || (i * {BLOCK} + source_row) AS record_id)
            FROM block CROSS JOIN range({copies}) r(i)
            WHERE i * {BLOCK} + source_row - 2 < {n})
        TO '{out}' (FORMAT parquet, PER_THREAD_OUTPUT true, OVERWRITE_OR_IGNORE true)"""
    )
    return out
