"""A ledger bundle: everything needed to check the ledger without the database — its events,
signed checkpoints, public keys and the canonical encoding (store/canonical.py) of every row
its digests and recorded states vouch for. store/offline.py checks one, stand-alone."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from openmrv.store import canonical, ledger, state, tlog
from openmrv.store.coverage import Coverage
from openmrv.store.db import Database
from openmrv.store.offline import FORMAT


def _encoded(rows, columns: Sequence[str]) -> list[str]:
    return [base64.b64encode(b).decode() for b in canonical.encode(rows, columns).to_pylist()]


def export(db: Database, coverage: Sequence[Coverage] | None = None) -> dict[str, Any]:
    coverage = ledger.all_coverage() if coverage is None else coverage
    with db.write():  # a store from before the tree gets its nodes (nothing else changes)
        tlog.extend(db)
    events = [
        {"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "subject": e.subject,
         "reason": e.reason, "payload": e.payload, "prev_hash": e.prev_hash, "hash": e.hash}
        for e in ledger.events(db)
    ]  # fmt: skip
    rows: dict[str, dict[str, list[str]]] = {}
    for c in coverage:
        table = ledger.in_key_order(c, ledger.read_rows(db, c))
        columns = c.scheme_of(ledger.V3).columns
        snap = ledger.Snapshot.split(table)
        rows[c.table] = {
            str(b): _encoded(table.slice(a, z - a), columns) for b, (a, z) in snap.items()
        }
    for t in state.TRACKED:
        groups = state._groups(t, state._read(db, t))
        rows[t.table] = {k: _encoded(g, t.columns) for k, g in groups.items()}
    return {
        "format": FORMAT,
        "origin": tlog.origin(db),
        "events": events,
        "checkpoints": [c["note"] for c in tlog.checkpoints(db)],
        "keys": [k["verifier_key"] for k in tlog.public_keys(db)],
        "batch_tables": [c.table for c in coverage],
        "rows": rows,
    }
