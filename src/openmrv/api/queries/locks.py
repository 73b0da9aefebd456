"""An organisation's locked reporting periods (store.periods)."""

from __future__ import annotations

from typing import Any

from openmrv.api.tenancy import OrgScope, dicts

LOCK = ("facility_id", "year", "locked_by", "locked_at", "reason")


def listed(s: OrgScope) -> list[dict[str, Any]]:
    """The locks of the organisation's facilities, by facility and year."""
    marks, ids = s.facility_filter()
    rows = s.db.execute(
        f"SELECT {', '.join(LOCK)} FROM period_locks WHERE facility_id IN {marks} ORDER BY 1, 2",
        ids,
    )
    return dicts(LOCK, rows)
