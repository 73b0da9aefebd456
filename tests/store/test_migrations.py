"""Migrations keyed by (domain, version): each applies once per store, a domain's in version order,
and a store of before domains upgrades in place (both backends)."""

from __future__ import annotations

import pytest

from openmrv.store import connect, open_store
from openmrv.store.schema import CORE, MIGRATIONS, Migration, core_migrations, migrate

TOY = (
    Migration(
        "toy", 1, "toy readings", ("CREATE TABLE toy_readings (id INTEGER, kwh DOUBLE PRECISION)",)
    ),
    Migration("toy", 2, "toy readings: a note", ("ALTER TABLE toy_readings ADD COLUMN note TEXT",)),
)


def recorded(db) -> list[tuple[str, int]]:
    return db.execute("SELECT domain, version FROM schema_migrations ORDER BY 1, 2")


def test_core_migrations_run_once(store_url):
    db = open_store(store_url)
    try:
        assert migrate(db, core_migrations()) == []
        assert recorded(db) == [(CORE, v) for v in range(1, 12)]
    finally:
        db.close()


def test_a_domains_migrations_apply_once(store_url):
    db = open_store(store_url, migrations=(*core_migrations(), *TOY))
    try:
        assert ("toy", 1) in recorded(db) and ("toy", 2) in recorded(db)
        db.execute("INSERT INTO toy_readings VALUES (1, 2.5, 'meter A')")
        assert migrate(db, (*core_migrations(), *TOY)) == []
        assert db.execute("SELECT * FROM toy_readings") == [(1, 2.5, "meter A")]
    finally:
        db.close()
    db = open_store(store_url, migrations=(*core_migrations(), *TOY))  # re-opened: nothing new
    try:
        assert len(recorded(db)) == 13
    finally:
        db.close()


def test_a_domain_added_later_applies_its_own_only(store_url):
    db = open_store(store_url)
    try:
        assert migrate(db, (*core_migrations(), TOY[0])) == [("toy", 1)]
        assert migrate(db, (*core_migrations(), *TOY)) == [("toy", 2)]
    finally:
        db.close()


@pytest.mark.parametrize(
    "order, problem",
    [
        ((TOY[1], TOY[0]), "migration toy 2 ('toy readings: a note') comes where toy 1 should"),
        ((TOY[0], TOY[0]), "migration toy 1 ('toy readings') comes where toy 2 should"),
        ((TOY[1],), "migration toy 2 ('toy readings: a note') comes where toy 1 should"),
    ],
)
def test_a_domains_versions_must_come_in_order(store_url, order, problem):
    db = open_store(store_url)
    try:
        with pytest.raises(ValueError, match=problem.replace("(", r"\(").replace(")", r"\)")):
            migrate(db, (*core_migrations(), *order))
        assert ("toy", 1) not in recorded(db)  # refused before applying anything
        assert not db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name = 'toy_readings'"
        )
    finally:
        db.close()


def _store_of_before_domains(url: str, upto: int) -> None:
    """What the runner of before domains left: `schema_migrations (version PRIMARY KEY,
    description, applied_at)` and the core migrations 1..`upto` applied."""
    db = connect(url)
    try:
        with db.write():
            db.execute(
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                "description TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            for m in MIGRATIONS[:upto]:
                if m.only in (None, db.kind):
                    for sql in m.statements:
                        db.execute(sql)
                db.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, '2026-01-0' || ?)",
                    [m.version, m.description, str(m.version % 10)],
                )
    finally:
        db.close()


@pytest.mark.parametrize("upto", [10, 7])
def test_a_store_of_before_domains_upgrades_in_place(store_url, upto):
    _store_of_before_domains(store_url, upto)
    db = connect(store_url)
    try:
        applied = migrate(db, (*core_migrations(), *TOY))
        assert applied == [(CORE, v) for v in range(upto + 1, 12)] + [("toy", 1), ("toy", 2)]
        rows = db.execute(
            "SELECT domain, version, description, applied_at FROM schema_migrations "
            "WHERE version <= ? ORDER BY 1, 2",
            [upto],
        )
        # The rows of before are the core's, with their descriptions and times as they were.
        assert [r for r in rows if r[0] == CORE] == [
            (CORE, m.version, m.description, f"2026-01-0{m.version % 10}")
            for m in MIGRATIONS[:upto]
        ]
        assert migrate(db, (*core_migrations(), *TOY)) == []
        # Migration 10's columns exist once (it was not applied twice).
        db.execute("SELECT parent_id, expires_at FROM api_tokens")
    finally:
        db.close()
