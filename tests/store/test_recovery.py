"""Rows an interrupted commit left (store/recovery.py): DuckDB's behaviour behind them, how
the store voids them, and what `ledger verify` says when they are taken in instead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from openmrv.store import open_store, recovery
from openmrv.store.ingest import ingest, load_facilities
from tests.store.helpers import activity, coal, count, generated_csv, generated_facilities, verify

# DuckDB 1.x keeps the optimistically written row groups of a commit whose WAL was cut short.
TEARS = int(duckdb.__version__.split(".")[0]) < 2

REPRO = """
import os, sys, duckdb
con = duckdb.connect(sys.argv[1], config={"checkpoint_threshold": "1TB"})
con.execute("CREATE TABLE small (x INTEGER)")
con.execute("CREATE TABLE big (x BIGINT)")
con.execute("CHECKPOINT")
con.begin()
con.execute("INSERT INTO small VALUES (1)")
con.execute("INSERT INTO big SELECT * FROM range(1000000)")
con.commit()
os._exit(0)  # no close, so no checkpoint: the commit stays in the WAL
"""

TORN_INGEST = """
import os, sys
from openmrv.combustion.schema import ACTIVITY
from openmrv.store import open_store
from openmrv.store.ingest import ingest
db = open_store(sys.argv[1])  # held: a collected connection would checkpoint on close
ingest(db, sys.argv[2], "torn", schema=ACTIVITY)
os._exit(0)
"""


def _cut_wal(db_path: Path) -> None:
    """Cut the last byte off the write-ahead log: the commit marker is lost."""
    wal = Path(f"{db_path}.wal")
    with open(wal, "r+b") as fh:
        fh.truncate(wal.stat().st_size - 1)


def test_duckdb_wal_replay_of_a_cut_commit(tmp_path):
    """One transaction writes 1 row to one table and 1M rows to another; the WAL loses its
    last byte. DuckDB 1.x (1.5.6 here) rolls back the small insert and keeps the 1M rows;
    DuckDB 2.0.1 keeps neither. If this fails on 1.x, upstream fixed it: update docs/store.md."""
    path = tmp_path / "repro.duckdb"
    subprocess.run([sys.executable, "-c", REPRO, str(path)], check=True)
    _cut_wal(path)
    con = duckdb.connect(str(path))
    small, big = (con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("small", "big"))
    con.close()
    assert small == 0
    assert big == (1_000_000 if TEARS else 0)


def test_a_torn_ingest_is_voided_and_its_batch_id_never_reused(tmp_path):
    """A real torn commit of a 130,000-row ingest (more than one row group) on DuckDB."""
    path = tmp_path / "store.duckdb"
    big = generated_csv(tmp_path / "big.csv", 130_000)
    db = open_store(str(path))
    load_facilities(db, generated_facilities(tmp_path / "fac.csv"), "seed")
    db.close()
    subprocess.run([sys.executable, "-c", TORN_INGEST, str(path), str(big)], check=True)
    _cut_wal(path)

    db = open_store(str(path), recovering=False)
    left = recovery.orphans(db)
    assert left == ({2: {"activity_records": 130_000}} if TEARS else {})
    if TEARS:
        assert not verify(db).ok  # rows of batch 2 that no event records
    db.close()

    db = open_store(str(path))  # what any next command does
    try:
        assert count(db) == 0
        assert verify(db).ok
        voids = db.execute("SELECT batch_id, row_count FROM batches WHERE kind = 'void'")
        assert voids == ([(2, 0)] if TEARS else [])
        report = ingest(db, big, "rerun")
        assert (report.batch_id, report.new) == (3 if TEARS else 2, 130_000)
        assert ingest(db, big, "again").already
        assert count(db) == 130_000
        assert verify(db).ok
    finally:
        db.close()


def _tear(db, batch_id: int) -> None:
    """What a torn commit loses: the batch row, its sources and its ledger event (the last)."""
    with db.write():
        db.execute("DELETE FROM batches WHERE batch_id = ?", [batch_id])
        db.execute("DELETE FROM sources WHERE batch_id = ?", [batch_id])
        db.execute("DELETE FROM ledger_events WHERE seq = (SELECT max(seq) FROM ledger_events)")


@pytest.fixture
def torn(store, tmp_path):
    """A store with one committed batch and the rows of a second whose commit was torn."""
    first = ingest(store, activity(tmp_path / "a.csv", coal("A-1"), coal("A-2", 2)), "ann")
    f = activity(tmp_path / "b.csv", coal("B-1", 3), coal("B-2", 4), coal("A-1", quantity=7))
    second = ingest(store, f, "ann", reason="meter re-read")
    _tear(store, second.batch_id)
    return store, f, first.batch_id, second.batch_id


def test_rows_without_their_batch_are_voided_and_recorded(torn):
    db, f, _, lost = torn
    found = verify(db)
    assert not found.ok
    assert any(f"of batch {lost} that no event records" in str(x) for x in found.findings)

    assert recovery.recover(db) == [lost]
    assert recovery.recover(db) == []  # nothing left to do
    assert verify(db).ok
    assert db.scalar("SELECT count(*) FROM activity_records WHERE batch_id = ?", [lost]) == 0
    event = db.one("SELECT action, actor, payload FROM ledger_events ORDER BY seq DESC LIMIT 1")
    assert event[0] == "void" and event[1] == recovery.ACTOR
    assert '"removed":{"activity_records":"3:' in event[2]  # the digest of the 3 rows removed

    report = ingest(db, f, "ann", reason="meter re-read")
    assert report.batch_id == lost + 1  # the voided id is not taken again
    assert (report.new, report.changed) == (2, 1)
    assert db.scalar("SELECT max(version) FROM activity_records WHERE record_id = 'A-1'") == 2
    assert verify(db).ok


def test_verify_catches_orphans_taken_in_by_a_rerun(torn, monkeypatch):
    """Without recovery (the behaviour before it), the re-run reuses the torn batch's id and
    takes its rows in: duplicate record versions, and an event whose digest covers more rows
    than it counted. verify must say so, whatever the store did."""
    db, f, _, lost = torn
    monkeypatch.setattr(recovery, "void_orphans", lambda db, coverage=None: [])
    report = ingest(db, f, "ann", reason="meter re-read")
    assert report.batch_id == lost
    problems = [str(x) for x in verify(db).findings]
    assert any("record version(s) stored more than once" in p for p in problems), problems
    assert any(
        f"batch {lost} says 3 rows" in p and "its digest covers 6 activity_records" in p
        for p in problems
    ), problems
