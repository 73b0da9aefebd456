"""Factorised evaluation: run each methodology once per *kind* of record, not once per record.

Under every methodology, a record's result is a product: its quantity and each measured
parameter it carries (heating value, carbon content, oxidation, molecular weight, measured CO2,
boiler ratio) enter as factors — or not at all —, times a figure fixed by the rest of the
record: facility, period, category, fuel, unit, tier… and which measured parameters it has
(its *pattern*). A national dataset has millions of records but a few thousand such *keys*
(key columns and pattern). So the engine

1. finds the distinct keys (one scan of the key columns),
2. runs the methodologies' plans on a few probe records per key (`probe`): quantity and
   measured parameters all 1, then each of them alone at `STEP`, then all at other values
   (`CHECK`). Each result row becomes a **shape** — methodology, lineage code, factor keys,
   reason, the mass, CO2e and heat with every variable at 1 (the per-unit figures), and per
   figure the variables it is proportional to (bit masks `e_*`, bit 0 the quantity, bit 1 + i
   measured parameter i); the check records confirm the product,
3. joins every record to its shapes and multiplies: ``co2e_t = unit_co2e_t × qty × hhv …``,
   the join-and-multiply a hand-written statement does, one pass for all records.

A pattern whose probes are not such a product for every key (a methodology that rounds a
measured parameter, say) is evaluated by the plans record by record (`direct_rows`); the
shapes' Parquet metadata names those patterns (`layout`). Both give the compact result schema
(`COMPACT`); the figures agree with direct evaluation to rounding (a product taken in a
different order), and every run, in memory or over a dataset, on DuckDB or Spark, takes the
same route, so the same pins give the same hash.

Which columns are the key and which the measured parameters is the input's schema's to say
(ingest.columns.Schema, handed in by the caller): the engine knows no domain's columns.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

import duckdb
import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openmrv.ingest.columns import Schema
from openmrv.methods import METHODS
from openmrv.methods.base import Ctx

COMPACT = (
    "source_row", "methodology", "rule", "factor_key", "mass_t", "co2e_t", "heat_gj", "reason",
)  # fmt: skip
# What a dataset stores per computed record and gas: its CO2e, the figure every total sums.
# The rest is in the shape (mass and heat are the shape's per-unit figures × the record's
# variables, derived on reading like the lineage: compact_rows).
STORED = ("source_row", "shape", "co2e_t")
UNIT = {"mass_t": "unit_mass_t", "co2e_t": "unit_co2e_t", "heat_gj": "unit_heat_gj"}
EXPONENT = {"mass_t": "e_mass", "co2e_t": "e_co2e", "heat_gj": "e_heat"}
PATTERN = "pattern"  # bit i set: the record carries measured parameter i (schema.measured)
BASE, CHECK = -1, -2  # probe roles besides "variable g alone at STEP"
STEP = 0.5
DIRECT = b"openmrv.direct_patterns"  # shapes metadata: patterns evaluated directly


def check_value(g: int) -> float:
    """Variable g's value in the check probe: distinct, in (0, 1), not a round number."""
    return 0.9137 - 0.0731 * g


def compact_plan(act: ir.Table, methods: list[str], ctx: Ctx) -> ir.Table:
    """The methodologies' compact rows for `act` evaluated directly, as one union."""
    rows = [METHODS[m].plan(act, ctx).select(*COMPACT) for m in methods]
    return ibis.union(*rows) if len(rows) > 1 else rows[0]


def variables(schema: Schema) -> list[str]:
    """The columns a result may be proportional to: bit g of a shape's masks is column g."""
    return [schema.quantity, *schema.measured]


def key_columns(schema: Schema) -> list[str]:
    return [*schema.key, PATTERN]


def pattern(act: ir.Table, schema: Schema) -> ir.IntegerValue:
    """Which measured parameters each record carries, one bit each."""
    bits = (act[c].notnull().ifelse(1 << i, 0) for i, c in enumerate(schema.measured))
    return reduce(operator.add, bits, ibis.literal(0)).cast("int32")


def pattern_sql(schema: Schema) -> str:
    """`pattern` in SQL."""
    bits = (f"(CASE WHEN {c} IS NOT NULL THEN {1 << i} ELSE 0 END)" for i, c in
            enumerate(schema.measured))  # fmt: skip
    return f"CAST(({' + '.join(bits) or '0'}) AS INTEGER)"


def shapes(
    con: ibis.BaseBackend,
    act: ir.Table,
    methods: list[str],
    ctx: Ctx,
    schema: Schema,
    table: Callable[[pa.Table], ir.Table] = ibis.memtable,
    counts: pa.Table | None = None,
) -> pa.Table:
    """The shapes of the records' keys (see the module's docstring).

    A shape row: ``shape`` (int32, numbered in a fixed order so that runs over the same data
    agree), methodology, rule, factor_key, reason, the per-unit mass, CO2e and heat, their
    exponent masks, the key columns and pattern, and ``records`` (how many records have that
    key). `table` hands an Arrow table to the backend (Spark takes it from a Parquet file: its
    in-memory tables lose nulls); `counts` are the key counts (`key_counts`) when the caller
    has them already."""
    counts = counts if counts is not None else key_counts(con, act, schema)
    keys, prb, roles = probe(counts, schema)
    units = con.to_pyarrow(compact_plan(table(prb), methods, ctx)) if keys.num_rows else None
    return from_units(keys, units, roles, schema)


def probe(counts: pa.Table, schema: Schema) -> tuple[pa.Table, pa.Table, pa.Table]:
    """The keys (sorted, with their record counts), the probe table the plans run on (columns
    `schema.probe`, numbered 0…n-1 in `source_row`) and each probe's key and role (`combo`,
    `role`: BASE, CHECK or the variable at STEP)."""
    cols = key_columns(schema)
    keys = counts.filter(pc.greater(counts["records"], 0)).select([*cols, "records"])
    keys = keys.sort_by([(c, "ascending") for c in cols])
    pat = keys[PATTERN].to_numpy(zero_copy_only=False).astype(np.int64)
    combo, role = [], []
    for i, p in enumerate(pat):
        vs = [0, *(1 + j for j in range(len(schema.measured)) if p >> j & 1)]
        for r in (BASE, *vs, CHECK):
            combo.append(i)
            role.append(r)
    combo_a, role_a = np.array(combo, np.int64), np.array(role, np.int64)
    n = len(combo_a)
    prb = keys.select(schema.key).take(pa.array(combo_a))
    prb = prb.append_column(schema.row, pa.array(np.arange(n), pa.int64()))
    prb = prb.append_column(schema.record, pa.array([""] * n, pa.string()))
    row_pat = pat[combo_a] if n else np.zeros(0, np.int64)
    for g, c in enumerate(variables(schema)):
        value = np.where(role_a == g, STEP, np.where(role_a == CHECK, check_value(g), 1.0))
        carried = np.ones(n, bool) if g == 0 else (row_pat >> (g - 1) & 1).astype(bool)
        prb = prb.append_column(c, pa.array(value, pa.float64(), mask=~carried))
    roles = pa.table({"row": pa.array(np.arange(n), pa.int64()), "combo": combo_a, "role": role_a})
    return keys, prb, roles


def from_units(keys: pa.Table, units: pa.Table | None, roles: pa.Table, schema: Schema) -> pa.Table:
    """The shapes from the plans' compact rows over the probe (`units`): per key and result
    row, the figures with every variable at 1 and the variables each is proportional to; the
    patterns of keys whose probes are not such products go in the metadata (`DIRECT`)."""
    if units is None or units.num_rows == 0:
        return _empty_shapes(keys, schema)
    nv = len(variables(schema))
    con = duckdb.connect()
    con.register("units", units)
    con.register("roles", roles)
    figs = [
        f"any_value({o}) FILTER (WHERE role = {r}) AS {o}_{n}"
        for o in UNIT
        for r, n in [(BASE, "b"), (CHECK, "c"), *((g, g) for g in range(nv))]
    ]
    wide = con.sql(
        f"""SELECT combo, methodology, rule, factor_key, reason, count(*) AS n,
              count(DISTINCT role) AS roles, {", ".join(figs)}
            FROM units JOIN roles ON units.source_row = roles.row
            GROUP BY ALL ORDER BY combo, methodology, rule, factor_key NULLS FIRST,
              reason NULLS FIRST"""
    ).to_arrow_table()
    probes = np.bincount(roles["combo"].to_numpy(), minlength=keys.num_rows)
    combo = wide["combo"].to_numpy()
    n = wide["n"].to_numpy()
    ok = (n == probes[combo]) & (wide["roles"].to_numpy() == n)
    pat = keys[PATTERN].to_numpy(zero_copy_only=False).astype(np.int64)
    masks = {}
    for o in UNIT:
        e, good = _exponents(wide, o, nv, pat[combo])
        masks[o] = e
        ok &= good
    direct = sorted({int(p) for p in pat[combo[~ok]]})
    keep = ~np.isin(pat[combo], direct)
    wide = wide.filter(pa.array(keep))
    at = keys.take(pa.array(combo[keep]))
    out = pa.table(
        {
            "shape": pa.array(np.arange(wide.num_rows), pa.int32()),
            **{c: wide[c] for c in ("methodology", "rule", "factor_key")},
            **{u: wide[f"{o}_b"] for o, u in UNIT.items()},
            "reason": wide["reason"],
            **{EXPONENT[o]: pa.array(m[keep], pa.int32()) for o, m in masks.items()},
            **{c: at[c] for c in [*key_columns(schema), "records"]},
        }
    )
    return out.replace_schema_metadata({DIRECT: json.dumps(direct).encode()})


def _exponents(wide: pa.Table, out: str, nv: int, pat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per result row (of a key of pattern `pat`), the mask of the variables figure `out` is
    proportional to, and whether the probes bear that out: each variable's exponent 0 or 1,
    and the check probe equal to the product to 1e-12."""

    def col(name: str) -> np.ndarray:
        return wide[name].to_numpy(zero_copy_only=False).astype(float)  # null: nan

    base, check = col(f"{out}_b"), col(f"{out}_c")
    null = np.isnan(base)
    mask = np.zeros(len(base), np.int64)
    good = null == np.isnan(check)
    want = base.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for g in range(nv):
            probed = np.ones(len(base), bool) if g == 0 else (pat >> (g - 1) & 1).astype(bool)
            y = col(f"{out}_{g}")
            exp = np.log(y / base) / np.log(STEP)
            one = np.abs(exp - 1.0) <= 1e-9
            zero = (np.abs(exp) <= 1e-9) | ((base == 0) & (y == 0))
            good &= ~probed | (null & np.isnan(y)) | one | zero
            mask |= np.where(probed & one, 1 << g, 0)
            want = np.where(probed & one, want * check_value(g), want)
        close = np.abs(want - check) <= 1e-12 * np.abs(check)
    good &= null | close
    return np.where(null, 0, mask), good


@dataclass(frozen=True)
class Layout:
    """How records meet their shapes: the key columns they are joined on (`varying`), the
    patterns evaluated directly, and per figure the variables every shape multiplies by
    (`always`) and those only some do (`sometimes`), as bit masks."""

    varying: list[str]
    direct: list[int]
    always: dict[str, int]
    sometimes: dict[str, int]


def layout(shp: pa.Table, schema: Schema) -> Layout:
    always, sometimes = {}, {}
    for o, u in UNIT.items():
        m = shp.filter(pc.is_valid(shp[u]))[EXPONENT[o]].to_numpy(zero_copy_only=False)
        always[o] = int(np.bitwise_and.reduce(m)) if len(m) else 0
        sometimes[o] = int(np.bitwise_or.reduce(m)) if len(m) else 0
    return Layout(varying_columns(shp, schema), direct_patterns(shp.schema), always, sometimes)


def key_counts(con: ibis.BaseBackend, act: ir.Table, schema: Schema) -> pa.Table:
    """Per distinct key (key columns and pattern): how many records have it (`records`)."""
    act = act.mutate(**{PATTERN: pattern(act, schema)})
    return con.to_pyarrow(act.group_by(key_columns(schema)).aggregate(records=act.count()))


def varying_columns(shp: pa.Table, schema: Schema) -> list[str]:
    """The fewest key columns (found greedily) that still tell the shapes' keys apart.

    Records are joined to their shapes on these columns only. That is exact: the keys are all
    the distinct keys of the records themselves (but those of patterns evaluated directly,
    which are not joined), so columns that are constant among them, or determined by the
    others (unit by unit key, period end by period start…), add nothing to the join but
    cost."""
    key = key_columns(schema)
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
            *((e, pa.int32()) for e in EXPONENT.values()),
            *(keys.schema.field(c) for c in [*key_columns(schema), "records"]),
        ]
    )
    return empty.empty_table()


def _joined(act: ir.Table, shp: ir.Table, lay: Layout, schema: Schema) -> ir.Table:
    """The records not evaluated directly, each joined to its shapes."""
    act = act.mutate(**{PATTERN: pattern(act, schema)})
    if lay.direct:
        act = act.filter(~act[PATTERN].isin(lay.direct))
    keep = shp.select("shape", *lay.varying, *UNIT.values(), *EXPONENT.values(),
                      "methodology", "rule", "factor_key", "reason")  # fmt: skip
    keep = keep.rename({f"{c}_s_": c for c in lay.varying})
    preds = [act[c].identical_to(keep[f"{c}_s_"]) for c in lay.varying]
    return act.join(keep, preds) if preds else act.cross_join(keep)


def _figure(j: ir.Table, out: str, lay: Layout, schema: Schema) -> ir.FloatingValue:
    """Figure `out` of a joined record: the shape's per-unit figure times the variables it is
    proportional to (a variable every shape multiplies by needs no test)."""
    x = j[UNIT[out]]
    for g, c in enumerate(variables(schema)):
        bit = 1 << g
        if lay.always[out] & bit:
            x = j[c] * x
        elif lay.sometimes[out] & bit:
            x = x * ((j[EXPONENT[out]] & bit) != 0).ifelse(j[c], 1.0)
    return x


def stored_rows(act: ir.Table, shp: ir.Table, lay: Layout, schema: Schema) -> ir.Table:
    """What a dataset stores for shaped records: one row per record and computed shape."""
    j = _joined(act, shp.filter(shp.reason.isnull()), lay, schema)
    return j.select("source_row", "shape", co2e_t=_figure(j, "co2e_t", lay, schema))


def compact_rows(act: ir.Table, shp: ir.Table, lay: Layout, schema: Schema) -> ir.Table:
    """Every shaped record's compact rows, computed and not (the view for people and reports)."""
    j = _joined(act, shp, lay, schema)
    return j.select(
        "source_row",
        "methodology",
        "rule",
        "factor_key",
        **{o: _figure(j, o, lay, schema) for o in UNIT},
        reason=j.reason,
    )


def direct_patterns(shp: pa.Schema) -> list[int]:
    """The patterns evaluated directly, from the shapes' metadata."""
    return json.loads((shp.metadata or {}).get(DIRECT, b"[]"))


def direct_records(act: ir.Table, patterns: list[int], schema: Schema) -> ir.Table:
    """The records of `patterns` (those evaluated directly)."""
    return act.filter(pattern(act, schema).isin(patterns))


def direct_rows(
    act: ir.Table, methods: list[str], ctx: Ctx, schema: Schema, patterns: list[int]
) -> ir.Table:
    """The compact rows of the records of `patterns`, evaluated directly."""
    return compact_plan(direct_records(act, patterns, schema), methods, ctx)
