"""An insider with full rights on the database — tables, the ledger, functions, macros and the
search path — tries to change what the store reports or permits. Each attempt is caught by
`verify`, or by `verify --since` the witnessed checkpoint of a verified period, naming the first
broken event (or the rows no event accounts for). Both backends; `verify` writes nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openmrv.api import workflow
from openmrv.api.tenancy import OrgScope, Principal
from openmrv.cli import app
from openmrv.store import ledger, note, open_store, state, tlog
from openmrv.store.db import Database, connect
from openmrv.store.ingest import load_facilities
from tests.conftest import FACILITIES, write_csv
from tests.store.conftest import BACKENDS, new_pg_database
from tests.store.ledger_demo import Demo, populate


@dataclass
class Witnessed:
    db: Database
    url: str
    demo: Demo
    checkpoint: str  # signed by the verifier at sign-off, co-signed by the regulator
    trusted: list[note.Verifier]


def build(url: str, tmp: Path) -> Witnessed:
    db = open_store(url)
    load_facilities(db, write_csv(tmp / "facilities.csv", FACILITIES), "tester")
    demo = populate(db, tmp)
    editor = OrgScope(db, "ORG", Principal("ed", "Ed", False, {"ORG": "editor"}))
    workflow.advance(editor, demo.case_id, "submit")
    workflow.advance(demo.verifier, demo.case_id, "start")
    workflow.advance(
        demo.verifier, demo.case_id, "verify", signer=tlog.read_private(demo.verifier_key)
    )
    signed = workflow.witness(db, demo.case_id, tlog.read_private(demo.regulator_key))
    trusted = tlog.verifiers(k["verifier_key"] for k in tlog.public_keys(db))
    return Witnessed(db, url, demo, signed, trusted)


@pytest.fixture(scope="module", params=BACKENDS)
def witnessed(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tamper")
    if request.param == "duckdb":
        url = str(tmp / "store.duckdb")
    else:
        url = new_pg_database(request.getfixturevalue("pg"))
    w = build(url, tmp)
    yield w
    w.db.close()


def findings(w: Witnessed) -> list[tuple[int | None, str]]:
    """What `verify --since` the witnessed checkpoint reports, first broken first."""
    since = tlog.check_since(w.db, w.checkpoint, w.trusted)
    v = ledger.verify(w.db)
    found = [*since.problems, *((f.seq, f.problem) for f in v.findings)]
    return sorted(found, key=lambda f: (f[0] is None, f[0] or 0))


# -- where each tampering must be caught


def event_of(db: Database, pick: Callable[[ledger.Event], bool]) -> int:
    return next(e.seq for e in ledger.events(db) if pick(e))


def batch(b: int) -> Callable[[Database], int]:
    return lambda db: event_of(db, lambda e: e.data().get("batch_id") == b)


def action(name: str, subject: str | None = None) -> Callable[[Database], int]:
    return lambda db: event_of(
        db, lambda e: e.action == name and (subject is None or e.subject == subject)
    )


def recorded(table: str, key: str) -> Callable[[Database], int]:
    """The last event recording the state of `table`'s group `key`."""
    return lambda db: max(
        e.seq for e in ledger.events(db) if key in e.data().get("state", {}).get(table, {})
    )


def last(db: Database) -> int:
    return int(db.scalar("SELECT max(seq) FROM ledger_events"))


OUTSIDE = lambda db: None  # noqa: E731  rows no event accounts for


# -- the insider's tools


def rewrite_chain(db: Database, start: int = 1, tree: bool = False) -> None:
    """Recompute every digest, recorded state and hash from event `start` on, as an insider
    covering their tracks would (and, with `tree`, rebuild the stored Merkle tree too)."""
    prev = (
        ledger.GENESIS
        if start == 1
        else db.scalar("SELECT hash FROM ledger_events WHERE seq = ?", [start - 1])
    )
    for e in list(ledger.events(db)):
        if e.seq < start:
            continue
        data = e.data()
        if "digests" in data:
            data["digests"] = ledger.digests(db, data["batch_id"], coverage=ledger.all_coverage())
        if "state" in data:
            groups = [(t, json.loads(k)) for t, g in data["state"].items() for k in g]
            data["state"] = state.state(db, groups)
        payload = ledger.canonical(data)
        h = ledger.event_hash(e.seq, e.at, e.actor, e.action, e.subject, e.reason, payload, prev)
        db.execute(
            "UPDATE ledger_events SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            [payload, prev, h, e.seq],
        )
        prev = h
    if tree:
        db.execute("DELETE FROM ledger_tree")
        tlog.extend(db)


def forge_event(db: Database, action_: str, payload: dict, at_seq: int | None = None) -> None:
    """Append (or, with `at_seq`, insert and renumber after) an event with a valid hash."""
    if at_seq is not None:
        db.execute("UPDATE ledger_events SET seq = seq + 1000 WHERE seq >= ?", [at_seq])
        db.execute("UPDATE ledger_events SET seq = seq - 999 WHERE seq >= ?", [at_seq + 1000])
        seq = at_seq
    else:
        seq = last(db) + 1
    prev = db.scalar("SELECT hash FROM ledger_events WHERE seq = ?", [seq - 1])
    text = ledger.canonical(payload)
    at = ledger.now()
    h = ledger.event_hash(seq, at, "mallory", action_, "forged", None, text, prev)
    db.execute(
        "INSERT INTO ledger_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [seq, at, "mallory", action_, "forged", None, text, prev, h],
    )
    if at_seq is not None:
        rewrite_chain(db, at_seq + 1)


def sql(*statements: str) -> Callable[[Database], None]:
    def run(db: Database) -> None:
        for s in statements:
            db.execute(s)

    return run


def halve_and(*statements: str) -> Callable[[Database], None]:
    """Halve a reported quantity, with some cover."""
    return sql(*statements, "UPDATE activity_records SET quantity = quantity / 2 "
               "WHERE record_id = 'r3'")  # fmt: skip


def md5_of_text(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


# name -> (backends, tamper, where it must be caught, what the finding says)
Case = tuple[tuple[str, ...], Callable[[Database], None], Callable[[Database], int | None], str]
BOTH = ("duckdb", "postgresql")
CASES: dict[str, Case] = {
    # activity records and batches
    "halve a quantity": (BOTH, halve_and(), batch(3), "activity_records rows of batch 3 differ"),
    "halve a quantity and fix its content hash": (
        BOTH, halve_and("UPDATE activity_records SET content_hash = 'x' WHERE record_id = 'r3'"),
        batch(3), "activity_records rows of batch 3 differ"),
    "edit a row's lineage": (BOTH, sql("UPDATE activity_records SET source_row = 99 WHERE "
                             "record_id = 'r1'"), batch(2), "activity_records rows of batch 2"),
    "NULL reason becomes the text \\N": (
        BOTH, sql("UPDATE activity_records SET reason = '\\N' WHERE record_id = 'r1'"),
        batch(2), "activity_records rows of batch 2 differ"),
    "NULL evidence becomes empty text": (
        BOTH, sql("UPDATE activity_records SET evidence_ref = '' WHERE record_id = 'r1' AND "
                  "evidence_ref IS NULL"), batch(2), "activity_records rows of batch 2"),
    "delete a record version": (BOTH, sql("DELETE FROM activity_records WHERE record_id = 'r1'"),
                                batch(2), "activity_records rows of batch 2 differ"),
    "insert a record version into a batch": (
        BOTH, sql("INSERT INTO activity_records SELECT * FROM activity_records WHERE "
                  "record_id = 'r3'"), batch(3), "activity_records rows of batch 3 differ"),
    "insert rows of a batch no event records": (
        BOTH, sql("UPDATE activity_records SET batch_id = 77 WHERE record_id = 'r3'"),
        batch(3), "activity_records rows of batch 3 differ"),
    "undo a tombstone": (BOTH, sql("UPDATE activity_records SET deleted = false WHERE deleted"),
                         batch(4), "activity_records rows of batch 4 differ"),
    "move a record to another organisation": (
        BOTH, sql("UPDATE activity_records SET organization_id = 'EVIL' WHERE record_id = 'r1'"),
        batch(2), "activity_records rows of batch 2 differ"),
    "edit a batch row": (BOTH, sql("UPDATE batches SET submitted_by = 'eve' WHERE batch_id = 2"),
                         batch(2), "batch 2 row differs"),
    "delete a batch row": (BOTH, sql("DELETE FROM batches WHERE batch_id = 3"), batch(3),
                           "batch 3 row differs"),
    "rename a facility": (BOTH, sql("UPDATE facilities SET name = 'x' WHERE facility_id = "
                          "'US-PLANT'"), batch(1), "facilities rows of batch 1 differ"),
    "change an equity share": (BOTH, sql("UPDATE facilities SET equity_share = 0.5"), batch(1),
                               "facilities rows of batch 1 differ"),
    "flip a boundary flag": (BOTH, sql("UPDATE facilities SET operational_control = NOT "
                             "COALESCE(operational_control, false)"), batch(1),
                             "facilities rows of batch 1 differ"),
    "delete a source": (BOTH, sql("DELETE FROM sources WHERE source_id = 'B1'"), batch(2),
                        "sources rows of batch 2 differ"),
    # the chain
    "edit an event's payload": (BOTH, sql("UPDATE ledger_events SET payload = replace(payload, "
                                "'a.csv', 'z.csv') WHERE seq = 2"), lambda db: 2,
                                "content does not match its hash"),
    "edit an event's actor": (BOTH, sql("UPDATE ledger_events SET actor = 'eve' WHERE seq = 5"),
                              lambda db: 5, "content does not match its hash"),
    "delete an event": (BOTH, sql("DELETE FROM ledger_events WHERE seq = 6"), lambda db: 6,
                        "differs from the log the checkpoint"),
    "swap two events": (BOTH, sql("UPDATE ledger_events SET seq = -1 WHERE seq = 6",
                                  "UPDATE ledger_events SET seq = 6 WHERE seq = 7",
                                  "UPDATE ledger_events SET seq = 7 WHERE seq = -1"),
                        lambda db: 6, "does not follow the event before it"),
    "truncate the tail": (BOTH, lambda db: db.execute(
        "DELETE FROM ledger_events WHERE seq > ?", [last(db) - 3]),
        last, "is missing from the log the checkpoint"),
    "append a forged event after a broken link": (
        BOTH, lambda db: db.execute(
            "INSERT INTO ledger_events SELECT seq + 1, recorded_at, actor, action, subject, "
            "reason, payload, prev_hash, hash FROM ledger_events WHERE seq = ?", [last(db)]),
        lambda db: last(db), "does not follow the event before it"),
    "append a forged batch event with no rows": (
        BOTH, lambda db: forge_event(db, "ingest", {
            "batch_id": 99, "batch": None, "digests": {"activity_records": "5:v3:" + "0" * 64},
            "rows": 5, "new": 5, "changed": 0, "unchanged": 0}),
        last, "activity_records rows of batch 99 differ"),
    "insert a forged event and rewrite the chain after it": (
        BOTH, lambda db: forge_event(db, "grant", {"role": "owner"}, at_seq=9),
        lambda db: 9, "differs from the log the checkpoint"),
    "halve a quantity and rewrite the whole chain": (
        BOTH, lambda db: (halve_and()(db), rewrite_chain(db)), batch(3),
        "differs from the log the checkpoint"),
    "halve, rewrite the chain and the stored tree": (
        BOTH, lambda db: (halve_and()(db), rewrite_chain(db, tree=True)), OUTSIDE,
        "differ from what the checkpoint signed"),
    # functions, macros, search path: verify calls none of them
    "md5 macro that answers the recorded hash": (
        ("duckdb",), halve_and("CREATE OR REPLACE MACRO md5(x) AS 'forged'"), batch(3),
        "activity_records rows of batch 3 differ"),
    "sha256 and concat macros": (
        ("duckdb",), halve_and("CREATE OR REPLACE MACRO sha256(x) AS 'forged'",
                               "CREATE OR REPLACE MACRO concat(a, b) AS 'forged'"),
        batch(3), "activity_records rows of batch 3 differ"),
    "public.md5 ahead of pg_catalog": (
        ("postgresql",), halve_and(
            "CREATE FUNCTION public.md5(text) RETURNS text LANGUAGE sql AS $$ SELECT "
            "pg_catalog.md5('forged') $$",
            "SET LOCAL search_path = public, pg_catalog"),
        batch(3), "activity_records rows of batch 3 differ"),
    "public sha256 and encode ahead of pg_catalog": (
        ("postgresql",), halve_and(
            "CREATE FUNCTION public.sha256(bytea) RETURNS bytea LANGUAGE sql AS $$ SELECT "
            "'\\x00'::bytea $$",
            "CREATE FUNCTION public.coalesce_text(text) RETURNS text LANGUAGE sql AS $$ "
            "SELECT 'x' $$",
            "SET LOCAL search_path = public, pg_catalog"),
        batch(3), "activity_records rows of batch 3 differ"),
    # locks and verification cases
    "remove a lock": (BOTH, sql("DELETE FROM period_locks WHERE facility_id = 'CN-PLANT'"),
                      action("lock", "CN-PLANT 2024"), "lock of CN-PLANT 2024 differs"),
    "remove the verified period's lock": (
        BOTH, sql("DELETE FROM period_locks WHERE facility_id = 'US-PLANT'"),
        action("lock", "US-PLANT 2024"), "lock of US-PLANT 2024 differs"),
    "edit a lock's reason": (BOTH, sql("UPDATE period_locks SET reason = 'x'"),
                             action("lock", "CN-PLANT 2024"), "lock of CN-PLANT 2024 differs"),
    "forge an extra sign-off row": (
        BOTH, sql("INSERT INTO case_steps SELECT case_id, step + 1, stepped_at, actor, action, "
                  "from_status, to_status, findings, ledger_seq FROM case_steps WHERE "
                  "action = 'verify'"), OUTSIDE, "that no event records"),
    "edit a step's findings": (BOTH, sql("UPDATE case_steps SET findings = 'all fine' WHERE "
                               "action = 'return'"), action("case-return"),
                               "step 4 of verification case 1 differs"),
    "delete a step": (BOTH, sql("DELETE FROM case_steps WHERE action = 'start' AND step = 3"),
                      action("case-start"), "step 3 of verification case 1 differs"),
    "move a case to another facility": (
        BOTH, sql("UPDATE verification_cases SET facility_id = 'CN-PLANT'"),
        action("case-open"), "verification case 1 differs"),
    # roles, users, tokens
    "promote a viewer to owner": (BOTH, sql("UPDATE memberships SET role = 'owner' WHERE "
                                  "user_id = 'ed'"), recorded("memberships", '["ed","ORG"]'),
                                  "memberships rows of [\"ed\",\"ORG\"] differ"),
    "grant oneself a role": (BOTH, sql("INSERT INTO memberships VALUES ('mallory', 'ORG', "
                             "'owner', 'admin', '2026-01-01')"), OUTSIDE,
                             "memberships row(s) of [\"mallory\",\"ORG\"] that no event"),
    "delete a verifier's role": (BOTH, sql("DELETE FROM memberships WHERE user_id = 'vera'"),
                                 recorded("memberships", '["vera","ORG"]'), "memberships rows"),
    "make a user a regulator": (BOTH, sql("UPDATE users SET is_regulator = true WHERE user_id = "
                                "'ed'"), recorded("users", '["ed"]'), "users rows of"),
    "replace a password hash": (BOTH, sql("UPDATE users SET password_hash = 'x' WHERE user_id = "
                                "'ann'"), recorded("users", '["ann"]'), "users rows of"),
    "widen a token's scopes": (BOTH, sql("UPDATE api_tokens SET scopes = 'read,write'"),
                               lambda db: action("token")(db), "api_tokens rows of"),
    "un-revoke a token": (BOTH, sql("UPDATE api_tokens SET revoked_at = NULL"),
                          action("token-revoke"), "api_tokens rows of"),
    "NULL parent becomes the text \\N": (
        BOTH, sql("UPDATE api_tokens SET parent_id = '\\N' WHERE parent_id IS NULL"),
        action("token"), "api_tokens rows of"),
    "swap a token's hash": (BOTH, sql("UPDATE api_tokens SET token_hash = 'x'"), action("token"),
                            "api_tokens rows of"),
    "insert a token": (BOTH, sql("INSERT INTO api_tokens (token_id, user_id, token_hash, scopes, "
                       "label, created_at) VALUES ('t0', 'ann', 'h', 'write', 'x', 'now')"),
                       OUTSIDE, "api_tokens row(s) of [\"t0\"] that no event"),
    # runs, targets, uploads, keys
    "halve a stored run total": (BOTH, sql("UPDATE run_scope_totals SET co2e_t = co2e_t / 2"),
                                 action("calculate"), "run_scope_totals rows of [1] differ"),
    "delete a breakdown row": (BOTH, sql("DELETE FROM run_breakdown WHERE co2e_t = (SELECT "
                               "max(co2e_t) FROM run_breakdown)"), action("calculate"),
                               "run_breakdown rows of [1] differ"),
    "edit a run's record count": (BOTH, sql("UPDATE org_runs SET records = 1"),
                                  action("calculate"), "org_runs rows of [1] differ"),
    "soften a target": (BOTH, sql("UPDATE targets SET reduction_pct = 5"), action("target"),
                        "targets rows of [1] differ"),
    "edit an upload's status": (BOTH, sql("UPDATE uploads SET status = 'rejected'"),
                                action("upload"), "uploads rows of [1] differ"),
    "substitute a verifier's public key": (
        BOTH, sql("UPDATE ledger_keys SET verifier_key = (SELECT verifier_key FROM ledger_keys "
                  "WHERE name = 'rex') WHERE name = 'vera'"), action("key", "vera"),
        "ledger_keys rows of [\"vera\"] differ"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_tampering_is_caught_at_the_first_broken_event(witnessed, name):
    backends, tamper, where, says = CASES[name]
    if witnessed.db.kind not in backends:
        pytest.skip(f"{witnessed.db.kind} has no such feature")
    db = witnessed.db
    assert not findings(witnessed)
    db.begin_write()
    try:
        tamper(db)
        expected = where(db)
        got = findings(witnessed)
    finally:
        db.rollback()
    assert got, f"{name}: not caught"
    assert got[0][0] == expected, got[:3]
    assert any(says in problem for _, problem in got), got[:4]
    assert not findings(witnessed)  # undone


def test_the_suite_is_as_large_as_the_issue_asks():
    per = {b: sum(b in c[0] for c in CASES.values()) for b in BOTH}
    assert per["duckdb"] >= 40 and per["postgresql"] >= 20, per


def test_verify_writes_nothing_and_trusts_no_macro(tmp_path):
    """The DuckDB file's bytes are unchanged by `ledger verify` (with --since), even with a
    macro md5 in the file; a halved quantity under that macro is named."""
    w = build(str(tmp_path / "s.duckdb"), tmp_path)
    (tmp_path / "cp.note").write_text(w.checkpoint)
    w.db.execute("CREATE MACRO md5(x) AS 'forged'")
    w.db.execute("UPDATE activity_records SET quantity = quantity / 2 WHERE record_id = 'r3'")
    w.db.close()
    path = tmp_path / "s.duckdb"
    before = path.read_bytes()
    args = ["ledger", "verify", "--db", str(path), "--since", str(tmp_path / "cp.note")]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 1, r.output
    assert "first broken event 3: activity_records rows of batch 3 differ" in " ".join(
        r.output.split()
    )
    assert path.read_bytes() == before
    assert not Path(str(path) + ".wal").exists()


def test_verify_on_postgresql_is_read_only_and_ignores_the_search_path(pg, tmp_path):
    """A `public.md5` ahead of pg_catalog on the database's default search path does not fool
    `ledger verify`, whose session is read-only (any write would fail) with pg_catalog first."""
    url = new_pg_database(pg)
    w = build(url, tmp_path)
    db = w.db
    db.execute("CREATE FUNCTION public.md5(text) RETURNS text LANGUAGE sql AS "
               "$$ SELECT 'forged'::text $$")  # fmt: skip
    name = url.rsplit("/", 1)[1]
    db.execute(f"ALTER DATABASE {name} SET search_path = public, pg_catalog")
    db.execute("UPDATE activity_records SET quantity = quantity / 2 WHERE record_id = 'r3'")
    db.close()
    r = CliRunner().invoke(app, ["ledger", "verify", "--db", url])
    assert r.exit_code == 1
    assert "first broken event 3: activity_records rows of batch 3 differ" in " ".join(
        r.output.split()
    )
    ro = connect(url, read_only=True)
    try:
        assert ro.scalar("SHOW transaction_read_only") == "on"
        assert ro.scalar("SHOW search_path").startswith("pg_catalog")
        with pytest.raises(Exception, match="read-only"):
            ro.execute("UPDATE activity_records SET quantity = 0")
    finally:
        ro.close()
