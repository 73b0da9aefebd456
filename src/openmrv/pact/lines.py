"""Scope 1 emissions per production line, for the `line` allocation rule.

A stored run keeps totals per facility and scope, not per source; the lines' share is found
again from the inventory of the organisation's current records (the same engine call as
api.services.calculate), and only when that recomputation is the stored run: the run id,
a hash of the inputs, methodologies, factor editions and options, must be equal. Scope 2
market-based stays shared (its contractual instruments are the facility's, not a line's).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from openmrv.errors import InvalidInput
from openmrv.store.db import Database

__all__ = ["line_emissions"]


def line_emissions(
    db: Database, org_id: str, facility_id: str, year: int, run_id: str
) -> dict[str, Decimal]:
    """kg CO2e of Scope 1 per source_id of the facility in `year`, from a recomputation that
    must reproduce stored run `run_id` (refused otherwise: calculate again)."""
    from openmrv.api.queries.records import activity_table
    from openmrv.api.tenancy import OrgScope, Principal
    from openmrv.engine import calculate
    from openmrv.ingest.columns import registered
    from openmrv.reports.inventory import build

    scope = OrgScope(db, org_id, Principal("openmrv", "openmrv", False, {org_id: "owner"}))
    activity = activity_table(scope)
    facilities = pd.DataFrame(scope.facilities())
    run = calculate(activity, facilities, schema=registered("activity"))
    if run.meta["run_id"] != run_id:
        raise InvalidInput(
            f"the records of {org_id} changed since calculation run {run_id}: calculate "
            "again before allocating by production line"
        )
    rec = build(run, activity, facilities).records  # one row per result used, its source
    mine = rec[(rec.facility_id == facility_id) & (rec.year.astype(int) == year)]
    mine = mine[(mine.scope == 1) & mine.source_id.notna() & (mine.source_id != "")]
    sums = mine.groupby("source_id").consolidated_t.sum()
    return {str(k): Decimal(repr(float(v))) * 1000 for k, v in sums.items()}
