"""The regulators an organisation lets read its data (read-only role, granted by its admin)."""

from __future__ import annotations

from typing import Any

from openmrv.api.tenancy import (
    NotFound,
    OrgScope,
    Refused,
    add_membership,
    remove_membership,
)


def listed(s: OrgScope) -> list[dict[str, Any]]:
    granted = ("user_id", "granted_by", "granted_at")
    return s.rows("memberships", granted, "role = 'regulator'", order="user_id")


def grant(s: OrgScope, user_id: str) -> None:
    with s.db.write():
        if not s.db.scalar(
            "SELECT count(*) FROM users WHERE user_id = ? AND is_regulator", [user_id]
        ):
            raise NotFound(f"no regulator {user_id!r}")
        if s.db.scalar(
            "SELECT count(*) FROM memberships WHERE user_id = ? AND organization_id = ?",
            [user_id, s.org_id],
        ):
            raise Refused(f"{user_id} already has a role in {s.org_id}")
        add_membership(s.db, user_id, s.org_id, "regulator", s.actor)


def revoke(s: OrgScope, user_id: str) -> None:
    with s.db.write():
        role = s.db.scalar(
            "SELECT role FROM memberships WHERE user_id = ? AND organization_id = ?",
            [user_id, s.org_id],
        )
        if role is None:
            raise NotFound(f"no regulator {user_id!r} granted in {s.org_id}")
        if role != "regulator":
            raise Refused(f"{user_id} is {role} of {s.org_id}, not a regulator")
        remove_membership(s.db, user_id, s.org_id, s.actor)
