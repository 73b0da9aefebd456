"""Crash safety: `openmrv ingest` of a 300,000-row batch killed with SIGKILL, aimed at its
commit (where DuckDB 1.x tears: store/recovery.py) and spread over its run, on both backends.

Every trial must find exactly the before- or the after-state; the re-run must complete and
equal the after-state, a second re-run must answer "already ingested", and the ledger must
verify. The harness is benchmarks/bench_crash.py, whose full run (20 aimed + 20 spread per
backend) gives the figures in docs/store.md; here OPENMRV_CRASH_AIMED and
OPENMRV_CRASH_SPREAD (default 2 each) set the kills per backend.
"""

from __future__ import annotations

import os

import pytest
from benchmarks.bench_crash import Backend, run

ROWS = 300_000
AIMED = int(os.environ.get("OPENMRV_CRASH_AIMED", "2"))
SPREAD = int(os.environ.get("OPENMRV_CRASH_SPREAD", "2"))


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["duckdb", "postgresql"])
def test_sigkill_at_and_around_the_commit(backend, tmp_path, request):
    pg_url = request.getfixturevalue("pg").url if backend == "postgresql" else None
    summary = run(Backend(backend, tmp_path, pg_url), ROWS, AIMED, SPREAD)
    bad = [
        o
        for o in summary["outcomes"]
        if not all((o["state"] != "NEITHER", o["rerun_ok"], o["again_ok"], o["verifies"]))
    ]
    print(f"\n{backend}: {summary['aimed']} {summary['spread']}")
    assert summary["trials"] == AIMED + SPREAD
    assert not bad, bad
    assert summary["all_ok"]
