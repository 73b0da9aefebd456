"""ingest.columns: a schema derives each of its forms from one list of columns, and refuses a
declaration that contradicts itself."""

from __future__ import annotations

import pyarrow as pa
import pytest

from openmrv.ingest.columns import Column, Dtype, Schema, registered

# A toy hourly meter file: its own key and measured columns, the same derived forms.
METER = Schema(
    "meter",
    (
        Column("record_id", kind="id", dtype=Dtype.TEXT, required=True, doc="Reading id."),
        Column("meter_id", kind="id", dtype=Dtype.TEXT, required=True, key=True, doc="Meter."),
        Column("hour", kind="text", required=True, doc="Hour, ISO 8601."),
        Column("hour_start", dtype=Dtype.DATE, sql="CAST(hour AS DATE)", key=True),
        Column("kwh", kind="number", dtype=Dtype.DOUBLE, required=True, sql="q", unit_kind="kWh"),
        Column("qty", dtype=Dtype.DOUBLE, sql="q * 0.0036", unit_kind="GJ"),
        Column("grid_ef", kind="number", dtype=Dtype.DOUBLE, measured=True, sql="ef_v"),
        Column("source_row", dtype=Dtype.BIGINT, sql="_row", lineage=True),
        Column("source_file", dtype=Dtype.TEXT, sql=None, lineage=True, stored=False),
    ),
)


def test_forms_follow_the_declaration():
    assert [c.name for c in METER.file_columns] == [
        "record_id",
        "meter_id",
        "hour",
        "kwh",
        "grid_ef",
    ]
    assert METER.required == {"record_id", "meter_id", "hour", "kwh"}
    assert METER.optional == {"grid_ef"}
    assert METER.typed_sql("checked") == (
        "SELECT record_id, meter_id, CAST(hour AS DATE) AS hour_start, q AS kwh, "
        "q * 0.0036 AS qty, ef_v AS grid_ef, _row AS source_row FROM checked"
    )
    assert METER.arrow_schema == pa.schema(
        [
            ("record_id", pa.string()),
            ("meter_id", pa.string()),
            ("hour_start", pa.date32()),
            ("kwh", pa.float64()),
            ("qty", pa.float64()),
            ("grid_ef", pa.float64()),
            ("source_row", pa.int64()),
            ("source_file", pa.string()),
        ]
    )
    assert METER.store_columns == (
        ("record_id", "TEXT"),
        ("meter_id", "TEXT"),
        ("hour_start", "DATE"),
        ("kwh", "DOUBLE PRECISION"),
        ("qty", "DOUBLE PRECISION"),
        ("grid_ef", "DOUBLE PRECISION"),
        ("source_row", "BIGINT"),
    )
    assert METER.content == ("record_id", "meter_id", "hour_start", "kwh", "qty", "grid_ef")
    assert METER.key == ("meter_id", "hour_start")
    assert METER.measured == ("grid_ef",)
    assert METER.probe == ("meter_id", "hour_start", "source_row", "record_id", "qty", "grid_ef")
    assert METER.engine_types == {
        "source_row": "BIGINT",
        "record_id": "VARCHAR",
        "meter_id": "VARCHAR",
        "hour_start": "DATE",
        "qty": "DOUBLE",
        "grid_ef": "DOUBLE",
    }
    assert METER.markdown().splitlines()[2:4] == [
        "| `record_id` | yes | id |  | Reading id. |",
        "| `meter_id` | yes | id |  | Meter. |",
    ]


def test_contradictory_declarations_are_refused():
    ok = [Column(n, dtype=Dtype.TEXT) for n in ("source_row", "record_id", "qty")]
    with pytest.raises(ValueError, match="twice"):
        Schema("x", (*ok, Column("qty", kind="number")))
    with pytest.raises(ValueError, match="'qty' is not a typed column"):
        Schema("x", tuple(ok[:2]))
    with pytest.raises(ValueError, match="both key and measured"):
        Schema("x", (*ok, Column("a", dtype=Dtype.DOUBLE, key=True, measured=True)))
    with pytest.raises(ValueError, match="has no dtype"):
        Schema("x", (*ok, Column("a", kind="number", measured=True)))


def test_an_unknown_column_or_schema_is_named():
    with pytest.raises(KeyError, match="schema 'meter' has no column 'kw'"):
        METER.column("kw")
    with pytest.raises(LookupError, match="no input schema 'nothing' is registered"):
        registered("nothing")
