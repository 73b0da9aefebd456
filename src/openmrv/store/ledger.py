"""The hash-chained ledger: every change to the store is one event (who, when, what, why).

Each event's hash covers its own fields and the previous event's hash, so editing, deleting,
inserting or reordering events breaks the chain. Events that write rows also carry a digest of
exactly the rows they wrote (per table, by batch), so editing, deleting or inserting data rows
behind the system's back is caught too (in the tables `Coverage` entries name,
store/coverage.py). Rows that are not batches (period locks, verification case steps) are
checked by the `LedgerCheck`s the caller passes to `verify`, each declared by the code that
writes them. The chain proves integrity relative to its head: keep the head hash printed by
`ledger verify` (or an export) somewhere else to detect a rewrite of the whole chain.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openmrv import plugins
from openmrv.ingest.schema import FACILITY_BOUNDARY
from openmrv.store import canonical as codec
from openmrv.store import legacy
from openmrv.store.coverage import Coverage, Event, Finding, LedgerCheck, RowCheck, Scheme
from openmrv.store.db import Database
from openmrv.store.schema import CONTENT_NAMES

GENESIS = "0" * 64

# The core's covered tables, scheme v1 (digests recorded as "rows:hex"): columns in digest order.
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
# The tables `verify` checks on its own, whatever it is given -> their key: the chain itself
# and the batch rows its events record.
OWN_TABLES = {"ledger_events": "seq", "batches": "batch_id"}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


canonical = codec.json_text  # store.canonical: the tree (store.tlog) takes its leaves over it too


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
    from openmrv.store import tlog  # the tree over the events (it reads them through here)

    tlog.extend(db)
    return Event(seq, at, actor, action, subject, reason, text, prev, h)


# Activity rows on DuckDB were digested by their content hash (scheme "v2"): per row, MD5 of
# the text of these columns. The content hash is MD5 of the content columns' text, computed by
# the same database when the batch was staged, and `verify` recomputes it for every row; an
# edited value is therefore caught by its content hash, an edited content hash by the digest.
# PostgreSQL stores kept scheme "v1" (every column's text). Digests recorded as "rows:hex" are
# v1, "rows:v2:hex" v2. Since scheme "v3" every table's digest is SHA-256 over the canonical
# encoding of every column (store/canonical.py), computed in Python from the raw values on
# both backends; the older schemes are recomputed in Python too (store/legacy.py).
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
V3 = "v3"
CONTENT_HASHED = RowCheck(
    ("content_hash", *CONTENT_NAMES),
    lambda values, dialect: values[0] != legacy.row_md5(values[1:], dialect),
    "do not match their content hash",
)
# Facilities digests cover the organisational-boundary flags (stored from migration 6 on) as
# scheme "v2", on both backends; facilities digests recorded before ("rows:hex") do not, and
# their rows must have none (NULL).
FACILITIES_V2 = (*FACILITIES_V1[:-1], *(c.name for c in FACILITY_BOUNDARY), "batch_id")
# Activity rows name their organisation from migration 8 on (a record is an organisation's
# record id): digests recorded since cover it, as scheme "v2o" (v2 and the organisation, on
# DuckDB) or "v1o" (v1 and the organisation, on PostgreSQL), and v3. Rows stored before carry
# their facility's organisation, which `verify` checks for every row.
ACTIVITY_ROWS = Coverage(
    "activity_records",
    ACTIVITY_V1,
    "record_id, version",
    scheme={"duckdb": V3, "postgresql": V3},
    schemes=(
        Scheme("v2", V2_COLUMNS, CONTENT_HASHED),
        Scheme("v2o", (*V2_COLUMNS, "organization_id"), CONTENT_HASHED),
        Scheme("v1o", (*ACTIVITY_V1, "organization_id")),
        Scheme(V3, (*ACTIVITY_V1, "organization_id"), canonical=True),
    ),
)
FACILITY_ROWS = Coverage(
    "facilities",
    FACILITIES_V1,
    "facility_id, version",
    scheme={"duckdb": V3, "postgresql": V3},
    schemes=(Scheme("v2", FACILITIES_V2), Scheme(V3, FACILITIES_V2, canonical=True)),
    v1_check=RowCheck(
        tuple(c.name for c in FACILITY_BOUNDARY),
        lambda values, dialect: any(v is not None for v in values),
        "have boundary flags, which v1 does not cover",
    ),
)
ORGANISATION_ROWS = Coverage(
    "organisations",
    ("organization_id", "batch_id"),
    "organization_id",
    scheme={"duckdb": V3, "postgresql": V3},
    schemes=(Scheme(V3, ("organization_id", "batch_id"), canonical=True),),
)
SOURCE_ROWS = Coverage(
    "sources",
    ("facility_id", "source_id", "batch_id"),
    "facility_id, source_id",
    scheme={"duckdb": V3, "postgresql": V3},
    schemes=(Scheme(V3, ("facility_id", "source_id", "batch_id"), canonical=True),),
)
# The core's covered tables: the default wherever a caller passes none.
COVERAGE: tuple[Coverage, ...] = (ACTIVITY_ROWS, FACILITY_ROWS, ORGANISATION_ROWS, SOURCE_ROWS)


def _scheme(kind: str, c: Coverage, recorded: dict[str, str] | None) -> str | None:
    """The tag of the scheme to digest a table in (None: v1): the one its digest was
    `recorded` with, else the one new events use."""
    if recorded is not None and c.table in recorded:
        parts = recorded[c.table].split(":")
        return parts[1] if len(parts) == 3 else None
    return c.scheme.get(kind)


def _columns_of(rows: pa.Table, names: Sequence[str]) -> list[tuple[Any, ...]]:
    return list(zip(*(rows.column(n).to_pylist() for n in names), strict=True))


def in_key_order(c: Coverage, rows: pa.Table) -> pa.Table:
    """`c`'s rows by batch, then key, compared by value (strings byte by byte): the order of
    scheme v3, fixed here rather than by the database's collation."""
    keys = [(k, "ascending") for k in ("batch_id", *c.key)]
    return rows.take(pc.sort_indices(rows, sort_keys=keys))


def _v3(columns: Sequence[str], rows: pa.Table) -> list[codec.Blocks]:
    return [codec.column_blocks(rows.column(n)) for n in columns]


def digest_rows(c: Coverage, tag: str | None, rows: pa.Table, dialect: str) -> str:
    """The digest value of one batch's `rows` in scheme `tag` (v3: any order; older schemes:
    in the database's key order), with how many fail the scheme's row check. Everything is
    computed here, from the raw values."""
    s = c.scheme_of(tag)
    if s.canonical:
        return codec.table_digest(_v3(s.columns, in_key_order(c, rows)), 0, len(rows))
    value = legacy.digest(_columns_of(rows, s.columns), dialect)
    if s.check is not None:
        bad = sum(s.check.bad(r, dialect) for r in _columns_of(rows, s.check.columns))
        if bad:
            value = f"{value} ({bad} row(s) {s.check.problem})"
    return value


def read_rows(db: Database, c: Coverage, where: str = "", params: Sequence[Any] = ()) -> pa.Table:
    """The raw columns of `c`'s rows (those matching `where`), in the database's batch and key
    order (what the schemes before v3 digested in): a plain SELECT, no function of the
    database's."""
    present = db.columns(c.table)
    cols = [col for col in c.read_columns if col in present]
    sql = f"SELECT {', '.join(cols)} FROM {c.table} {where} ORDER BY batch_id, {c.order}"
    return db.arrow(sql, params)


def digests(
    db: Database,
    batch_id: int,
    recorded: dict[str, str] | None = None,
    coverage: Sequence[Coverage] = COVERAGE,
) -> dict[str, str]:
    """Digest of the rows each covered table holds for a batch (empty tables omitted).

    To verify, pass the digests an event `recorded`: each table is recomputed in the scheme it
    was recorded with, and the scheme's row check (e.g. rows digested by content hash have
    their content hashes recomputed) is added to the digest."""
    out = {}
    for c in coverage:
        rows = read_rows(db, c, "WHERE batch_id = ?", [batch_id])
        if not len(rows):
            continue
        tag = _scheme(db.kind, c, recorded)
        value = digest_rows(c, tag, rows, db.kind)
        out[c.table] = f"{len(rows)}:{tag}:{value}" if tag else f"{len(rows)}:{value}"
    return out


def batch_row(
    db: Database, batch_id: int, fields: tuple[str, ...] = BATCH_FIELDS_ORG
) -> dict[str, Any] | None:
    row = db.one(f"SELECT {', '.join(fields)} FROM batches WHERE batch_id = ?", [batch_id])
    return None if row is None else dict(zip(fields, row, strict=True))


def record_batch(
    db: Database,
    actor: str,
    action: str,
    subject: str,
    reason: str | None,
    extra: dict,
    coverage: Sequence[Coverage] | None = None,
) -> Event:
    """Append the event for a batch: the batch row and the digests of what it wrote in the
    `coverage` tables (default: the core's and every domain's)."""
    batch_id = extra["batch_id"]
    coverage = all_coverage() if coverage is None else coverage
    sums = digests(db, batch_id, coverage=coverage)
    payload = {**extra, "batch": batch_row(db, batch_id), "digests": sums}
    return append(db, actor, action, subject, reason, payload)


def events(db: Database) -> Iterator[Event]:
    for r in db.execute(
        "SELECT seq, recorded_at, actor, action, subject, reason, payload, prev_hash, hash "
        "FROM ledger_events ORDER BY seq"
    ):
        yield Event(*r)


@dataclass
class Verification:
    events: int
    head: str
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.findings


def all_coverage() -> tuple[Coverage, ...]:
    """The core's covered tables, then those every domain registers (plugins)."""
    return (*COVERAGE, *plugins.ledger_coverage())


class Snapshot:
    """Every covered table read once (raw values, one plain SELECT each), in v3 order and split
    by batch: what `verify` recomputes digests from, in Python. Digests recorded in schemes
    before v3 are recomputed from their batch's rows read in the database's key order."""

    def __init__(self, db: Database, coverage: Sequence[Coverage]) -> None:
        self.db, self.dialect = db, db.kind
        self.rows = {}
        for c in coverage:
            present = db.columns(c.table)
            cols = [col for col in c.read_columns if col in present]
            self.rows[c.table] = in_key_order(
                c, db.arrow(f"SELECT {', '.join(cols)} FROM {c.table}")
            )
        self.slices = {table: self.split(rows) for table, rows in self.rows.items()}
        self._bytes: dict[tuple[str, str], list[codec.Blocks]] = {}

    @staticmethod
    def split(rows: pa.Table) -> dict[int, tuple[int, int]]:
        """Batch id -> the span of its rows (rows come in batch order)."""
        ids = rows.column("batch_id").to_numpy(zero_copy_only=False)
        cuts = [0, *(np.flatnonzero(ids[1:] != ids[:-1]) + 1).tolist(), len(ids)]
        return {int(ids[a]): (a, b) for a, b in itertools.pairwise(cuts) if b > a}

    def batch(self, c: Coverage, batch_id: int, tag: str | None) -> tuple[int, str] | None:
        """The row count and digest value of a batch's rows of `c` in scheme `tag`."""
        span = self.slices[c.table].get(batch_id)
        if span is None:
            return None
        a, b = span
        s = c.scheme_of(tag)
        if not s.canonical:
            rows = read_rows(self.db, c, "WHERE batch_id = ?", [batch_id])
            return len(rows), digest_rows(c, tag, rows, self.dialect)
        key = (c.table, s.tag)
        if key not in self._bytes:  # encoded once per table, hashed per batch
            self._bytes[key] = _v3(s.columns, self.rows[c.table])
        return b - a, codec.table_digest(self._bytes[key], a, b)

    def digests(self, coverage: Sequence[Coverage], batch_id: int, recorded: dict[str, str]):
        out = {}
        for c in coverage:
            tag = _scheme(self.dialect, c, recorded)
            got = self.batch(c, batch_id, tag)
            if got is not None:
                n, value = got
                out[c.table] = f"{n}:{tag}:{value}" if tag else f"{n}:{value}"
        return out


def all_checks() -> tuple[LedgerCheck[Any], ...]:
    """The core's checks (the web tables' recorded states, store/state.py), then every
    domain's (plugins)."""
    from openmrv.store import state

    return (state.LEDGER_CHECK, *plugins.ledger_checks())


def verify(
    db: Database,
    *,
    checks: Sequence[LedgerCheck[Any]] | None = None,
    coverage: Sequence[Coverage] | None = None,
    expect_head: str | None = None,
) -> Verification:
    """Recompute the chain, every batch digest over the `coverage` tables and what each of
    `checks` vouches for (default: the core's coverage and checks and what every domain
    registers); report what does not match, in chain order, then rows no event accounts for.

    Everything is computed here, in Python, from raw values read with plain SELECTs: no
    function of the database's (a macro or a function on the search path could answer for
    it), and nothing is written (open the store with `db.connect(url, read_only=True)`)."""
    checks = all_checks() if checks is None else checks
    coverage = all_coverage() if coverage is None else coverage
    snapshot = Snapshot(db, coverage)
    findings: list[Finding] = []
    prev, expected, n = GENESIS, 1, 0
    batches_seen: set[int] = set()
    tallies = [(check, check.tally()) for check in checks]
    for e in events(db):
        n += 1
        broken = _check_event(e, prev, expected)
        if not broken:
            broken = _check_batch(db, e, batches_seen, coverage, snapshot)
            for check, tally in tallies:
                if e.action.startswith(check.action_prefix):
                    broken += check.check_event(db, e, tally)
        findings += [Finding(e.seq, p) for p in broken]
        prev, expected = e.hash, e.seq + 1
    later = [f for check, tally in tallies for f in check.unaccounted(db, tally)]
    findings += [f for f in later if f.seq is not None]
    findings.sort(key=lambda f: f.seq or 0)  # stable: each event's findings keep their order
    findings += _unaccounted(db, batches_seen, snapshot) + [f for f in later if f.seq is None]
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


def _check_batch(
    db: Database, e: Event, batches: set[int], coverage: Sequence[Coverage], snapshot: Snapshot
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
        now_digests = snapshot.digests(coverage, b, data["digests"])
        for table in sorted(set(now_digests) | set(data["digests"])):
            if now_digests.get(table) != data["digests"].get(table):
                out.append(
                    f"{table} rows of batch {b} differ from what was recorded "
                    "(a row was edited, deleted or inserted)"
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


def _duplicate_versions(rows: pa.Table) -> list[Finding]:
    """Record versions stored more than once: versions are unique by construction (per
    organisation's record), so a duplicate means rows were taken in twice."""
    keys = ["organization_id", "record_id", "version"]
    if not len(rows) or not set(keys) <= set(rows.column_names):
        return []
    counts = rows.select(keys).group_by(keys).aggregate([([], "count_all")])
    dup = counts.filter(pc.greater(counts["count_all"], 1)).sort_by(
        [(k, "ascending") for k in keys]
    )
    if not len(dup):
        return []
    listed = dup.to_pylist()
    named = ", ".join(
        f"{d['record_id']} version {d['version']} of {d['organization_id']} ({d['count_all']}×)"
        for d in listed[:10]
    )
    more = f" and {len(listed) - 10:,} more" if len(listed) > 10 else ""
    return [
        Finding(None, f"{len(listed):,} record version(s) stored more than once: {named}{more}")
    ]


def _unaccounted(db: Database, batches: set[int], snapshot: Snapshot) -> list[Finding]:
    activity = snapshot.rows.get(ACTIVITY_ROWS.table)
    out = [] if activity is None else _duplicate_versions(activity)
    stored = sorted({int(r[0]) for r in db.execute("SELECT batch_id FROM batches")} - batches)
    out += [Finding(None, f"1 batches row(s) of batch {b} that no event records") for b in stored]
    for table, spans in snapshot.slices.items():
        for b, (start, end) in sorted(spans.items()):
            if b not in batches:
                out.append(
                    Finding(
                        None, f"{end - start} {table} row(s) of batch {b} that no event records"
                    )
                )
    # Every row is its facility's organisation's (rows stored before migration 8 got it then;
    # their digests, recorded before, do not cover it).
    if activity is not None and FACILITY_ROWS.table in snapshot.rows:
        owners = set(
            _columns_of(snapshot.rows[FACILITY_ROWS.table], ("facility_id", "organization_id"))
        )
        keys = ["batch_id", "facility_id", "organization_id"]
        pairs = activity.select(keys).group_by(keys).aggregate([([], "count_all")])
        wrong: dict[int, int] = {}
        for r in pairs.to_pylist():
            if (r["facility_id"], r["organization_id"]) not in owners:
                wrong[r["batch_id"]] = wrong.get(r["batch_id"], 0) + r["count_all"]
        for b, count in sorted(wrong.items()):
            out.append(
                Finding(None, f"{count} activity_records row(s) of batch {b} name an "
                        "organisation that is not their facility's")
            )  # fmt: skip
    return out


def summary(e: Event) -> dict[str, Any]:
    """An event as people read it: who did what, when and why, and its hash (no payload)."""
    return {
        "seq": e.seq,
        "at": e.at,
        "actor": e.actor,
        "action": e.action,
        "subject": e.subject,
        "reason": e.reason,
        "hash": e.hash,
    }


def export(db: Database) -> Iterator[str]:
    """The ledger as JSON lines, one event per line, in chain order (keys sorted)."""
    for e in events(db):
        yield canonical(summary(e) | {"payload": e.data(), "prev_hash": e.prev_hash})
