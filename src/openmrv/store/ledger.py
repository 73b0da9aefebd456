"""The hash-chained ledger: every change to the store is one event (who, when, what, why).

Each event's hash covers its own fields and the previous event's hash, so editing, deleting,
inserting or reordering events breaks the chain. Events that write rows also carry a digest of
exactly the rows they wrote (per table, by batch), so editing, deleting or inserting data rows
behind the system's back is caught too; so are edited, deleted or inserted steps and statuses of
verification cases, each of which is an event. The chain proves integrity relative to its head: keep
the head hash printed by `ledger verify` (or an export) somewhere else to detect a rewrite of the
whole chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from openmrv.ingest.schema import FACILITY_BOUNDARY
from openmrv.store.db import Database, row_text
from openmrv.store.schema import CONTENT_NAMES

GENESIS = "0" * 64

# Row tables covered by batch digests: table -> (columns in digest order, row order). A digest
# recorded as "rows:hex" is over these columns (scheme v1); one recorded as "rows:TAG:hex" is
# over the columns of SCHEMES[table, TAG] (below). Digests already recorded must verify
# forever, so a column added to a covered table needs a new scheme, never an edit of a list:
# the lists are written out (the files and tables may gain columns for other reasons).
ACTIVITY_V1 = (
    "record_id", "facility_id", "source_id", "period_start", "period_end", "year", "category",
    "fuel", "fuel_state", "biogenic", "quantity", "unit", "unit_key", "qty_kind", "qty",
    "energy_basis", "hhv", "ncv", "carbon_content", "carbon_content_per", "oxidation_factor",
    "molecular_weight", "measured_co2_t", "boiler_ratio_b", "tier", "instrument", "data_quality",
    "evidence_ref", "source_row", "source_file", "content_hash", "version", "batch_id", "deleted",
    "reason",
)  # fmt: skip
FACILITIES_V1 = (
    "facility_id", "version", "organization_id", "name", "name_zh", "country", "state_province",
    "grid_region", "sector", "ipcc_sector", "equity_share", "programmes", "batch_id",
)  # fmt: skip
COVERED: dict[str, tuple[tuple[str, ...], str]] = {
    "activity_records": (ACTIVITY_V1, "record_id, version"),
    "facilities": (
        FACILITIES_V1,
        "facility_id, version",
    ),
    "organisations": (("organization_id", "batch_id"), "organization_id"),
    "sources": (("facility_id", "source_id", "batch_id"), "facility_id, source_id"),
}
# The batch row an event records: without the organisation in events recorded before
# migration 8 (compared as recorded), with it since.
BATCH_FIELDS = (
    "batch_id",
    "kind",
    "file_name",
    "file_size",
    "sha256",
    "submitted_by",
    "submitted_at",
    "row_count",
    "reason",
)
BATCH_FIELDS_ORG = (*BATCH_FIELDS, "organization_id")
LOCK_FIELDS = ("facility_id", "year", "locked_by", "locked_at", "reason", "event_seq")
STEP_FIELDS = ("case_id", "step", "stepped_at", "actor", "action", "from_status", "to_status")


@dataclass(frozen=True)
class Event:
    seq: int
    at: str
    actor: str
    action: str
    subject: str
    reason: str | None
    payload: str
    prev_hash: str
    hash: str

    def data(self) -> dict[str, Any]:
        return json.loads(self.payload)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(
    seq: int, at: str, actor: str, action: str, subject: str, reason, payload: str, prev: str
) -> str:
    body = canonical([seq, at, actor, action, subject, reason, payload, prev])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(
    db: Database,
    actor: str,
    action: str,
    subject: str,
    reason: str | None,
    payload: dict[str, Any],
    at: str | None = None,
) -> Event:
    """Append one event; call inside the write transaction that made the change."""
    last = db.one("SELECT seq, hash FROM ledger_events ORDER BY seq DESC LIMIT 1")
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = at or now()
    text = canonical(payload)
    h = event_hash(seq, at, actor, action, subject, reason, text, prev)
    db.execute(
        "INSERT INTO ledger_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [seq, at, actor, action, subject, reason, text, prev, h],
    )
    return Event(seq, at, actor, action, subject, reason, text, prev, h)


# Activity rows on DuckDB are digested by their content hash (scheme "v2"): per row, MD5 of
# the text of these columns. The content hash is MD5 of the content columns' text, computed by
# the same database when the batch was staged, and `verify` recomputes it for every row; an
# edited value is therefore caught by its content hash, an edited content hash by the digest.
# Reading back and casting every column of a million rows as text took most of an ingest's
# digest time. PostgreSQL stores keep scheme "v1" (every column's text), because their
# content hashes come from the DuckDB engine that validated the file, whose text forms of
# numbers differ from PostgreSQL's. Digests recorded as "rows:hex" are v1, "rows:v2:hex" v2.
V2_COLUMNS = (
    "record_id",
    "version",
    "content_hash",
    "source_row",
    "source_file",
    "batch_id",
    "deleted",
    "reason",
)
V2_TABLES = {"activity_records": V2_COLUMNS}
# Facilities digests cover the organisational-boundary flags (stored from migration 6 on) as
# scheme "v2", on both backends; facilities digests recorded before ("rows:hex") do not.
FACILITIES_V2 = (
    *COVERED["facilities"][0][:-1],
    *(c.name for c in FACILITY_BOUNDARY),
    "batch_id",
)
# Activity rows name their organisation from migration 8 on (a record is an organisation's
# record id): digests recorded since cover it, as scheme "v2o" (v2 and the organisation, on
# DuckDB) or "v1o" (v1 and the organisation, on PostgreSQL). Rows stored before carry their
# facility's organisation, which `verify` checks for every row.
# Every digest scheme but v1: (table, tag) -> columns in digest order.
SCHEMES: dict[tuple[str, str | None], tuple[str, ...]] = {
    ("activity_records", "v2"): V2_COLUMNS,
    ("activity_records", "v2o"): (*V2_COLUMNS, "organization_id"),
    ("activity_records", "v1o"): (*ACTIVITY_V1, "organization_id"),
    ("facilities", "v2"): FACILITIES_V2,
}
BY_CONTENT_HASH = {"v2", "v2o"}  # schemes whose rows' content hashes `verify` recomputes


# The scheme new events use per table (absent: v1), by backend: activity rows on PostgreSQL
# are digested by every column (above).
NEW_SCHEMES = {
    "duckdb": {"activity_records": "v2o", "facilities": "v2"},
    "postgresql": {"activity_records": "v1o", "facilities": "v2"},
}


def _scheme(db: Database, table: str, recorded: dict[str, str] | None) -> str | None:
    """The tag of the scheme to digest a table in (None: v1): the one its digest was
    `recorded` with, else the one new events use."""
    if recorded is not None and table in recorded:
        parts = recorded[table].split(":")
        return parts[1] if len(parts) == 3 else None
    return NEW_SCHEMES[db.kind].get(table)


def digests(db: Database, batch_id: int, recorded: dict[str, str] | None = None) -> dict[str, str]:
    """Digest of the rows each covered table holds for a batch (empty tables omitted).

    To verify, pass the digests an event `recorded`: each table is recomputed in the scheme it
    was recorded with, and rows digested by content hash have their content hashes checked."""
    out = {}
    for table, (cols, order) in COVERED.items():
        n = db.scalar(f"SELECT count(*) FROM {table} WHERE batch_id = ?", [batch_id])
        if not n:
            continue
        tag = _scheme(db, table, recorded)
        texts = row_text(SCHEMES.get((table, tag), cols))
        value = db.digest(texts, f"{table} WHERE batch_id = ?", order, [batch_id])
        if tag in BY_CONTENT_HASH and table in V2_TABLES and recorded is not None:
            bad = db.scalar(
                f"SELECT count(*) FROM {table} WHERE batch_id = ? AND content_hash "
                f"IS DISTINCT FROM md5({row_text(CONTENT_NAMES)})",
                [batch_id],
            )
            if bad:
                value = f"{value} ({bad} row(s) do not match their content hash)"
        if table == "facilities" and tag is None and recorded is not None:
            # Rows stored before the boundary flags were have none (NULL): v1 does not cover them.
            flagged = " OR ".join(f"{c.name} IS NOT NULL" for c in FACILITY_BOUNDARY)
            bad = db.scalar(
                f"SELECT count(*) FROM facilities WHERE batch_id = ? AND ({flagged})", [batch_id]
            )
            if bad:
                value = f"{value} ({bad} row(s) have boundary flags, which v1 does not cover)"
        out[table] = f"{n}:{tag}:{value}" if tag else f"{n}:{value}"
    return out


def batch_row(
    db: Database, batch_id: int, fields: tuple[str, ...] = BATCH_FIELDS_ORG
) -> dict[str, Any] | None:
    row = db.one(f"SELECT {', '.join(fields)} FROM batches WHERE batch_id = ?", [batch_id])
    return None if row is None else dict(zip(fields, row, strict=True))


def record_batch(
    db: Database, actor: str, action: str, subject: str, reason: str | None, extra: dict
) -> Event:
    """Append the event for a batch: the batch row and the digests of what it wrote."""
    batch_id = extra["batch_id"]
    payload = {**extra, "batch": batch_row(db, batch_id), "digests": digests(db, batch_id)}
    return append(db, actor, action, subject, reason, payload)


def events(db: Database) -> Iterator[Event]:
    for r in db.execute(
        "SELECT seq, recorded_at, actor, action, subject, reason, payload, prev_hash, hash "
        "FROM ledger_events ORDER BY seq"
    ):
        yield Event(*r)


@dataclass
class Finding:
    seq: int | None  # the broken event, or None for rows no event accounts for
    problem: str

    def __str__(self) -> str:
        where = f"event {self.seq}" if self.seq is not None else "outside the chain"
        return f"{where}: {self.problem}"


@dataclass
class Verification:
    events: int
    head: str
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.findings


def verify(db: Database, expect_head: str | None = None) -> Verification:
    """Recompute the chain and every batch digest; report what does not match, in order."""
    findings: list[Finding] = []
    prev, expected, n = GENESIS, 1, 0
    batches_seen: set[int] = set()
    locks_seen: set[tuple[str, int]] = set()
    cases = _Cases()
    for e in events(db):
        n += 1
        broken = _check_event(e, prev, expected)
        if not broken:
            broken = _check_rows(db, e, batches_seen, locks_seen)
            if e.action.startswith(CASE_ACTION):
                broken += _check_case_step(db, e, cases)
        findings += [Finding(e.seq, p) for p in broken]
        prev, expected = e.hash, e.seq + 1
    findings += _case_statuses(db, cases)
    findings.sort(key=lambda f: f.seq or 0)  # stable: each event's findings keep their order
    findings += _unaccounted(db, batches_seen, locks_seen) + _unaccounted_cases(db, cases)
    if expect_head and expect_head != prev:
        findings.append(Finding(None, f"head is {prev}, expected {expect_head}"))
    return Verification(n, prev, findings)


def _check_event(e: Event, prev: str, expected: int) -> list[str]:
    out = []
    if e.seq != expected:
        out.append(f"sequence jumps from {expected - 1} to {e.seq} (an event was removed)")
    if e.prev_hash != prev:
        out.append(
            "does not follow the event before it (events were removed, inserted or reordered)"
        )
    recomputed = event_hash(
        e.seq, e.at, e.actor, e.action, e.subject, e.reason, e.payload, e.prev_hash
    )
    if recomputed != e.hash:
        out.append("content does not match its hash (the event was edited)")
    return out


def _check_rows(
    db: Database, e: Event, batches: set[int], locks: set[tuple[str, int]]
) -> list[str]:
    data = e.data()
    out = []
    if "batch_id" in data:
        b = data["batch_id"]
        batches.add(b)
        recorded = data["batch"]
        stored = batch_row(db, b, tuple(recorded) if recorded else BATCH_FIELDS_ORG)
        if stored != recorded:
            out.append(f"batch {b} row differs from what was recorded (edited or deleted)")
        out += _counts_disagree(data)
        now_digests = digests(db, b, data["digests"])
        for table in sorted(set(now_digests) | set(data["digests"])):
            if now_digests.get(table) != data["digests"].get(table):
                out.append(
                    f"{table} rows of batch {b} differ from what was recorded "
                    "(a row was edited, deleted or inserted)"
                )
    if "lock" in data:
        lock = data["lock"]
        locks.add((lock["facility_id"], lock["year"]))
        row = db.one(
            f"SELECT {', '.join(LOCK_FIELDS)} FROM period_locks WHERE facility_id = ? AND year = ?",
            [lock["facility_id"], lock["year"]],
        )
        if row is None or dict(zip(LOCK_FIELDS, row, strict=True)) != lock:
            out.append(
                f"lock of {lock['facility_id']} {lock['year']} differs from what was recorded"
            )
    return out


def _recorded_rows(data: dict[str, Any], table: str) -> int:
    """How many rows of `table` the event's digests say the batch wrote."""
    digest = data["digests"].get(table)
    return 0 if digest is None else int(digest.split(":")[0])


def _counts_disagree(data: dict[str, Any]) -> list[str]:
    """What an event says it wrote against the rows its own digests cover: a digest taken over
    more rows than the batch counted means rows not of this batch were taken in (as when
    a batch id was reused over rows an interrupted commit left)."""
    batch, b = data.get("batch") or {}, data["batch_id"]
    kind, declared = batch.get("kind"), batch.get("row_count")
    records = _recorded_rows(data, "activity_records")
    if kind in ("file", "restatement"):
        written = data.get("new", 0) + data.get("changed", 0)
        counted = written + data.get("unchanged", 0)
        if records != written or counted != data.get("rows") or data.get("rows") != declared:
            return [
                f"batch {b} says {data.get('rows')} rows ({data.get('new')} new, "
                f"{data.get('changed')} changed, {data.get('unchanged')} unchanged; batch row: "
                f"{declared}) but its digest covers {records} activity_records row(s)"
            ]
    elif kind in ("delete", "void") and records != (declared if kind == "delete" else 0):
        return [f"{kind} batch {b} says {declared} row(s); its digest covers {records}"]
    elif kind == "facilities" and _recorded_rows(data, "facilities") != declared:
        return [
            f"facilities batch {b} says {declared} row(s); its digest covers "
            f"{_recorded_rows(data, 'facilities')}"
        ]
    return []


def _duplicate_versions(db: Database) -> list[Finding]:
    """Record versions stored more than once: versions are unique by construction (per
    organisation's record), so a duplicate means rows were taken in twice."""
    rows = db.execute(
        "SELECT organization_id, record_id, version, count(*) FROM activity_records "
        "GROUP BY organization_id, record_id, version HAVING count(*) > 1 "
        "ORDER BY organization_id, record_id, version"
    )
    if not rows:
        return []
    named = ", ".join(f"{r} version {v} of {o} ({n}×)" for o, r, v, n in rows[:10])
    more = f" and {len(rows) - 10:,} more" if len(rows) > 10 else ""
    return [Finding(None, f"{len(rows):,} record version(s) stored more than once: {named}{more}")]


def _unaccounted(db: Database, batches: set[int], locks: set[tuple[str, int]]) -> list[Finding]:
    out = _duplicate_versions(db)
    for table in ("batches", *COVERED):
        for b, count in db.execute(
            f"SELECT batch_id, count(*) FROM {table} GROUP BY batch_id ORDER BY batch_id"
        ):
            if b not in batches:
                out.append(
                    Finding(None, f"{count} {table} row(s) of batch {b} that no event records")
                )
    for f, y in db.execute("SELECT facility_id, year FROM period_locks ORDER BY 1, 2"):
        if (f, y) not in locks:
            out.append(Finding(None, f"a lock of {f} {y} that no event records"))
    # Every row is its facility's organisation's (rows stored before migration 8 got it then;
    # their digests, recorded before, do not cover it).
    for b, count in db.execute(
        "SELECT batch_id, count(*) FROM activity_records a WHERE NOT EXISTS (SELECT 1 FROM "
        "facilities f WHERE f.facility_id = a.facility_id AND f.organization_id = "
        "a.organization_id) GROUP BY batch_id ORDER BY batch_id"
    ):
        out.append(
            Finding(None, f"{count} activity_records row(s) of batch {b} name an organisation "
                    "that is not their facility's")
        )  # fmt: skip
    return out


# Verification cases (api.workflow): every step is an event "case-<step>" whose payload names
# the case and the statuses it went from and to, and whose reason holds the findings; the step's
# row in case_steps points back at its event. The rows are checked against the events, and each
# case's status against the status its last recorded step left it in.
CASE_ACTION = "case-"


@dataclass
class _Cases:
    """What the case events read so far say: steps per case, and each case's status with the
    event that set it."""

    steps: dict[int, int] = field(default_factory=dict)
    status: dict[int, tuple[str | None, int]] = field(default_factory=dict)
    seqs: set[int] = field(default_factory=set)


def _check_case_step(db: Database, e: Event, cases: _Cases) -> list[str]:
    data = e.data()
    case_id = data["case_id"]
    n = cases.steps.get(case_id, 0) + 1
    to = data.get("to", data.get("status"))
    cases.steps[case_id], cases.status[case_id] = n, (to, e.seq)
    cases.seqs.add(e.seq)
    action = e.action.removeprefix(CASE_ACTION)
    expected = (case_id, n, e.at, e.actor, action, data.get("from", ""), to, e.reason)
    row = db.one(
        f"SELECT {', '.join(STEP_FIELDS)}, findings FROM case_steps WHERE ledger_seq = ?", [e.seq]
    )
    out = []
    if row is None or tuple(row) != expected:
        out.append(f"step {n} of verification case {case_id} differs from what was recorded")
    if action == "open":
        case = db.one(
            "SELECT organization_id, facility_id, year, created_by, created_at "
            "FROM verification_cases WHERE case_id = ?",
            [case_id],
        )
        if case is None or (
            case[0] != data["organization_id"]
            or f"case {case_id} {case[1]} {case[2]}" != e.subject
            or (case[3], case[4]) != (e.actor, e.at)
        ):
            out.append(f"verification case {case_id} differs from what was recorded")
    return out


def _case_statuses(db: Database, cases: _Cases) -> list[Finding]:
    stored = dict(db.execute("SELECT case_id, status FROM verification_cases"))
    return [
        Finding(seq, f"verification case {c} is {stored[c]!r}; its last step made it {status!r}")
        for c, (status, seq) in sorted(cases.status.items())
        if c in stored and stored[c] != status
    ]


def _unaccounted_cases(db: Database, cases: _Cases) -> list[Finding]:
    steps = db.execute("SELECT case_id, step, ledger_seq FROM case_steps ORDER BY case_id, step")
    out = [
        Finding(None, f"step {step} of verification case {c} that no event records")
        for c, step, seq in steps
        if seq not in cases.seqs
    ]
    for (c,) in db.execute("SELECT case_id FROM verification_cases ORDER BY case_id"):
        if c not in cases.steps:
            out.append(Finding(None, f"a verification case {c} that no event records"))
    return out


def export(db: Database) -> Iterator[str]:
    """The ledger as JSON lines, one event per line, in chain order."""
    for e in events(db):
        yield canonical(
            {
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "subject": e.subject,
                "reason": e.reason,
                "payload": e.data(),
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
        )
