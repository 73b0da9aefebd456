"""An organisation's verification cases and their steps (the workflow: api.workflow)."""

from __future__ import annotations

from typing import Any

from openmrv.api.tenancy import NotFound, OrgScope, dicts

CASE = ("case_id", "facility_id", "year", "status", "created_by", "created_at")
STEP = (
    "step",
    "stepped_at",
    "actor",
    "action",
    "from_status",
    "to_status",
    "findings",
    "ledger_seq",
)


def listed(s: OrgScope) -> list[dict[str, Any]]:
    """The organisation's cases, newest first."""
    return s.rows("verification_cases", CASE, order="case_id DESC")


def get(s: OrgScope, case_id: int) -> dict[str, Any]:
    """One case with its steps; NotFound for another organisation's."""
    found = s.rows("verification_cases", CASE, "case_id = ?", [case_id])
    if not found:
        raise NotFound(f"no verification case {case_id} in {s.org_id}")
    out = found[0]
    steps = s.db.execute(
        f"SELECT {', '.join(STEP)} FROM case_steps WHERE case_id = ? ORDER BY step", [case_id]
    )
    out["steps"] = dicts(STEP, steps)
    return out
