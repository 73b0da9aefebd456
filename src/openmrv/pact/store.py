"""The PACT tables: footprints issued and received (the wire object as JSON with the columns
filters read), partners (who may call our host), suppliers (hosts we call), bearer tokens, the
outbox of asynchronous answers, and the requests we sent.

Footprints are append-only. A restatement stores the new footprint with `precedingPfIds`; the
preceding ones read as Deprecated from then on because a later footprint names them (their
rows are never edited), so "deprecated in the same transaction" holds by construction. Every
footprint stored is a batch with its ledger event, whose digest covers the row, `body`
included: the footprint served can be proven to be the one stored.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from openmrv.pact.model import ProductFootprint
from openmrv.store import ledger
from openmrv.store.coverage import Coverage
from openmrv.store.db import Database
from openmrv.store.schema import Migration

__all__ = [
    "COVERAGE",
    "DIRECTIONS",
    "MIGRATIONS",
    "footprint_lineage",
    "get_footprint",
    "list_footprints",
    "save_footprint",
]

DIRECTIONS = ("issued", "received")
FOOTPRINT_COLUMNS = (
    "organization_id",
    "pf_id",
    "direction",
    "status",
    "created",
    "product_ids",
    "company_ids",
    "classifications",
    "geography",
    "validity_start",
    "validity_end",
    "reference_start",
    "reference_end",
    "preceding_ids",
    "supplier_id",
    "body",
    "lineage",
    "stored_at",
)

MIGRATIONS = [
    Migration(
        "pact",
        1,
        "PACT footprints (issued, received), partners, suppliers, tokens, outbox, requests",
        (
            """CREATE TABLE pact_footprints (
  organization_id TEXT NOT NULL,
  pf_id TEXT NOT NULL,
  direction TEXT NOT NULL,
  status TEXT NOT NULL,
  created TEXT NOT NULL,
  product_ids TEXT NOT NULL,
  company_ids TEXT NOT NULL,
  classifications TEXT NOT NULL,
  geography TEXT,
  validity_start TEXT NOT NULL,
  validity_end TEXT NOT NULL,
  reference_start TEXT NOT NULL,
  reference_end TEXT NOT NULL,
  preceding_ids TEXT NOT NULL,
  supplier_id TEXT,
  body TEXT NOT NULL,
  lineage TEXT NOT NULL,
  stored_at TEXT NOT NULL,
  batch_id BIGINT NOT NULL,
  PRIMARY KEY (organization_id, direction, pf_id)
)""",
            """CREATE TABLE pact_partners (
  client_id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  callback_url TEXT,
  callback_auth TEXT,
  callback_ca TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
)""",
            """CREATE TABLE pact_suppliers (
  organization_id TEXT NOT NULL,
  supplier_id TEXT NOT NULL,
  base_url TEXT NOT NULL,
  client_id TEXT NOT NULL,
  secret TEXT NOT NULL,
  ca_file TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (organization_id, supplier_id)
)""",
            """CREATE TABLE pact_tokens (
  token_hash TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  organization_id TEXT NOT NULL,
  expires_at TEXT NOT NULL
)""",
            """CREATE TABLE pact_outbox (
  outbox_id BIGINT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  client_id TEXT NOT NULL,
  target TEXT NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_at TEXT NOT NULL,
  sent_at TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL
)""",
            """CREATE TABLE pact_requests (
  event_id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  supplier_id TEXT NOT NULL,
  criteria TEXT NOT NULL,
  sent_at TEXT NOT NULL,
  answer TEXT,
  answered_at TEXT
)""",
        ),
    )
]
COVERAGE = [Coverage("pact_footprints", FOOTPRINT_COLUMNS, "organization_id, direction, pf_id")]


def _iso(d: datetime) -> str:
    return d.isoformat()


def _row(
    org_id: str,
    pf: ProductFootprint,
    lineage: dict[str, Any],
    direction: str,
    supplier_id: str | None,
) -> tuple[Any, ...]:
    start, end = pf.validity()
    geo = pf.pcf.geographies()
    return (
        org_id,
        str(pf.id),
        direction,
        pf.status,
        _iso(pf.created),
        json.dumps(pf.product_ids),
        json.dumps(pf.company_ids),
        json.dumps(pf.product_classifications or []),
        geo[0] if geo else None,
        _iso(start),
        _iso(end),
        _iso(pf.pcf.reference_period_start),
        _iso(pf.pcf.reference_period_end),
        json.dumps([str(p) for p in pf.preceding_pf_ids or []]),
        supplier_id,
        json.dumps(pf.to_wire(), sort_keys=True),
        json.dumps(lineage, sort_keys=True, default=str),
        ledger.now(),
    )


def save_footprint(
    store: Database,
    org_id: str,
    pf: ProductFootprint,
    *,
    lineage: dict[str, Any],
    direction: str = "issued",
    supplier_id: str | None = None,
    actor: str = "openmrv",
) -> None:
    """Store a footprint as one batch with its ledger event. A restatement names the footprints
    it supersedes in `pf.preceding_pf_ids`: they must be this organisation's (same direction)
    and read as Deprecated from this transaction on. A footprint id is stored once per
    organisation and direction: the same one again (a re-pulled footprint) is a no-op when its
    body is unchanged and refused otherwise, as v3 footprints are immutable but for status."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction {direction!r}: one of {', '.join(DIRECTIONS)}")
    if direction == "received" and not supplier_id:
        raise ValueError("a received footprint names its supplier_id")
    row = _row(org_id, pf, lineage, direction, supplier_id)
    with store.write():
        held = store.one(
            "SELECT body FROM pact_footprints WHERE organization_id = ? AND direction = ? "
            "AND pf_id = ?",
            [org_id, direction, str(pf.id)],
        )
        if held is not None:
            if held[0] == row[FOOTPRINT_COLUMNS.index("body")]:
                return
            raise ValueError(f"footprint {pf.id} is already stored with another content")
        for p in pf.preceding_pf_ids or []:
            if _body(store, org_id, str(p), direction) is None:
                raise ValueError(f"precedingPfIds: footprint {p} is not one of {org_id}'s")
        batch = store.next_id("batches", "batch_id")
        store.execute(
            "INSERT INTO batches (batch_id, kind, submitted_by, submitted_at, row_count, "
            "organization_id) VALUES (?, ?, ?, ?, 1, ?)",
            [batch, f"pact-{direction}", actor, ledger.now(), org_id],
        )
        marks = ", ".join("?" * (len(FOOTPRINT_COLUMNS) + 1))
        store.execute(
            f"INSERT INTO pact_footprints ({', '.join(FOOTPRINT_COLUMNS)}, batch_id) "
            f"VALUES ({marks})",
            [*row, batch],
        )
        ledger.record_batch(
            store,
            actor,
            f"pact-footprint-{direction}",
            org_id,
            None,
            {"batch_id": batch, "pf_id": str(pf.id), "supplier_id": supplier_id},
        )


def _body(store: Database, org_id: str, pf_id: str, direction: str) -> str | None:
    r = store.one(
        "SELECT body FROM pact_footprints WHERE organization_id = ? AND direction = ? "
        "AND pf_id = ?",
        [org_id, direction, pf_id],
    )
    return None if r is None else str(r[0])


def _superseded(store: Database, org_id: str, direction: str) -> set[str]:
    rows = store.execute(
        "SELECT preceding_ids FROM pact_footprints WHERE organization_id = ? AND direction = ?",
        [org_id, direction],
    )
    return {p for (ids,) in rows for p in json.loads(ids)}


def _as_stored(body: str, deprecated: bool) -> ProductFootprint:
    pf = ProductFootprint.model_validate_json(body)
    if deprecated:
        pf.status = "Deprecated"
    return pf


def list_footprints(
    store: Database,
    org_id: str,
    *,
    direction: str = "issued",
    filters: Any = None,
) -> list[ProductFootprint]:
    """The organisation's footprints of one direction, oldest first (then by id), each with
    its current status; `filters` (a `pact.filters.Filters`, or anything with a
    `matches(pf) -> bool`) keeps those that match."""
    rows = store.execute(
        "SELECT pf_id, body FROM pact_footprints WHERE organization_id = ? AND direction = ? "
        "ORDER BY created, pf_id",
        [org_id, direction],
    )
    gone = _superseded(store, org_id, direction)
    out = [_as_stored(body, pf_id in gone) for pf_id, body in rows]
    return [pf for pf in out if filters is None or filters.matches(pf)]


def get_footprint(
    store: Database, org_id: str, pf_id: str | UUID, *, direction: str = "issued"
) -> ProductFootprint | None:
    """One of the organisation's footprints (deprecated ones too); None when it has none of
    that id (another organisation's included)."""
    pf_id = str(pf_id)
    body = _body(store, org_id, pf_id, direction)
    if body is None:
        return None
    return _as_stored(body, pf_id in _superseded(store, org_id, direction))


def footprint_lineage(
    store: Database, org_id: str, pf_id: str | UUID, *, direction: str = "issued"
) -> dict[str, Any]:
    """The lineage stored with a footprint ({} when the organisation has no such footprint);
    received ones carry their provenance (supplier, id, created)."""
    r = store.one(
        "SELECT lineage FROM pact_footprints WHERE organization_id = ? AND direction = ? "
        "AND pf_id = ?",
        [org_id, direction, str(pf_id)],
    )
    return {} if r is None else dict(json.loads(r[0]))
