"""Transfers between organisations on DuckDB and PostgreSQL: the emitter stores the sender
side, the storage operator the receiver side; each is told per own row "matched", "differs by
x t", "no counterpart recorded" or "claimed by N organisations", and never sees the other's
rows (the US example's figures: Q3 EOR sender 251,275.2 t, receiver 249,239.9 t)."""

from __future__ import annotations

import shutil

import pytest

from openmrv.ccus import store as ccus_store
from openmrv.ccus.account import read_folder
from openmrv.store import ledger, open_store
from tests.ccus.helpers import copy, rows, write
from tests.store.conftest import pg, store_url  # noqa: F401 (fixtures: both backends)

EMITTER, OPERATOR, OTHER = "ORG-WYCOAL", "ORG-HIGHPLAINS", "ORG-ELSEWHERE"


@pytest.fixture
def db(store_url):  # noqa: F811
    d = open_store(store_url)
    yield d
    d.close()


def _split(tmp_path):
    """The US example as two organisations' folders: the emitter's capture and sender rows,
    the operator's sites, meters, losses and receiver rows."""
    us = copy("us", tmp_path)
    tr = rows(us, "transfers.csv")
    emitter, operator = tmp_path / "emitter", tmp_path / "operator"
    emitter.mkdir()
    shutil.copytree(us, operator, ignore=shutil.ignore_patterns("capture.csv", "transfers.csv"))
    shutil.copy(us / "capture.csv", emitter / "capture.csv")
    write(emitter, "transfers.csv", [r for r in tr if r["side"] == "sender"])
    received = [r for r in tr if r["side"] == "receiver" and r["transfer_id"] != "T-WY-SAL-2025Q4"]
    write(operator, "transfers.csv", received)
    return emitter, operator, tr


def _status(rec, tid):
    return rec.set_index("transfer_id").loc[tid]


def test_each_side_sees_its_own_rows_and_the_outcome(db, tmp_path):
    emitter, operator, tr = _split(tmp_path)
    ccus_store.ingest(db, EMITTER, read_folder(emitter), "emitter")
    # before the operator stores its side, the emitter's transfers have no counterpart
    assert set(ccus_store.counterparts(db, EMITTER).status) == {"no counterpart recorded"}
    ccus_store.ingest(db, OPERATOR, read_folder(operator), "operator")
    assert ledger.verify(db).ok

    mine = ccus_store.counterparts(db, EMITTER)
    assert set(mine.side) == {"sender"} and len(mine) == 8
    q1 = _status(mine, "T-WY-EOR-2025Q1")  # 257,506.8 − 257,539.1 = −32.3 t, 0.013 %
    assert q1.status == "matched" and q1.difference_t == pytest.approx(-32.3)
    q3 = _status(mine, "T-WY-EOR-2025Q3")  # −2,035.3 t, 0.81 % > 0.5 %
    assert q3.status == "differs by -2,035.3 t" and q3.flagged
    assert _status(mine, "T-WY-SAL-2025Q4").status == "no counterpart recorded"
    sent = {r["transfer_id"]: float(r["co2_t"]) for r in tr if r["side"] == "sender"}
    assert dict(zip(mine.transfer_id, mine.co2_t, strict=True)) == sent  # its own figures only

    theirs = ccus_store.counterparts(db, OPERATOR)
    assert set(theirs.side) == {"receiver"} and len(theirs) == 7
    assert _status(theirs, "T-WY-EOR-2025Q3").status == "differs by -2,035.3 t"
    got = {r["transfer_id"]: float(r["co2_t"]) for r in tr if r["side"] == "receiver"}
    assert all(got[t] == v for t, v in zip(theirs.transfer_id, theirs.co2_t, strict=True))
    # a third organisation stored nothing: it is told nothing
    assert ccus_store.counterparts(db, OTHER).empty
    assert ccus_store.load(ccus_store.org_rows(db, OTHER)) is None


def test_a_transfer_received_by_two_organisations_is_flagged(db, tmp_path):
    emitter, operator, tr = _split(tmp_path)
    ccus_store.ingest(db, EMITTER, read_folder(emitter), "emitter")
    ccus_store.ingest(db, OPERATOR, read_folder(operator), "operator")
    other = tmp_path / "other"
    other.mkdir()
    claim = next(r for r in tr if r["transfer_id"] == "T-WY-EOR-2025Q1" and r["side"] == "receiver")
    write(other, "transfers.csv", [dict(claim, record_id="X-1")])
    ccus_store.ingest(db, OTHER, read_folder(other), "other")
    q1 = _status(ccus_store.counterparts(db, EMITTER), "T-WY-EOR-2025Q1")
    assert q1.status == "claimed by 2 organisations" and q1.flagged
    assert _status(ccus_store.counterparts(db, OTHER), "T-WY-EOR-2025Q1").status == "matched"


def test_an_organisation_holding_both_sides_is_reconciled_within_it(db, tmp_path):
    # the whole US example in one organisation: custody.reconcile covers it, not counterparts
    ccus_store.ingest(db, OPERATOR, read_folder(copy("us", tmp_path)), "t")
    assert ccus_store.counterparts(db, OPERATOR).empty


def test_the_command_shows_only_the_callers_records(tmp_path):
    from typer.testing import CliRunner

    from openmrv.cli import build_app

    emitter, operator, _ = _split(tmp_path)
    cli, run, db = build_app(), CliRunner(), str(tmp_path / "s.duckdb")
    for org, folder in ((EMITTER, emitter), (OPERATOR, operator)):
        r = run.invoke(cli, ["ccus", "ingest", str(folder), "--org", org, "--db", db])
        assert r.exit_code == 0, r.output
    r = run.invoke(cli, ["ccus", "counterparts", "--org", OPERATOR, "--db", db],
                   env={"COLUMNS": "200"})  # fmt: skip
    assert r.exit_code == 0 and "differs by -2,035.3 t" in r.output, r.output
    assert "249,239.90" in r.output and "251,275.2" not in r.output  # its figure, not theirs
    assert "receiver" in r.output and "│ sender" not in r.output
    r = run.invoke(cli, ["ccus", "counterparts", "--org", OTHER, "--db", db])
    assert r.exit_code != 0 and "no transfer" in r.output, r.output
