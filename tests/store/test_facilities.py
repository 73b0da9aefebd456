"""Facilities in the store keep their organisational-boundary flags (operational and financial
control): stored, versioned and covered by the ledger, also in stores written before the flags
were stored (both backends)."""

from __future__ import annotations

import pandas as pd
import pytest

from openmrv.api.tenancy import OrgScope, Principal
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import validate_facilities
from openmrv.store import ledger, open_store, schema
from openmrv.store.db import row_text
from openmrv.store.ingest import load_facilities
from tests.conftest import FACILITIES, write_csv
from tests.store.helpers import count, verify

# The facilities columns a ledger digest covered before the boundary flags were stored.
OLD_DIGEST_COLUMNS = (
    "facility_id", "version", "organization_id", "name", "name_zh", "country", "state_province",
    "grid_region", "sector", "ipcc_sector", "equity_share", "programmes", "batch_id",
)  # fmt: skip


def facilities_file(path, **flags: dict[str, str]):
    """The test facilities, with boundary flags per facility id (blank: the default, yes)."""
    rows = [
        f | {"operational_control": "", "financial_control": ""} | flags.get(f["facility_id"], {})
        for f in FACILITIES
    ]
    return write_csv(path, rows)


def versions(db) -> list[tuple]:
    """Every facility version: (facility id, version, operational, financial control, batch)."""
    return db.execute(
        "SELECT facility_id, version, operational_control, financial_control, batch_id "
        "FROM facilities ORDER BY facility_id, version"
    )


def test_operational_control_no_is_stored_as_false(store_url, tmp_path):
    db = open_store(store_url)
    path = facilities_file(tmp_path / "fac.csv", **{"US-PLANT": {"operational_control": "no"}})
    assert load_facilities(db, path, "ann") == (1, 4)
    assert versions(db) == [
        ("CN-FACTORY", 1, True, True, 1),
        ("CN-PLANT", 1, True, True, 1),
        ("US-AVG", 1, True, True, 1),
        ("US-PLANT", 1, False, True, 1),
    ]
    scope = OrgScope(db, "ORG", Principal("ann", "Ann", False, {"ORG": "owner"}))
    listed = {f["facility_id"]: f for f in scope.facilities()}
    assert listed["US-PLANT"]["operational_control"] is False
    assert listed["US-PLANT"]["financial_control"] is True
    assert listed["CN-PLANT"]["operational_control"] is True
    assert verify(db).ok
    db.close()


def test_a_changed_flag_alone_is_a_new_version_and_an_event(store, tmp_path):
    """The store fixture registered the test facilities with the defaults (yes, yes)."""
    events = len(list(ledger.events(store)))
    path = facilities_file(tmp_path / "fac2.csv", **{"CN-PLANT": {"financial_control": "No"}})
    assert load_facilities(store, path, "ann") == (2, 1)
    assert [v for v in versions(store) if v[0] == "CN-PLANT"] == [
        ("CN-PLANT", 1, True, True, 1),
        ("CN-PLANT", 2, True, False, 2),
    ]
    assert count(store, "facilities") == 5  # the other three are not written again
    last = list(ledger.events(store))[-1]
    assert len(list(ledger.events(store))) == events + 1
    assert (last.action, last.subject, last.data()["batch_id"]) == ("facilities", "fac2.csv", 2)
    assert last.data()["digests"]["facilities"].startswith("1:v3:")
    assert verify(store).ok

    assert load_facilities(store, path, "ann") == (None, 0)  # the same file again
    assert count(store, "facilities") == 5
    assert count(store, "batches") == 2
    assert len(list(ledger.events(store))) == events + 1


def test_flag_tampering_is_caught_in_a_later_version(store, tmp_path):
    load_facilities(
        store, facilities_file(tmp_path / "f.csv", **{"CN-PLANT": {"financial_control": "no"}}), "a"
    )
    assert verify(store).ok
    store.execute(
        "UPDATE facilities SET financial_control = true WHERE facility_id = 'CN-PLANT' "
        "AND version = 2"
    )
    v = verify(store)
    assert v.findings[0].seq == 2, v.findings
    assert "facilities rows of batch 2 differ" in v.findings[0].problem


def _register_before_the_flags(db, path) -> None:
    """What registering facilities did before the store kept boundary flags: the rows without
    them, and a ledger event whose digest covers the old columns (recorded as rows:hex)."""
    fac = validate_facilities(read_table(path))
    cols = OLD_DIGEST_COLUMNS[2:-1]
    with db.write():
        b = 1  # the batch row as written before batches named their organisation (migration 8)
        db.execute(
            "INSERT INTO batches VALUES (?, 'facilities', ?, NULL, NULL, 'old', ?, ?, NULL)",
            [b, path.name, ledger.now(), len(fac)],
        )
        db.executemany(
            f"INSERT INTO facilities (facility_id, version, {', '.join(cols)}, batch_id) "
            f"VALUES ({', '.join('?' for _ in range(len(cols) + 3))})",
            [
                [r["facility_id"], 1, *(None if pd.isna(r[c]) else r[c] for c in cols), b]
                for r in fac.to_dict("records")
            ],
        )
        db.execute("INSERT INTO organisations VALUES ('ORG', ?)", [b])
        where = ("facilities WHERE batch_id = ?", "organisations WHERE batch_id = ?")
        digests = {
            "facilities": f"{len(fac)}:"
            + db.digest(row_text(OLD_DIGEST_COLUMNS), where[0], "facility_id, version", [b]),
            "organisations": "1:"
            + db.digest(
                row_text(("organization_id", "batch_id")), where[1], "organization_id", [b]
            ),
        }
        batch = ledger.batch_row(db, b, ledger.BATCH_FIELDS)
        payload = {"batch_id": b, "batch": batch, "digests": digests}
        ledger.append(db, "old", "facilities", path.name, None, payload)


def test_events_recorded_before_the_flags_still_verify(store_url, tmp_path):
    path = facilities_file(tmp_path / "fac.csv")
    db = open_store(store_url, migrations=schema.MIGRATIONS[:5])  # a store of before
    _register_before_the_flags(db, path)
    db.close()
    db = open_store(store_url)  # migration 6 adds the columns, NULL in the stored rows
    assert [v[2:4] for v in versions(db)] == [(None, None)] * 4
    v = verify(db)
    assert v.ok, v.findings

    # Flags not recorded (NULL) and a file's yes differ: each facility gets a version with them.
    assert load_facilities(db, path, "ann") == (2, 4)
    assert [v[1:] for v in versions(db) if v[0] == "US-PLANT"] == [
        (1, None, None, 1),
        (2, True, True, 2),
    ]
    recorded = [e.data()["digests"]["facilities"] for e in ledger.events(db)]
    assert recorded[0].count(":") == 1 and recorded[1].startswith("4:v3:")
    assert verify(db).ok
    assert load_facilities(db, path, "ann") == (None, 0)

    # The old event still guards its rows: the old columns, and flags they must not have.
    for tamper, undo in [
        ("name = 'forged'", "name = 'US plant'"),
        ("operational_control = false", "operational_control = NULL"),
    ]:
        db.execute(f"UPDATE facilities SET {tamper} WHERE facility_id = 'US-PLANT' AND version = 1")
        v = verify(db)
        assert [f.seq for f in v.findings] == [1], v.findings
        assert "facilities rows of batch 1 differ" in v.findings[0].problem
        db.execute(f"UPDATE facilities SET {undo} WHERE facility_id = 'US-PLANT' AND version = 1")
        assert verify(db).ok
    db.close()


@pytest.mark.parametrize("value", ["yes", "no"])
def test_flag_values_round_trip(store_url, tmp_path, value):
    db = open_store(store_url)
    flags = {"operational_control": value, "financial_control": value}
    load_facilities(db, facilities_file(tmp_path / "f.csv", **{"US-AVG": flags}), "ann")
    expected = value == "yes"
    assert [v[2:4] for v in versions(db) if v[0] == "US-AVG"] == [(expected, expected)]
    db.close()


def test_every_facilities_file_column_is_stored_and_digested():
    """A column the facilities file gains must reach the store and the current digest scheme
    (a new scheme), or it would be dropped silently as the boundary flags once were."""
    from openmrv.ingest.schema import FACILITIES as FILE_COLUMNS
    from openmrv.ingest.schema import FACILITY_BOUNDARY

    file_columns = {c.name for c in FILE_COLUMNS + FACILITY_BOUNDARY}
    assert set(ledger.FACILITIES_V2) - {"version", "batch_id"} == file_columns
    assert ledger.FACILITY_ROWS.columns == OLD_DIGEST_COLUMNS  # v1 never changes
    assert ledger.FACILITY_ROWS.columns_and_check("v2")[0] == ledger.FACILITIES_V2
