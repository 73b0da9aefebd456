"""An organisation's calculation runs and their stored totals (api.services.calculate)."""

from __future__ import annotations

import json
from typing import Any

from openmrv.api.tenancy import NotFound, OrgScope, dicts

RUN = ("run_no", "run_id", "created_by", "created_at", "records")
BREAKDOWN = ("methodology", "facility_id", "year", "scope", "gas", "category", "co2e_t")


def listed(s: OrgScope) -> list[dict[str, Any]]:
    """The organisation's runs, newest first."""
    return s.rows("org_runs", RUN, order="run_no DESC")


def get(s: OrgScope, run_no: int) -> dict[str, Any]:
    """One run with its metadata; NotFound for another organisation's."""
    found = s.rows("org_runs", (*RUN, "meta"), "run_no = ?", [run_no])
    if not found:
        raise NotFound(f"no calculation run {run_no} in {s.org_id}")
    return {**found[0], "meta": json.loads(found[0]["meta"])}


def latest_no(s: OrgScope) -> int | None:
    return s.db.scalar("SELECT max(run_no) FROM org_runs WHERE organization_id = ?", [s.org_id])


def totals(s: OrgScope, run_no: int | None = None) -> list[dict[str, Any]]:
    """The run's totals by methodology and facility (as `reports.summary.totals`); the latest
    run's when `run_no` is None."""
    run_no = run_no if run_no is not None else latest_no(s)
    if run_no is None:
        return []
    get(s, run_no)  # 404 for another organisation's run
    rows = s.db.execute(
        "SELECT methodology, facility_id, co2e_t, biogenic_co2_t FROM run_totals "
        "WHERE run_no = ? ORDER BY methodology, facility_id",
        [run_no],
    )
    return dicts(("methodology", "facility_id", "co2e_t", "biogenic_co2_t"), rows)


def breakdown(s: OrgScope, run_no: int | None = None) -> list[dict[str, Any]]:
    """The run's CO2e by methodology, facility, year, scope, gas and category."""
    run_no = run_no if run_no is not None else latest_no(s)
    if run_no is None:
        return []
    get(s, run_no)  # 404 for another organisation's run
    rows = s.db.execute(
        f"SELECT {', '.join(BREAKDOWN)} FROM run_breakdown WHERE run_no = ?", [run_no]
    )
    return dicts(BREAKDOWN, rows)
