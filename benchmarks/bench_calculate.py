"""Benchmark: validate and calculate N generated activity records on the embedded default.

Generates the records vectorised (numpy/pyarrow; no per-row Python), runs the public path
(validate_activity, then engine.calculate under every methodology), prints the figures and
writes them to benchmarks/results/calculate.json.

    python benchmarks/bench_calculate.py --records 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from openmrv.engine import calculate
from openmrv.ingest.readers import ROW, RawTable
from openmrv.ingest.validate import validate_activity, validate_facilities

RESULTS = Path(__file__).parent / "results"
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


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    args = ap.parse_args()
    fac = facilities()
    warm = validate_activity(generate(1000), set(fac.facility_id))
    calculate(warm.table, fac)

    raw = generate(args.records)
    t0 = time.perf_counter()
    checked = validate_activity(raw, set(fac.facility_id))
    t1 = time.perf_counter()
    run = calculate(checked.table, fac)
    t2 = time.perf_counter()
    n = args.records
    figures = {
        "benchmark": "validate + calculate, all four methodologies, DuckDB in-process",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": n,
        "validate_seconds": round(t1 - t0, 3),
        "validate_records_per_s": round(n / (t1 - t0)),
        "calculate_seconds": round(t2 - t1, 3),
        "calculate_records_per_s": round(n / (t2 - t1)),
        "total_seconds": round(t2 - t0, 3),
        "total_records_per_s": round(n / (t2 - t0)),
        "result_rows": run.results.num_rows,
        "skipped_rows": run.skipped.num_rows,
        "peak_rss_mib": round(peak_rss_mib()),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "versions": {p: version(p) for p in ("openmrv", "ibis-framework", "duckdb", "pyarrow")},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "calculate.json").write_text(json.dumps(figures, indent=2) + "\n")
    width = max(map(len, figures))
    for k, v in figures.items():
        if not isinstance(v, dict):
            print(f"{k:<{width}}  {v:,}" if isinstance(v, int | float) else f"{k:<{width}}  {v}")
    print(f"written to {RESULTS / 'calculate.json'}")


if __name__ == "__main__":
    main()
