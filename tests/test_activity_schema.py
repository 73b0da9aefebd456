"""The activity schema is declared once (openmrv.combustion.schema) and every form the code uses
is derived from it. Each derived form must equal the documented file format, written out here
as it stood before the declaration (docs/schemas.md; the engine's, validation's and the store's
column lists): same names, same order, same types."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa

from openmrv.combustion.schema import ACTIVITY, CATEGORIES
from openmrv.engine.dataset import check_dataset
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import validate_activity, validate_facilities
from openmrv.store.schema import CONTENT_NAMES, RECORD_COLUMNS

ROOT = Path(__file__).resolve().parents[1]

# The activity file: (column, kind, required, choices), docs/schemas.md "Activity file".
FILE = [
    ("record_id", "id", True, ()),
    ("facility_id", "id", True, ()),
    ("source_id", "id", False, ()),
    ("period_start", "date", True, ()),
    ("period_end", "date", True, ()),
    ("category", "enum", True, (
        "stationary_combustion", "mobile_combustion", "purchased_electricity", "purchased_heat",
        "refrigerant", "process", "ccs_transfer",
    )),
    ("fuel", "id", False, ()),
    ("quantity", "number", True, ()),
    ("unit", "text", True, ()),
    ("energy_basis", "enum", False, ("HHV", "NCV")),
    ("hhv", "number", False, ()),
    ("hhv_unit", "text", False, ()),
    ("ncv", "number", False, ()),
    ("ncv_unit", "text", False, ()),
    ("carbon_content", "number", False, ()),
    ("carbon_content_unit", "text", False, ()),
    ("oxidation_factor", "number", False, ()),
    ("molecular_weight", "number", False, ()),
    ("measured_co2_t", "number", False, ()),
    ("boiler_ratio_b", "number", False, ()),
    ("tier", "enum", False, ("1", "2", "3", "4")),
    ("instrument", "enum", False, ("green_power", "certificate", "residual")),
    ("data_quality", "text", False, ()),
    ("evidence_ref", "text", False, ()),
    ("notes", "text", False, ()),
]  # fmt: skip

# The validated table (ingest.validate's output, written by `openmrv validate --out`).
VALIDATED = pa.schema([
    ("record_id", pa.string()), ("facility_id", pa.string()), ("source_id", pa.string()),
    ("period_start", pa.date32()), ("period_end", pa.date32()), ("year", pa.int32()),
    ("category", pa.string()), ("fuel", pa.string()), ("fuel_state", pa.string()),
    ("biogenic", pa.bool_()), ("quantity", pa.float64()), ("unit", pa.string()),
    ("unit_key", pa.string()), ("qty_kind", pa.string()), ("qty", pa.float64()),
    ("energy_basis", pa.string()), ("hhv", pa.float64()), ("ncv", pa.float64()),
    ("carbon_content", pa.float64()), ("carbon_content_per", pa.string()),
    ("oxidation_factor", pa.float64()), ("molecular_weight", pa.float64()),
    ("measured_co2_t", pa.float64()), ("boiler_ratio_b", pa.float64()), ("tier", pa.int32()),
    ("instrument", pa.string()), ("data_quality", pa.string()), ("evidence_ref", pa.string()),
    ("source_row", pa.int64()), ("source_file", pa.string()), ("source_sha256", pa.string()),
    ("file_row", pa.int64()),
])  # fmt: skip

# Validation's typed SQL over its checked view.
TYPED_SQL = """SELECT
  record_id, facility_id, NULLIF(source_id, '') AS source_id,
  d0 AS period_start, d1 AS period_end, CAST(year(d0) AS INTEGER) AS year,
  category,
  COALESCE(fcode, rname, NULLIF(fuel, '')) AS fuel,
  fstate AS fuel_state, COALESCE(fbio, false) AS biogenic,
  q AS quantity, unit, ukey AS unit_key, qkind AS qty_kind, q * qf AS qty,
  CASE WHEN combustion AND qkind = 'energy' THEN COALESCE(basis_given, ubasis) END AS energy_basis,
  hhv_v * hhv_f AS hhv, ncv_v * ncv_f AS ncv,
  cc_v * cc_f AS carbon_content,
  CASE WHEN cc_num = 'one' THEN 'mass' ELSE cc_den END AS carbon_content_per,
  of_v AS oxidation_factor, mw_v AS molecular_weight, co2_v AS measured_co2_t,
  b_v AS boiler_ratio_b, TRY_CAST(NULLIF(tier, '') AS INTEGER) AS tier,
  NULLIF(instrument, '') AS instrument, NULLIF(data_quality, '') AS data_quality,
  NULLIF(evidence_ref, '') AS evidence_ref,
  _row AS source_row
FROM checked"""

# The store's activity_records columns before the version columns (migration 1).
STORED = (
    ("record_id", "TEXT"), ("facility_id", "TEXT"), ("source_id", "TEXT"),
    ("period_start", "DATE"), ("period_end", "DATE"), ("year", "INTEGER"), ("category", "TEXT"),
    ("fuel", "TEXT"), ("fuel_state", "TEXT"), ("biogenic", "BOOLEAN"),
    ("quantity", "DOUBLE PRECISION"), ("unit", "TEXT"), ("unit_key", "TEXT"),
    ("qty_kind", "TEXT"), ("qty", "DOUBLE PRECISION"), ("energy_basis", "TEXT"),
    ("hhv", "DOUBLE PRECISION"), ("ncv", "DOUBLE PRECISION"),
    ("carbon_content", "DOUBLE PRECISION"), ("carbon_content_per", "TEXT"),
    ("oxidation_factor", "DOUBLE PRECISION"), ("molecular_weight", "DOUBLE PRECISION"),
    ("measured_co2_t", "DOUBLE PRECISION"), ("boiler_ratio_b", "DOUBLE PRECISION"),
    ("tier", "INTEGER"), ("instrument", "TEXT"), ("data_quality", "TEXT"),
    ("evidence_ref", "TEXT"), ("source_row", "BIGINT"), ("source_file", "TEXT"),
)  # fmt: skip

# What the engine reads from a dataset, with DuckDB types (engine.dataset.check_dataset).
ENGINE = {
    "source_row": "BIGINT", "record_id": "VARCHAR", "facility_id": "VARCHAR",
    "period_start": "DATE", "period_end": "DATE", "year": "INTEGER", "category": "VARCHAR",
    "fuel": "VARCHAR", "fuel_state": "VARCHAR", "biogenic": "BOOLEAN", "unit": "VARCHAR",
    "unit_key": "VARCHAR", "qty_kind": "VARCHAR", "qty": "DOUBLE", "energy_basis": "VARCHAR",
    "hhv": "DOUBLE", "ncv": "DOUBLE", "carbon_content": "DOUBLE", "carbon_content_per": "VARCHAR",
    "oxidation_factor": "DOUBLE", "molecular_weight": "DOUBLE", "measured_co2_t": "DOUBLE",
    "boiler_ratio_b": "DOUBLE", "tier": "INTEGER", "instrument": "VARCHAR",
}  # fmt: skip
MEASURED = (
    "hhv", "ncv", "carbon_content", "oxidation_factor", "molecular_weight", "measured_co2_t",
    "boiler_ratio_b",
)  # fmt: skip
# The shapes' key: its order sorts the keys and numbers the shapes, so it enters the results'
# hash (engine.run.results_hash) and must not change.
KEY = (
    "facility_id", "period_start", "period_end", "year", "category", "fuel", "fuel_state",
    "biogenic", "unit", "unit_key", "qty_kind", "energy_basis", "carbon_content_per", "tier",
    "instrument",
)  # fmt: skip
PROBE = (*KEY, "source_row", "record_id", "qty", *MEASURED)


def test_validation_columns_are_the_documented_file():
    got = [(c.name, c.kind, c.required, c.choices) for c in ACTIVITY.file_columns]
    assert got == FILE
    assert ACTIVITY.required == {n for n, _, r, _ in FILE if r}
    assert ACTIVITY.optional == {n for n, _, r, _ in FILE if not r}
    assert ACTIVITY.column("category").choices == CATEGORIES


def test_typed_sql_is_validations():
    def words(sql: str) -> str:
        return re.sub(r"\s+", " ", sql).strip()

    assert words(ACTIVITY.typed_sql("checked")) == words(TYPED_SQL)


def test_validated_table_has_the_derived_arrow_schema():
    assert ACTIVITY.arrow_schema == VALIDATED
    fac = validate_facilities(read_table(ROOT / "examples" / "facilities.csv"))
    act = read_table(ROOT / "examples" / "activity.csv")
    table = validate_activity(act, set(fac.facility_id), schema=ACTIVITY).table
    assert table.schema == ACTIVITY.arrow_schema


def test_store_columns_are_migration_ones():
    """The store's record columns are frozen history (migration 1 created the table from
    them): a column added to the declaration fails here until a migration adds it."""
    assert ACTIVITY.store_columns == STORED == RECORD_COLUMNS
    content = tuple(n for n, _ in STORED if n not in ("source_row", "source_file"))
    assert ACTIVITY.content == content == CONTENT_NAMES


def test_engine_columns():
    assert ACTIVITY.engine_types == ENGINE
    assert list(ACTIVITY.engine_types) == list(ENGINE)  # the order of check_dataset's problems
    assert ACTIVITY.measured == MEASURED
    assert ACTIVITY.key == KEY
    assert ACTIVITY.probe == PROBE


def test_a_validated_dataset_passes_the_engines_check(tmp_path):
    import pyarrow.parquet as pq

    fac = validate_facilities(read_table(ROOT / "examples" / "facilities.csv"))
    act = read_table(ROOT / "examples" / "activity.csv")
    table = validate_activity(act, set(fac.facility_id), schema=ACTIVITY).table
    pq.write_table(table, tmp_path / "a.parquet")
    assert check_dataset(tmp_path / "a.parquet", ACTIVITY) == table.num_rows


def test_docs_activity_table_is_the_declaration():
    """docs/schemas.md's activity table is rendered from the declaration (scripts/make_docs.py);
    a column documented by hand, or declared and not documented, fails here."""
    text = (ROOT / "docs" / "schemas.md").read_text(encoding="utf-8")
    section = text.split("## Activity file\n\n", 1)[1].split("\n\n", 1)[0]
    assert section == ACTIVITY.markdown()
    documented = re.findall(r"^\| `([a-z0-9_]+)` \|", section, re.M)
    assert documented == [n for n, *_ in FILE]
