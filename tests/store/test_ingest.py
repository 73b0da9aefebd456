"""Ingest into the store: idempotent, versioned, all or nothing (both backends)."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from openmrv.ingest.errors import InputError
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import validate_activity
from openmrv.store import StoreError
from openmrv.store.ingest import delete, history, ingest
from openmrv.store.schema import RECORD_COLUMNS
from tests.store.helpers import activity, coal, count, verify


def test_record_columns_match_validation_output(tmp_path):
    """The store keeps exactly the columns (and order) the engine reads from validation, but
    the file's SHA-256 (in the batch row) and `file_row` (a file's `source_row`)."""
    checked = validate_activity(read_table(activity(tmp_path / "a.csv", coal("r1"))))
    kept = [c for c in checked.table.column_names if c not in ("source_sha256", "file_row")]
    assert tuple(kept) == tuple(n for n, _ in RECORD_COLUMNS)
    assert checked.table["file_row"] == checked.table["source_row"]


def test_same_file_three_times_is_recognised(store, tmp_path):
    f = activity(tmp_path / "jan.csv", coal("r1"), coal("r2", 2))
    first = ingest(store, f, "ann")
    assert (first.new, first.changed, first.unchanged) == (2, 0, 0)
    for _ in range(3):
        again = ingest(store, f, "ann")
        assert again.already and again.batch_id == first.batch_id
        assert f"already ingested as batch {first.batch_id}" in again.summary()
    assert count(store) == 2
    assert count(store, "batches") == 2  # facilities + the file
    assert verify(store).ok


def test_same_records_in_another_file_are_unchanged(store, tmp_path):
    ingest(store, activity(tmp_path / "a.csv", coal("r1"), coal("r2", 2)), "ann")
    r = ingest(store, activity(tmp_path / "b.csv", coal("r2", 2), coal("r1")), "bob")
    assert (r.new, r.changed, r.unchanged) == (0, 0, 2)
    assert count(store) == 2


def test_changed_record_needs_a_reason_and_becomes_a_version(store, tmp_path):
    ingest(store, activity(tmp_path / "a.csv", coal("r1"), coal("r2", 2)), "ann")
    fixed = activity(tmp_path / "b.csv", coal("r1", quantity=120), coal("r2", 2))
    with pytest.raises(StoreError, match=r"r1 \(version 1\).*needs a reason"):
        ingest(store, fixed, "bob")
    assert count(store) == 2
    r = ingest(store, fixed, "bob", reason="meter re-read")
    assert (r.new, r.changed, r.unchanged) == (0, 1, 1)
    versions = history(store, "r1")
    assert [(v["version"], v["quantity"], v["submitted_by"], v["reason"]) for v in versions] == [
        (1, 100.0, "ann", None),
        (2, 120.0, "bob", "meter re-read"),
    ]
    assert versions[1]["file_name"] == "b.csv" and versions[1]["source_row"] == 2
    assert verify(store).ok


def test_deletion_is_a_tombstone_with_reason(store, tmp_path):
    ingest(store, activity(tmp_path / "a.csv", coal("r1"), coal("r2", 2)), "ann")
    with pytest.raises(StoreError, match="needs a reason"):
        delete(store, ["r1"], "ann", "")
    with pytest.raises(StoreError, match="no such record: nope"):
        delete(store, ["r1", "nope"], "ann", "duplicate entry")
    delete(store, ["r1"], "ann", "duplicate entry")
    v = history(store, "r1")
    assert [(x["version"], x["deleted"], x["reason"]) for x in v] == [
        (1, False, None),
        (2, True, "duplicate entry"),
    ]
    with pytest.raises(StoreError, match="already deleted: r1"):
        delete(store, ["r1"], "ann", "again")
    # the same values submitted again revive the record as a new version (with a reason)
    r = ingest(store, activity(tmp_path / "b.csv", coal("r1")), "ann", reason="restored")
    assert r.changed == 1 and history(store, "r1")[-1]["version"] == 3
    assert verify(store).ok


def test_bad_file_stores_nothing(store, tmp_path):
    before = (count(store), count(store, "batches"), count(store, "ledger_events"))
    bad = activity(tmp_path / "bad.csv", coal("r1"), coal("r2", quantity=-5))
    with pytest.raises(InputError) as exc:
        ingest(store, bad, "ann")
    assert "bad.csv, row 3, column 'quantity'" in str(exc.value.problems[0])
    with pytest.raises(InputError, match="facility not in the facilities file"):
        ingest(store, activity(tmp_path / "f.csv", coal("r1", facility_id="NOPE")), "ann")
    assert (count(store), count(store, "batches"), count(store, "ledger_events")) == before


@pytest.mark.parametrize("fmt", ["xlsx", "json", "parquet"])
def test_other_formats(store, tmp_path, fmt):
    rows = [coal("r1"), coal("r2", 2, quantity=90.5)]
    path = tmp_path / f"a.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps({"records": rows}))
    elif fmt == "parquet":
        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(list(rows[0]))
        for r in rows:
            ws.append(list(r.values()))
        wb.save(path)
    r = ingest(store, path, "ann")
    assert r.new == 2
    assert store.scalar("SELECT sum(quantity) FROM activity_records") == 190.5
