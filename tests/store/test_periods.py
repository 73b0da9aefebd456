"""Locked periods refuse changes; a restatement records the diff and the reason."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from openmrv.cli import app
from openmrv.store import StoreError
from openmrv.store.ingest import delete, ingest
from openmrv.store.ledger import events
from openmrv.store.periods import lock
from tests.store.helpers import activity, coal, count, verify


@pytest.fixture
def locked(store, tmp_path):
    ingest(store, activity(tmp_path / "a.csv", coal("r1"), coal("r2", 2)), "ann")
    lock(store, "US-PLANT", 2024, "vera", "verified 2024")
    return store


def test_locked_period_refuses_changes(locked, tmp_path):
    n = count(locked)
    changed = activity(tmp_path / "b.csv", coal("r1", quantity=150))
    with pytest.raises(StoreError) as exc:
        ingest(locked, changed, "ann", reason="typo")
    msg = str(exc.value)
    assert "period US-PLANT 2024 is locked by vera" in msg
    assert "verified 2024" in msg and "openmrv period restate US-PLANT 2024" in msg
    with pytest.raises(StoreError, match="is locked"):
        ingest(locked, activity(tmp_path / "c.csv", coal("r9", 5)), "ann")
    with pytest.raises(StoreError, match="is locked"):
        delete(locked, ["r2"], "ann", "duplicate")
    with pytest.raises(StoreError, match="already locked by vera"):
        lock(locked, "US-PLANT", 2024, "vera", "again")
    assert count(locked) == n
    # other periods are open
    r = ingest(
        locked,
        activity(
            tmp_path / "d.csv", coal("r5", 1, period_start="2025-01-01", period_end="2025-01-31")
        ),
        "ann",
    )
    assert r.new == 1


def test_restatement_records_the_diff_and_reason(locked, tmp_path):
    f = activity(tmp_path / "b.csv", coal("r1", quantity=150), coal("r2", 2), coal("r3", 3))
    r = ingest(locked, f, "ann", reason="meter recalibrated", restating=("US-PLANT", 2024))
    assert (r.new, r.changed, r.unchanged) == (1, 1, 1)
    last = list(events(locked))[-1]
    assert (last.action, last.subject, last.reason) == (
        "restate",
        "US-PLANT 2024",
        "meter recalibrated",
    )
    diff = last.data()["restatement"]
    by_id = {c["record_id"]: c for c in diff["records"]}
    assert by_id["r1"]["fields"]["quantity"] == [100.0, 150.0]
    assert (by_id["r1"]["from_version"], by_id["r1"]["to_version"]) == (1, 2)
    assert set(by_id["r1"]["fields"]) == {"quantity", "qty"}
    assert by_id["r3"]["from_version"] is None and by_id["r3"]["fields"]["quantity"] == [
        None,
        100.0,
    ]
    assert "r2" not in by_id
    assert verify(locked).ok


def test_restating_needs_the_period_locked_and_a_reason(locked, tmp_path):
    f = activity(tmp_path / "b.csv", coal("r1", quantity=150))
    with pytest.raises(StoreError, match="needs a reason"):
        ingest(locked, f, "ann", restating=("US-PLANT", 2024))
    with pytest.raises(StoreError, match="CN-PLANT 2024 is not locked"):
        ingest(
            locked,
            activity(tmp_path / "c.csv", coal("r8", facility_id="CN-PLANT", unit="t")),
            "ann",
            reason="x",
            restating=("CN-PLANT", 2024),
        )


def test_cli_lock_and_restate(locked, store_url, tmp_path):
    locked.close()
    f = activity(tmp_path / "b.csv", coal("r2", 2, quantity=80))
    r = CliRunner().invoke(app, ["ingest", str(f), "--db", store_url, "--reason", "typo"])
    assert r.exit_code == 2
    assert "period US-PLANT 2024 is locked" in " ".join(r.output.split())
    r = CliRunner().invoke(
        app,
        [
            "period",
            "restate",
            "US-PLANT",
            "2024",
            str(f),
            "--db",
            store_url,
            "--reason",
            "typo",
            "--by",
            "ann",
        ],
    )
    assert r.exit_code == 0, r.output
    assert '"quantity": [' in r.output and "80.0" in r.output
    r = CliRunner().invoke(app, ["history", "r2", "--db", store_url])
    assert r.exit_code == 0 and "typo" in r.output and "ann" in r.output
