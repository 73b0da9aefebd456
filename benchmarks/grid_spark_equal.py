"""Spark gives grid.calc's DuckDB results: hourly location- and market-based Scope 2 and the
24/7 CFE score for M meters × 8,760 hours (default 1,142 meters: 10.0M meter-hours), the data
of grid_hourly.generate (seeded), once on DuckDB and once on Spark local (grid.spark, the same
query translated); the largest relative difference per result column -> grid_spark.json.

    python benchmarks/grid_spark_equal.py [--meters 1142] [--master local[2]] [--dir D]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
from figures import machine, save
from grid_hourly import HOURS, MEMORY, generate

from openmrv.grid import calc, spark


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--meters", type=int, default=1_142)
    ap.add_argument("--master", default="local[2]")
    default_dir = Path(os.environ.get("TMPDIR", "/tmp")) / "grid_spark"
    ap.add_argument("--dir", type=Path, default=default_dir)
    args = ap.parse_args()
    generate(args.dir, args.meters)
    files = {n: args.dir / f"{n}.parquet" for n in spark.INPUTS}
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{MEMORY}'")
    calc.register(con, {n: con.read_parquet(str(p)) for n, p in files.items()})
    t0 = time.perf_counter()
    duck = con.execute(calc.scope2_sql(5.0)).df()
    duck_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    on_spark = spark.scope2(files, 5.0, args.master)
    spark_s = time.perf_counter() - t0
    worst = spark.differences(on_spark, duck)
    save(
        "grid_spark",
        {
            "benchmark": "grid.calc on Spark local vs DuckDB: hourly Scope 2 + 24/7 CFE",
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "meters": args.meters,
            "meter_hours": args.meters * HOURS,
            "facility_years": len(duck),
            "spark_master": args.master,
            "duckdb_seconds": round(duck_s, 2),
            "spark_seconds": round(spark_s, 2),  # with the session's start
            "max_relative_difference": max(worst.values()),
            "equal_within_1e-9": max(worst.values()) <= 1e-9,
            "per_column": worst,
            "duckdb": duckdb.__version__,
            "machine": machine(),
        },
    )


if __name__ == "__main__":
    main()
