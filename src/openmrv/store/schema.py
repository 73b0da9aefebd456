"""The store's tables, created and upgraded by migrations numbered per domain.

A migration is keyed by (domain, version): the core's are domain "core", and each domain numbers
its own from 1. Each runs once, in its domain's order, inside a transaction, and is recorded in
`schema_migrations`; a newer code version adds migrations at the end and never edits old ones.
Everything is append-only: a correction is a new row version, a deletion a tombstone row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openmrv import plugins
from openmrv.store.db import Database

# The typed activity columns, exactly as validation produces them (Checked.table), with types.
# Written out, not derived, because migration 1 created the table from them and a migration never
# changes: the activity schema's declaration (openmrv.combustion.schema, `store_columns`) derives
# the same list, tests/test_activity_schema.py holds them equal, and a column added to the
# declaration fails that test until a new migration adds it here.
RECORD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("record_id", "TEXT"),
    ("facility_id", "TEXT"),
    ("source_id", "TEXT"),
    ("period_start", "DATE"),
    ("period_end", "DATE"),
    ("year", "INTEGER"),
    ("category", "TEXT"),
    ("fuel", "TEXT"),
    ("fuel_state", "TEXT"),
    ("biogenic", "BOOLEAN"),
    ("quantity", "DOUBLE PRECISION"),
    ("unit", "TEXT"),
    ("unit_key", "TEXT"),
    ("qty_kind", "TEXT"),
    ("qty", "DOUBLE PRECISION"),
    ("energy_basis", "TEXT"),
    ("hhv", "DOUBLE PRECISION"),
    ("ncv", "DOUBLE PRECISION"),
    ("carbon_content", "DOUBLE PRECISION"),
    ("carbon_content_per", "TEXT"),
    ("oxidation_factor", "DOUBLE PRECISION"),
    ("molecular_weight", "DOUBLE PRECISION"),
    ("measured_co2_t", "DOUBLE PRECISION"),
    ("boiler_ratio_b", "DOUBLE PRECISION"),
    ("tier", "INTEGER"),
    ("instrument", "TEXT"),
    ("data_quality", "TEXT"),
    ("evidence_ref", "TEXT"),
    ("source_row", "BIGINT"),
    ("source_file", "TEXT"),
)
RECORD_NAMES = tuple(n for n, _ in RECORD_COLUMNS)
# What a version adds: the content hash decides whether a re-submitted record changed.
VERSION_COLUMNS = (
    ("content_hash", "TEXT"),
    ("version", "INTEGER"),
    ("batch_id", "BIGINT"),
    ("deleted", "BOOLEAN"),
    ("reason", "TEXT"),
)
# Lineage (file and row) is not content: the same values from another file are unchanged.
CONTENT_NAMES = tuple(n for n in RECORD_NAMES if n not in ("source_row", "source_file"))
# A record is an organisation's record id (migration 8): rows `a` and `b` (SQL aliases) hold
# the same record when both match. Versions are numbered per record.
SAME_RECORD = "{a}.organization_id = {b}.organization_id AND {a}.record_id = {b}.record_id"


def _columns(cols) -> str:
    return ",\n  ".join(f"{n} {t}" for n, t in cols)


CORE = "core"


@dataclass(frozen=True)
class Migration:
    """One step of a domain's schema, applied once per store."""

    domain: str
    version: int  # from 1 within the domain
    description: str
    statements: tuple[str, ...]
    only: str | None = None  # a backend kind, for statements one dialect lacks or needs


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        CORE,
        1,
        "organisations, facilities, sources, batches, versioned activity records, ledger",
        (
            """CREATE TABLE batches (
  batch_id BIGINT PRIMARY KEY,
  kind TEXT NOT NULL,
  file_name TEXT,
  file_size BIGINT,
  sha256 TEXT,
  submitted_by TEXT NOT NULL,
  submitted_at TEXT NOT NULL,
  row_count BIGINT NOT NULL,
  reason TEXT
)""",
            """CREATE TABLE organisations (
  organization_id TEXT PRIMARY KEY,
  batch_id BIGINT NOT NULL
)""",
            """CREATE TABLE facilities (
  facility_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  organization_id TEXT NOT NULL,
  name TEXT NOT NULL,
  name_zh TEXT,
  country TEXT NOT NULL,
  state_province TEXT NOT NULL,
  grid_region TEXT,
  sector TEXT,
  ipcc_sector TEXT NOT NULL,
  equity_share DOUBLE PRECISION NOT NULL,
  programmes TEXT,
  batch_id BIGINT NOT NULL,
  PRIMARY KEY (facility_id, version)
)""",
            """CREATE TABLE sources (
  facility_id TEXT NOT NULL,
  source_id TEXT NOT NULL,
  batch_id BIGINT NOT NULL,
  PRIMARY KEY (facility_id, source_id)
)""",
            f"CREATE TABLE activity_records (\n  {_columns(RECORD_COLUMNS + VERSION_COLUMNS)}\n)",
            """CREATE TABLE period_locks (
  facility_id TEXT NOT NULL,
  year INTEGER NOT NULL,
  locked_by TEXT NOT NULL,
  locked_at TEXT NOT NULL,
  reason TEXT NOT NULL,
  event_seq BIGINT NOT NULL,
  PRIMARY KEY (facility_id, year)
)""",
            """CREATE TABLE ledger_events (
  seq BIGINT PRIMARY KEY,
  recorded_at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  reason TEXT,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
)""",
        ),
    ),
    Migration(
        CORE,
        2,
        "index record versions (PostgreSQL; DuckDB scans are fast without one)",
        ("CREATE INDEX activity_records_id ON activity_records (record_id, version)",),
        only="postgresql",
    ),
    Migration(
        CORE,
        3,
        "calculation runs and results, with lineage to record versions",
        (
            """CREATE TABLE calculation_runs (
  run_id TEXT PRIMARY KEY,
  started_at TEXT NOT NULL,
  seconds DOUBLE PRECISION,
  methodologies TEXT NOT NULL,
  gwp_set TEXT,
  engine TEXT NOT NULL,
  inputs_hash TEXT NOT NULL,
  meta TEXT NOT NULL,
  submitted_by TEXT NOT NULL
)""",
            """CREATE TABLE results (
  run_id TEXT NOT NULL,
  record_id TEXT NOT NULL,
  record_version INTEGER NOT NULL,
  methodology TEXT NOT NULL,
  gas TEXT NOT NULL,
  mass_t DOUBLE PRECISION,
  co2e_t DOUBLE PRECISION,
  lineage TEXT
)""",
        ),
    ),
    Migration(
        CORE,
        4,
        "web: users, memberships, API tokens, uploads, run totals, targets, verification cases",
        (
            """CREATE TABLE users (
  user_id TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  is_regulator BOOLEAN NOT NULL,
  created_at TEXT NOT NULL
)""",
            """CREATE TABLE memberships (
  user_id TEXT NOT NULL,
  organization_id TEXT NOT NULL,
  role TEXT NOT NULL,
  granted_by TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  PRIMARY KEY (user_id, organization_id)
)""",
            """CREATE TABLE api_tokens (
  token_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  scopes TEXT NOT NULL,
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
)""",
            """CREATE TABLE uploads (
  upload_id BIGINT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  batch_id BIGINT,
  file_name TEXT NOT NULL,
  uploaded_by TEXT NOT NULL,
  uploaded_at TEXT NOT NULL,
  status TEXT NOT NULL,
  problems INTEGER NOT NULL,
  message TEXT
)""",
            """CREATE TABLE org_runs (
  run_no BIGINT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  records BIGINT NOT NULL,
  meta TEXT NOT NULL
)""",
            """CREATE TABLE run_totals (
  run_no BIGINT NOT NULL,
  methodology TEXT NOT NULL,
  facility_id TEXT NOT NULL,
  co2e_t DOUBLE PRECISION NOT NULL,
  biogenic_co2_t DOUBLE PRECISION NOT NULL
)""",
            """CREATE TABLE run_breakdown (
  run_no BIGINT NOT NULL,
  methodology TEXT NOT NULL,
  facility_id TEXT NOT NULL,
  year INTEGER,
  scope INTEGER,
  gas TEXT,
  category TEXT,
  co2e_t DOUBLE PRECISION NOT NULL
)""",
            """CREATE TABLE targets (
  target_id BIGINT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  name TEXT NOT NULL,
  methodology TEXT NOT NULL,
  base_year INTEGER NOT NULL,
  target_year INTEGER NOT NULL,
  reduction_pct DOUBLE PRECISION NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
)""",
            """CREATE TABLE verification_cases (
  case_id BIGINT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  facility_id TEXT NOT NULL,
  year INTEGER NOT NULL,
  status TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
)""",
            """CREATE TABLE case_steps (
  case_id BIGINT NOT NULL,
  step INTEGER NOT NULL,
  stepped_at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  findings TEXT,
  ledger_seq BIGINT NOT NULL,
  PRIMARY KEY (case_id, step)
)""",
        ),
    ),
    Migration(
        CORE,
        5,
        "index record batches (PostgreSQL): an ingest reads its batch's rows back several times",
        ("CREATE INDEX activity_records_batch ON activity_records (batch_id)",),
        only="postgresql",
    ),
    Migration(
        CORE,
        6,
        "facilities: organisational-boundary flags (NULL in rows stored before: not recorded)",
        (
            "ALTER TABLE facilities ADD COLUMN operational_control BOOLEAN",
            "ALTER TABLE facilities ADD COLUMN financial_control BOOLEAN",
        ),
    ),
    Migration(
        CORE,
        7,
        "web sessions: the signed cookie names a server-side session, deleted at sign-out",
        (
            """CREATE TABLE web_sessions (
  session_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  created_at TEXT NOT NULL
)""",
        ),
    ),
    Migration(
        CORE,
        8,
        "organisation-scoped identities: a record is (organisation, record id); each row and "
        "each batch of one organisation names it (rows stored before: their facility's)",
        (
            "ALTER TABLE activity_records ADD COLUMN organization_id TEXT",
            # Each row: its facility's organisation (the facility's latest version's).
            "UPDATE activity_records SET organization_id = f.organization_id FROM (SELECT "
            "f.facility_id, f.organization_id FROM facilities f JOIN (SELECT facility_id AS fid, "
            "max(version) AS v FROM facilities GROUP BY facility_id) m "
            "ON m.fid = f.facility_id AND m.v = f.version) f "
            "WHERE f.facility_id = activity_records.facility_id",
            "ALTER TABLE batches ADD COLUMN organization_id TEXT",
            # A batch of one organisation's rows is that organisation's; a batch whose rows all
            # came back unchanged (none kept) is its upload's; the rest (facilities, files of
            # several organisations) belong to none.
            "UPDATE batches SET organization_id = o.org FROM (SELECT batch_id AS b, "
            "min(organization_id) AS org FROM activity_records GROUP BY batch_id "
            "HAVING count(DISTINCT organization_id) = 1) o WHERE batches.batch_id = o.b",
            "UPDATE batches SET organization_id = u.org FROM (SELECT batch_id AS b, "
            "min(organization_id) AS org FROM uploads WHERE batch_id IS NOT NULL GROUP BY batch_id "
            "HAVING count(DISTINCT organization_id) = 1) u "
            "WHERE batches.batch_id = u.b AND batches.organization_id IS NULL",
        ),
    ),
    Migration(
        CORE,
        9,
        "index record versions by organisation (PostgreSQL)",
        (
            "CREATE INDEX activity_records_org_id ON activity_records "
            "(organization_id, record_id, version)",
        ),
        only="postgresql",
    ),
    Migration(
        CORE,
        10,
        "API tokens: the token that minted one (revoked with it) and an expiry (NULL: none)",
        (
            "ALTER TABLE api_tokens ADD COLUMN parent_id TEXT",
            "ALTER TABLE api_tokens ADD COLUMN expires_at TEXT",
        ),
    ),
    Migration(
        CORE,
        11,
        "a run's totals by scope with their coverage, the records it did not compute (with the "
        "reasons), the reporting obligations and records per facility-month (reports.run_figures; "
        "runs stored before keep their run_totals rows, read as scopes 1 + 2 location-based)",
        (
            """CREATE TABLE run_scope_totals (
  run_no BIGINT NOT NULL,
  methodology TEXT NOT NULL,
  facility_id TEXT NOT NULL,
  year INTEGER NOT NULL,
  scope TEXT NOT NULL,
  co2e_t DOUBLE PRECISION NOT NULL,
  biogenic_co2_t DOUBLE PRECISION NOT NULL,
  categories TEXT NOT NULL,
  records INTEGER NOT NULL,
  not_computed INTEGER NOT NULL,
  missing_share TEXT NOT NULL,
  outside_categories INTEGER NOT NULL
)""",
            """CREATE TABLE run_not_computed (
  run_no BIGINT NOT NULL,
  methodology TEXT NOT NULL,
  facility_id TEXT NOT NULL,
  year INTEGER NOT NULL,
  scope TEXT NOT NULL,
  category TEXT NOT NULL,
  reason TEXT NOT NULL,
  unit TEXT NOT NULL,
  records INTEGER NOT NULL,
  quantity DOUBLE PRECISION NOT NULL,
  record_ids TEXT NOT NULL
)""",
            """CREATE TABLE run_obligations (
  run_no BIGINT NOT NULL,
  facility_id TEXT NOT NULL,
  year INTEGER NOT NULL,
  programme TEXT NOT NULL,
  applies BOOLEAN NOT NULL,
  reason_code TEXT NOT NULL,
  primary_methodology TEXT NOT NULL,
  figure_t DOUBLE PRECISION NOT NULL,
  threshold_t DOUBLE PRECISION NOT NULL,
  threshold_reached BOOLEAN NOT NULL,
  report_due TEXT NOT NULL,
  data_complete BOOLEAN NOT NULL,
  records_not_computed INTEGER NOT NULL,
  rule TEXT NOT NULL
)""",
            """CREATE TABLE run_months (
  run_no BIGINT NOT NULL,
  facility_id TEXT NOT NULL,
  year INTEGER NOT NULL,
  month INTEGER NOT NULL,
  records INTEGER NOT NULL,
  not_computed INTEGER NOT NULL
)""",
        ),
    ),
    Migration(
        CORE,
        12,
        "ledger Merkle tree: its perfect subtrees, signed checkpoints and signing keys' public "
        "halves (organisations', verifiers', regulators')",
        (
            """CREATE TABLE ledger_tree (
  level INTEGER NOT NULL,
  idx BIGINT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (level, idx)
)""",
            """CREATE TABLE ledger_checkpoints (
  tree_size BIGINT NOT NULL,
  signer TEXT NOT NULL,
  note TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tree_size, signer)
)""",
            """CREATE TABLE ledger_keys (
  name TEXT PRIMARY KEY,
  owner_kind TEXT NOT NULL,
  owner TEXT NOT NULL,
  verifier_key TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
)""",
        ),
    ),
)


def core_migrations() -> tuple[Migration, ...]:
    """The core's migrations, in order (what `open_store` applies unless given a list)."""
    return MIGRATIONS


def all_migrations() -> tuple[Migration, ...]:
    """The core's migrations, then every domain's (plugins: `register_migrations`)."""
    return (*core_migrations(), *plugins.migrations())


_MIGRATIONS_DDL = (
    "CREATE TABLE {name} (domain TEXT NOT NULL, version INTEGER NOT NULL, "
    "description TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (domain, version))"
)


def migrate(db: Database, migrations: Sequence[Migration]) -> list[tuple[str, int]]:
    """Apply the `migrations` this store has not seen, in the order given; return their
    (domain, version). Each domain's must come in version order from 1, without gaps."""
    _check_order(migrations)
    with db.write():
        _migrations_table(db)
    done = set(db.execute("SELECT domain, version FROM schema_migrations"))
    applied = []
    for m in migrations:
        key = (m.domain, m.version)
        if key in done:
            continue
        with db.write():
            if db.scalar(
                "SELECT count(*) FROM schema_migrations WHERE domain = ? AND version = ?", key
            ):
                continue  # another process applied it meanwhile
            if m.only in (None, db.kind):
                for sql in m.statements:
                    db.execute(sql)
            db.execute(
                "INSERT INTO schema_migrations (domain, version, description, applied_at) "
                "VALUES (?, ?, ?, CAST(current_timestamp AS TEXT))",
                [m.domain, m.version, m.description],
            )
        applied.append(key)
    return applied


def _check_order(migrations: Sequence[Migration]) -> None:
    last: dict[str, int] = {}
    for m in migrations:
        expected = last.get(m.domain, 0) + 1
        if m.version != expected:
            raise ValueError(
                f"migration {m.domain} {m.version} ({m.description!r}) comes where "
                f"{m.domain} {expected} should: a domain's migrations go in version order from 1"
            )
        last[m.domain] = m.version


def _migrations_table(db: Database) -> None:
    """Create `schema_migrations`, or upgrade one of before domains (no `domain` column; its
    rows are the core's) in place. Inside the caller's write transaction."""
    columns = {
        r[0]
        for r in db.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
        )
    }
    if not columns:
        db.execute(_MIGRATIONS_DDL.format(name="schema_migrations"))
    elif "domain" not in columns:
        db.execute(_MIGRATIONS_DDL.format(name="schema_migrations_by_domain"))
        db.execute(
            "INSERT INTO schema_migrations_by_domain SELECT ?, version, description, applied_at "
            "FROM schema_migrations",
            [CORE],
        )
        db.execute("DROP TABLE schema_migrations")
        db.execute("ALTER TABLE schema_migrations_by_domain RENAME TO schema_migrations")
