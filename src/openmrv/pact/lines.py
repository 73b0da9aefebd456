"""Scope 1 emissions per production line, for the `line` allocation rule.

A stored run keeps totals per facility and scope, not per source; the lines' share is found
again from the inventory of the organisation's current records (the same engine call as
api.services.calculate), and only when that recomputation reproduces the stored run's Scope 1
total of the facility-year (to 1e-9, relative: the same records summed in another order). The
run id cannot be compared: on PostgreSQL the records come back in no fixed order, and the id
hashes them in that order. Scope 2 market-based stays shared (its contractual instruments are
the facility's, not a line's).
"""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd

from openmrv.errors import InvalidInput
from openmrv.store.db import Database

__all__ = ["line_emissions"]


def line_emissions(
    db: Database, org_id: str, facility_id: str, year: int, scope1_t: Decimal
) -> dict[str, Decimal]:
    """kg CO2e of Scope 1 per source_id of the facility in `year`, from a recomputation that
    must reproduce the stored run's Scope 1 total `scope1_t` (refused otherwise: calculate
    again)."""
    from openmrv.api.queries.records import activity_table
    from openmrv.api.tenancy import OrgScope, Principal
    from openmrv.engine import calculate
    from openmrv.ingest.columns import registered
    from openmrv.reports.inventory import build

    scope = OrgScope(db, org_id, Principal("openmrv", "openmrv", False, {org_id: "owner"}))
    activity = activity_table(scope)
    facilities = pd.DataFrame(scope.facilities())
    run = calculate(activity, facilities, schema=registered("activity"))
    rec = build(run, activity, facilities).records  # one row per result used, its source
    mine = rec[(rec.facility_id == facility_id) & (rec.year.astype(int) == year)]
    mine = mine[mine.scope == 1]
    again = Decimal(repr(math.fsum(mine.consolidated_t)))
    if abs(again - scope1_t) > Decimal("1e-9") * max(Decimal(1), abs(scope1_t)):
        raise InvalidInput(
            f"the records of {org_id} changed since its latest calculation run ({facility_id} "
            f"{year} Scope 1: {again} t now, {scope1_t} t stored): calculate again before "
            "allocating by production line"
        )
    mine = mine[mine.source_id.notna() & (mine.source_id != "")]
    sums = mine.groupby("source_id").consolidated_t.sum()
    return {str(k): Decimal(repr(float(v))) * 1000 for k, v in sums.items()}
