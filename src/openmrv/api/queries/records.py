"""An organisation's activity records (current versions, history, the engine's activity table)
and its facilities' emission sources."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from openmrv.api.tenancy import NotFound, OrgScope, dicts
from openmrv.store import ledger
from openmrv.store.ingest import history as stored_history
from openmrv.store.schema import RECORD_COLUMNS, RECORD_NAMES
from openmrv.store.versions import heads_sql

_ARROW = {
    "TEXT": pa.string(),
    "DATE": pa.date32(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE PRECISION": pa.float64(),
    "BOOLEAN": pa.bool_(),
}
RECORD_SCHEMA = pa.schema([(n, _ARROW[t]) for n, t in RECORD_COLUMNS])
RECORD = (
    "record_id",
    "facility_id",
    "source_id",
    "period_start",
    "period_end",
    "year",
    "category",
    "fuel",
    "quantity",
    "unit",
    "data_quality",
    "version",
    "batch_id",
)


def _heads(s: OrgScope, facility_id: str | None, year: int | None) -> tuple[str, list[Any]]:
    """The organisation's current records (its own record ids' latest versions; not
    deleted), optionally of a facility-year, as a FROM clause and its parameters."""
    where, params = "NOT deleted", list[Any]([s.org_id])
    for col, value in (("facility_id", facility_id), ("year", year)):
        if value is not None:
            where += f" AND {col} = ?"
            params.append(value)
    return f"({heads_sql('organization_id = ?')}) h WHERE {where}", params


def current(
    s: OrgScope, facility_id: str | None = None, year: int | None = None, limit=100, offset=0
) -> list[dict[str, Any]]:
    """The current version of each record (deleted records left out), by record id."""
    heads, params = _heads(s, facility_id, year)
    rows = s.db.execute(
        f"SELECT {', '.join(RECORD)} FROM {heads} ORDER BY record_id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return dicts(RECORD, rows)


def history(s: OrgScope, record_id: str) -> dict[str, Any]:
    """Every version of a record of this organisation, and the ledger events behind them."""
    versions = stored_history(s.db, record_id, s.org_id)
    if not versions:
        raise NotFound(f"no record {record_id!r} in {s.org_id}")
    batches = {v["batch_id"] for v in versions}
    events = [
        ledger.summary(e)
        for e in ledger.events(s.db)
        if e.action in ("ingest", "restate", "delete") and e.data().get("batch_id") in batches
    ]
    return {"record_id": record_id, "versions": versions, "events": events}


def activity_table(s: OrgScope, facility_id: str | None = None, year: int | None = None):
    """The current (not deleted) records as the engine's activity table."""
    heads, params = _heads(s, facility_id, year if facility_id is not None else None)
    numbered = "row_number() OVER () AS source_row"  # the engine joins on unique rows
    cols = [c if c != "source_row" else numbered for c in RECORD_NAMES]
    table = s.db.arrow(f"SELECT {', '.join(cols)} FROM {heads}", params)
    # PostgreSQL rows come back untyped (an all-NULL column is Arrow's null type): give
    # every column the type validation gives it.
    return table.cast(RECORD_SCHEMA)


def sources(s: OrgScope) -> list[dict[str, Any]]:
    """The emission sources of the organisation's facilities."""
    marks, ids = s.facility_filter()
    rows = s.db.execute(
        f"SELECT facility_id, source_id FROM sources WHERE facility_id IN {marks} ORDER BY 1, 2",
        ids,
    )
    return dicts(("facility_id", "source_id"), rows)
