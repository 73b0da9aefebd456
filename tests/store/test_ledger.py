"""Tampering directly in the database is caught by `ledger verify`, which names the first
broken event (both backends)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from openmrv.cli import app
from openmrv.store import ledger
from openmrv.store.ingest import ingest
from openmrv.store.periods import lock
from tests.store.helpers import activity, coal, verify


@pytest.fixture
def filled(store, tmp_path):
    """Events: 1 facilities, 2 batch A (r1, r2), 3 batch B (r3, r4), 4 lock."""
    ingest(store, activity(tmp_path / "a.csv", coal("r1"), coal("r2", 2)), "ann")
    ingest(store, activity(tmp_path / "b.csv", coal("r3", 3), coal("r4", 4)), "bob")
    lock(store, "CN-PLANT", 2024, "vera", "verified")
    assert verify(store).ok
    return store


def _swap_events(db, a: int, b: int) -> None:
    db.execute("UPDATE ledger_events SET seq = -1 WHERE seq = ?", [a])
    db.execute("UPDATE ledger_events SET seq = ? WHERE seq = ?", [a, b])
    db.execute("UPDATE ledger_events SET seq = ? WHERE seq = -1", [b])


TAMPERING = {
    "edit a value": (
        lambda db: db.execute("UPDATE activity_records SET quantity = 101 WHERE record_id = 'r3'"),
        3,
        "activity_records rows of batch 3 differ",
    ),
    "edit a value and its content hash": (
        lambda db: db.execute(
            "UPDATE activity_records SET quantity = 101, content_hash = md5('forged') "
            "WHERE record_id = 'r3'"
        ),
        3,
        "activity_records rows of batch 3 differ",
    ),
    "edit where a row came from": (
        lambda db: db.execute("UPDATE activity_records SET source_row = 9 WHERE record_id = 'r1'"),
        2,
        "activity_records rows of batch 2 differ",
    ),
    "delete a row": (
        lambda db: db.execute("DELETE FROM activity_records WHERE record_id = 'r2'"),
        2,
        "activity_records rows of batch 2 differ",
    ),
    "insert a row": (
        lambda db: db.execute(
            "INSERT INTO activity_records SELECT * FROM activity_records WHERE record_id = 'r4'"
        ),
        3,
        "activity_records rows of batch 3 differ",
    ),
    "reorder events": (lambda db: _swap_events(db, 2, 3), 2, "does not follow the event"),
    "edit an event": (
        lambda db: db.execute("UPDATE ledger_events SET actor = 'mallory' WHERE seq = 3"),
        3,
        "the event was edited",
    ),
    "delete an event": (
        lambda db: db.execute("DELETE FROM ledger_events WHERE seq = 2"),
        3,
        "sequence jumps from 1 to 3",
    ),
    "edit a facility": (
        lambda db: db.execute(
            "UPDATE facilities SET country = 'CN' WHERE facility_id = 'US-PLANT'"
        ),
        1,
        "facilities rows of batch 1 differ",
    ),
    "edit a facility's boundary flag": (
        lambda db: db.execute(
            "UPDATE facilities SET operational_control = false WHERE facility_id = 'US-PLANT'"
        ),
        1,
        "facilities rows of batch 1 differ",
    ),
    "edit a batch": (
        lambda db: db.execute("UPDATE batches SET submitted_by = 'mallory' WHERE batch_id = 2"),
        2,
        "batch 2 row differs",
    ),
    "remove a lock": (
        lambda db: db.execute("DELETE FROM period_locks"),
        4,
        "lock of CN-PLANT 2024 differs",
    ),
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_tampering_is_detected_at_the_first_broken_event(filled, store_url, how):
    tamper, first, problem = TAMPERING[how]
    tamper(filled)
    assert_first_broken(filled, store_url, first, problem)


def assert_first_broken(db, store_url: str, first: int, problem: str) -> None:
    """`verify` and the CLI's `ledger verify` both name event `first`, for `problem`."""
    v = verify(db)
    assert not v.ok
    assert v.findings[0].seq == first, v.findings
    assert problem in v.findings[0].problem, v.findings
    db.close()  # DuckDB: one process at a time; the CLI opens the file itself
    result = CliRunner().invoke(app, ["ledger", "verify", "--db", store_url])
    assert result.exit_code == 1
    assert f"first broken event {first}:" in " ".join(result.output.split())


def test_rows_no_event_records_are_reported(filled):
    filled.execute(
        "INSERT INTO activity_records SELECT record_id, facility_id, source_id, period_start, "
        "period_end, year, category, fuel, fuel_state, biogenic, quantity, unit, unit_key, "
        "qty_kind, qty, energy_basis, hhv, ncv, carbon_content, carbon_content_per, "
        "oxidation_factor, molecular_weight, measured_co2_t, boiler_ratio_b, tier, instrument, "
        "data_quality, evidence_ref, source_row, source_file, content_hash, version + 1, 99, "
        "deleted, reason, organization_id FROM activity_records WHERE record_id = 'r1'"
    )
    v = verify(filled)
    assert [str(f) for f in v.findings] == [
        "outside the chain: 1 activity_records row(s) of batch 99 that no event records"
    ]


def test_head_must_match_when_given(filled):
    head = verify(filled).head
    assert verify(filled, expect_head=head).ok
    assert not verify(filled, expect_head="0" * 64).ok


def test_export_and_cli_verify(filled, store_url, tmp_path):
    head = verify(filled).head
    filled.close()
    out = tmp_path / "ledger.jsonl"
    r = CliRunner().invoke(app, ["ledger", "export", "--db", store_url, "--out", str(out)])
    assert r.exit_code == 0, r.output
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert [e["action"] for e in events] == ["facilities", "ingest", "ingest", "lock"]
    assert events[-1]["hash"] == head and events[1]["prev_hash"] == events[0]["hash"]
    assert events[1]["payload"]["batch"]["file_name"] == "a.csv"
    r = CliRunner().invoke(app, ["ledger", "verify", "--db", store_url])
    assert r.exit_code == 0 and "ledger OK: 4 events" in r.output


LEGACY = {"duckdb": (None, "v2", "v2o", "v1o"), "postgresql": (None, "v1o")}


def _as_recorded_by_the_database(db, tag):
    """Rewrite every activity digest (and the chain after it) as the store's own database
    computed it before v3: its md5 of its text forms, in SQL (db.digest)."""
    from openmrv.store.db import row_text

    columns, _ = ledger.ACTIVITY_ROWS.columns_and_check(tag)
    prev = ledger.GENESIS
    for e in list(ledger.events(db)):
        data = e.data()
        if "activity_records" in data.get("digests", {}):
            b = data["batch_id"]
            n = data["digests"]["activity_records"].split(":")[0]
            value = db.digest(row_text(columns), "activity_records WHERE batch_id = ?",
                              "record_id, version", [b])  # fmt: skip
            data["digests"]["activity_records"] = f"{n}:{tag}:{value}" if tag else f"{n}:{value}"
        payload = ledger.canonical(data)
        h = ledger.event_hash(e.seq, e.at, e.actor, e.action, e.subject, e.reason, payload, prev)
        db.execute(
            "UPDATE ledger_events SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            [payload, prev, h, e.seq],
        )
        prev = h


def test_digests_keep_the_scheme_they_were_recorded_with(filled):
    """New events digest rows in scheme v3 (canonical encoding, in Python); digests recorded
    before, in every older scheme, were the database's own md5 of its text forms: `verify`
    recomputes them in Python (store/legacy.py), equal to what the database computed, and
    tampering is still caught."""
    events = list(ledger.events(filled))
    assert ":v3:" in events[1].data()["digests"]["activity_records"]
    if filled.kind == "duckdb":  # the content hashes the v2 schemes check, as ingest wrote them
        from openmrv.store.db import row_text
        from openmrv.store.schema import CONTENT_NAMES

        filled.execute(f"UPDATE activity_records SET content_hash = md5({row_text(CONTENT_NAMES)})")
    for tag in LEGACY[filled.kind]:
        _as_recorded_by_the_database(filled, tag)
        recorded = [e.data()["digests"] for e in ledger.events(filled) if "digests" in e.data()]
        assert any(":" + (tag or "") in d.get("activity_records", "") for d in recorded)
        assert verify(filled).ok, (tag, verify(filled).findings)
    filled.execute("UPDATE activity_records SET quantity = 101 WHERE record_id = 'r3'")
    v = verify(filled)
    assert v.findings[0].seq == 3, v.findings
    assert "activity_records rows of batch 3 differ" in v.findings[0].problem


@pytest.fixture
def reviewed(filled):
    """Events 5-8: a verification case of US-PLANT 2024 opened and submitted by an editor,
    started and returned with findings by a verifier (api.workflow, as the web app does)."""
    from openmrv.api import workflow
    from openmrv.api.tenancy import OrgScope, Principal

    editor = OrgScope(filled, "ORG", Principal("ed", "Ed", False, {"ORG": "editor"}))
    verifier = OrgScope(filled, "ORG", Principal("vera", "Vera", False, {"ORG": "verifier"}))
    case_id = workflow.open_case(editor, "US-PLANT", 2024)
    workflow.advance(editor, case_id, "submit")
    workflow.advance(verifier, case_id, "start")
    workflow.advance(verifier, case_id, "return", "January invoice missing")
    actions = [e.action for e in ledger.events(filled)][4:]
    assert actions == ["case-open", "case-submit", "case-start", "case-return"]
    assert verify(filled).ok
    return filled


CASE_TAMPERING = {
    "edit a step's findings": (
        "UPDATE case_steps SET findings = 'all fine' WHERE step = 4",
        8,
        "step 4 of verification case 1 differs from what was recorded",
    ),
    "edit who took a step": (
        "UPDATE case_steps SET actor = 'mallory' WHERE step = 3",
        7,
        "step 3 of verification case 1 differs from what was recorded",
    ),
    "delete a step": (
        "DELETE FROM case_steps WHERE step = 2",
        6,
        "step 2 of verification case 1 differs from what was recorded",
    ),
    "mark the case verified": (
        "UPDATE verification_cases SET status = 'verified'",
        8,
        "verification case 1 is 'verified'; its last step made it 'returned'",
    ),
    "move the case to another facility": (
        "UPDATE verification_cases SET facility_id = 'CN-PLANT'",
        5,
        "verification case 1 differs from what was recorded",
    ),
}


@pytest.mark.parametrize("how", list(CASE_TAMPERING))
def test_tampering_with_a_verification_case_is_detected(reviewed, store_url, how):
    sql, first, problem = CASE_TAMPERING[how]
    reviewed.execute(sql)
    assert_first_broken(reviewed, store_url, first, problem)


def test_case_steps_and_cases_no_event_records_are_reported(reviewed):
    reviewed.execute(
        "INSERT INTO case_steps VALUES (1, 5, '2026-01-01T00:00:00+00:00', 'vera', 'verify', "
        "'in_verification', 'verified', NULL, 99)"
    )
    reviewed.execute(
        "INSERT INTO verification_cases VALUES (2, 'ORG', 'US-PLANT', 2023, 'verified', 'ed', "
        "'2026-01-01T00:00:00+00:00')"
    )
    v = verify(reviewed)
    assert [str(f) for f in v.findings] == [
        "outside the chain: step 5 of verification case 1 that no event records",
        "outside the chain: a verification case 2 that no event records",
    ]


def test_a_step_row_naming_another_steps_event_is_reported(reviewed):
    """A copied step row points at a real event (of another case's step): still no event
    records it."""
    reviewed.execute(
        "INSERT INTO case_steps SELECT 7, step, stepped_at, actor, action, from_status, "
        "to_status, findings, ledger_seq FROM case_steps WHERE step = 1"
    )
    v = verify(reviewed)
    assert [str(f) for f in v.findings] == [
        "outside the chain: step 1 of verification case 7 that no event records"
    ]
