"""Factorised evaluation: run each methodology once per *kind* of record, not once per record.

Under every methodology, a record that carries no measured parameters (heating value, carbon
content, oxidation, molecular weight, measured CO2, boiler ratio) gets a result that is its
quantity times a figure fixed by the rest of the record: facility, period, category, fuel, unit,
tier… (the plans use `qty` only as a factor). A national dataset has millions of records but a
few thousand such *keys*. So the engine

1. finds the distinct keys of the records without measured parameters (one scan of the key
   columns),
2. runs the methodologies' plans on those keys with ``qty = 1``: each result row becomes a
   **shape** — methodology, lineage code, factor keys, reason, and mass, CO2e and heat per unit
   of quantity —,
3. joins every record to its shapes and multiplies: ``mass_t = qty × unit_mass_t`` and so on,
   the same join-and-multiply a hand-written statement would do.

Records with measured parameters go through the plans directly. Both give the compact result
schema (`COMPACT`); the figures agree with direct evaluation to rounding (a product taken in a
different order), and every run, in memory or over a dataset, on DuckDB or Spark, takes the same
route, so the same pins give the same hash.

Which columns are the key and which the measured parameters is the input's schema's to say
(ingest.columns.Schema, handed in by the caller): the engine knows no domain's columns.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from openmrv.ingest.columns import Schema
from openmrv.methods import METHODS
from openmrv.methods.base import Ctx

COMPACT = (
    "source_row", "methodology", "rule", "factor_key", "mass_t", "co2e_t", "heat_gj", "reason",
)  # fmt: skip
# What a dataset stores per computed record and gas of a shaped record: its CO2e, the figure
# every total sums. The rest is in the shape (mass and heat are qty × the shape's per-unit
# figures, derived on reading like the lineage: compact_rows).
STORED = ("source_row", "shape", "co2e_t")
UNIT = {"mass_t": "unit_mass_t", "co2e_t": "unit_co2e_t", "heat_gj": "unit_heat_gj"}


def compact_plan(act: ir.Table, methods: list[str], ctx: Ctx) -> ir.Table:
    """The methodologies' compact rows for `act` evaluated directly, as one union."""
    rows = [METHODS[m].plan(act, ctx).select(*COMPACT) for m in methods]
    return ibis.union(*rows) if len(rows) > 1 else rows[0]


def measured(act: ir.Table, schema: Schema) -> ir.BooleanValue:
    """True for records that carry any measured parameter (evaluated directly)."""
    return ibis.or_(*(act[c].notnull() for c in schema.measured))


def shapes(
    con: ibis.BaseBackend,
    act: ir.Table,
    methods: list[str],
    ctx: Ctx,
    schema: Schema,
    table: Callable[[pa.Table], ir.Table] = ibis.memtable,
    counts: pa.Table | None = None,
) -> tuple[pa.Table, list[str]]:
    """The shapes of the records without measured parameters, and the key columns that vary
    among them (the only ones a record must be joined on: the others are the same for all).

    A shape row: ``shape`` (int32, numbered in a fixed order so that runs over the same data
    agree), the key columns, ``records`` (how many records have that key), methodology, rule,
    factor_key, reason and the per-unit mass, CO2e and heat. `table` hands an Arrow table to the
    backend (Spark takes it from a Parquet file: its in-memory tables lose nulls); `counts` are
    the key counts (`key_counts`) when the caller has them already."""
    counts = counts if counts is not None else key_counts(con, act, schema)
    keys, prb = probe(counts, schema)
    units = con.to_pyarrow(compact_plan(table(prb), methods, ctx)) if keys.num_rows else None
    return from_units(keys, units, schema)


def probe(counts: pa.Table, schema: Schema) -> tuple[pa.Table, pa.Table]:
    """The keys of records without measured parameters (sorted, with their record counts) and
    the probe table the plans run on: one record per key, numbered 0…n-1 in `source_row`, with
    ``qty = 1`` and no measured parameters (columns `schema.probe`)."""
    key = schema.key
    keys = counts.filter(pc.greater(counts["records"], 0)).select([*key, "records"])
    keys = keys.sort_by([(c, "ascending") for c in key])
    n = keys.num_rows
    prb = keys.drop_columns(["records"]).append_column(schema.row, pa.array(range(n), pa.int64()))
    prb = prb.append_column(schema.record, pa.array([""] * n, pa.string()))
    prb = prb.append_column(schema.quantity, pa.array([1.0] * n, pa.float64()))
    for c in schema.measured:
        prb = prb.append_column(c, pa.nulls(n, pa.float64()))
    return keys, prb


def from_units(
    keys: pa.Table, units: pa.Table | None, schema: Schema
) -> tuple[pa.Table, list[str]]:
    """The shapes from the plans' compact rows over the probe (`units`, per unit of quantity)."""
    if units is None or units.num_rows == 0:
        return _empty_shapes(keys, schema), []
    units = units.rename_columns([UNIT.get(c, c) for c in units.column_names])
    order = ["source_row", "methodology", "rule", "factor_key"]
    units = units.sort_by([(c, "ascending") for c in order])
    at = keys.take(units["source_row"])
    out = units.drop_columns(["source_row"])
    for c in [*schema.key, "records"]:
        out = out.append_column(at.schema.field(c), at[c])
    out = out.add_column(0, "shape", pa.array(range(out.num_rows), pa.int32()))
    return out, varying_columns(out, schema)


def key_counts(con: ibis.BaseBackend, act: ir.Table, schema: Schema) -> pa.Table:
    """Per distinct key: how many records without measured parameters (`records`) and with
    (`measured`) have it."""
    m = measured(act, schema).cast("int64")
    agg = act.group_by(list(schema.key)).aggregate(records=(1 - m).sum(), measured=m.sum())
    return con.to_pyarrow(agg)


def varying_columns(shp: pa.Table, schema: Schema) -> list[str]:
    """The fewest key columns (found greedily) that still tell the shapes' keys apart.

    Records are joined to their shapes on these columns only. That is exact: the keys are all
    the distinct keys of the records themselves, so columns that are constant among them, or
    determined by the others (unit by unit key, period end by period start…), add nothing to the
    join but cost."""
    key = list(schema.key)
    keys = shp.select(key).group_by(key).aggregate([])
    n = keys.num_rows

    def distinct(cols: list[str]) -> int:
        return keys.group_by(cols).aggregate([]).num_rows if cols else 1

    cols = [c for c in key if pc.count_distinct(keys[c], mode="all").as_py() > 1]
    for c in sorted(cols, key=lambda c: -keys[c].nbytes):  # try dropping the widest first
        rest = [k for k in cols if k != c]
        if distinct(rest) == n:
            cols = rest
    return cols


def _empty_shapes(keys: pa.Table, schema: Schema) -> pa.Table:
    empty = pa.schema(
        [
            ("shape", pa.int32()),
            ("methodology", pa.string()),
            ("rule", pa.int32()),
            ("factor_key", pa.int64()),
            ("unit_mass_t", pa.float64()),
            ("unit_co2e_t", pa.float64()),
            ("unit_heat_gj", pa.float64()),
            ("reason", pa.string()),
            *(keys.schema.field(c) for c in [*schema.key, "records"]),
        ]
    )
    return empty.empty_table()


def _join(act: ir.Table, shp: ir.Table, varying: list[str]) -> ir.Table:
    keep = shp.select("shape", *varying, *UNIT.values(),
                      "methodology", "rule", "factor_key", "reason")  # fmt: skip
    keep = keep.rename({f"{c}_s_": c for c in varying})
    preds = [act[c].identical_to(keep[f"{c}_s_"]) for c in varying]
    return act.join(keep, preds) if preds else act.cross_join(keep)


def stored_rows(act: ir.Table, shp: ir.Table, varying: list[str], schema: Schema) -> ir.Table:
    """What a dataset stores for shaped records: one row per record and computed shape."""
    plain = act.filter(~measured(act, schema))
    j = _join(plain, shp.filter(shp.reason.isnull()), varying)
    return j.select("source_row", "shape", co2e_t=j.qty * j.unit_co2e_t)


def compact_rows(act: ir.Table, shp: ir.Table, varying: list[str], schema: Schema) -> ir.Table:
    """Every shaped record's compact rows, computed and not (the view for people and reports)."""
    plain = act.filter(~measured(act, schema))
    j = _join(plain, shp, varying)
    return j.select(
        "source_row",
        "methodology",
        "rule",
        "factor_key",
        mass_t=j.qty * j.unit_mass_t,
        co2e_t=j.qty * j.unit_co2e_t,
        heat_gj=j.qty * j.unit_heat_gj,
        reason=j.reason,
    )


def direct_rows(act: ir.Table, methods: list[str], ctx: Ctx, schema: Schema) -> ir.Table:
    """The compact rows of the records with measured parameters, evaluated directly."""
    return compact_plan(act.filter(measured(act, schema)), methods, ctx)
