"""Benchmark: validate and calculate N generated activity records on the embedded default.

Generates the records vectorised (numpy/pyarrow; no per-row Python), runs the public path
(validate_activity, then engine.calculate under every methodology), prints the figures and
writes them to benchmarks/results/calculate.json.

    python benchmarks/bench_calculate.py --records 1000000
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import UTC, datetime
from importlib.metadata import version

from datagen import facilities, generate
from figures import machine, save

from openmrv.combustion.schema import ACTIVITY
from openmrv.engine import calculate
from openmrv.ingest.validate import validate_activity


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    args = ap.parse_args()
    fac = facilities()
    warm = validate_activity(generate(1000), set(fac.facility_id), schema=ACTIVITY)
    calculate(warm.table, fac, schema=ACTIVITY)

    raw = generate(args.records)
    t0 = time.perf_counter()
    checked = validate_activity(raw, set(fac.facility_id), schema=ACTIVITY)
    t1 = time.perf_counter()
    run = calculate(checked.table, fac, schema=ACTIVITY)
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
        "machine": machine(),
        "versions": {p: version(p) for p in ("openmrv", "ibis-framework", "duckdb", "pyarrow")},
    }
    save("calculate", figures)


if __name__ == "__main__":
    main()
