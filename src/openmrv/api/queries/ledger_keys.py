"""The ledger's public signing keys and signed checkpoints as an organisation sees them: its own
key, its members' (verifiers') keys and every regulator's; checkpoints of the whole log (a size
and a root hash: no organisation's data)."""

from __future__ import annotations

from typing import Any

from openmrv.api.tenancy import OrgScope
from openmrv.store import merkle, note, tlog


def keys(s: OrgScope) -> list[dict[str, Any]]:
    members = {
        r[0]
        for r in s.db.execute(
            "SELECT user_id FROM memberships WHERE organization_id = ?", [s.org_id]
        )
    }
    return [
        k
        for k in tlog.public_keys(s.db)
        if (k["owner_kind"] == "organisation" and k["owner"] == s.org_id)
        or (k["owner_kind"] == "verifier" and k["owner"] in members)
        or k["owner_kind"] == "regulator"
    ]


def checkpoints(s: OrgScope) -> list[dict[str, Any]]:
    return tlog.checkpoints(s.db)


def inclusion(s: OrgScope, seqs: list[int]) -> dict[str, Any]:
    """For the record history page: the latest checkpoint whose signatures verify against the
    keys the store lists, the latest co-signed one (two signers or more), and for each event
    whether its inclusion proof in the latest checkpoint verifies (True), fails (False), or
    the event is newer than any checkpoint (None)."""
    keys = tlog.verifiers(k["verifier_key"] for k in tlog.public_keys(s.db))
    signed = []
    for c in tlog.checkpoints(s.db):
        try:
            cp, signers = note.open_checkpoint(c["note"], keys)
        except note.NoteError:
            continue
        signed.append((cp, c | {"signers": signers}))
    latest = signed[0] if signed else None
    cosigned = next((c for _, c in signed if len(c["signers"]) > 1), None)
    status: dict[int, bool | None] = {}
    for seq in seqs:
        if latest is None or seq > latest[0].size:
            status[seq] = None
            continue
        p = tlog.prove(s.db, seq, latest[0].size)
        status[seq] = p.root == latest[0].root and merkle.verify_inclusion(
            p.leaf, seq - 1, latest[0].size, p.path, latest[0].root
        )
    return {"latest": latest[1] if latest else None, "cosigned": cosigned, "status": status}
