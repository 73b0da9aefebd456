"""Run methodologies over validated activity data as one relational plan.

The methods' plans (Ibis expressions) are unioned, joined to the GWP table and executed in one go
on the backend (DuckDB in-process by default). Nothing here knows a methodology's details.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass, field
from importlib.metadata import version

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from openmrv.factors import load_library
from openmrv.gases import gwp_table
from openmrv.methods import METHODS, Options
from openmrv.methods.base import Ctx

ORDER = ("source_row", "methodology", "gas")
HASH_SLICE = 65_536


@dataclass
class RunResult:
    """Computed result rows, rows not computed (with reasons), and the run's metadata."""

    results: pa.Table
    skipped: pa.Table
    meta: dict[str, object] = field(default_factory=dict)


class _Sha256Sink:
    """A write-only file object that hashes what is written (no copy of the data is kept)."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.closed = False

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def _canonical(table: pa.Table) -> pa.Table:
    """Content-only form of a table for hashing: the bytes under null slots are undefined in
    Arrow, so each column with nulls becomes (values with nulls filled, null mask)."""
    cols, names = [], []
    for name, col in zip(table.column_names, table.columns, strict=True):
        if col.null_count:
            t = col.type
            fill = (
                pa.scalar("", t)
                if pa.types.is_string(t) or pa.types.is_large_string(t)
                else pa.scalar(False)
                if pa.types.is_boolean(t)
                else pa.scalar(0, pa.int32()).cast(t)
                if pa.types.is_date(t)
                else pa.scalar(0, t)
            )
            cols += [pc.fill_null(col, fill), pc.is_null(col)]
            names += [name, f"{name}.null"]
        else:
            cols.append(col)
            names.append(name)
    return pa.table(cols, names=names)


def table_hash(table: pa.Table) -> str:
    """A content hash of an Arrow table: schema and values in row order, independent of chunking
    (re-sliced into fixed-size batches) and of the bytes under null slots; streamed in slices."""
    sink = _Sha256Sink()
    writer = None
    for start in range(0, max(table.num_rows, 1), HASH_SLICE):
        part = _canonical(table.slice(start, HASH_SLICE).combine_chunks())
        if writer is None:
            sink.digest.update(str(table.schema).encode())
            writer = pa.ipc.new_stream(pa.PythonFile(sink, mode="w"), part.schema)
        for batch in part.to_batches():
            writer.write_batch(batch)
    if writer is not None:
        writer.close()
    return sink.digest.hexdigest()


def resolve_methods(names: list[str]) -> list[str]:
    if names in (["all"], []):
        return list(METHODS)
    unknown = [n for n in names if n not in METHODS]
    if unknown:
        raise ValueError(
            f"unknown methodology {', '.join(unknown)}; choose from {', '.join(METHODS)} or 'all'"
        )
    return names


def calculate(
    activity: pa.Table,
    facilities: pd.DataFrame,
    methods: list[str] | None = None,
    options: Options | None = None,
    backend: ibis.BaseBackend | None = None,
) -> RunResult:
    """Calculate every record under each methodology; return results with lineage."""
    options = options or Options()
    ids = resolve_methods(methods or ["all"])
    lib = load_library()
    con = backend or ibis.duckdb.connect()
    started = time.perf_counter()
    act = ibis.memtable(activity)
    fac = ibis.memtable(
        facilities[
            ["facility_id", "country", "state_province", "grid_region", "ipcc_sector"]
        ].astype("string")
    )
    ctx = Ctx(lib=lib, facilities=fac, options=options)
    plans = [METHODS[m].plan(act, ctx) for m in ids]
    rows = ibis.union(*plans) if len(plans) > 1 else plans[0]
    g = ibis.memtable(gwp_table(lib).rename(columns={"gwp_set": "g_set", "gas": "g_gas"}))
    rows = rows.left_join(g, (rows.gwp_set == g.g_set) & (rows.gas == g.g_gas)).drop(
        "g_set", "g_gas"
    )
    no_gwp = rows.mass_t.notnull() & rows.gwp.isnull()
    rows = rows.mutate(
        reason=no_gwp.ifelse("no " + rows.gwp_set + " GWP for " + rows.gas, rows.reason),
        co2e_t=rows.mass_t * rows.gwp,
    )
    # Materialise once in the backend; filter and order there (parallel, out of core).
    name = f"_openmrv_rows_{uuid.uuid4().hex}"
    done = con.create_table(name, rows, temp=True)
    try:
        results = con.to_pyarrow(done.filter(done.reason.isnull()).drop("reason").order_by(ORDER))
        skipped = con.to_pyarrow(
            done.filter(done.reason.notnull())
            .select(
                "source_row",
                "record_id",
                "facility_id",
                "category",
                "fuel",
                "methodology",
                "gas",
                "reason",
            )
            .order_by(ORDER)
        )
    finally:
        con.drop_table(name, force=True)
    elapsed = time.perf_counter() - started
    meta = {
        "input_hash": table_hash(activity),
        "methodologies": {m: METHODS[m].version for m in ids},
        "factor_editions": {
            m: {t: METHODS[m].edition(ctx, t) for t in METHODS[m].editions} for m in ids
        },
        "gwp_set": options.gwp_set or {m: METHODS[m].default_gwp for m in ids},
        "options": {"cn_grid": options.cn_grid},
        "engine": {
            "backend": con.name,
            "ibis": version("ibis-framework"),
            "openmrv": version("openmrv"),
        },
        "records": activity.num_rows,
        "result_rows": results.num_rows,
        "skipped_rows": skipped.num_rows,
        "seconds": round(elapsed, 3),
        "result_hash": table_hash(results),
    }
    run_key = f"{meta['input_hash']}{meta['methodologies']}{meta['factor_editions']}{options}"
    meta["run_id"] = hashlib.sha256(run_key.encode()).hexdigest()[:16]
    return RunResult(results=results, skipped=skipped, meta=meta)
