"""The PACT footprint store on DuckDB and PostgreSQL: what is saved is served back unchanged;
a restatement deprecates what it supersedes in the same transaction; organisations and
directions are kept apart; every footprint is a ledger batch whose digest covers its body."""

from __future__ import annotations

import uuid

import pytest

from openmrv.pact import store as pact
from openmrv.store import ledger, open_store
from tests.pact.samples import FIRST, FIRST_ID, SECOND, SECOND_ID, footprint
from tests.store.conftest import pg, store_url  # noqa: F401 (fixtures: both backends)


@pytest.fixture
def db(store_url):  # noqa: F811
    d = open_store(store_url)
    yield d
    d.close()


def test_saved_footprints_are_served_back_as_stored(db):
    pact.save_footprint(db, "ORG-A", footprint(FIRST), lineage={"facility": "CN-FACTORY"})
    pact.save_footprint(db, "ORG-A", footprint(SECOND), lineage={})
    got = pact.list_footprints(db, "ORG-A")
    assert [str(p.id) for p in got] == [FIRST_ID, SECOND_ID]
    assert got[0].to_wire() == footprint(FIRST).to_wire()
    assert got[0].to_wire()["pcf"]["pcfExcludingBiogenicUptake"] == "312.40"
    assert pact.footprint_lineage(db, "ORG-A", FIRST_ID) == {"facility": "CN-FACTORY"}
    assert pact.get_footprint(db, "ORG-A", SECOND_ID).product_name_company == "SG-32"
    # tenancy and direction
    assert pact.list_footprints(db, "ORG-B") == []
    assert pact.get_footprint(db, "ORG-B", FIRST_ID) is None
    assert pact.footprint_lineage(db, "ORG-B", FIRST_ID) == {}
    assert pact.list_footprints(db, "ORG-A", direction="received") == []
    assert ledger.verify(db).ok


def test_restatement_deprecates_the_preceding_footprint(db):
    pact.save_footprint(db, "ORG-A", footprint(FIRST), lineage={})
    new_id = str(uuid.uuid4())
    pact.save_footprint(
        db, "ORG-A", footprint(FIRST, id=new_id, precedingPfIds=[FIRST_ID]), lineage={}
    )
    status = {str(p.id): p.status for p in pact.list_footprints(db, "ORG-A")}
    assert status == {FIRST_ID: "Deprecated", new_id: "Active"}
    assert pact.get_footprint(db, "ORG-A", FIRST_ID).status == "Deprecated"


def test_bad_saves_store_nothing(db):
    events = db.scalar("SELECT count(*) FROM ledger_events")
    with pytest.raises(ValueError, match="precedingPfIds"):  # not ours
        pact.save_footprint(db, "ORG-A", footprint(SECOND, precedingPfIds=[FIRST_ID]), lineage={})
    with pytest.raises(ValueError, match="supplier_id"):
        pact.save_footprint(db, "ORG-A", footprint(FIRST), lineage={}, direction="received")
    assert db.scalar("SELECT count(*) FROM pact_footprints") == 0
    assert db.scalar("SELECT count(*) FROM ledger_events") == events
    pact.save_footprint(db, "ORG-A", footprint(FIRST), lineage={})
    pact.save_footprint(db, "ORG-A", footprint(FIRST), lineage={})  # the same again: no-op
    with pytest.raises(ValueError, match="another content"):
        pact.save_footprint(db, "ORG-A", footprint(FIRST, productNameCompany="X"), lineage={})
    assert db.scalar("SELECT count(*) FROM pact_footprints") == 1


def test_the_ledger_notices_an_edited_body(db):
    pact.save_footprint(db, "ORG-A", footprint(FIRST), lineage={})
    db.execute("UPDATE pact_footprints SET body = replace(body, '312.40', '12.40')")
    assert not ledger.verify(db).ok
