"""The ledger's public signing keys and signed checkpoints as an organisation sees them: its own
key, its members' (verifiers') keys and every regulator's; checkpoints of the whole log (a size
and a root hash: no organisation's data)."""

from __future__ import annotations

from typing import Any

from openmrv.api.tenancy import OrgScope
from openmrv.store import tlog


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
