"""The ledger as a transparency log: the store's tree against the RFC 9162 tree rebuilt from
its events, proofs of logarithmic size, signed checkpoints, the witnessed statement of a
verified period, and bundles checked without the database by the stand-alone script."""

from __future__ import annotations

import ast
import base64
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from openmrv.cli import app
from openmrv.store import bundle, ledger, merkle, note, offline, tlog
from openmrv.verification import statement
from tests.store.test_tamper import build, findings, rewrite_chain

SCRIPT = Path(__file__).parents[2] / "scripts" / "verify_bundle.py"


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3000), st.data())
def test_proofs_are_logarithmic_and_verify(n, data):
    tree = merkle.MemoryTree(i.to_bytes(4, "big") for i in range(n))
    i = data.draw(st.integers(0, n - 1))
    m = data.draw(st.integers(1, n))
    path, proof = tree.inclusion(i), tree.consistency(m)
    bound = math.ceil(math.log2(n)) if n > 1 else 0
    assert len(path) <= bound and len(proof) <= 2 * bound + 1
    leaf = merkle.leaf_hash(i.to_bytes(4, "big"))
    assert merkle.verify_inclusion(leaf, i, n, path, tree.root())
    assert merkle.verify_consistency(m, n, tree.root(m), tree.root(), proof)
    assert offline.verify_inclusion(leaf, i, n, path, tree.root())  # the script's own check


@pytest.fixture
def witnessed(store_url, tmp_path):
    w = build(store_url, tmp_path)
    yield w
    w.db.close()


def test_the_stored_tree_is_the_tree_of_the_events(witnessed):
    db = witnessed.db
    events = list(ledger.events(db))
    rebuilt = tlog.memory_tree(events)
    stored = tlog.StoredTree(db)
    assert stored.size == rebuilt.size == len(events)
    for m in range(1, len(events) + 1):
        assert stored.root(m) == rebuilt.root(m)
        assert stored.consistency(m) == rebuilt.consistency(m)
        assert stored.inclusion(m - 1) == rebuilt.inclusion(m - 1)


def test_a_verified_periods_statement_carries_the_cosigned_checkpoint(witnessed, tmp_path):
    """Every record of the verified facility-year, changed afterwards, is caught by `verify
    --since` the checkpoint the statement carries — also when the chain is rewritten."""
    db, case = witnessed.db, witnessed.demo.case_id
    html = tmp_path / "statement.html"
    facts = statement.write(db, case, html)
    assert facts["signers"] == ["vera", "rex"] and facts["status"] == "verified"
    signed = statement.checkpoint_of(html.read_text())
    cp, signers = note.open_checkpoint(signed, witnessed.trusted)
    assert signers == ["vera", "rex"] and cp.size >= facts["event"]
    proof = facts["proof"]
    assert merkle.verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]), proof["leaf_index"], cp.size,
        [bytes.fromhex(p) for p in proof["path"]], cp.root,
    )  # fmt: skip
    witnessed.checkpoint = signed
    period = db.execute(
        "SELECT record_id, version, batch_id FROM activity_records WHERE facility_id = "
        "'US-PLANT' AND year = 2024 ORDER BY 1, 2"
    )
    assert period
    for record_id, version, batch_id in period:
        seq = next(e.seq for e in ledger.events(db) if e.data().get("batch_id") == batch_id)
        for rewrite in (False, True):
            db.begin_write()
            try:
                db.execute(
                    "UPDATE activity_records SET quantity = quantity + 1 WHERE record_id = ? "
                    "AND version = ?",
                    [record_id, version],
                )
                if rewrite:
                    rewrite_chain(db)
                got = findings(witnessed)
            finally:
                db.rollback()
            assert got and got[0][0] == seq, (record_id, rewrite, got[:2])
    assert not findings(witnessed)


def test_statement_as_pdf(tmp_path):
    w = build(str(tmp_path / "s.duckdb"), tmp_path)
    try:
        statement.write(w.db, w.demo.case_id, tmp_path / "s.html", tmp_path / "s.pdf")
    finally:
        w.db.close()
    assert (tmp_path / "s.pdf").read_bytes()[:5] == b"%PDF-"


def test_cli_checkpoint_prove_and_verify_since(tmp_path):
    w = build(str(tmp_path / "s.duckdb"), tmp_path)
    w.db.close()
    db, run = str(tmp_path / "s.duckdb"), CliRunner().invoke
    cp = tmp_path / "cp.note"
    r = run(app, ["ledger", "checkpoint", "--key", str(w.demo.org_key), "--db", db, "-o", str(cp)])
    assert r.exit_code == 0, r.output
    r = run(app, ["ledger", "prove", "r3", "--db", db])
    assert r.exit_code == 0, r.output
    proof = json.loads(r.stdout)
    (tmp_path / "proof.json").write_text(r.stdout)
    assert (
        proof["event"] == 3 and note.split(proof["checkpoint"])[0] == note.split(cp.read_text())[0]
    )
    assert [s[0] for s in note.split(proof["checkpoint"])[1]] == ["vera", "rex", "org-ORG"]
    r = run(app, ["ledger", "verify", "--db", db, "--since", str(cp)])
    assert r.exit_code == 0 and "extends the checkpoint of" in r.output, r.output
    # a key that did not sign it is not trusted
    other = note.Signer("x", Ed25519PrivateKey.generate()).verifier.encode()
    r = run(app, ["ledger", "verify", "--db", db, "--since", str(cp), "--trust", other])
    assert r.exit_code != 0


def test_a_bundle_verifies_offline_and_names_what_was_changed(witnessed, tmp_path):
    db = witnessed.db
    tlog.checkpoint(db, tlog.read_private(witnessed.demo.org_key))
    doc = bundle.export(db)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(doc))
    keys = [f"--trust={k}" for k in doc["keys"]]
    proof = tlog.prove(db, 3, len(doc["events"])).as_dict() | {
        "checkpoint": tlog.checkpoints(db)[0]["note"]
    }
    (tmp_path / "proof.json").write_text(json.dumps(proof))
    # Another machine: the script alone, in an isolated interpreter (no OpenMRV on its path).
    script = tmp_path / "verify_bundle.py"
    script.write_text(SCRIPT.read_text())
    run = [
        sys.executable,
        "-I",
        str(script),
        str(path),
        *keys,
        "--proof",
        str(tmp_path / "proof.json"),
    ]
    r = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "checkpoint of" in r.stdout and "event 3 is in the log" in r.stdout
    # An edited row, a removed event, a forged signature: each named.
    enc = doc["rows"]["activity_records"]["3"]
    row = bytearray(base64.b64decode(enc[0]))
    row[-1] ^= 1
    bad = json.loads(json.dumps(doc))
    bad["rows"]["activity_records"]["3"][0] = base64.b64encode(bytes(row)).decode()
    _, problems = offline.check(bad, doc["keys"])
    assert problems[0].startswith("event 3: activity_records rows of 3 differ"), problems
    cut = json.loads(json.dumps(doc))
    cut["events"] = cut["events"][:-2]
    _, problems = offline.check(cut, doc["keys"])
    assert "were removed" in problems[0]
    forged = json.loads(json.dumps(doc))
    forged["checkpoints"] = [c.replace("\n\n", "\n\n", 1)[:-10] + "AAAAAAAAA=\n" for c in
                             forged["checkpoints"]]  # fmt: skip
    _, problems = offline.check(forged, doc["keys"])
    assert problems and "checkpoint" in problems[0]
    # the CLI runs the same check
    r = CliRunner().invoke(app, ["ledger", "verify-bundle", str(path), *keys])
    assert r.exit_code == 0, r.output


def test_the_script_needs_only_the_standard_library_and_cryptography():
    tree = ast.parse(SCRIPT.read_text())
    roots = {
        (n.module if isinstance(n, ast.ImportFrom) else a.name).split(".")[0]
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in (n.names if isinstance(n, ast.Import) else [n])
    }
    assert roots - {"cryptography", "__future__"} <= set(sys.stdlib_module_names), roots


def test_a_rewritten_bundle_is_not_the_signed_log(witnessed):
    doc = bundle.export(witnessed.db)
    keys = doc["keys"]
    assert offline.check(doc, keys)[1] == []
    doc["events"][4]["actor"] = "eve"  # and the chain rewritten from there, consistently
    prev = doc["events"][3]["hash"]
    for e in doc["events"][4:]:
        e["prev_hash"] = prev
        e["hash"] = ledger.event_hash(e["seq"], e["at"], e["actor"], e["action"], e["subject"],
                                      e["reason"], e["payload"], prev)  # fmt: skip
        prev = e["hash"]
    _, problems = offline.check(doc, keys)
    assert problems and "are not the log the checkpoint" in problems[0], problems


def test_cli_case_verify_and_witness_write_the_statement(tmp_path):
    from openmrv.api.tenancy import OrgScope, Principal
    from openmrv.store import open_store
    from openmrv.store.ingest import load_facilities
    from tests.conftest import FACILITIES, write_csv
    from tests.store.ledger_demo import populate

    path = str(tmp_path / "s.duckdb")
    db = open_store(path)
    load_facilities(db, write_csv(tmp_path / "f.csv", FACILITIES), "tester")
    demo = populate(db, tmp_path)
    editor = OrgScope(db, "ORG", Principal("ed", "Ed", False, {"ORG": "editor"}))
    from openmrv.api import workflow

    workflow.advance(editor, demo.case_id, "submit")
    workflow.advance(demo.verifier, demo.case_id, "start")
    db.close()
    run = CliRunner().invoke
    html = tmp_path / "statement.html"
    r = run(app, ["case", "verify", str(demo.case_id), "--key", str(demo.verifier_key),
                  "--out", str(html), "--db", path, "--by", "vera"])  # fmt: skip
    assert r.exit_code == 0, r.output
    r = run(app, ["case", "witness", str(demo.case_id), "--key", str(demo.regulator_key),
                  "--out", str(html), "--db", path])  # fmt: skip
    assert r.exit_code == 0 and "signed by vera, rex" in r.output, r.output
    cp = tmp_path / "cp.note"
    cp.write_text(statement.checkpoint_of(html.read_text()))
    r = run(app, ["ledger", "verify", "--db", path, "--since", str(cp)])
    assert r.exit_code == 0 and "signed by vera, rex" in " ".join(r.output.split()), r.output
    # the organisation's own key is not a witness's
    r = run(app, ["case", "witness", str(demo.case_id), "--key", str(demo.org_key),
                  "--out", str(html), "--db", path])  # fmt: skip
    assert r.exit_code != 0
