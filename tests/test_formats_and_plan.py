"""The same data in every file format gives the same results; the calculation is one relational
plan (compiled to SQL), with no per-row Python."""

from __future__ import annotations

import json

import ibis
import openpyxl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from openmrv.combustion.schema import ACTIVITY
from openmrv.engine import calculate
from openmrv.engine.hashing import content_hash
from openmrv.engine.run import LINEAGE
from openmrv.factors import load_library
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import validate_activity, validate_facilities
from openmrv.methods import METHODS, Options
from openmrv.methods.base import Ctx
from tests.conftest import FACILITIES, record, write_csv

ROWS = [
    record(record_id="a", fuel="bituminous_coal", quantity=1200.5, unit="short ton"),
    record(record_id="b", fuel="natural_gas", quantity=30000, unit="therm"),
    record(record_id="c", facility_id="CN-PLANT", fuel="烟煤", quantity=800, unit="t"),
    record(
        record_id="d",
        facility_id="CN-FACTORY",
        category="purchased_electricity",
        quantity=120,
        unit="MWh",
    ),
    record(record_id="e", category="refrigerant", fuel="R-410A", quantity=3.5, unit="kg"),
]


def _results(tmp_path, act_path):
    f = validate_facilities(read_table(write_csv(tmp_path / "fac.csv", FACILITIES)))
    checked = validate_activity(read_table(act_path), set(f.facility_id))
    return calculate(
        checked.table.drop_columns(list(LINEAGE)), f, schema=ACTIVITY
    )  # file names, hashes differ


def test_same_results_from_csv_xlsx_json_parquet(tmp_path):
    cols = [c.name for c in ACTIVITY.file_columns]
    csv_path = write_csv(tmp_path / "a.csv", ROWS, cols)
    table = pacsv.read_csv(
        csv_path,
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(cols, pa.string()), strings_can_be_null=False
        ),
    )
    pq.write_table(table, tmp_path / "a.parquet")
    (tmp_path / "a.json").write_text(json.dumps(table.to_pylist(), ensure_ascii=False))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(cols)
    for r in table.to_pylist():
        ws.append([r[c] for c in cols])
    wb.save(tmp_path / "a.xlsx")
    # source_row differs by design (CSV/XLSX count the header as row 1, JSON/Parquet count
    # records from 1); everything else must be identical.
    hashes = {
        ext: content_hash(
            _results(tmp_path, tmp_path / f"a.{ext}").results.drop_columns(["source_row"])
        )
        for ext in ("csv", "parquet", "json", "xlsx")
    }
    assert len(set(hashes.values())) == 1, hashes


def test_same_pins_same_hash_and_edition_changes_it(tmp_path):
    path = write_csv(tmp_path / "a.csv", ROWS, [c.name for c in ACTIVITY.file_columns])
    first, second = _results(tmp_path, path), _results(tmp_path, path)
    assert first.meta["result_hash"] == second.meta["result_hash"]
    assert first.meta["run_id"] == second.meta["run_id"]


def test_every_method_compiles_to_one_sql_statement():
    lib = load_library()
    from openmrv.engine.context import facility_table

    f = validate_facilities_frame()
    ctx = Ctx(lib=lib, facilities=facility_table(f), options=Options())
    act = ibis.table(_typed_schema(), name="activity")
    for m in METHODS.values():
        sql = ibis.to_sql(m.plan(act, ctx), dialect="duckdb")
        assert sql.lstrip().upper().startswith(("WITH", "SELECT")), m.id
        assert "activity" in sql


def validate_facilities_frame():
    import pandas as pd

    return pd.DataFrame(FACILITIES)[
        ["facility_id", "country", "state_province", "grid_region", "ipcc_sector"]
    ]


def _typed_schema():
    return ibis.schema(
        {
            "record_id": "string",
            "facility_id": "string",
            "source_id": "string",
            "period_start": "date",
            "period_end": "date",
            "year": "int32",
            "category": "string",
            "fuel": "string",
            "fuel_state": "string",
            "biogenic": "boolean",
            "quantity": "float64",
            "unit": "string",
            "unit_key": "string",
            "qty_kind": "string",
            "qty": "float64",
            "energy_basis": "string",
            "hhv": "float64",
            "ncv": "float64",
            "carbon_content": "float64",
            "carbon_content_per": "string",
            "oxidation_factor": "float64",
            "molecular_weight": "float64",
            "measured_co2_t": "float64",
            "boiler_ratio_b": "float64",
            "tier": "int32",
            "instrument": "string",
            "data_quality": "string",
            "evidence_ref": "string",
            "source_row": "int64",
        }
    )


def test_content_hash_is_content_based():
    a = pa.table({"x": [1.0, 2.0]})
    assert content_hash(a) == content_hash(pa.table({"x": [1.0, 2.0]}))
    assert content_hash(a) != content_hash(pa.table({"x": [1.0, 2.5]}))


def test_content_hash_ignores_bytes_under_nulls():
    # Arrow leaves the bytes under a null slot undefined; two equal tables must hash alike.
    validity = pa.py_buffer(bytes([0b01]))  # first value valid, second null
    a = pa.Array.from_buffers(
        pa.float64(), 2, [validity, pa.py_buffer(pa.array([1.5, 7.0]).buffers()[1].to_pybytes())]
    )
    b = pa.Array.from_buffers(
        pa.float64(), 2, [validity, pa.py_buffer(pa.array([1.5, -3.0]).buffers()[1].to_pybytes())]
    )
    assert a.equals(b)
    assert content_hash(pa.table({"x": a})) == content_hash(pa.table({"x": b}))
    assert content_hash(pa.table({"x": a})) != content_hash(pa.table({"x": pa.array([1.5, 0.0])}))
