"""Crash trials: `openmrv ingest` of a large batch killed with SIGKILL, aimed at its commit and
spread over its run, on a DuckDB file and on PostgreSQL.

Each trial starts from a copy of the same seeded store (the before-state), runs the ingest and
kills it; then it checks, as a user's next command would find the store:
- the store holds exactly the before-state or the after-state (that of an uninterrupted ingest
  of the same file), compared by content: records (id, version, content hash, file, row),
  sources, batches and ledger events, with ids and times left out;
- a re-run completes and leaves exactly the after-state, a second re-run answers "already
  ingested", and `ledger verify` passes.
It also counts the trials whose kill left a torn commit (rows without their batch row, which
the next open voids: store/recovery.py), seen by opening the store without recovery first.

Aimed kills: on DuckDB the commit is the only time an ingest writes the write-ahead log, so the
trial polls the WAL file and kills within the next few milliseconds (the WAL write takes about
12 ms here); on PostgreSQL it polls pg_stat_activity for the ingest's last statement (the
ledger insert) or its COMMIT, then kills within a few milliseconds.

    python benchmarks/bench_crash.py --rows 300000 --aimed 20 --spread 20

Writes results/crash.json. tests/store/test_crash.py runs a few trials of each kind.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.conftest import FACILITIES, write_csv  # noqa: E402
from tests.store.helpers import activity, coal, generated_csv, generated_facilities  # noqa: E402

from openmrv.combustion.schema import ACTIVITY  # noqa: E402
from openmrv.store import open_store  # noqa: E402
from openmrv.store.ingest import ingest, load_facilities  # noqa: E402
from openmrv.store.ledger import verify  # noqa: E402
from openmrv.store.recovery import orphans  # noqa: E402

OPENMRV = str(Path(sys.executable).parent / "openmrv")
APP = "openmrv-crash-ingest"  # the ingest's application_name on PostgreSQL, to find it


def fingerprint(url: str) -> dict:
    """The store's content as a user's next command finds it (recovery included), without
    batch ids and times, which differ between an interrupted and an uninterrupted history."""
    db = open_store(url)
    try:
        rows = db.execute(
            "SELECT record_id, version, content_hash, source_file, source_row, deleted "
            "FROM activity_records ORDER BY record_id, version, source_file, source_row"
        )
        digest = hashlib.sha256("\n".join(map(repr, rows)).encode()).hexdigest()
        return {
            "records": (len(rows), digest),
            "sources": db.execute("SELECT facility_id, source_id FROM sources ORDER BY 1, 2"),
            "batches": db.execute(
                "SELECT kind, file_name, sha256, row_count FROM batches WHERE kind <> 'void' "
                "ORDER BY batch_id"
            ),
            "events": db.execute(
                "SELECT action, subject FROM ledger_events WHERE action <> 'void' ORDER BY seq"
            ),
            "verifies": verify(db).ok,
        }
    finally:
        db.close()


def torn(url: str) -> int:
    """Rows no batch accounts for, as the kill left them (opened without recovery)."""
    db = open_store(url, recovering=False)
    try:
        return sum(n for counts in orphans(db).values() for n in counts.values())
    finally:
        db.close()


def run_ingest(url: str, big: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [OPENMRV, "ingest", str(big), "--db", url, "--by", "crash-test"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PGAPPNAME": APP},
    )


@dataclass
class Backend:
    """Seeded copies of one store: `fresh()` gives a new copy of the before-state."""

    name: str
    work: Path
    pg_url: str | None = None  # the server's maintenance database, for PostgreSQL
    copies: int = 0
    template: str = ""

    def seed(self, fac: Path) -> None:
        self.template = self._new("template")
        if self.name == "postgresql":
            self._pg('CREATE DATABASE "template"')
        db = open_store(self.template)
        load_facilities(db, fac, "seed")
        load_facilities(db, write_csv(self.work / "fac2.csv", FACILITIES), "seed")
        ingest(
            db,
            activity(self.work / "seed.csv", coal("seed-1"), coal("seed-2", 2)),
            "seed",
            schema=ACTIVITY,
        )
        db.close()  # the ledger has history before the big batch

    def _new(self, name: str) -> str:
        if self.name == "duckdb":
            return str(self.work / f"{name}.duckdb")
        return self.pg_url.rsplit("/", 1)[0] + "/" + name

    def fresh(self) -> str:
        self.copies += 1
        url = self._new(f"copy{self.copies}")
        if self.name == "duckdb":
            shutil.copy(self.template, url)
        else:
            self._pg(f'CREATE DATABASE "copy{self.copies}" TEMPLATE "template"')
        return url

    def _pg(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.pg_url, autocommit=True) as con:
            con.execute(sql)


def kill_at_commit(p: subprocess.Popen, backend: Backend, url: str, rng: random.Random) -> str:
    """Wait for the ingest's commit to start, then kill within a few milliseconds."""
    if backend.name == "duckdb":
        wal = Path(url + ".wal")
        while p.poll() is None and not wal.exists():
            time.sleep(0.0002)
    else:
        import psycopg

        with psycopg.connect(backend.pg_url, autocommit=True) as con:
            ask = "SELECT query FROM pg_stat_activity WHERE application_name = %s"
            while p.poll() is None:
                q = (con.execute(ask, [APP]).fetchone() or [""])[0]
                if q.startswith(("INSERT INTO ledger_events", "COMMIT")):
                    break
                time.sleep(0.0002)
    delay = rng.uniform(0, 0.012)
    time.sleep(delay)
    p.kill()
    return f"commit+{delay * 1000:.1f}ms"


def kill_spread(full: float) -> Callable[[subprocess.Popen, Backend, str, random.Random], str]:
    def kill(p: subprocess.Popen, backend: Backend, url: str, rng: random.Random) -> str:
        delay = rng.uniform(0.2 * full, 1.05 * full)
        time.sleep(delay)
        p.kill()
        return f"{delay:.2f}s"

    return kill


@dataclass
class Outcome:
    backend: str
    kind: str
    at: str
    state: str  # before / after / NEITHER
    torn_rows: int
    rerun_ok: bool
    again_ok: bool
    verifies: bool

    @property
    def ok(self) -> bool:
        return self.state != "NEITHER" and self.rerun_ok and self.again_ok and self.verifies


@dataclass
class Trials:
    backend: Backend
    big: Path
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)
    full_seconds: float = 0.0

    def prepare(self) -> None:
        url = self.backend.fresh()
        self.before = fingerprint(url)
        t0 = time.perf_counter()
        p = run_ingest(url, self.big)
        out, _ = p.communicate(timeout=900)
        self.full_seconds = time.perf_counter() - t0
        if p.returncode:
            raise RuntimeError(f"uninterrupted ingest failed: {out}")
        self.after = fingerprint(url)

    def trial(self, kind: str, kill, rng: random.Random) -> Outcome:
        url = self.backend.fresh()
        p = run_ingest(url, self.big)
        at = kill(p, self.backend, url, rng)
        p.wait()
        if p.returncode == 0:
            at += " (had finished)"
        torn_rows = torn(url)
        now = fingerprint(url)
        state = "before" if now == self.before else "after" if now == self.after else "NEITHER"
        rerun = run_ingest(url, self.big)
        rerun.communicate(timeout=900)
        again = run_ingest(url, self.big)
        said, _ = again.communicate(timeout=900)
        final = fingerprint(url)
        return Outcome(
            self.backend.name,
            kind,
            at,
            state,
            torn_rows,
            rerun.returncode == 0 and final == self.after,
            again.returncode == 0 and "already ingested" in said,
            final["verifies"],
        )


def run(backend: Backend, rows: int, aimed: int, spread: int, seed: int = 20261205) -> dict:
    """Seed, measure the uninterrupted ingest, then run the trials; figures as a dict."""
    big = generated_csv(backend.work / "big.csv", rows)
    backend.seed(generated_facilities(backend.work / "fac.csv"))
    trials = Trials(backend, big)
    trials.prepare()
    rng = random.Random(seed)
    outcomes = [trials.trial("aimed", kill_at_commit, rng) for _ in range(aimed)]
    outcomes += [
        trials.trial("spread", kill_spread(trials.full_seconds), rng) for _ in range(spread)
    ]
    summary = {
        "backend": backend.name,
        "rows": rows,
        "uninterrupted_ingest_s": round(trials.full_seconds, 2),
        "trials": len(outcomes),
        "all_ok": all(o.ok for o in outcomes),
    }
    for kind in ("aimed", "spread"):
        of = [o for o in outcomes if o.kind == kind]
        summary[kind] = {
            "trials": len(of),
            "ok": sum(o.ok for o in of),
            "before": sum(o.state == "before" for o in of),
            "after": sum(o.state == "after" for o in of),
            "neither": sum(o.state == "NEITHER" for o in of),
            "torn_commits_voided": sum(o.torn_rows > 0 for o in of),
        }
    summary["outcomes"] = [o.__dict__ for o in outcomes]
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=300_000)
    ap.add_argument("--aimed", type=int, default=20)
    ap.add_argument("--spread", type=int, default=20)
    ap.add_argument("--backends", nargs="+", default=["duckdb", "postgresql"])
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/crash.json")
    args = ap.parse_args()
    import duckdb

    results = {"duckdb_version": duckdb.__version__, "runs": []}
    for name in args.backends:
        with tempfile.TemporaryDirectory() as tmp:
            server = None
            pg_url = None
            if name == "postgresql":
                from tests.store import pg_server

                server = pg_server.start()
                pg_url = server.url
            try:
                summary = run(Backend(name, Path(tmp), pg_url), args.rows, args.aimed, args.spread)
            finally:
                if server is not None:
                    server.stop()
        results["runs"].append(summary)
        print(json.dumps({k: v for k, v in summary.items() if k != "outcomes"}, indent=1))
        for o in summary["outcomes"]:
            print(f"  {o['kind']:6} {o['at']:28} {o['state']:7} torn rows {o['torn_rows']:>7,}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"written {args.out}")
    if not all(r["all_ok"] for r in results["runs"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
