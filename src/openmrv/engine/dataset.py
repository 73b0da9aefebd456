"""Calculate a Parquet dataset of validated activity records, of any size, on DuckDB or Spark.

The methodologies' plans are the same expressions the in-memory path runs, by the same route
(engine.shapes): the records' distinct keys are evaluated once, then every record is joined to
its shapes and multiplied, streaming from the dataset where it lies to Parquet, so memory stays
flat however many records there are (DuckDB spills to disk when it must). A run's folder holds

- ``shapes.parquet``: per key (key columns and measured-parameter pattern) and methodology and
  gas, the lineage (``rule``, ``factor_key``), the reason when not computed, the mass, CO2e and
  heat with quantity and measured parameters at 1, and the variables each is proportional to;
- ``rows/``: per computed record and gas, ``source_row``, ``shape``, ``co2e_t`` — what a
  hand-written join-and-multiply would store (mass and heat are the shape's per-unit figures ×
  the record's quantity and measured parameters, derived on reading), records with and
  without measured parameters alike, in one pass;
- ``direct/`` (only when some pattern is not a product: engine.shapes): the compact rows
  (engine.shapes.COMPACT) of those records, evaluated one by one;
- ``factors.parquet`` (each factor key with its id and provenance) and ``run.json`` (the pins,
  the input and result hashes, timings).

`compact_view` turns these back into compact rows for every record (computed or not), each with
its record id and where the record came from (file, SHA-256, row). The output
is written to a temporary folder and renamed into place: a run that fails leaves nothing
half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from openmrv.engine import plans, shapes
from openmrv.engine.context import context
from openmrv.engine.hashing import content_hash, digest, has_parquet, parquet_glob, row_hash_sum
from openmrv.engine.run import LINEAGE, resolve_methods, results_hash, run_id, run_meta
from openmrv.factors import Library, load_library
from openmrv.files import atomic_write, into_place, temp_beside
from openmrv.ingest.columns import Schema
from openmrv.ingest.errors import InputError, Problem
from openmrv.ingest.validate import sql_string
from openmrv.methods import Options
from openmrv.methods.base import Ctx
from openmrv.settings import get_settings

ENGINES = ("duckdb", "spark")
Progress = Callable[[str, int, int], None]  # (step, done, total)


def write_part(table: pa.Table, out: Path) -> pa.Table:
    """Write a validated file as one part of the dataset in `out`'s folder, its `source_row`
    numbered on from the parts already there (their largest key, from the Parquet statistics),
    so that every record of the dataset has its own key whatever order the parts come in. The
    record keeps its file, the file's SHA-256 and its row there (`file_row`). Returns the
    table as written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    others = [p for p in out.parent.glob("*.parquet") if p.name != out.name]
    offset = max((hi for p in others for _, hi in _key_ranges(p)), default=0)
    table = table.set_column(
        table.schema.get_field_index("source_row"),
        "source_row",
        pc.add(table["file_row"], pa.scalar(offset, pa.int64())),
    )
    atomic_write(out, lambda p: pq.write_table(table, p))
    return table


def _key_ranges(path: Path) -> list[tuple[int, int]]:
    """(min, max) of `source_row` per row group of a Parquet file, from its statistics."""
    meta = pq.ParquetFile(path).metadata
    i = meta.schema.to_arrow_schema().get_field_index("source_row")
    out = []
    for g in range(meta.num_row_groups):
        st = meta.row_group(g).column(i).statistics
        if st is not None and st.has_min_max:
            out.append((int(st.min), int(st.max)))
    return out


def _shared_keys(path: Path) -> Problem | None:
    """Two parts of a dataset whose record keys (`source_row`) overlap: results could not be
    traced to one record. Found from the Parquet statistics, without reading the rows."""
    if not path.is_dir():
        return None
    spans = sorted(
        (lo, hi, p.relative_to(path).as_posix())
        for p in path.rglob("*.parquet")
        for lo, hi in _key_ranges(p)
    )
    top, a = -1, ""  # the largest key so far, and its part
    for lo2, hi2, b in spans:
        if lo2 <= top and a != b:
            return Problem(
                path.name,
                None,
                "source_row",
                None,
                f"parts {a} and {b} share record keys (source_row {lo2} and on): a result "
                "could not be traced to one record",
                "validate each file into the folder with `openmrv validate … --out "
                "FOLDER/PART.parquet` (it numbers each part's records on from the others)",
                "record",
            )
        if hi2 > top:
            top, a = hi2, b
    return None


def check_dataset(path: Path, schema: Schema) -> int:
    """The dataset's record count, after checking it has the columns of `schema` the engine
    reads; else a located InputError (the rows of a dataset are validated when they are
    ingested, not here)."""
    name = path.name
    if not path.exists():
        raise InputError([Problem(name, None, None, None, "dataset not found", "check the path")])
    con = duckdb.connect()
    try:
        rel = con.read_parquet(parquet_glob(path), hive_partitioning=True)
        types = dict(zip(rel.columns, map(str, rel.types), strict=True))
        n = rel.count("*").fetchall()[0][0]
    except duckdb.Error as exc:
        raise InputError(
            [Problem(name, None, None, None, f"not a readable Parquet dataset: {exc}", "")]
        ) from None
    finally:
        con.close()
    problems = [
        Problem(
            name,
            None,
            col,
            types.get(col),
            f"column {col!r} is missing" if col not in types else f"column {col!r} is not {t}",
            "write the dataset with `openmrv validate … --out FILE.parquet` (or from the store)",
            "record",
        )
        for col, t in schema.engine_types.items()
        if types.get(col) != t
    ]
    shared = None if problems else _shared_keys(path)
    if shared is not None:
        problems = [shared]
    if problems:
        raise InputError(problems)
    return n


def connect(engine: str = "duckdb", spark_master: str | None = None) -> ibis.BaseBackend:
    """An Ibis backend: DuckDB in process (not bound to row order, so it writes in parallel), or
    a Spark session on `spark_master` (``local[N]`` or a cluster URL; env OPENMRV_SPARK_MASTER)."""
    if engine == "duckdb":
        con = ibis.duckdb.connect()
        con.raw_sql("SET preserve_insertion_order = false")
        return con
    if engine == "spark":
        import sys

        from pyspark.sql import SparkSession

        # Spark's Python workers must be this interpreter (with our packages), not the system's.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # local mode stays on loopback

        master = spark_master or get_settings().spark_master
        session = (
            SparkSession.builder.master(master)
            .appName("openmrv")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.ansi.enabled", "false")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", get_settings().spark_memory)
            .config("spark.sql.shuffle.partitions", "8")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        return ibis.pyspark.connect(session)
    raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")


def calculate_dataset(
    activity: Path,
    facilities: pd.DataFrame,
    out: Path,
    methods: list[str] | None = None,
    options: Options | None = None,
    engine: str = "duckdb",
    spark_master: str | None = None,
    progress: Progress | None = None,
    lib: Library | None = None,
    *,
    schema: Schema,
) -> dict[str, Any]:
    """Calculate every record of a validated Parquet dataset under each methodology and write
    the results dataset to `out`; return the run metadata (also written to out/run.json).
    `schema` is the activity's (its key and measured columns: engine.shapes)."""
    options = options or Options()
    ids = resolve_methods(methods or ["all"])
    records = check_dataset(activity, schema)
    lib = lib or load_library()
    started = time.perf_counter()
    con = connect(engine, spark_master)
    tmp = temp_beside(out, folder=True)
    try:
        src = parquet_glob(activity) if engine == "duckdb" else str(activity)
        act = con.read_parquet(src)
        ctx = context(facilities, options, lib)
        found = _Found()

        def shaped() -> None:
            rows = shapes.stored_rows(act, *_shapes(con, tmp, schema), schema)
            _write(con, rows, tmp / "rows", engine)

        def direct() -> None:  # records of patterns that are not products (engine.shapes)
            patterns = shapes.direct_patterns(pq.read_schema(tmp / "shapes.parquet"))
            if not patterns:
                return
            if found.plan is not None:
                _duckdb_direct(con, found.plan, activity, tmp / "direct", schema, patterns)
            else:
                rows = shapes.direct_rows(act, ids, ctx, schema, patterns)
                _write(con, rows, tmp / "direct", engine)

        steps = [
            ("shapes", lambda: _write_shapes(con, act, ids, ctx, tmp, activity, found, schema)),
            ("records", shaped),
            ("direct records", direct),
        ]
        timings = {}
        for i, (name, step) in enumerate(steps):
            if progress:
                progress(name, i, len(steps))
            t0 = time.perf_counter()
            step()
            timings[name] = round(time.perf_counter() - t0, 3)
        if progress:
            progress("", len(steps), len(steps))
        lib.key_table().to_parquet(tmp / "factors.parquet", index=False)
        calc_seconds = time.perf_counter() - started
        meta = run_meta(ids, options, lib, _engine_info(engine, con), found.years)
        meta = {"input_hash": found.input_hash or content_hash(activity), **meta}
        meta.update(_counts(tmp), records=records, measured_records=found.measured)
        meta["seconds"] = {"calculate": round(calc_seconds, 3), "steps": timings}
        meta["plan"] = "cached" if found.plan and found.plan.cached else "compiled"
        meta["result_hash"] = results_hash(*(tmp / p for p in ("shapes.parquet", "rows", "direct")))
        meta["run_id"] = run_id(meta)
        (tmp / "run.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        into_place(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if engine == "spark":
            con._session.stop()
    return meta


@dataclass
class _Found:
    """What the shapes step learns for the later steps: the input hash (DuckDB: taken in the
    key scan), how many records carry measured parameters (for run.json), the compiled plan
    (DuckDB), the records' reporting years (for the GWP sets in run.json)."""

    input_hash: str | None = None
    measured: int = 0
    plan: plans.Compiled | None = None
    years: list[int] = field(default_factory=list)  # the reporting years of the records


def _write_shapes(
    con: ibis.BaseBackend,
    act: ir.Table,
    ids: list[str],
    ctx: Ctx,
    tmp: Path,
    activity: Path,
    found: _Found,
    schema: Schema,
) -> None:
    """Write the shapes, noting what the later steps need (`_Found`)."""

    def table(t: pa.Table) -> ir.Table:  # via Parquet: Spark's in-memory tables lose nulls
        pq.write_table(t, tmp / "probe.parquet")
        return con.read_parquet(str(tmp / "probe.parquet"))

    if con.name == "duckdb":
        shp, counts, found.input_hash, found.plan = _duckdb_shapes(
            con, act, ids, ctx, activity, schema
        )
    else:
        counts = shapes.key_counts(con, act, schema)
        shp = shapes.shapes(con, act, ids, ctx, schema, table, counts)
        (tmp / "probe.parquet").unlink(missing_ok=True)
    found.measured = pc.sum(counts.filter(pc.field(shapes.PATTERN) != 0)["records"]).as_py() or 0
    found.years = pc.unique(counts["year"].drop_null()).to_pylist()
    pq.write_table(shp, tmp / "shapes.parquet")


def _duckdb_shapes(
    con: ibis.BaseBackend, act: ir.Table, ids: list[str], ctx: Ctx, activity: Path, schema: Schema
) -> tuple[pa.Table, pa.Table, str, plans.Compiled]:
    """shapes.shapes on DuckDB, with the plan (engine.plans: from the cache, or built and
    compiled in Python) got while another thread scans the keys and hashes the input. Returns
    shapes, key counts, input hash and the plan."""
    with ThreadPoolExecutor(1) as pool:
        scan = pool.submit(_key_counts_and_hash, con.con.cursor(), activity, schema)
        plan = plans.compiled(con, ids, ctx, plans.probe_schema(act, schema))
        counts, input_hash = scan.result()
    shp = plans.shapes_of(con, plan, counts, schema)
    return shp, counts, input_hash, plan


def _duckdb_direct(
    con: ibis.BaseBackend,
    plan: plans.Compiled,
    activity: Path,
    out: Path,
    schema: Schema,
    patterns: list[int],
) -> None:
    """The compact rows of the records of `patterns`: the compiled plan over a view of those
    records, streamed from the dataset to Parquet."""
    read = f"read_parquet({sql_string(parquet_glob(activity))}, hive_partitioning = true)"
    where = f"{shapes.pattern_sql(schema)} IN ({', '.join(map(str, patterns))})"
    rows = f"SELECT {', '.join(schema.probe)} FROM {read} WHERE {where}"
    out.mkdir(parents=True)
    with plans.bound(con.con, plan, rows) as sql:
        target = sql_string(str(out / "part-0.parquet"))
        con.con.execute(f"COPY ({sql}) TO {target} (FORMAT parquet)")


def _key_counts_and_hash(
    con: duckdb.DuckDBPyConnection, activity: Path, schema: Schema
) -> tuple[pa.Table, str]:
    """shapes.key_counts and the input's content hash (engine.hashing) in one DuckDB scan."""
    rel = con.read_parquet(parquet_glob(activity), hive_partitioning=True)
    types = dict(zip(rel.columns, map(str, rel.types), strict=True))
    keys = f"{', '.join(schema.key)}, {shapes.pattern_sql(schema)}"
    agg = rel.aggregate(
        f"{keys} AS {shapes.PATTERN}, count(*) AS records, {row_hash_sum(rel.columns)} AS h_",
        keys,
    ).arrow()
    counts = agg.read_all() if hasattr(agg, "read_all") else agg
    n = pc.sum(counts["records"]).as_py() or 0
    total = sum(int(h) for h in counts["h_"].to_pylist() if h is not None)
    return counts.drop_columns(["h_"]), digest(types, n, total)


def _shapes(con: ibis.BaseBackend, out: Path, schema: Schema) -> tuple[ir.Table, shapes.Layout]:
    """A run's shapes (as a table expression) and how records meet them."""
    lay = shapes.layout(pq.read_table(out / "shapes.parquet"), schema)
    return con.read_parquet(str(out / "shapes.parquet")), lay


def _write(con: ibis.BaseBackend, rows: ir.Table, folder: Path, engine: str) -> None:
    if engine == "duckdb":
        folder.mkdir(parents=True)
        con.to_parquet(rows, folder / "part-0.parquet")
    else:
        con.to_parquet(rows, str(folder))


def compact_view(
    out: Path, activity: Path, schema: Schema, con: ibis.BaseBackend | None = None
) -> ir.Table:
    """The compact result rows of a dataset run (engine.shapes.COMPACT: every record ×
    methodology × gas, computed or not), from its shapes, its direct rows and the activity
    dataset (of `schema`) it was run on."""
    con = con or ibis.duckdb.connect()
    act = con.read_parquet(parquet_glob(activity))
    shp, lay = _shapes(con, out, schema)
    rows = [shapes.compact_rows(act, shp, lay, schema)]
    if has_parquet(out / "direct"):
        rows.append(con.read_parquet(parquet_glob(out / "direct")).select(*shapes.COMPACT))
    compact = ibis.union(*rows) if len(rows) > 1 else rows[0]
    return traced(compact, act)


def traced(rows: ir.Table, act: ir.Table) -> ir.Table:
    """Result rows with the lineage of their record: its id and, where the dataset has them,
    its source file, the file's SHA-256 and its row there."""
    cols = ["record_id", *(c for c in LINEAGE if c in act.columns)]
    rec = act.select(src_=act.source_row, **{f"{c}_": act[c] for c in cols})
    j = rows.left_join(rec, rows.source_row == rec.src_)
    return j.select(*rows.columns, **{c: j[f"{c}_"] for c in cols})


def _engine_info(engine: str, con: ibis.BaseBackend) -> dict[str, str]:
    if engine == "spark":
        session = con._session
        return {
            "backend": "pyspark",
            "spark": session.version,
            "master": session.sparkContext.master,
        }
    return {"backend": "duckdb"}


def _counts(out: Path) -> dict[str, int]:
    """Computed and skipped rows: shaped records' from the stored rows and the shapes' record
    counts, measured records' from the direct rows."""
    con = duckdb.connect()
    try:
        computed = 0
        if has_parquet(out / "rows"):
            computed = con.read_parquet(parquet_glob(out / "rows")).count("*").fetchall()[0][0]
        shp = con.read_parquet(str(out / "shapes.parquet"))
        skipped = shp.filter("reason IS NOT NULL").aggregate("coalesce(sum(records), 0)")
        skipped = skipped.fetchall()[0][0]
        if has_parquet(out / "direct"):
            rel = con.read_parquet(parquet_glob(out / "direct"))
            n, k = rel.aggregate("count(*), count(reason)").fetchall()[0]
            computed, skipped = computed + n - k, skipped + k
    finally:
        con.close()
    return {"result_rows": int(computed), "skipped_rows": int(skipped)}
