"""Two processes writing at once: PostgreSQL serialises them (both complete); DuckDB allows
one writer process, so the other gets a clear "busy, retry" and nothing is lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from openmrv.store import open_store
from openmrv.store.ingest import load_facilities
from tests.store.helpers import count, generated_csv, generated_facilities, verify

OPENMRV = str(Path(sys.executable).parent / "openmrv")
N = 50_000


def _ingest(url: str, f: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [OPENMRV, "ingest", str(f), "--db", url, "--by", f.stem],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def two_files(tmp_path):
    return [generated_csv(tmp_path / f"{p}.csv", N, p) for p in ("A", "B")]


def test_two_writers(store_url, two_files, tmp_path):
    db = open_store(store_url)
    load_facilities(db, generated_facilities(tmp_path / "fac.csv"), "t")
    db.close()
    procs = [_ingest(store_url, f) for f in two_files]
    results = [(p.wait(timeout=600), p.stdout.read()) for p in procs]
    busy = [f for f, (rc, _) in zip(two_files, results, strict=True) if rc == 75]
    for rc, text in results:
        assert rc in (0, 75), text
        if rc == 75:
            assert "is busy: another process is writing to it" in text
            assert "retry" in text
    if not store_url.endswith(".duckdb"):
        assert not busy, results  # PostgreSQL: both complete
    for f in busy:  # DuckDB: the refused one succeeds on retry
        p = _ingest(store_url, f)
        assert p.wait(timeout=600) == 0, p.stdout.read()
    db = open_store(store_url)
    assert count(db) == 2 * N
    assert verify(db).ok
    db.close()


def test_duckdb_busy_is_clear_and_changes_nothing(tmp_path, two_files):
    url = str(tmp_path / "s.duckdb")
    open_store(url).close()
    holder = duckdb.connect(url)  # another process's writer, as far as the CLI can tell
    p = _ingest(url, two_files[0])
    rc, text = p.wait(timeout=600), p.stdout.read()
    holder.close()
    assert rc == 75
    assert "database" in text and "busy" in text and "Nothing was changed; retry" in text
    db = open_store(url)
    assert count(db) == 0 and count(db, "ledger_events") == 0
    db.close()
