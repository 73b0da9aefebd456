"""The PACT client: pulling a supplier's footprints (discovery, token, every page, filters),
validating each against the v3 model and storing it with provenance; an invalid footprint is
reported with its id and failing field and not stored. Requesting a missing footprint by
event: the supplier's host answers at our own /3/events and the answer is stored as received
(two hosts over HTTPS, the buyer's store on PostgreSQL so the command line can write to it
while its host runs)."""

from __future__ import annotations

import copy
import time

import pytest
from typer.testing import CliRunner

from openmrv.cli import build_app
from openmrv.pact import client, credentials, outbox
from openmrv.pact import store as pact_store
from openmrv.store import open_store
from tests.pact.hosts import (
    CALLBACK_ID,
    CALLBACK_SECRET,
    callback_receiver,
    free_port,
    serve_https,
)
from tests.pact.samples import FIRST, FIRST_ID, SECOND, SECOND_ID, footprint
from tests.store.conftest import new_pg_database, pg  # noqa: F401 (fixture)

THIRD_ID = "6f0c2f3a-4a0e-4c7b-9d7e-3b0d2a1c5e03"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(d))  # the key of stored credentials
    return d


def test_pull_validates_each_footprint_and_stores_the_valid_ones(tmp_path, data_dir):
    bad = copy.deepcopy(SECOND)
    bad["pcf"]["pcfExcludingBiogenicUptake"] = 11.2  # a JSON number, not a Decimal string
    db_path = str(tmp_path / "buyer.duckdb")
    with callback_receiver() as supplier:
        supplier.footprints = [FIRST, bad]  # one a page: the client follows the Link
        db = open_store(db_path)
        credentials.add_supplier(db, "ORG-BUYER", "glass", supplier.base, CALLBACK_ID,
                                 CALLBACK_SECRET, "test")  # fmt: skip
        db.close()
        run = CliRunner().invoke(build_app(), ["pact", "pull", "glass", "--org", "ORG-BUYER",
                                               "--db", db_path])  # fmt: skip
        assert run.exit_code == 1, run.output
        assert "1 stored, 0 already held, 1 invalid" in run.output
        assert f"footprint {SECOND_ID}: pcf.pcfExcludingBiogenicUptake" in run.output
        db = open_store(db_path)
        got = pact_store.list_footprints(db, "ORG-BUYER", direction="received")
        assert [str(p.id) for p in got] == [FIRST_ID]
        assert got[0].to_wire() == footprint(FIRST).to_wire()
        lineage = pact_store.footprint_lineage(db, "ORG-BUYER", FIRST_ID, direction="received")
        assert lineage == {"supplier_id": "glass", "pf_id": FIRST_ID, "via": "pull",
                           "created": FIRST["created"], "status": "Active"}  # fmt: skip
        again = client.pull(db, "ORG-BUYER", "glass")
        assert (again.stored, again.held) == ([], [FIRST_ID])
        assert pact_store.list_footprints(db, "ORG-BUYER") == []  # nothing issued
        db.close()


def _answered(db, org: str) -> dict:
    deadline = time.time() + 30
    while time.time() < deadline and not client.requests(db, org)[0]["answered_at"]:
        time.sleep(0.3)
    return client.requests(db, org)[0]


def test_pull_publish_and_request_between_two_hosts_over_https(tmp_path, data_dir, pg):  # noqa: F811
    """The supplier's host (DuckDB) and the buyer's (PostgreSQL), each a partner of the other:
    the buyer pulls one footprint, is notified of another (Published: its host pulls it) and
    requests a third by event (answered at its /3/events)."""
    supplier_db, buyer_db = str(tmp_path / "supplier.duckdb"), new_pg_database(pg)
    buyer_port, supplier_port = free_port(), free_port()
    buyer_base = f"https://127.0.0.1:{buyer_port}"
    supplier_base = f"https://127.0.0.1:{supplier_port}"
    ca = str(data_dir / "openmrv" / "tls" / "selfsigned-cert.pem")
    third = footprint(SECOND, id=THIRD_ID, productIds=["urn:pact:example.org:product-id:frame"])
    # the buyer's host first: its certificate is the one both hosts use (one data folder)
    with serve_https(buyer_db, data_dir, tmp_path / "buyer.log", buyer_port):
        b, s = open_store(buyer_db), open_store(supplier_db)
        for pf in (footprint(FIRST), footprint(SECOND), third):
            pact_store.save_footprint(s, "ORG-SUP", pf, lineage={})
        # each side's credentials at the other's host
        at_buyer = credentials.add_partner(b, "ORG-BUY", "supplier", "test",
                                           callback_url=supplier_base)  # fmt: skip
        at_supplier = credentials.add_partner(
            s, "ORG-SUP", "buyer", "test", callback_url=buyer_base,
            callback_client_id=at_buyer[0], callback_secret=at_buyer[1], callback_ca=ca,
        )  # fmt: skip
        credentials.add_supplier(b, "ORG-BUY", "pv", supplier_base, *at_supplier, "test", ca)
        # queued before the supplier's host starts: its outbox worker resumes it
        assert outbox.publish(s, "ORG-SUP", [THIRD_ID], supplier_base) == 1
        s.close()
        with serve_https(supplier_db, data_dir, tmp_path / "supplier.log", supplier_port):
            one = client.pull(b, "ORG-BUY", "pv", [("productId", FIRST["productIds"][0])])
            assert one.stored == [FIRST_ID] and not one.invalid
            # the second by request: the answer comes to our /3/events
            event_id = client.send_request(
                b, "ORG-BUY", "pv", buyer_base, {"productId": SECOND["productIds"]}
            )
            answered = _answered(b, "ORG-BUY")
            assert answered["event_id"] == event_id and answered["answered_at"], answered
            assert "RequestFulfilledEvent" in answered["answer"]
            lineage = pact_store.footprint_lineage(b, "ORG-BUY", SECOND_ID, direction="received")
            assert lineage["supplier_id"] == "pv" and lineage["via"] == "request"
            # a request nobody can fulfil is answered with RequestRejected
            client.send_request(b, "ORG-BUY", "pv", buyer_base, {"productId": ["urn:pact:null"]})
            assert "RequestRejectedEvent" in _answered(b, "ORG-BUY")["answer"]
            # the published one was pulled by the buyer's host
            deadline = time.time() + 30
            while time.time() < deadline and not pact_store.get_footprint(
                b, "ORG-BUY", THIRD_ID, direction="received"
            ):
                time.sleep(0.3)
            lineage = pact_store.footprint_lineage(b, "ORG-BUY", THIRD_ID, direction="received")
            assert lineage.get("via") == "published", lineage
            got = pact_store.list_footprints(b, "ORG-BUY", direction="received")
            assert {str(p.id) for p in got} == {FIRST_ID, SECOND_ID, THIRD_ID}
        b.close()
