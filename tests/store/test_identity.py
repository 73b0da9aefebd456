"""Organisation-scoped identities (both backends): a record is (organisation, record id). Two
organisations using the same record ids, source ids and file names never see, match, refuse
because of, or number versions after each other's records; the ledger keeps them apart; and
a store written before (one global record id) migrates without losing or merging history."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from openmrv.cli import app
from openmrv.cli.web import EXAMPLES
from openmrv.ingest.errors import InputError
from openmrv.store import StoreError, ledger, open_store, schema, state
from openmrv.store.db import row_text
from openmrv.store.ingest import delete, history, ingest, load_facilities
from openmrv.store.periods import lock
from tests.store.helpers import activity, coal, verify

SUN, TIAN = "ORG-SUNBRIDGE", "ORG-TIANHE-JV"
AZ, BJ = "FAC-AZ-PV", "FAC-BJ-ENG"  # SunBridge's and Tianhe's facilities (examples)


@pytest.fixture
def twin(store_url):
    """A store with the example facilities (several organisations) registered."""
    db = open_store(store_url)
    load_facilities(db, EXAMPLES / "facilities.csv", "admin")
    yield db
    db.close()


def _file(folder, org: str, *rows, name: str = "jan.csv"):
    """An activity file of the same name per organisation (its own folder)."""
    (folder / org).mkdir(exist_ok=True)
    return activity(folder / org / name, *rows)


def _sun(folder, q=100.0, name="jan.csv", order=(1, 2)):
    rows = {1: coal("r1", 1, q, facility_id=AZ), 2: coal("r2", 2, q, facility_id=AZ)}
    return _file(folder, SUN, *(rows[k] for k in order), name=name)


def _tian(folder, q=500.0, name="jan.csv"):
    return _file(folder, TIAN, coal("r1", 1, q, facility_id=BJ), coal("r2", 2, q, facility_id=BJ),
                 name=name)  # fmt: skip


def _versions(db, record_id: str, org: str) -> list[tuple[int, str, str]]:
    rows = history(db, record_id, org)
    return [(v["version"], v["facility_id"], v["submitted_by"]) for v in rows]


def test_same_ids_sources_and_file_names_are_two_organisations_records(twin, tmp_path):
    a = ingest(twin, _sun(tmp_path), "editor", org=SUN)
    b = ingest(twin, _tian(tmp_path), "tianhe", org=TIAN)  # other values, no reason: all new
    assert (b.new, b.changed, b.unchanged, b.already) == (2, 0, 0, False), b.summary()
    assert _versions(twin, "r1", SUN) == [(1, AZ, "editor")]
    assert _versions(twin, "r1", TIAN) == [(1, BJ, "tianhe")]
    # Each organisation's batch is its own; the other's same-named file is not "already".
    assert ingest(twin, _sun(tmp_path), "editor", org=SUN).batch_id == a.batch_id
    again = ingest(twin, _sun(tmp_path, order=(2, 1)), "editor", org=SUN)  # other bytes
    assert (again.new, again.changed, again.unchanged) == (0, 0, 2), again.summary()
    # Sources: the same source id in both organisations' facilities.
    assert twin.execute("SELECT facility_id, source_id FROM sources ORDER BY 1") == [
        (AZ, "B1"),
        (BJ, "B1"),
    ]
    # A correction of one organisation's record names that organisation's version only.
    with pytest.raises(StoreError, match=r"r1 \(version 1\)") as exc:
        ingest(twin, _tian(tmp_path, 501, name="feb.csv"), "tianhe", org=TIAN)
    assert AZ not in str(exc.value) and SUN not in str(exc.value)
    fix = ingest(twin, _tian(tmp_path, 501, name="feb.csv"), "tianhe", "meter fixed", org=TIAN)
    assert (fix.changed, fix.new) == (2, 0)
    assert _versions(twin, "r1", TIAN) == [(1, BJ, "tianhe"), (2, BJ, "tianhe")]
    assert _versions(twin, "r1", SUN) == [(1, AZ, "editor")]  # untouched
    # Batches and their ledger events name their organisation.
    orgs = dict(twin.execute("SELECT batch_id, organization_id FROM batches"))
    assert (orgs[a.batch_id], orgs[b.batch_id], orgs[fix.batch_id]) == (SUN, TIAN, TIAN)
    event = next(e for e in ledger.events(twin) if e.data().get("batch_id") == fix.batch_id)
    assert event.data()["batch"]["organization_id"] == TIAN
    assert verify(twin).ok, verify(twin).findings


def test_the_same_file_in_another_organisation_is_not_already_ingested(twin, tmp_path):
    f = _sun(tmp_path)
    first = ingest(twin, f, "admin")  # the command line: each row its facility's organisation's
    owner = twin.scalar("SELECT organization_id FROM batches WHERE batch_id = ?", [first.batch_id])
    assert owner == SUN
    assert ingest(twin, f, "editor", org=SUN).already
    with pytest.raises(InputError) as exc:  # Tianhe's view: SunBridge's facility is unknown
        ingest(twin, f, "tianhe", org=TIAN)
    text = " ".join(str(p.as_dict()) for p in exc.value.problems)
    assert "already" not in text and AZ in text and "facility" in text, text


def test_a_file_of_several_organisations_from_the_command_line(twin, tmp_path):
    rows = [coal("x1", facility_id=AZ), coal("x2", facility_id=BJ)]
    report = ingest(twin, activity(tmp_path / "both.csv", *rows), "admin")
    stored = twin.execute("SELECT record_id, organization_id FROM activity_records ORDER BY 1")
    assert stored == [("x1", SUN), ("x2", TIAN)]
    assert twin.scalar(
        "SELECT organization_id FROM batches WHERE batch_id = ?", [report.batch_id]
    ) is None  # fmt: skip
    assert verify(twin).ok


def test_locks_of_one_organisation_neither_refuse_nor_show_in_the_other(twin, tmp_path):
    ingest(twin, _sun(tmp_path), "editor", org=SUN)
    ingest(twin, _tian(tmp_path), "tianhe", org=TIAN)
    ingest(twin, _tian(tmp_path, 501, name="feb.csv"), "tianhe", "fix", org=TIAN)  # Tianhe v2
    event = lock(twin, AZ, 2024, "verifier", "verified by Vera")
    # Lock totals are SunBridge's current records: both of its records, at SunBridge's values.
    sun_qty = twin.scalar(
        "SELECT sum(qty) FROM activity_records WHERE organization_id = ? AND version = 1", [SUN]
    )
    assert (event.data()["records"], event.data()["sum_qty"]) == (2, pytest.approx(sun_qty))
    # Tianhe changes its r1 again: SunBridge's lock is neither applied nor named.
    r = ingest(twin, _tian(tmp_path, 502, name="mar.csv"), "tianhe", "again", org=TIAN)
    assert r.changed == 2
    # SunBridge's own change of its locked period is refused, naming its own lock.
    with pytest.raises(StoreError, match="FAC-AZ-PV 2024 is locked by verifier"):
        ingest(twin, _sun(tmp_path, 101, name="feb.csv"), "editor", "fix", org=SUN)
    assert verify(twin).ok


def test_delete_and_history_need_the_organisation_when_ids_are_shared(twin, tmp_path, store_url):
    ingest(twin, _sun(tmp_path), "editor", org=SUN)
    ingest(twin, _tian(tmp_path), "tianhe", org=TIAN)
    for call in (lambda: delete(twin, ["r1"], "admin", "dup"), lambda: history(twin, "r1")):
        with pytest.raises(StoreError, match=f"2 organisations \\({SUN}, {TIAN}\\).*--org"):
            call()
    delete(twin, ["r1"], "tianhe", "duplicate", org=TIAN)
    heads = twin.execute(
        "SELECT organization_id, max(version), bool_or(deleted) FROM activity_records "
        "WHERE record_id = 'r1' GROUP BY 1 ORDER BY 1"
    )
    assert heads == [(SUN, 1, False), (TIAN, 2, True)]
    assert verify(twin).ok
    twin.close()

    cli = CliRunner()
    r = cli.invoke(app, ["history", "r1", "--db", store_url])
    assert r.exit_code != 0 and "--org" in r.output and SUN in r.output
    r = cli.invoke(app, ["history", "r1", "--db", store_url, "--org", SUN])
    assert r.exit_code == 0 and "editor" in r.output and "tianhe" not in r.output, r.output
    r = cli.invoke(app, ["history", "r2", "--db", store_url, "--org", "ORG-CASCADIA"])
    assert r.exit_code != 0 and "no record 'r2' of ORG-CASCADIA" in r.output
    r = cli.invoke(app, ["delete", "r2", "--db", store_url, "--reason", "x"])
    assert r.exit_code != 0 and "--org" in r.output
    r = cli.invoke(app, ["delete", "r2", "--db", store_url, "--reason", "x", "--org", SUN])
    assert r.exit_code == 0, r.output


def test_an_organisation_moved_behind_the_ledger_is_caught(twin, tmp_path):
    ingest(twin, _sun(tmp_path), "editor", org=SUN)
    ingest(twin, _tian(tmp_path, name="other.csv"), "tianhe", org=TIAN)
    twin.execute("UPDATE activity_records SET organization_id = ? WHERE record_id = 'r2' "
                 "AND organization_id = ?", [SUN, TIAN])  # fmt: skip
    problems = [str(f) for f in verify(twin).findings]
    assert problems[0] == "event 3: activity_records rows of batch 3 differ from what was " \
        "recorded (a row was edited, deleted or inserted)"  # fmt: skip
    assert "1 activity_records row(s) of batch 3 name an organisation that is not their " \
        "facility's" in problems[-1]  # fmt: skip


# --- a store written before migration 8 ------------------------------------------------------
_ROW = ("record_id", "facility_id", "source_id", "period_start", "period_end", "year",
        "category", "fuel", "quantity", "unit", "qty_kind", "qty", "source_row", "source_file",
        "version", "batch_id", "deleted", "reason")  # fmt: skip


def _old_batch(db, b, actor, name, rows, counts, reason=None) -> None:
    """A batch and its event as the code before migration 8 wrote them: the batch row without
    an organisation, and digests in the schemes of then (activity rows: v2 on DuckDB, v1 on
    PostgreSQL; facilities: v2)."""
    from openmrv.store.schema import CONTENT_NAMES

    new, changed, unchanged = counts
    n = new + changed + unchanged
    db.execute("INSERT INTO batches VALUES (?, 'file', ?, NULL, ?, ?, ?, ?, ?)",
               [b, name, f"sha-{b}", actor, ledger.now(), n, reason])  # fmt: skip
    marks = ", ".join("?" for _ in _ROW)
    db.executemany(f"INSERT INTO activity_records ({', '.join(_ROW)}) VALUES ({marks})", rows)
    db.execute(f"UPDATE activity_records SET content_hash = md5({row_text(CONTENT_NAMES)}) "
               "WHERE batch_id = ?", [b])  # fmt: skip
    tag = "v2" if db.kind == "duckdb" else "x"  # "0:x": v1
    digests = ledger.digests(db, b, {"activity_records": f"0:{tag}", "facilities": "0:v2"})
    batch = ledger.batch_row(db, b, ledger.BATCH_FIELDS)
    counted = {"rows": n, "new": new, "changed": changed, "unchanged": unchanged, "warnings": 0}
    payload = {"batch_id": b, **counted, "batch": batch, "digests": digests}
    ledger.append(db, actor, "ingest", name, reason, payload)


def _old_row(record_id, facility, version, batch, qty, reason=None, deleted=False):
    return [record_id, facility, "B1", "2024-01-01", "2024-01-31", 2024, "stationary_combustion",
            "bituminous_coal", qty, "short ton", "mass", qty * 907.18474, 2, "jan.csv", version,
            batch, deleted, reason]  # fmt: skip


def test_a_store_of_before_migrates_without_losing_or_merging_history(store_url, tmp_path):
    """The leak of before: Tianhe's upload became version 2 of SunBridge's record r1, then
    SunBridge corrected r1 (version 3), and Tianhe's later upload, all unchanged, kept no row."""
    db = open_store(store_url, migrations=schema.MIGRATIONS[:7])
    with db.write():
        db.execute("INSERT INTO batches VALUES (1, 'facilities', 'fac.csv', NULL, NULL, 'admin', "
                   "'2024-01-01', 2, NULL)")  # fmt: skip
        for fid, org in ((AZ, SUN), (BJ, TIAN)):
            db.execute("INSERT INTO facilities (facility_id, version, organization_id, name, "
                       "country, state_province, ipcc_sector, equity_share, batch_id) VALUES "
                       "(?, 1, ?, ?, 'US', 'US-AZ', 'energy_industries', 1, 1)",
                       [fid, org, fid])  # fmt: skip
            db.execute("INSERT INTO organisations VALUES (?, 1)", [org])
        digests = ledger.digests(db, 1, {"facilities": "0:v2"})
        batch = ledger.batch_row(db, 1, ledger.BATCH_FIELDS)
        ledger.append(db, "admin", "facilities", "fac.csv", None,
                      {"batch_id": 1, "batch": batch, "digests": digests})  # fmt: skip
        _old_batch(
            db,
            2,
            "editor",
            "jan.csv",
            [_old_row("r1", AZ, 1, 2, 100.0), _old_row("r2", AZ, 1, 2, 100.0)],
            (2, 0, 0),
        )
        _old_batch(
            db, 3, "tianhe", "jan.csv", [_old_row("r1", BJ, 2, 3, 500.0, "x")], (0, 1, 0), "x"
        )
        _old_batch(
            db, 4, "editor", "fix.csv", [_old_row("r1", AZ, 3, 4, 120.0, "fix")], (0, 1, 0), "fix"
        )
        _old_batch(db, 5, "tianhe", "jan.csv", [], (0, 0, 1))  # fmt: skip
        for n, org, b in ((1, SUN, 2), (2, TIAN, 3), (3, SUN, 4), (4, TIAN, 5)):
            db.execute("INSERT INTO uploads VALUES (?, ?, ?, 'jan.csv', 'u', '2024', 'stored', 0, "
                       "'')", [n, org, b])  # fmt: skip
    db.close()

    db = open_store(store_url)  # migrations 8 (and 9 on PostgreSQL), 10, 11
    try:
        # Every digest recorded before still holds; the uploads written before their writes were
        # recorded are named until an administrator adopts them (`openmrv ledger adopt`).
        found = [f.problem for f in verify(db).findings]
        assert found and all("uploads row(s) of" in p for p in found), found
        with db.write():
            ledger.append(db, "admin", "adopt", "recorded states", "checked against the logs",
                          {"state": state.everything(db)})  # fmt: skip
        assert verify(db).ok, verify(db).findings
        assert db.execute(
            "SELECT organization_id, record_id, version FROM activity_records ORDER BY 1, 2, 3"
        ) == [(SUN, "r1", 1), (SUN, "r1", 3), (SUN, "r2", 1), (TIAN, "r1", 2)]
        assert db.execute("SELECT batch_id, organization_id FROM batches ORDER BY 1") == [
            (1, None), (2, SUN), (3, TIAN), (4, SUN), (5, TIAN)
        ]  # fmt: skip
        assert [v["version"] for v in history(db, "r1", SUN)] == [1, 3]
        assert [v["version"] for v in history(db, "r1", TIAN)] == [2]
        # Versions continue per organisation's record: a change is matched with the
        # organisation's own latest version (SunBridge's 3, Tianhe's 2).
        sun = _file(tmp_path, SUN, coal("r1", 1, 130.0, facility_id=AZ))
        tian = _file(tmp_path, TIAN, coal("r1", 1, 600.0, facility_id=BJ))
        with pytest.raises(StoreError, match=r"\(r1 \(version 3\)\)"):
            ingest(db, sun, "editor", org=SUN)
        with pytest.raises(StoreError, match=r"\(r1 \(version 2\)\)"):
            ingest(db, tian, "tianhe", org=TIAN)
        assert ingest(db, tian, "tianhe", "y", org=TIAN).changed == 1
        assert [v["version"] for v in history(db, "r1", TIAN)] == [2, 3]
        assert [v["version"] for v in history(db, "r1", SUN)] == [1, 3]
        assert verify(db).ok, verify(db).findings
    finally:
        db.close()
