"""Run methodologies over validated activity data as relational plans.

Each methodology's plan (an Ibis expression) turns the activity table into compact result rows —
numbers and keys only — so the same plan runs in-process on DuckDB (the default), or on Apache
Spark, over an in-memory table or a Parquet dataset of any size. Nothing here knows a
methodology's details. For people, `expand` joins the record attributes back and turns the
packed factor keys into factor ids.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from openmrv.engine import plans, shapes
from openmrv.engine.context import context
from openmrv.engine.hashing import Piece, content_hash
from openmrv.factors import Library, load_library
from openmrv.gases import gwp_table
from openmrv.ingest.columns import Schema
from openmrv.methods import METHODS, Options, lineage
from openmrv.methods.base import KEY_BITS, MAX_KEYS, Ctx, recorded_options

ORDER = ("source_row", "methodology", "gas")
RECORD_COLUMNS = (
    "record_id", "facility_id", "source_id", "period_start", "period_end", "year", "category",
    "fuel",
)  # fmt: skip
LINEAGE = ("source_file", "source_sha256", "file_row")  # a validated record's origin
SKIPPED_COLUMNS = (
    "source_row", "record_id", "facility_id", "category", "fuel", "methodology", "gas", "reason",
)  # fmt: skip


@dataclass
class RunResult:
    """Computed result rows, rows not computed (with reasons), and the run's metadata."""

    results: pa.Table
    skipped: pa.Table
    meta: dict[str, Any] = field(default_factory=dict)  # JSON-like (run.json)


def resolve_methods(names: list[str]) -> list[str]:
    if names in (["all"], []):
        return list(METHODS)
    unknown = [n for n in names if n not in METHODS]
    if unknown:
        raise ValueError(
            f"unknown methodology {', '.join(unknown)}; choose from {', '.join(METHODS)} or 'all'"
        )
    return names


def decode_factor_keys(key: ir.IntegerValue, lib: Library) -> ir.StringValue:
    """The 'id;id;id' text of a packed factor key (methods.base.ids), first factor first.

    Bit shifts, not `//`: Ibis compiles integer floor division to a division in floating
    point, which loses the last key of a four-key pack (values above 2**53)."""
    names = pd.Series(list(lib.keys), index=list(lib.keys.values()))
    parts = []
    for i in reversed(range(MAX_KEYS)):
        k = ((key >> (i * KEY_BITS)) & (2**KEY_BITS - 1)).cast("int64")
        parts.append(k.cases(*names.items(), else_=ibis.null("string")))
    return ibis.literal(";").join(parts).nullif("")


def expand(rows: ir.Table, act: ir.Table, lib: Library) -> ir.Table:
    """Results for people: compact rows decoded (gas, equation, tier, biogenic, scope, GWP set
    from the lineage code; factor ids from the packed keys) with their record's attributes, the
    methodology version, the heat basis and the GWP with its factor id."""
    lineage_cols = [c for c in LINEAGE if c in act.columns]
    rec = act.select("source_row", *RECORD_COLUMNS, *lineage_cols).rename(src_="source_row")
    j = rows.left_join(rec, rows.source_row == rec.src_).drop("src_")
    gases = {c: g for g, c in lineage.gas_codes(lib).items()}
    sets = {c: s for s, c in lineage.GWP_CODES.items()}
    labels = {
        f"{m.id}:{i}": e for m in METHODS.values() for i, e in enumerate(m.equations, start=1)
    }
    tier = lineage.part(j.rule, "tier")
    j = j.mutate(
        gas=lineage.part(j.rule, "gas").substitute(gases, else_=ibis.null("string")),
        equation=(j.methodology + ":" + lineage.part(j.rule, "equation").cast("string")).substitute(
            labels, else_=ibis.null("string")
        ),
        tier=(tier == 0).ifelse(ibis.null("int32"), tier).cast("int32"),
        biogenic=lineage.part(j.rule, "biogenic") == 1,
        scope=lineage.part(j.rule, "scope").cast("int32"),
        gwp_set=lineage.part(j.rule, "gwp").substitute(sets, else_=ibis.null("string")),
    )
    g = ibis.memtable(
        gwp_table(lib).rename(columns={"gwp_set": "g_set", "gas": "g_gas"})[
            ["g_set", "g_gas", "gwp", "gwp_factor_id"]
        ]
    )
    j = j.left_join(g, (j.gwp_set == g.g_set) & (j.gas == g.g_gas)).drop("g_set", "g_gas")
    versions = {m.id: m.version for m in METHODS.values()}
    bases = {m.id: m.heat_basis for m in METHODS.values()}
    return j.mutate(
        gwp=j.co2e_t.isnull().ifelse(ibis.null("float64"), j.gwp),
        methodology_version=j.methodology.substitute(versions),
        heat_basis=j.heat_gj.isnull().ifelse(ibis.null("string"), j.methodology.substitute(bases)),
        factor_ids=decode_factor_keys(j.factor_key, lib),
    )


def run_meta(
    methods: list[str],
    options: Options,
    lib: Library,
    engine: dict[str, str],
    years: list[int],
) -> dict[str, object]:
    """The pins of a run: methodology versions, factor editions, the GWP set each methodology
    applied to each reporting year of the data (`years`), engine versions."""
    ctx = Ctx(lib=lib, facilities=None, options=options)  # type: ignore[arg-type]
    return {
        "methodologies": {m: METHODS[m].version for m in methods},
        "factor_editions": {
            m: {t: METHODS[m].edition(ctx, t) for t in METHODS[m].editions} for m in methods
        },
        "gwp_set": {
            m: {str(y): METHODS[m].gwp_for_year(y, options) for y in sorted(set(years))}
            for m in methods
        },
        "options": recorded_options(options, METHODS.values()),
        "engine": {
            **engine,
            "ibis": version("ibis-framework"),
            "duckdb": version("duckdb"),
            "openmrv": version("openmrv"),
        },
    }


def run_id(meta: dict[str, object]) -> str:
    """Same inputs and pins, same id."""
    keys = ("input_hash", "methodologies", "factor_editions", "gwp_set", "options")
    return hashlib.sha256(repr([meta[k] for k in keys]).encode()).hexdigest()[:16]


def results_hash(shapes: Piece, stored: Piece, direct: Piece) -> str:
    """The hash of what a run stores (engine.shapes): the shapes, the shaped rows, the direct
    rows — the same in memory and in a dataset, on any engine."""
    parts = "|".join(content_hash(p) for p in (shapes, stored, direct))
    return hashlib.sha256(parts.encode()).hexdigest()


def calculate(
    activity: pa.Table,
    facilities: pd.DataFrame,
    methods: list[str] | None = None,
    options: Options | None = None,
    backend: ibis.BaseBackend | None = None,
    lib: Library | None = None,
    *,
    schema: Schema,
) -> RunResult:
    """Calculate every record of an in-memory table under each methodology, in process;
    return expanded results and rows not computed. (Datasets: engine.dataset.) `schema` is
    the activity's (its key and measured columns: engine.shapes)."""
    options = options or Options()
    ids = resolve_methods(methods or ["all"])
    lib = lib or load_library()
    con = backend or ibis.duckdb.connect()
    started = time.perf_counter()
    act = ibis.memtable(activity)
    ctx = context(facilities, options, lib)
    if con.name == "duckdb":  # the compiled plan (engine.plans) for keys and direct records
        plan = plans.compiled(con, ids, ctx, plans.probe_schema(act, schema))
        shp = plans.shapes_of(con, plan, shapes.key_counts(con, act, schema), schema)
        lay = shapes.layout(shp, schema)
        direct = plan.schema.empty_table()
        if lay.direct:  # records of patterns that are not products (engine.shapes)
            recs = con.to_pyarrow(shapes.direct_records(act, lay.direct, schema))
            direct = plans.run(con, plan, recs)
    else:
        shp = shapes.shapes(con, act, ids, ctx, schema)
        lay = shapes.layout(shp, schema)
        direct = con.to_pyarrow(shapes.direct_rows(act, ids, ctx, schema, lay.direct))
    s = ibis.memtable(shp)
    stored = con.to_pyarrow(shapes.stored_rows(act, s, lay, schema))
    rows = ibis.union(shapes.compact_rows(act, s, lay, schema), ibis.memtable(direct))
    full = con.to_pyarrow(expand(rows, act, lib).order_by(ORDER))
    computed = pc.is_null(full["reason"])
    results = full.filter(computed).drop_columns(["reason"])
    skipped = full.filter(pc.invert(computed)).select(list(SKIPPED_COLUMNS))
    years = pc.unique(activity["year"].drop_null()).to_pylist()
    meta = run_meta(ids, options, lib, {"backend": con.name}, years)
    meta = {
        "input_hash": content_hash(activity),
        **meta,
        "records": activity.num_rows,
        "result_rows": results.num_rows,
        "skipped_rows": skipped.num_rows,
        "seconds": round(time.perf_counter() - started, 3),
        "result_hash": results_hash(shp, stored, direct),
    }
    meta["run_id"] = run_id(meta)
    return RunResult(results=results, skipped=skipped, meta=meta)
