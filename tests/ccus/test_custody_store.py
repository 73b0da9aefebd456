"""Chain of custody on DuckDB and PostgreSQL: the examples store and the ledger covers every
CCUS table; a tonne claimed twice (two receivers for one transfer, a transfer exceeding
capture, storage exceeding what a site received, a second claim of stored data) is refused
with located problems and nothing stored."""

from __future__ import annotations

import pytest

from openmrv.ccus import store as ccus_store
from openmrv.ccus.account import read_folder
from openmrv.ccus.custody import reconcile
from openmrv.ingest.errors import InputError
from openmrv.store import ledger, open_store
from tests.ccus.helpers import copy, rows, write
from tests.store.conftest import pg, store_url  # noqa: F401 (fixtures: both backends)

TABLES = (
    "ccus_capture",
    "ccus_transfers",
    "ccus_meters",
    "ccus_losses",
    "ccus_sites",
    "ccus_stored",
)


def _counts(db) -> dict[str, int]:
    return {t: db.scalar(f"SELECT count(*) FROM {t}") for t in TABLES}


@pytest.fixture
def db(store_url):  # noqa: F811
    d = open_store(store_url)
    yield d
    d.close()


def _refused(db, folder, *where: tuple[str, int, str]) -> list:
    before = _counts(db)
    events = db.scalar("SELECT count(*) FROM ledger_events")
    with pytest.raises(InputError) as exc:
        ccus_store.ingest(db, "ORG-HIGHPLAINS", read_folder(folder), "tester")
    got = {(p.file, p.row, p.column) for p in exc.value.problems}
    assert set(where) <= got, exc.value.problems
    assert _counts(db) == before  # nothing stored
    assert db.scalar("SELECT count(*) FROM ledger_events") == events
    return exc.value.problems


def test_examples_store_covered_by_the_ledger(db, tmp_path):
    ccus_store.ingest(db, "ORG-HIGHPLAINS", read_folder(copy("us", tmp_path)), "t")
    counts = _counts(db)
    assert counts["ccus_stored"] == 2 and counts["ccus_transfers"] == 16
    assert ledger.verify(db).ok
    loaded = ccus_store.load(ccus_store.org_rows(db, "ORG-HIGHPLAINS"))
    assert loaded is not None and len(loaded.meters) == 28
    assert ccus_store.load(ccus_store.org_rows(db, "ORG-OTHER")) is None  # tenancy
    db.execute("UPDATE ccus_stored SET stored_t = stored_t + 1000 WHERE facility_id = 'FAC-WY-EOR'")
    v = ledger.verify(db)
    assert not v.ok and "ccus_stored" in str(v.findings[0])


def test_a_second_claim_of_stored_data_is_refused(db, tmp_path):
    folder = copy("us", tmp_path)
    ccus_store.ingest(db, "ORG-HIGHPLAINS", read_folder(folder), "t")
    problems = _refused(
        db, folder, ("sites.csv", 2, "facility_id"), ("capture.csv", 2, "facility_id")
    )
    assert "already stored in batch 1" in problems[0].problem


def test_two_receivers_for_one_transfer(db, tmp_path):
    folder = copy("us", tmp_path)
    body = rows(folder, "transfers.csv")
    second = dict(body[1], record_id="T-DUP", receiver_facility="FAC-WY-SALINE")
    write(folder, "transfers.csv", [*body, second])
    problems = _refused(
        db,
        folder,
        ("transfers.csv", 3, "receiver_facility"),
        ("transfers.csv", len(body) + 2, "receiver_facility"),
    )
    assert "claimed by more than one receiver" in problems[0].problem


def test_transfer_exceeding_capture(db, tmp_path):
    folder = copy("us", tmp_path)
    body = rows(folder, "transfers.csv")
    body[0]["co2_t"] = "620000.0"  # FAC-WY-COAL captured ~407,000 t in Q1
    write(folder, "transfers.csv", body)
    problems = _refused(db, folder, ("transfers.csv", 2, "co2_t"), ("transfers.csv", 4, "co2_t"))
    assert "but captured" in problems[0].problem and "PP-3b" in problems[0].problem


def test_storage_exceeding_what_the_site_received(db, tmp_path):
    folder = copy("us", tmp_path)
    body = rows(folder, "meters.csv")
    inj = next(r for r in body if r["meter_id"] == "SAL-INJ-1")
    inj["flow"] = str(float(inj["flow"]) * 3)
    write(folder, "meters.csv", body)
    row = body.index(inj) + 2
    problems = _refused(db, folder, ("meters.csv", row, "flow"))
    assert "exceeds" in problems[0].problem and "RR-3" in problems[0].problem


def test_bad_values_are_located_and_nothing_stored(db, tmp_path):
    folder = copy("us", tmp_path)
    body = rows(folder, "capture.csv")
    body[1]["co2_fraction"] = "99.5"
    body[2]["meter_type"] = "ultrasonic"
    write(folder, "capture.csv", body)
    with pytest.raises(InputError) as exc:
        read_folder(folder)
    got = {(p.file, p.row, p.column) for p in exc.value.problems}
    assert {("capture.csv", 3, "co2_fraction"), ("capture.csv", 4, "meter_type")} <= got
    assert _counts(db)["ccus_capture"] == 0


def test_reconciliation_flags_the_q3_difference():
    rec = reconcile(read_folder(copy_root()).transfers)
    flagged = rec[rec.flagged]
    # sender 251,275.2 t, receiver 249,239.9 t: −2,035.3 t, 0.81 % > 0.5 %
    assert list(flagged.transfer_id) == ["T-WY-EOR-2025Q3"]
    assert flagged.difference_t.iloc[0] == pytest.approx(-2035.3)


def copy_root():
    from tests.ccus.helpers import EXAMPLES

    return EXAMPLES / "us"


def test_cross_row_problems_are_located(tmp_path):
    folder = copy("us", tmp_path)
    cap = rows(folder, "capture.csv")
    write(folder, "capture.csv", [*cap, dict(cap[0], record_id="again")])  # one meter, twice
    tr = rows(folder, "transfers.csv")
    tr[2]["receiver_facility"] = tr[2]["sender_facility"]
    write(folder, "transfers.csv", tr)
    met = rows(folder, "meters.csv")
    met[0]["facility_id"] = "FAC-NOWHERE"
    write(folder, "meters.csv", met)
    with pytest.raises(InputError) as exc:
        read_folder(folder)
    got = {(p.file, p.row, p.column) for p in exc.value.problems}
    assert ("transfers.csv", 4, "receiver_facility") in got  # file rules stop first
    write(folder, "transfers.csv", rows(copy("us", tmp_path / "clean"), "transfers.csv"))
    with pytest.raises(InputError) as exc:
        read_folder(folder)
    got = {(p.file, p.row, p.column) for p in exc.value.problems}
    assert {("capture.csv", len(cap) + 2, "quarter"), ("meters.csv", 2, "facility_id")} <= got


def test_the_ledger_covers_pp2_density(db, tmp_path):
    # migration ccus 2: capture digests (scheme pp2) cover D_p, so an edited density is caught
    ccus_store.ingest(db, "ORG-QILU", read_folder(copy("cn", tmp_path)), "t")
    assert ledger.verify(db).ok
    db.execute("UPDATE ccus_capture SET density = 0.002 WHERE meter_id = 'SD-CAP-1'")
    v = ledger.verify(db)
    assert not v.ok and "ccus_capture" in str(v.findings[0])
