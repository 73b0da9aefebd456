"""The ledger's public keys and checkpoints through the API: an organisation sees its own key,
its verifiers' and the regulators', never another organisation's; checkpoints with signers."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from openmrv.store import note, open_store, tlog
from openmrv.web.app import create_app
from tests.web.conftest import token_for


@pytest.fixture(scope="module")
def app(seeded_store, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("keys")
    path = tmp / "web.duckdb"
    shutil.copy(seeded_store, path)
    db = open_store(str(path))
    try:
        for name, kind, owner in (("org-sun", "organisation", "ORG-SUNBRIDGE"),
                                  ("org-tianhe", "organisation", "ORG-TIANHE-JV"),
                                  ("verifier", "verifier", "verifier"),
                                  ("shenhe", "verifier", "shenhe"),
                                  ("regulator", "regulator", "regulator")):  # fmt: skip
            tlog.keygen(db, name, kind, owner, tmp / f"{name}.key", "admin")
        tlog.checkpoint(db, tlog.read_private(tmp / "org-sun.key"))
    finally:
        db.close()
    application = create_app(str(path))
    yield application
    application.state.store.db.close()


def test_an_organisation_sees_its_keys_and_the_regulators(app):
    client = TestClient(app)
    auth = {"Authorization": f"Bearer {token_for(app, 'owner')}"}
    r = client.get("/api/v1/organisations/ORG-SUNBRIDGE/ledger/keys", headers=auth)
    assert r.status_code == 200, r.text
    assert sorted(k["name"] for k in r.json()) == ["org-sun", "regulator", "verifier"]
    for k in r.json():
        assert note.Verifier.decode(k["verifier_key"]).name == k["name"]
    r = client.get("/api/v1/organisations/ORG-TIANHE-JV/ledger/keys", headers=auth)
    assert r.status_code == 404  # not a member: the organisation is not revealed
    r = client.get("/api/v1/organisations/ORG-SUNBRIDGE/ledger/checkpoints", headers=auth)
    assert r.status_code == 200
    (cp,) = r.json()
    assert cp["signers"] == ["org-sun"]
    keys = [note.Verifier.decode(k["verifier_key"]) for k in client.get(
        "/api/v1/organisations/ORG-SUNBRIDGE/ledger/keys", headers=auth).json()]  # fmt: skip
    assert note.open_checkpoint(cp["note"], keys)[0].size == cp["size"]


def test_record_history_shows_inclusion_and_the_latest_cosigned_checkpoint(app, tmp_path):
    from tests.web.conftest import sign_in

    owner = sign_in(app, "owner")
    page = "/orgs/ORG-SUNBRIDGE/records/JS-PV-NG-2024-01"
    r = owner.get(page)
    assert r.status_code == 200
    assert 'data-proof="ok"' in r.text and 'data-proof="failed"' not in r.text
    assert "None yet." in r.text.split('id="cosigned"')[1][:100]
    db = app.state.store.db
    witness = tmp_path / "w.key"
    tlog.keygen(db, "witness", "regulator", "regulator", witness, "admin")
    signed = tlog.checkpoints(db)[0]["note"]
    tlog.cosign(db, signed, tlog.read_private(witness))
    r = owner.get(page)
    assert "org-sun, witness" in r.text.split('id="cosigned"')[1][:200]
    ledger_page = owner.get("/orgs/ORG-SUNBRIDGE/ledger")
    assert ledger_page.status_code == 200 and "org-sun, witness" in ledger_page.text
    # an event edited behind the application: its proof no longer verifies
    seq = int(r.text.split('<table id="events">')[1].split("<td>")[1].split("<")[0])
    actor = db.scalar("SELECT actor FROM ledger_events WHERE seq = ?", [seq])
    db.execute("UPDATE ledger_events SET actor = 'eve' WHERE seq = ?", [seq])
    try:
        assert 'data-proof="failed"' in owner.get(page).text
    finally:
        db.execute("UPDATE ledger_events SET actor = ? WHERE seq = ?", [actor, seq])
    assert 'data-proof="failed"' not in owner.get(page).text
