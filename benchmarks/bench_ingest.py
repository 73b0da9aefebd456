"""Benchmark: ingest N generated activity records from CSV into a DuckDB store.

Times the whole public path of `openmrv ingest` in-process (hash the file, read, validate,
insert, compare with stored versions, digest, ledger event, commit) into a fresh store, and,
separately, reading + validation alone. The ingest is repeated on a fresh store each run
(`--runs`); the figures give every run (with the load average, as the machine may be shared),
the best and the median, and the seconds per step of the best run as `ingest()` itself
measured them (IngestReport.stages). Prints the figures and writes
benchmarks/results/ingest.json.

    python benchmarks/bench_ingest.py --records 1000000 --runs 5
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.datagen import FACILITIES
from benchmarks.figures import machine, save
from tests.store.helpers import generated_csv

from openmrv.combustion.schema import ACTIVITY
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import validate_activity
from openmrv.store import open_store
from openmrv.store.ingest import ingest, load_facilities


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3, help="ingests, each into a fresh store")
    args = ap.parse_args()
    n = args.records
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        fac = d / "facilities.csv"
        FACILITIES.to_csv(fac, index=False)
        csv = generated_csv(d / "activity.csv", n)
        csv_bytes = csv.stat().st_size
        ids = set(FACILITIES.facility_id)
        validate_activity(
            read_table(generated_csv(d / "warm.csv", 1000, "W")), ids, schema=ACTIVITY
        )

        t0 = time.perf_counter()
        raw = read_table(csv)
        t1 = time.perf_counter()
        validate_activity(raw, ids, schema=ACTIVITY)
        t2 = time.perf_counter()
        del raw

        runs = []
        for i in range(args.runs):
            db = open_store(str(d / f"store{i}.duckdb"))
            load_facilities(db, fac, "bench")
            load = os.getloadavg()[0]
            t3 = time.perf_counter()
            report = ingest(db, csv, "bench", schema=ACTIVITY)
            t4 = time.perf_counter()
            db.close()
            (d / f"store{i}.duckdb").unlink()
            assert report.new == n
            runs.append(
                {
                    "ingest_seconds": round(t4 - t3, 3),
                    "rows_per_s": round(n / (t4 - t3)),
                    "load_average_1min_before": round(load, 2),
                    "stages_seconds": report.stages,
                }
            )
            print(f"run {i + 1}: {t4 - t3:.2f} s (load {load:.2f}) {report.stages}")
    best = min(runs, key=lambda r: r["ingest_seconds"])
    median = statistics.median(r["ingest_seconds"] for r in runs)
    figures = {
        "benchmark": "ingest CSV into a fresh DuckDB store (validate, version, insert, ledger)",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": n,
        "csv_bytes": csv_bytes,
        "read_seconds": round(t1 - t0, 3),
        "validate_seconds": round(t2 - t1, 3),
        "read_validate_rows_per_s": round(n / (t2 - t0)),
        "ingest_seconds": best["ingest_seconds"],
        "ingest_rows_per_s": best["rows_per_s"],
        "ingest_seconds_median": round(median, 3),
        "ingest_rows_per_s_median": round(n / median),
        "target_rows_per_s": 500_000,
        "best_run_stages_seconds": best["stages_seconds"],
        "runs": runs,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "machine": machine(),
        "versions": {p: version(p) for p in ("openmrv", "duckdb", "pyarrow")},
    }
    save("ingest", figures)


if __name__ == "__main__":
    main()
