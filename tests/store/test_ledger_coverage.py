"""Every table the ledger vouches for, as registered (coverage and checks, not a hand list):
editing any column of a row, deleting a row or inserting an unrecorded row is caught by
`verify` (both backends); and every table of the store is either vouched for or listed below
as not, with the reason."""

from __future__ import annotations

import pytest

from openmrv.plugins import ledger_checks
from openmrv.store import ledger
from openmrv.store.coverage import Coverage
from openmrv.store.schema import MIGRATIONS, Migration, migrate
from tests.store.helpers import verify
from tests.store.ledger_demo import populate

# Tables the ledger does not vouch for, each with the reason. A new table must be added to a
# domain's coverage or checks, or here.
UNCOVERED = {
    "schema_migrations": "the schema's own bookkeeping (which migrations ran), not data",
    "calculation_runs": "derived: a run's results are recomputed from the record versions it "
    "pins (its inputs hash and lineage)",
    "results": "derived, as calculation_runs",
    "web_sessions": "sign-in sessions: deleted at sign-out, they grant nothing a password or "
    "token did not",
    "ledger_tree": "derived from the events; checks rebuild it from them and trust a stored "
    "node only where a signed root authenticates it",
    "ledger_checkpoints": "signed notes: each verifies by its own signatures",
    "pact_partners": "PACT partner credentials (hashed secrets): access control; each "
    "addition and revocation is a ledger event",
    "pact_tokens": "short-lived PACT bearer tokens (hashed), like web_sessions",
    "pact_suppliers": "where we pull from and our encrypted credentials there: configuration; "
    "each change is a ledger event, and what is pulled is vouched for in pact_footprints",
    "pact_outbox": "the PACT host's work queue (answers, notifications, pulls), marked sent",
    "pact_requests": "requests we sent and a summary of their answers; the footprints "
    "received are vouched for in pact_footprints",
}

# Vouched for, but left empty by the demo: run_totals is written only by runs stored before core
# migration 11; every demo record is computed, so run_not_computed has no row.
LEGACY = {"run_totals", "run_not_computed"}


def covered() -> dict[str, tuple[str, ...]]:
    """Every table the ledger vouches for, as registered -> its key columns."""
    keys = dict(ledger.OWN_TABLES)
    keys |= {c.table: c.order for c in ledger.all_coverage()}
    for check in ledger.all_checks():
        keys |= check.tables
    return {table: tuple(k.strip() for k in key.split(",")) for table, key in keys.items()}


@pytest.fixture
def demo(store, tmp_path):
    """A store with a bit of everything the ledger vouches for (tests/store/ledger_demo.py)."""
    populate(store, tmp_path)
    assert verify(store).ok, verify(store).findings
    return store


def tables(db) -> set[str]:
    return {
        r[0]
        for r in db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema() AND table_type = 'BASE TABLE'"
        )
    }


def test_every_table_is_vouched_for_or_listed_as_not(demo):
    vouched = set(covered())
    assert not vouched & set(UNCOVERED)
    assert tables(demo) - set(UNCOVERED) == vouched
    assert set(UNCOVERED) <= tables(demo)  # no stale entry
    for table in vouched - LEGACY:  # so that the tampering below has a row to tamper with
        assert demo.scalar(f"SELECT count(*) FROM {table}"), f"the demo leaves {table} empty"


def _changed(column: str, dtype: str) -> str:
    """SQL for a value of `column` other than its own (NULL included)."""
    dtype = dtype.lower()
    if "char" in dtype or "text" in dtype:
        return f"COALESCE({column} || '~', '~')"
    if "bool" in dtype:
        return f"COALESCE(NOT {column}, true)"
    if dtype == "date":
        return f"COALESCE({column} + 1000, DATE '2000-01-01')"
    if any(t in dtype for t in ("int", "double", "precision", "numeric", "real", "float")):
        return f"COALESCE({column} + 1000, 1000)"
    raise AssertionError(f"no changed value for a {dtype} column ({column}): extend _changed")


def _columns(db, table: str) -> dict[str, str]:
    return dict(
        db.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema "
            "= current_schema() AND table_name = ? ORDER BY ordinal_position",
            [table],
        )
    )


def _caught(db, tamper: str, params: list, what: str) -> None:
    """`tamper` is caught by verify; undone after."""
    db.begin_write()
    try:
        db.execute(tamper, params)
        v = verify(db)
        assert not v.ok, f"{what} was not caught"
    finally:
        db.rollback()


def test_tampering_with_any_vouched_for_table_is_caught(demo):
    for table, key in covered().items():
        columns = _columns(demo, table)
        first = demo.one(f"SELECT {', '.join(key)} FROM {table} ORDER BY {', '.join(key)}")
        if first is None:  # no row to edit, delete or copy (LEGACY, checked empty below)
            assert table in LEGACY, f"the demo leaves {table} empty"
            continue
        where = " AND ".join(f"{k} = ?" for k in key)
        for column, dtype in columns.items():
            _caught(
                demo,
                f"UPDATE {table} SET {column} = {_changed(column, dtype)} WHERE {where}",
                list(first),
                f"an edit of {table}.{column}",
            )
        _caught(demo, f"DELETE FROM {table} WHERE {where}", list(first), f"a deleted {table} row")
        values = ", ".join(_changed(c, t) if c in key else c for c, t in columns.items())
        names = ", ".join(columns)
        _caught(
            demo,
            f"INSERT INTO {table} ({names}) SELECT {values} FROM {table} WHERE {where}",
            list(first),
            f"an inserted {table} row",
        )
    assert verify(demo).ok  # every tampering was undone


def test_a_domains_covered_table_is_digested_and_checked(demo):
    """Coverage is data: a table a domain declares is digested by its batches' events, and
    `verify` given it catches an edit; `verify` not given it reports the digest it cannot
    recompute."""
    toy = Coverage("toy_readings", ("meter", "kwh", "batch_id"), "meter")
    migrate(
        demo,
        (
            *MIGRATIONS,
            Migration(
                "toy",
                1,
                "toy readings",
                ("CREATE TABLE toy_readings (meter TEXT, kwh DOUBLE PRECISION, batch_id BIGINT)",),
            ),
        ),
    )
    coverage = (*ledger.all_coverage(), toy)
    with demo.write():
        b = int(demo.scalar("SELECT max(batch_id) + 1 FROM batches"))
        demo.execute(
            "INSERT INTO batches (batch_id, kind, submitted_by, submitted_at, row_count) "
            "VALUES (?, 'toy', 'ann', '2026-01-01', 2)",
            [b],
        )
        demo.executemany("INSERT INTO toy_readings VALUES (?, ?, ?)", [("A", 1.5, b), ("B", 2, b)])
        event = ledger.record_batch(demo, "ann", "toy", "readings", None, {"batch_id": b}, coverage)
    assert event.data()["digests"]["toy_readings"].startswith("2:")
    checks = ledger_checks()
    assert ledger.verify(demo, checks=checks, coverage=coverage).ok
    assert not ledger.verify(demo, checks=checks).ok  # a recorded digest it does not know
    demo.execute("UPDATE toy_readings SET kwh = 9 WHERE meter = 'B'")
    v = ledger.verify(demo, checks=checks, coverage=coverage)
    assert [(f.seq, f.problem) for f in v.findings] == [
        (event.seq, f"toy_readings rows of batch {b} differ from what was recorded "
         "(a row was edited, deleted or inserted)")
    ]  # fmt: skip
