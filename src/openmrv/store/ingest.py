"""Ingest activity files into the store: all or nothing per batch, idempotent, versioned.

A batch is one write transaction: the file is validated (the same rules and located errors as
`openmrv calculate`), compared with the records already stored, and written together with its
ledger event, or not at all. The same file again is recognised by its SHA-256; a record id
that comes back with other values becomes a new version and needs a reason; a record that
comes back unchanged is not written again.

Identities belong to an organisation: a record is (organisation, record id), the organisation
being its facility's, and its versions are numbered per organisation. Two organisations may use
the same record ids, source ids and file names: nothing one stores is compared with, refused
because of, or named in a message about the other's data.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from openmrv.factors import Library
from openmrv.ingest.columns import Schema
from openmrv.ingest.readers import RawTable, read_table
from openmrv.ingest.validate import check_activity, file_plans, temp_table, validate_facilities
from openmrv.store import ledger, periods, quality, recovery
from openmrv.store.db import Database, StoreError, row_text
from openmrv.store.schema import CONTENT_NAMES, RECORD_NAMES, SAME_RECORD
from openmrv.store.versions import heads_sql, latest_facilities_sql, latest_versions_sql

SHOW = 10  # record ids named in a refusal


@dataclass
class IngestReport:
    file: str
    batch_id: int
    already: bool = False
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    restatement: dict | None = None
    stages: dict[str, float] = field(default_factory=dict)  # seconds per step, in order

    def summary(self) -> str:
        if self.already:
            return f"{self.file}: already ingested as batch {self.batch_id}; nothing changed"
        return (
            f"{self.file}: batch {self.batch_id}, {self.rows:,} rows: {self.new:,} new, "
            f"{self.changed:,} new versions, {self.unchanged:,} unchanged; "
            f"{len(self.warnings)} warning(s); {self.seconds:.2f} s"
        )


class _Clock:
    """Seconds per step of an ingest, for the report and the benchmark."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.stages: dict[str, float] = {}

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.stages[step] = round(now - self.last, 4)
        self.last = now


def sha256_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def next_batch(db: Database) -> int:
    return db.next_id("batches", "batch_id")


def add_batch(
    db: Database,
    kind: str,
    actor: str,
    rows: int,
    reason: str | None,
    org: str | None = None,
    **file,
) -> int:
    """Inside a write transaction: a new batch row; `org`: the organisation whose data it holds
    (None: several or none). Rows an interrupted commit left are voided first, so a batch id
    whose rows exist without their batch row is never taken again."""
    recovery.void_orphans(db)
    batch_id = next_batch(db)
    db.execute(
        f"INSERT INTO batches ({', '.join(ledger.BATCH_FIELDS_ORG)}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            batch_id,
            kind,
            file.get("file_name"),
            file.get("file_size"),
            file.get("sha256"),
            actor,
            ledger.now(),
            rows,
            reason,
            org,
        ],
    )
    return batch_id


def current_facilities(db: Database, org: str | None = None) -> dict[str, tuple[str, str | None]]:
    """Facility id -> (organisation, programmes), for the latest version of each facility (of
    `org` only, when given)."""
    rows = db.execute(
        f"SELECT facility_id, organization_id, programmes FROM ({latest_facilities_sql()}) f"
    )
    return {f: (o, p) for f, o, p in rows if org is None or o == org}


def ingest(
    db: Database,
    path: Path | str,
    actor: str,
    reason: str | None = None,
    restating: tuple[str, int] | None = None,
    lib: Library | None = None,
    org: str | None = None,
    raw: RawTable | None = None,
    schema: Schema | None = None,
) -> IngestReport:
    """Ingest one activity file as one batch. Raises InputError (bad file) or StoreError
    (refused change); in both cases nothing is stored.

    `org`: the organisation uploading (only its facilities are known, and "already ingested"
    means by it); None (the command line, an administrator): any facility, each row being its
    facility's organisation's. `raw` is the file already read (the web application reads an
    upload once, outside the store lock, under its own limits). `schema`: the activity file's
    (default: the one registered as "activity", ingest.columns.registered)."""
    clock = _Clock()
    path = Path(path)
    digest, size = sha256_file(path) if path.is_file() else ("", 0)
    # A file already stored is answered before reading it (and checked again in the write
    # transaction, which is what counts). Reading happens before the transaction, so writers
    # wait less for each other.
    known = _known(db, digest, org)
    if known is not None:
        return IngestReport(path.name, int(known), already=True)
    raw = raw if raw is not None else read_table(path)
    clock.lap("read and hash the file")
    with db.write():
        known = _known(db, digest, org)
        if known is not None:
            return IngestReport(path.name, int(known), already=True)
        facilities = current_facilities(db, org)
        engine = db.engine()
        warnings = check_activity(engine, raw, set(facilities), lib, schema=schema)
        clock.lap("validate")
        warnings += quality.substitute_missing(db, engine, facilities)
        kind = "restatement" if restating else "file"
        rows = raw.table.num_rows
        file = {"file_name": path.name, "file_size": size, "sha256": digest}
        orgs = _batch_orgs(engine, facilities)
        owner = org or (orgs.pop() if len(orgs) == 1 else None)
        batch_id = add_batch(db, kind, actor, rows, reason, owner, **file)
        _load(db, engine, raw.name, batch_id, reason)
        clock.lap("type, hash and insert the rows")
        report = _write(db, path.name, batch_id, rows, actor, reason, restating, warnings, clock)
    clock.lap("commit")
    report.seconds = time.perf_counter() - clock.start
    report.stages = clock.stages
    return report


def _known(db: Database, digest: str, org: str | None) -> int | None:
    """The batch that already holds the file with this SHA-256, if any: the organisation's own
    (another organisation's file of the same bytes is not this one's), or any for None."""
    where = "" if org is None else " AND organization_id = ?"
    return db.scalar(
        f"SELECT min(batch_id) FROM batches WHERE sha256 = ? AND kind <> 'delete'{where}",
        [digest] if org is None else [digest, org],
    )


def _batch_orgs(engine, facilities: dict[str, tuple[str, str | None]]) -> set[str]:
    """The organisations of the validated rows (`batch_rows`), and the engine's temp table
    `batch_orgs` (facility id -> organisation) that `_load` names each row's with."""
    used = {r[0] for r in engine.execute("SELECT DISTINCT facility_id FROM batch_rows").fetchall()}
    pairs = pd.DataFrame(
        [(f, facilities[f][0]) for f in sorted(used)], columns=["facility_id", "organization_id"]
    ).astype("string")
    temp_table(engine, "batch_orgs", pairs)
    return set(pairs.organization_id)


def _load(db: Database, engine, file_name: str, batch_id: int, reason: str | None) -> None:
    """Insert every row of the file as batch `batch_id` (version 1 for now), straight from the
    validated rows, and name them `incoming`. Staging them in a table first, and inserting
    from it, cost more than typing, hashing and inserting them in one statement; `_compare`
    then numbers the versions and drops the rows that did not change."""
    query = (
        f"SELECT {', '.join('r.' + n for n in RECORD_NAMES[:-1])}, ? AS source_file, "
        f"md5({row_text(['r.' + n for n in CONTENT_NAMES])}) AS content_hash, 1 AS version, "
        "? AS batch_id, false AS deleted, ? AS reason, o.organization_id "
        "FROM batch_rows r JOIN batch_orgs o ON o.facility_id = r.facility_id"
    )
    with file_plans(engine):
        db.load("activity_records", query, engine, file_name, batch_id, reason)
    db.execute("DROP VIEW IF EXISTS plan")  # PostgreSQL keeps views bound to what they read
    db.execute("DROP VIEW IF EXISTS incoming")
    db.execute(
        "CREATE TEMP VIEW incoming AS SELECT * FROM activity_records "
        f"WHERE batch_id = {int(batch_id)}"
    )


def _compare(db: Database, batch_id: int) -> None:
    """Number the loaded rows after their records' stored versions; `matched`: the records
    already stored (usually few), with their previous version and whether they changed;
    `plan` (a view): every incoming record with its version and change."""
    # Stored versions of the incoming records' ids are looked up among the incoming
    # organisations' rows only, and matched by (organisation, record id).
    stored = latest_versions_sql(
        "batch_id <> ? AND record_id IN (SELECT record_id FROM incoming) AND organization_id IN "
        "(SELECT organization_id FROM incoming)"
    )
    db.execute(
        f"UPDATE activity_records SET version = s.v + 1 FROM ({stored}) s "
        "WHERE activity_records.batch_id = ? AND activity_records.record_id = s.rid "
        "AND activity_records.organization_id = s.oid",
        [batch_id, batch_id],
    )
    db.execute("DROP TABLE IF EXISTS matched")
    db.execute(
        "CREATE TEMP TABLE matched AS SELECT h.organization_id, h.record_id, h.version, "
        "h.facility_id, h.year, CASE WHEN h.content_hash = i.content_hash AND NOT h.deleted "
        "THEN 'same' ELSE 'changed' END AS change FROM activity_records h JOIN (SELECT "
        "organization_id, record_id, version, content_hash FROM incoming WHERE version > 1) i "
        f"ON {SAME_RECORD.format(a='h', b='i')} AND h.version = i.version - 1"
    )
    db.execute(
        "CREATE TEMP VIEW plan AS SELECT i.organization_id, i.record_id, i.facility_id, i.year, "
        "i.version, m.version AS prev_version, m.facility_id AS prev_facility, "
        "m.year AS prev_year, COALESCE(m.change, 'new') AS change "
        f"FROM incoming i LEFT JOIN matched m ON {SAME_RECORD.format(a='m', b='i')}"
    )


def _write(
    db: Database,
    file_name: str,
    batch_id: int,
    rows: int,
    actor: str,
    reason: str | None,
    restating: tuple[str, int] | None,
    warnings: list[str],
    clock: _Clock,
) -> IngestReport:
    _compare(db, batch_id)
    stored, changed = db.execute(
        "SELECT count(*), count(*) FILTER (WHERE change = 'changed') FROM matched"
    )[0]
    new = rows - stored
    if changed and not reason:
        ids = [r[0] for r in db.execute(_CHANGED_IDS, [SHOW])]
        raise StoreError(
            f"{changed:,} record(s) already stored with other values ({', '.join(ids)}"
            f"{', …' if changed > SHOW else ''}). A correction becomes a new version and "
            'needs a reason: run again with --reason "...". Nothing was stored.'
        )
    periods.refuse_locked(db, restating)
    clock.lap("compare with stored versions")
    warnings = warnings + quality.warnings(db, batch_id)
    clock.lap("data-quality warnings")
    restatement = periods.diff(db, restating) if restating else None
    db.execute(
        "INSERT INTO sources SELECT DISTINCT facility_id, source_id, ? FROM incoming i "
        "WHERE source_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sources s WHERE "
        "s.facility_id = i.facility_id AND s.source_id = i.source_id)",
        [batch_id],
    )
    if stored > changed:  # a record that comes back unchanged is not written again
        db.execute(
            "DELETE FROM activity_records WHERE batch_id = ? AND EXISTS (SELECT 1 FROM matched m "
            "WHERE m.change = 'same' AND "
            f"{SAME_RECORD.format(a='m', b='activity_records')})",
            [batch_id],
        )
    clock.lap("sources; drop unchanged rows")
    counts = {"rows": rows, "new": new, "changed": changed, "unchanged": stored - changed}
    extra = {"batch_id": batch_id, **counts, "warnings": len(warnings)}
    if restatement is not None:
        extra["restatement"] = restatement
    action = "restate" if restating else "ingest"
    subject = f"{restating[0]} {restating[1]}" if restating else file_name
    ledger.record_batch(db, actor, action, subject, reason, extra)
    clock.lap("ledger event (batch digest)")
    return IngestReport(
        file_name,
        batch_id,
        rows=rows,
        new=new,
        changed=changed,
        unchanged=stored - changed,
        warnings=warnings,
        restatement=restatement,
    )


_CHANGED_IDS = (
    "SELECT record_id || ' (version ' || version || ')' FROM matched "
    "WHERE change = 'changed' ORDER BY record_id LIMIT ?"
)


def record_org(db: Database, record_ids: list[str], org: str | None) -> str:
    """The organisation whose records `record_ids` are: `org` when given; otherwise the one
    organisation holding them (the command line names records without one), or a refusal
    saying which organisations do when they are several."""
    if org is not None:
        return org
    marks = ", ".join("?" for _ in record_ids)
    orgs = [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT organization_id FROM activity_records "
            f"WHERE record_id IN ({marks}) ORDER BY 1",
            record_ids,
        )
    ]
    if len(orgs) > 1:
        raise StoreError(
            f"{', '.join(record_ids[:SHOW])}: records of {len(orgs)} organisations "
            f"({', '.join(orgs)}) use these ids; name one with --org. Nothing was done."
        )
    return orgs[0] if orgs else ""


def delete(
    db: Database, record_ids: list[str], actor: str, reason: str, org: str | None = None
) -> int:
    """Write tombstones for an organisation's records (a new version marked deleted, with the
    reason); `org` None: the one organisation that holds these record ids (`record_org`)."""
    if not reason:
        raise StoreError('a deletion needs a reason: pass --reason "..."')
    with db.write():
        org = record_org(db, record_ids, org)
        marks = ", ".join("?" for _ in record_ids)
        of_ids = heads_sql(f"organization_id = ? AND record_id IN ({marks})")
        params = [org, *record_ids]
        heads = db.execute(
            f"SELECT record_id, deleted, facility_id, year FROM ({of_ids}) h", params
        )
        found = {r[0]: r for r in heads}
        missing = [r for r in record_ids if r not in found]
        if missing:
            raise StoreError(f"no such record: {', '.join(missing[:SHOW])}. Nothing was deleted.")
        gone = [r for r in record_ids if found[r][1]]
        if gone:
            raise StoreError(f"already deleted: {', '.join(gone[:SHOW])}. Nothing was deleted.")
        for _, _, facility, year in heads:
            periods.refuse_if_locked(db, facility, year)
        batch_id = add_batch(db, "delete", actor, len(record_ids), reason, org)
        cols = ", ".join((*RECORD_NAMES, "organization_id"))
        db.execute(
            f"INSERT INTO activity_records ({cols}, content_hash, version, batch_id, deleted, "
            f"reason) SELECT {cols}, content_hash, version + 1, ?, true, ? "
            f"FROM ({of_ids}) h",
            [batch_id, reason, *params],
        )
        ledger.record_batch(
            db, actor, "delete", ", ".join(record_ids[:SHOW]), reason, {"batch_id": batch_id}
        )
    return batch_id


def load_facilities(db: Database, path: Path | str, actor: str) -> tuple[int | None, int]:
    """Register facilities (and their organisations); a changed facility becomes a new version.
    The boundary flags count as a change: rows stored before they were (NULL, not recorded)
    get a new version with them. Returns (batch id or None when nothing changed, facilities
    written)."""
    fac = validate_facilities(read_table(path))
    cols = list(ledger.FACILITIES_V2[2:-1])
    with db.write():
        current = {
            r[0]: r
            for r in db.execute(
                f"SELECT facility_id, version, {', '.join(cols)} FROM ({latest_facilities_sql()}) f"
            )
        }
        rows = []
        for rec in fac.to_dict("records"):
            values = [None if _missing(rec[c]) else rec[c] for c in cols]
            have = current.get(rec["facility_id"])
            if have is None or list(have[2:]) != values:
                version = 1 if have is None else have[1] + 1
                rows.append([rec["facility_id"], version, *values])
        if not rows:
            return None, 0
        batch_id = add_batch(db, "facilities", actor, len(rows), None, file_name=Path(path).name)
        marks = ", ".join("?" for _ in range(len(cols) + 3))
        db.executemany(
            f"INSERT INTO facilities (facility_id, version, {', '.join(cols)}, batch_id) "
            f"VALUES ({marks})",
            [[*r, batch_id] for r in rows],
        )
        orgs = sorted({r[2] for r in rows})
        known = {r[0] for r in db.execute("SELECT organization_id FROM organisations")}
        db.executemany(
            "INSERT INTO organisations VALUES (?, ?)",
            [[o, batch_id] for o in orgs if o not in known],
        )
        ledger.record_batch(db, actor, "facilities", Path(path).name, None, {"batch_id": batch_id})
    return batch_id, len(rows)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


_HISTORY_RECORD = (
    "version",
    "deleted",
    "reason",
    "batch_id",
    "source_row",
    "facility_id",
    "period_start",
    "period_end",
    "category",
    "fuel",
    "quantity",
    "unit",
    "data_quality",
)
_HISTORY_BATCH = ("kind", "file_name", "submitted_by", "submitted_at")


def history(db: Database, record_id: str, org: str | None = None) -> list[dict]:
    """Every version of an organisation's record, oldest first, with who, when and why; `org`
    None: the one organisation that holds this record id (`record_org`)."""
    org = record_org(db, [record_id], org)
    names = [*_HISTORY_RECORD, *_HISTORY_BATCH]
    select = [f"a.{c}" for c in _HISTORY_RECORD] + [f"b.{c}" for c in _HISTORY_BATCH]
    rows = db.execute(
        f"SELECT {', '.join(select)} FROM activity_records a JOIN batches b "
        "ON b.batch_id = a.batch_id WHERE a.organization_id = ? AND a.record_id = ? "
        "ORDER BY a.version",
        [org, record_id],
    )
    return [dict(zip(names, r, strict=True)) for r in rows]
