"""Generated activity records for benchmarks and scale tests.

`generate` makes raw records (all text, as a reader produces them) vectorised with a fixed seed:
a mix of US and Chinese facilities, coal, natural gas and diesel combustion, electricity and
refrigerants. `validated` writes N validated records as a Parquet dataset: one block of up to
1M records goes through the real validation, larger N repeat that block with new record ids and
source rows (DuckDB, streaming), so 100M records need no 100M-row validation in memory.
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
FACILITIES = pd.DataFrame(
    [
        ("AZ", "US", "US-AZ", "AZNM", "manufacturing_construction"),
        ("WY", "US", "US-WY", "RMPA", "energy_industries"),
        ("WA", "US", "US-WA", "NWPP", "commercial_institutional"),
        ("JS", "CN", "CN-JS", "", "manufacturing_construction"),
        ("SD", "CN", "CN-SD", "", "energy_industries"),
        ("BJ", "CN", "CN-BJ", "", "manufacturing_construction"),
    ],
    columns=["facility_id", "country", "state_province", "grid_region", "ipcc_sector"],
).assign(organization_id="ORG", name=lambda d: "Facility " + d.facility_id)
# (facility, category, fuel, unit, typical quantity)
MIX = [
    ("WY", "stationary_combustion", "bituminous_coal", "short ton", 20_000),
    ("SD", "stationary_combustion", "bituminous_coal", "t", 20_000),
    ("AZ", "stationary_combustion", "natural_gas", "scf", 5e6),
    ("JS", "stationary_combustion", "natural_gas", "10^4 Nm3", 10),
    ("WA", "stationary_combustion", "diesel", "gal", 500),
    ("BJ", "stationary_combustion", "diesel", "t", 50),
    ("AZ", "mobile_combustion", "diesel", "gal", 800),
    ("AZ", "purchased_electricity", "", "MWh", 3000),
    ("JS", "purchased_electricity", "", "MWh", 5000),
    ("WA", "refrigerant", "R-410A", "kg", 10),
]


def generate(n: int, seed: int = 7) -> RawTable:
    """n activity records as the all-text table a reader produces."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, len(MIX), n)
    pick = np.array(MIX, dtype=object)
    month = rng.integers(1, 13, n)
    mm = np.char.zfill(month.astype(str), 2)
    qty = pick[kind, 4].astype(float) * rng.uniform(0.5, 1.5, n)
    table = pa.table(
        {
            "record_id": np.char.add("R", np.arange(n).astype(str)),
            "facility_id": pick[kind, 0].astype(str),
            "period_start": np.char.add(np.char.add("2024-", mm), "-01"),
            "period_end": np.char.add(np.char.add("2024-", mm), "-28"),
            "category": pick[kind, 1].astype(str),
            "fuel": pick[kind, 2].astype(str),
            "quantity": np.round(qty, 3).astype(str),
            "unit": pick[kind, 3].astype(str),
            ROW: np.arange(2, n + 2),
        }
    )
    return RawTable("generated.csv", table, "row")


def facilities() -> pd.DataFrame:
    text = pa.table({c: FACILITIES[c].astype(str) for c in FACILITIES.columns})
    raw = RawTable("facilities.csv", text.append_column(ROW, pa.array(range(2, 8))), "row")
    return validate_facilities(raw)


def validated(n: int, out: Path) -> Path:
    """Write n validated records to the folder `out` (Parquet files); return it."""
    out.mkdir(parents=True, exist_ok=True)
    fac = facilities()
    block = validate_activity(generate(min(n, BLOCK)), set(fac.facility_id), schema=ACTIVITY).table
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
