"""An organisation's reduction targets (their progress: api.services.target_progress)."""

from __future__ import annotations

from typing import Any

from openmrv.api.tenancy import OrgScope, Refused
from openmrv.store import ledger, state

TARGET = (
    "target_id",
    "name",
    "methodology",
    "base_year",
    "target_year",
    "reduction_pct",
    "created_by",
    "created_at",
)


def listed(s: OrgScope) -> list[dict[str, Any]]:
    return s.rows("targets", TARGET, order="target_id")


def add(
    s: OrgScope, name: str, methodology: str, base_year: int, target_year: int, reduction_pct: float
) -> int:
    """Set a target (a ledger event); its number."""
    if target_year <= base_year:
        raise Refused("the target year must come after the base year")
    with s.db.write():
        n = s.db.next_id("targets", "target_id")
        s.db.execute(
            "INSERT INTO targets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [n, s.org_id, name, methodology, base_year, target_year, reduction_pct,
             s.actor, ledger.now()],
        )  # fmt: skip
        recorded = state.state(s.db, [("targets", (n,))])
        ledger.append(
            s.db, s.actor, "target", s.org_id, None,
            {"target_id": n, "name": name, "state": recorded},
        )  # fmt: skip
    return n
