"""A store holding a bit of everything the ledger vouches for, written as the application writes
it: facilities, batches, a tombstone, a lock, users and roles, API tokens (one revoked), a
verification case taken to "returned", a calculation run with its totals and breakdown, a
target, an upload and signing keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openmrv.api import services, tokens, workflow
from openmrv.api.queries import targets, uploads
from openmrv.api.tenancy import OrgScope, Principal, add_membership, add_user, load_principal
from openmrv.store import tlog
from openmrv.store.db import Database
from openmrv.store.ingest import delete, ingest
from openmrv.store.periods import lock
from tests.store.helpers import activity, coal


@dataclass
class Demo:
    db: Database
    case_id: int
    org_key: Path
    verifier_key: Path
    regulator_key: Path
    owner: OrgScope
    verifier: OrgScope


def populate(db: Database, tmp_path: Path) -> Demo:
    ingest(db, activity(tmp_path / "a.csv", coal("r1"), coal("r2", 2)), "ann")
    ingest(db, activity(tmp_path / "b.csv", coal("r3", 3)), "bob")
    delete(db, ["r2"], "ann", "duplicate")
    lock(db, "CN-PLANT", 2024, "vera", "verified")
    with db.write():
        for user, regulator in (("ann", False), ("ed", False), ("vera", False), ("rex", True)):
            add_user(db, user, user.title(), "a long enough password", regulator)
        for user, role in (("ann", "owner"), ("ed", "editor"), ("vera", "verifier")):
            add_membership(db, user, "ORG", role, "admin")
    owner = OrgScope(db, "ORG", load_principal(db, "ann"))
    editor = OrgScope(db, "ORG", Principal("ed", "Ed", False, {"ORG": "editor"}))
    verifier = OrgScope(db, "ORG", load_principal(db, "vera"))
    case_id = workflow.open_case(editor, "US-PLANT", 2024)
    workflow.advance(editor, case_id, "submit")
    workflow.advance(verifier, case_id, "start")
    workflow.advance(verifier, case_id, "return", "January invoice missing")
    tokens.create(db, "ann", "ci", ["read"])
    spare = tokens.create(db, "ann", "spare", ["read", "write"])
    tokens.revoke(db, owner.principal, spare["token_id"])
    targets.add(owner, "halve", "ipcc2006_t1", 2024, 2030, 50.0)
    services.calculate(owner)
    uploads.add(owner, 2, "a.csv", "stored", 0, "2 rows stored")
    from openmrv.ccus import store as ccus_store  # the default domains' covered tables
    from openmrv.ccus.account import read_folder
    from tests.ccus.helpers import EXAMPLES
    from tests.grid.test_certificates import import_and_cancel

    ccus_store.ingest(db, "ORG", read_folder(EXAMPLES / "us"), "cara")
    import_and_cancel(db, tmp_path)
    from openmrv.pact import store as pact_store
    from tests.pact.samples import FIRST, footprint

    pact_store.save_footprint(db, "ORG", footprint(FIRST), lineage={"demo": True})
    keys = {}
    for name, kind, who in (("org-ORG", "organisation", "ORG"), ("vera", "verifier", "vera"),
                            ("rex", "regulator", "rex")):  # fmt: skip
        keys[name] = tmp_path / f"{name}.key"
        tlog.keygen(db, name, kind, who, keys[name], "admin")
    return Demo(db, case_id, keys["org-ORG"], keys["vera"], keys["rex"], owner, verifier)
