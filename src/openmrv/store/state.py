"""Rows that decide a number or a permission but are not batches — memberships and roles, users,
API tokens, calculation runs with their stored totals and breakdowns, targets, uploads, signing
keys — vouched for by the events that write them.

Each such table is `Tracked`: its rows fall in groups (a membership, a token, a run's totals),
and every event that writes a group records, under "state", the group's digest after the write
(its row count and SHA-256 over the rows' canonical encoding, store/canonical.py; "0" when the
group is now empty, as after a revocation). `verify` replays the recorded states and compares
each with the table, read once with a plain SELECT and hashed in Python: a row edited, deleted
or inserted behind the system's back is named with the event whose state it breaks, a group no
event recorded is named as such.

Rows written before this was recorded have no state: `openmrv ledger adopt` records the tables
as they are, once, as an event with the administrator's name and reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from openmrv.store import canonical
from openmrv.store.coverage import Event, Finding, LedgerCheck
from openmrv.store.db import Database


@dataclass(frozen=True)
class Tracked:
    """A table whose rows are recorded by group: `group` columns name a group, `columns` (every
    column, in encoding order) are hashed, in `order` within a group."""

    table: str
    group: tuple[str, ...]
    columns: tuple[str, ...]
    order: str

    def key(self, values: Sequence[Any]) -> str:
        return json.dumps(list(values), separators=(",", ":"), default=str)


TRACKED: tuple[Tracked, ...] = (
    Tracked("users", ("user_id",),
            ("user_id", "display_name", "password_hash", "is_regulator", "created_at"), "user_id"),
    Tracked("memberships", ("user_id", "organization_id"),
            ("user_id", "organization_id", "role", "granted_by", "granted_at"), "user_id"),
    Tracked("api_tokens", ("token_id",),
            ("token_id", "user_id", "token_hash", "scopes", "label", "created_at", "revoked_at",
             "parent_id", "expires_at"), "token_id"),
    Tracked("org_runs", ("run_no",),
            ("run_no", "organization_id", "run_id", "created_by", "created_at", "records", "meta"),
            "run_no"),
    Tracked("run_totals", ("run_no",),
            ("run_no", "methodology", "facility_id", "co2e_t", "biogenic_co2_t"),
            "methodology, facility_id, co2e_t, biogenic_co2_t"),
    Tracked("run_breakdown", ("run_no",),
            ("run_no", "methodology", "facility_id", "year", "scope", "gas", "category", "co2e_t"),
            "methodology, facility_id, year, scope, gas, category, co2e_t"),
    Tracked("run_scope_totals", ("run_no",),
            ("run_no", "methodology", "facility_id", "year", "scope", "co2e_t", "biogenic_co2_t",
             "categories", "records", "not_computed", "missing_share", "outside_categories"),
            "methodology, facility_id, year, scope, co2e_t, biogenic_co2_t, categories"),
    Tracked("run_not_computed", ("run_no",),
            ("run_no", "methodology", "facility_id", "year", "scope", "category", "reason",
             "unit", "records", "quantity", "record_ids"),
            "methodology, facility_id, year, scope, category, reason, unit, record_ids"),
    Tracked("run_obligations", ("run_no",),
            ("run_no", "facility_id", "year", "programme", "applies", "reason_code",
             "primary_methodology", "figure_t", "threshold_t", "threshold_reached", "report_due",
             "data_complete", "records_not_computed", "rule"),
            "facility_id, year, programme, primary_methodology"),
    Tracked("run_months", ("run_no",),
            ("run_no", "facility_id", "year", "month", "records", "not_computed"),
            "facility_id, year, month"),
    Tracked("targets", ("target_id",),
            ("target_id", "organization_id", "name", "methodology", "base_year", "target_year",
             "reduction_pct", "created_by", "created_at"), "target_id"),
    Tracked("uploads", ("upload_id",),
            ("upload_id", "organization_id", "batch_id", "file_name", "uploaded_by", "uploaded_at",
             "status", "problems", "message"), "upload_id"),
    Tracked("ledger_keys", ("name",),
            ("name", "owner_kind", "owner", "verifier_key", "created_by", "created_at"), "name"),
)  # fmt: skip
BY_TABLE = {t.table: t for t in TRACKED}


def _digest(t: Tracked, rows: pa.Table) -> str:
    if not len(rows):
        return "0"
    return f"{len(rows)}:{canonical.digest(canonical.encode(rows, t.columns))}"


def _read(db: Database, t: Tracked, where: str = "", params: Sequence[Any] = ()) -> pa.Table:
    cols = ", ".join(t.columns)
    return db.arrow(
        f"SELECT {cols} FROM {t.table} {where} ORDER BY {', '.join(t.group)}, {t.order}", params
    )


def state(db: Database, groups: Iterable[tuple[str, Sequence[Any]]]) -> dict[str, dict[str, str]]:
    """The "state" an event records: each (table, group values) group's digest as it is now
    (inside the write transaction, after the write)."""
    out: dict[str, dict[str, str]] = {}
    for table, values in groups:
        t = BY_TABLE[table]
        where = "WHERE " + " AND ".join(f"{g} = ?" for g in t.group)
        out.setdefault(table, {})[t.key(values)] = _digest(t, _read(db, t, where, values))
    return out


def everything(db: Database) -> dict[str, dict[str, str]]:
    """Every group of every tracked table as it is now (an adoption event)."""
    out: dict[str, dict[str, str]] = {}
    for t in TRACKED:
        for key, rows in _groups(t, _read(db, t)).items():
            out.setdefault(t.table, {})[key] = _digest(t, rows)
    return out


def _groups(t: Tracked, rows: pa.Table) -> dict[str, pa.Table]:
    """The table's rows by group (rows come in group order)."""
    keys = [t.key(v) for v in zip(*(rows.column(g).to_pylist() for g in t.group), strict=True)]
    out: dict[str, pa.Table] = {}
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            out[keys[start]] = rows.slice(start, i - start)
            start = i
    return out


@dataclass
class Recorded:
    """table -> group -> (digest, the event that recorded it), as the events read so far say."""

    groups: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)


def _note(db: Database, e: Event, seen: Recorded) -> list[str]:
    recorded = e.data().get("state") if e.payload.startswith("{") else None
    if not isinstance(recorded, dict):
        return []
    for table, groups in recorded.items():
        for key, value in groups.items():
            seen.groups.setdefault(table, {})[key] = (value, e.seq)
    return []


def _compare(db: Database, seen: Recorded) -> list[Finding]:
    out = []
    for t in TRACKED:
        expected = seen.groups.get(t.table, {})
        actual = {k: _digest(t, rows) for k, rows in _groups(t, _read(db, t)).items()}
        for key in sorted(set(expected) | set(actual)):
            value, seq = expected.get(key, ("0", None))
            now = actual.get(key, "0")
            if now == value:
                continue
            if seq is None:
                n = now.split(":")[0]
                out.append(Finding(None, f"{n} {t.table} row(s) of {key} that no event records"))
            else:
                out.append(
                    Finding(seq, f"{t.table} rows of {key} differ from what was recorded "
                            f"({value.split(':')[0]} row(s) then, {now.split(':')[0]} now)")
                )  # fmt: skip
    return out


LEDGER_CHECK: LedgerCheck[Recorded] = LedgerCheck(
    "recorded states",
    "",
    _note,
    _compare,
    tally=Recorded,
    tables={t.table: ", ".join(t.group) for t in TRACKED},
)
