"""Crash safety: `openmrv ingest` of a 1M-row file killed with SIGKILL at random moments.

After every kill the batch is wholly present or wholly absent and the ledger verifies; the
next trial re-runs the same ingest on the store the kill left behind (a store where the batch
committed is replaced by a fresh one, so later kills still land mid-ingest), and a final
uninterrupted re-run completes. OPENMRV_CRASH_TRIALS sets the kills per backend (default 4,
to keep the suite short; the acceptance run uses 20).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from openmrv.store import open_store
from openmrv.store.ingest import ingest, load_facilities
from openmrv.store.ledger import verify
from tests.conftest import FACILITIES, write_csv
from tests.store.conftest import new_pg_database
from tests.store.helpers import activity, coal, generated_csv, generated_facilities

OPENMRV = str(Path(sys.executable).parent / "openmrv")
ROWS = 1_000_000
TRIALS = int(os.environ.get("OPENMRV_CRASH_TRIALS", "4"))


@pytest.fixture(scope="session")
def big(tmp_path_factory):
    d = tmp_path_factory.mktemp("crash")
    return generated_csv(d / "big.csv", ROWS), generated_facilities(d / "fac.csv")


def _run(url: str, f: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [OPENMRV, "ingest", str(f), "--db", url, "--by", "crash-test"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _state(url: str) -> tuple[int, int, bool]:
    """(rows of big.csv, batches of big.csv, ledger verifies)."""
    db = open_store(url)
    try:
        rows = db.scalar("SELECT count(*) FROM activity_records WHERE source_file = 'big.csv'")
        batches = db.scalar("SELECT count(*) FROM batches WHERE file_name = 'big.csv'")
        return int(rows), int(batches), verify(db).ok
    finally:
        db.close()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["duckdb", "postgresql"])
def test_sigkill_leaves_the_batch_whole(backend, big, tmp_path, request):
    big_csv, fac = big
    seed = activity(tmp_path / "seed.csv", coal("seed-1"), coal("seed-2", 2))
    n_store = 0

    def fresh() -> str:
        nonlocal n_store
        n_store += 1
        if backend == "duckdb":
            url = str(tmp_path / f"store{n_store}.duckdb")
        else:
            url = new_pg_database(request.getfixturevalue("pg"))
        db = open_store(url)
        load_facilities(db, fac, "seed")
        load_facilities(db, write_csv(tmp_path / "fac2.csv", FACILITIES), "seed")
        ingest(db, seed, "seed")  # the ledger has history before the big batch
        db.close()
        return url

    url = fresh()
    t0 = time.perf_counter()
    assert _run(url, big_csv).wait(timeout=600) == 0
    full = time.perf_counter() - t0
    assert _state(url) == (ROWS, 1, True)

    rng = random.Random(20241123)
    outcomes = []
    url = fresh()
    for _ in range(TRIALS):
        delay = rng.uniform(0.2 * full, 1.05 * full)
        p = _run(url, big_csv)
        time.sleep(delay)
        p.kill()
        p.wait()
        rows, batches, ok = _state(url)
        assert (rows, batches) in ((0, 0), (ROWS, 1)), (delay, rows, batches)
        assert ok, f"ledger does not verify after a kill at {delay:.1f} s"
        outcomes.append((round(delay, 1), "present" if rows else "absent"))
        if rows:
            url = fresh()
    assert _run(url, big_csv).wait(timeout=600) == 0
    assert _state(url) == (ROWS, 1, True)
    print(
        f"\n{backend}: uninterrupted ingest {full:.1f} s; kills (s after start, batch): {outcomes}"
    )
