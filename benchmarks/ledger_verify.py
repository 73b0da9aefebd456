"""Benchmark: `ledger verify` of a store of N records against reading those rows once, and a
checkpoint and an inclusion proof at N ledger events (issue 17: verify ≤ 2× the read; a
checkpoint and a proof ≤ 50 ms at a million events).

- `read_rows_seconds` — reading every activity row once, raw (every column the v3 digest
  covers), into Arrow: the least any check of the rows must do;
- `verify_seconds` — `ledger.verify` over a read-only connection (chain, every digest in
  Python over the canonical encoding, recorded states, the checks), as `openmrv ledger verify`;
- `checkpoint_ms`, `prove_ms` — `tlog.checkpoint` (root from the stored tree, Ed25519 signature,
  stored) and `tlog.prove` (an audit path) on a ledger of N events (events generated with a
  valid chain, inserted in bulk with their tree nodes: appending a million through the
  application would take hours and measure nothing more);
- `verify_since_seconds` — `tlog.check_since` at N events (the tree rebuilt from every event).

Each timed step is run `--runs` times; the best is kept. The 1-minute load average is recorded
before each (the machine is shared). Writes benchmarks/results/ledger.json.

    python benchmarks/ledger_verify.py --records 1000000 --events 1000000
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.datagen import FACILITIES
from benchmarks.figures import machine, save
from tests.store.helpers import generated_csv

from openmrv.combustion.schema import ACTIVITY
from openmrv.store import ledger, merkle, note, open_store, tlog
from openmrv.store.db import connect
from openmrv.store.ingest import ingest, load_facilities


def best(runs: int, fn: Callable[[], object]) -> tuple[float, float]:
    """The best seconds of `runs` calls, and the load average before the first."""
    load = os.getloadavg()[0]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), load


def synthetic_events(db, n: int) -> None:
    """n events with a valid chain and their tree nodes, inserted in bulk."""
    prev, rows, nodes = ledger.GENESIS, [], []
    tree = merkle.MemoryTree()
    for seq in range(1, n + 1):
        at = f"2026-01-01T00:00:{seq % 60:02d}+00:00"
        payload = ledger.canonical({"n": seq})
        h = ledger.event_hash(seq, at, "bench", "note", f"s{seq}", None, payload, prev)
        e = ledger.Event(seq, at, "bench", "note", f"s{seq}", None, payload, prev, h)
        rows.append(e)
        tree.append(tlog.leaf_data(e))
        prev = h
    cols = ["seq", "recorded_at", "actor", "action", "subject", "reason", "payload", "prev_hash",
            "hash"]  # fmt: skip
    events = pa.table({c: [getattr(e, f) for e in rows] for c, f in zip(
        cols, ["seq", "at", "actor", "action", "subject", "reason", "payload", "prev_hash", "hash"],
        strict=True)})  # fmt: skip
    for level, hashes in enumerate(tree.levels):
        nodes += [(level, i, h.hex()) for i, h in enumerate(hashes)]
    tree_rows = pa.table({"level": [r[0] for r in nodes], "idx": [r[1] for r in nodes],
                          "hash": [r[2] for r in nodes]})  # fmt: skip
    con = db.engine()
    with db.write():
        con.register("ev", events)
        con.register("tr", tree_rows)
        con.execute("INSERT INTO ledger_events SELECT * FROM ev")
        con.execute("INSERT INTO ledger_tree SELECT * FROM tr")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    figures: dict[str, object] = {"machine": machine(), "records": args.records,
                                  "events": args.events}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        fac = d / "facilities.csv"
        FACILITIES.to_csv(fac, index=False)
        path = str(d / "store.duckdb")
        db = open_store(path)
        load_facilities(db, fac, "bench")
        t = time.perf_counter()
        report = ingest(db, generated_csv(d / "activity.csv", args.records), "bench",
                        schema=ACTIVITY)  # fmt: skip
        figures["ingest_seconds"] = round(time.perf_counter() - t, 2)
        assert report.new == args.records
        db.close()

        ro = connect(path, read_only=True)
        columns = ", ".join(ledger.ACTIVITY_ROWS.scheme_of(ledger.V3).columns)
        read, load = best(args.runs, lambda: ro.arrow(f"SELECT {columns} FROM activity_records"))
        figures |= {"read_rows_seconds": round(read, 3), "load_average_read": round(load, 2)}
        result: list[ledger.Verification] = []
        seconds, load = best(args.runs, lambda: result.append(ledger.verify(ro)))
        assert result[-1].ok, result[-1].findings
        figures |= {"verify_seconds": round(seconds, 3), "load_average_verify": round(load, 2),
                    "verify_over_read": round(seconds / read, 2)}  # fmt: skip
        ro.close()

        path = str(d / "events.duckdb")
        db = open_store(path)
        t = time.perf_counter()
        synthetic_events(db, args.events)
        figures["events_build_seconds"] = round(time.perf_counter() - t, 1)
        key = d / "bench.key"
        tlog.write_private(key, note.Signer("bench", tlog.Ed25519PrivateKey.generate()))
        signer = tlog.read_private(key)
        cp, load = best(args.runs, lambda: tlog.checkpoint(db, signer))
        rnd = random.Random(1)
        proof, _ = best(args.runs, lambda: tlog.prove(db, rnd.randint(1, args.events)))
        p = tlog.prove(db, args.events // 3)
        assert merkle.verify_inclusion(p.leaf, p.seq - 1, p.size, p.path, p.root)
        figures |= {"checkpoint_ms": round(cp * 1000, 1), "prove_ms": round(proof * 1000, 1),
                    "proof_hashes": len(p.path), "load_average_tree": round(load, 2)}  # fmt: skip
        signed = tlog.checkpoint(db, signer)
        db.close()
        ro = connect(path, read_only=True)
        trusted = [signer.verifier]
        since, load = best(1, lambda: tlog.check_since(ro, signed, trusted))
        ro.close()
        figures |= {"verify_since_seconds": round(since, 2),
                    "load_average_since": round(load, 2)}  # fmt: skip
    save("ledger", figures)


if __name__ == "__main__":
    main()
