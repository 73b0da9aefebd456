"""Benchmark: what the steps an ingest cannot skip cost on this machine, each alone.

Issue 4 asks for 500,000 validated rows/s from CSV into DuckDB: a 1M-row file in 2 s. This
script measures, on the same generated file `bench_ingest.py` uses, the cheapest form we know
of each step the issue's other items make necessary, with nothing else around it:

- `sha256` — the file's SHA-256 (idempotence: "already ingested as batch N");
- `read` — reading the CSV into columns of text (pyarrow, all threads), which located errors
  need (a typed reader would turn a bad cell into NULL or stop at the first one);
- `duckdb_csv_load` — DuckDB's own CSV loader into a new table of the file's 8 columns with
  the types it infers: `CREATE TABLE t AS SELECT * FROM read_csv(...)`; no validation, no
  record schema, no versions; for scale;
- `duckdb_csv_to_record_schema` — DuckDB's CSV loader, types given, straight into the store's
  `activity_records` (versioned record schema) in one INSERT; no validation or content hash;
- `persist_records` — inserting the already typed rows (an in-memory table) into
  `activity_records` and committing: the cost of storing them, without reading or typing;
- `persist_minimal` — the same into a table of only the 15 columns every record fills (no
  lineage, version, batch or measured-parameter columns): the least any record store writes;
- `validate` — `check_activity` (the vectorised rules and the lookups), on the text columns;
- `ledger_digest` — the batch digests the ledger event records (`ledger.digests`), over the
  rows stored as an ingest stores them, after the commit.

Each is run `--runs` times into fresh stores; the best is kept. The sum of read, persist and
digest — storing and proving the rows with no validation at all — is printed beside the 2 s
budget. Prints the figures and writes benchmarks/results/ingest_floor.json.

    python benchmarks/bench_ingest_floor.py --records 1000000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.figures import machine, save
from tests.store.helpers import generated_csv, generated_facilities

from openmrv.combustion.schema import ACTIVITY
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import check_activity, file_plans
from openmrv.store import ledger, open_store, quality
from openmrv.store.db import Database
from openmrv.store.ingest import (
    _batch_orgs,
    _load,
    current_facilities,
    load_facilities,
    sha256_file,
)
from openmrv.store.schema import RECORD_NAMES

TARGET_ROWS_PER_S = 500_000
# The columns a record always fills: who, where, when, what, how much (typed and canonical).
MINIMAL = (
    "record_id",
    "facility_id",
    "period_start",
    "period_end",
    "year",
    "category",
    "fuel",
    "fuel_state",
    "biogenic",
    "quantity",
    "unit",
    "unit_key",
    "qty_kind",
    "qty",
    "source_row",
)
CSV_TYPES = (
    "{'record_id': 'VARCHAR', 'facility_id': 'VARCHAR', 'period_start': 'DATE', "
    "'period_end': 'DATE', 'category': 'VARCHAR', 'fuel': 'VARCHAR', 'quantity': 'DOUBLE', "
    "'unit': 'VARCHAR'}"
)


class Stores:
    """Fresh DuckDB stores (facilities loaded) in a scratch folder."""

    def __init__(self, folder: Path, facilities: Path) -> None:
        self.folder, self.facilities, self.n = folder, facilities, 0

    def fresh(self) -> Database:
        self.n += 1
        db = open_store(str(self.folder / f"floor{self.n}.duckdb"))
        load_facilities(db, self.facilities, "bench")
        return db


def best_of(runs: int, step: Callable[[], float]) -> tuple[float, list[float]]:
    """`step` returns the seconds of its timed part; the best and every run."""
    times = [round(step(), 3) for _ in range(runs)]
    return min(times), times


def _typed(db: Database, csv: Path):
    """Validate the file in the store's engine, leaving the typed rows as the view `typed`."""
    con = db.engine()
    check_activity(con, read_table(csv), set(current_facilities(db)), schema=ACTIVITY)
    return con


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    n = args.records
    figures: dict[str, object] = {
        "benchmark": "the steps of an ingest, each alone (issue 4's 500k rows/s target)",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": n,
        "load_average_1min_before": round(os.getloadavg()[0], 2),
    }
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        csv = generated_csv(d / "activity.csv", n)
        stores = Stores(d, generated_facilities(d / "facilities.csv"))
        figures["csv_bytes"] = csv.stat().st_size
        steps: dict[str, tuple[float, list[float]]] = {}

        def timed(fn: Callable[[], object]) -> float:
            t = time.perf_counter()
            fn()
            return time.perf_counter() - t

        steps["sha256"] = best_of(args.runs, lambda: timed(lambda: sha256_file(csv)))
        steps["read"] = best_of(args.runs, lambda: timed(lambda: read_table(csv)))

        def csv_load() -> float:
            db = stores.fresh()
            sql = f"CREATE TABLE t AS SELECT * FROM read_csv('{csv}')"
            with db.write():
                seconds = timed(lambda: db.execute(sql))
            db.close()
            return seconds

        steps["duckdb_csv_load"] = best_of(args.runs, csv_load)

        def csv_to_records() -> float:
            db = stores.fresh()
            cols = (
                "record_id, facility_id, period_start, period_end, category, fuel, quantity, unit"
            )
            sql = (
                f"INSERT INTO activity_records ({cols}, year, qty, source_file, version, "
                f"batch_id, deleted) SELECT {cols}, year(period_start), quantity, "
                f"'activity.csv', 1, 1, false FROM read_csv('{csv}', types={CSV_TYPES})"
            )
            t = time.perf_counter()
            with db.write():
                db.execute(sql)
            seconds = time.perf_counter() - t
            db.close()
            return seconds

        steps["duckdb_csv_to_record_schema"] = best_of(args.runs, csv_to_records)

        def persist(table: str, cols: tuple[str, ...]) -> Callable[[], float]:
            def step() -> float:
                db = stores.fresh()
                con = _typed(db, csv)
                with file_plans(con):
                    con.execute("CREATE TEMP TABLE typed_rows AS SELECT * FROM typed")
                if table != "activity_records":
                    db.execute(f"CREATE TABLE {table} AS SELECT {', '.join(cols)} FROM typed_rows")
                    db.execute(f"DELETE FROM {table}")
                    db.execute("CHECKPOINT")
                names = ", ".join(cols)
                t = time.perf_counter()
                with db.write():
                    db.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM typed_rows")
                seconds = time.perf_counter() - t
                db.close()
                return seconds

            return step

        steps["persist_records"] = best_of(
            args.runs, persist("activity_records", RECORD_NAMES[:-1])
        )
        steps["persist_minimal"] = best_of(args.runs, persist("minimal_records", MINIMAL))

        def validate() -> float:
            db = stores.fresh()
            raw = read_table(csv)
            ids = set(current_facilities(db))
            seconds = timed(lambda: check_activity(db.engine(), raw, ids, schema=ACTIVITY))
            db.close()
            return seconds

        steps["validate"] = best_of(args.runs, validate)

        def digest() -> float:
            db = stores.fresh()
            con = _typed(db, csv)
            with db.write():  # the rows as an ingest stores them, as batch 2
                quality.substitute_missing(db, con, {})
                _batch_orgs(con, current_facilities(db))  # each row's organisation
                _load(db, con, csv.name, 2, None)
            seconds = timed(lambda: ledger.digests(db, 2))
            db.close()
            return seconds

        steps["ledger_digest"] = best_of(args.runs, digest)

    seconds = {k: v[0] for k, v in steps.items()}
    store_and_prove = seconds["read"] + seconds["persist_records"] + seconds["ledger_digest"]
    minimal = seconds["read"] + seconds["persist_minimal"] + seconds["ledger_digest"]
    budget = n / TARGET_ROWS_PER_S
    figures.update(
        {
            "target_rows_per_s": TARGET_ROWS_PER_S,
            "budget_seconds": budget,
            **{f"{k}_seconds": v for k, v in seconds.items()},
            "read_persist_digest_seconds": round(store_and_prove, 3),
            "read_persist_minimal_digest_seconds": round(minimal, 3),
            "read_persist_digest_validate_seconds": round(store_and_prove + seconds["validate"], 3),
            "runs_seconds": {k: v[1] for k, v in steps.items()},
            "machine": machine(),
            "versions": {p: version(p) for p in ("openmrv", "duckdb", "pyarrow")},
        }
    )
    save("ingest_floor", figures)


if __name__ == "__main__":
    main()
