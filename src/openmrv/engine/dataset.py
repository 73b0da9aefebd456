"""Calculate a Parquet dataset of validated activity records, of any size, on DuckDB or Spark.

The methodologies' plans are the same expressions the in-memory path runs; here they read the
dataset where it lies and stream their rows into a Parquet dataset, one partition per
methodology (``results/methodology=<id>/``), so memory stays flat however many records there are
(DuckDB spills to disk when it must). Beside the results go ``factors.parquet`` (each factor key
with its id and provenance, to read ``factor_key`` without the library) and ``run.json`` (the
pins, the input and result hashes, timings). The output is written to a temporary folder and
renamed into place: a run that fails leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import ibis
import pandas as pd

from openmrv.engine.hashing import content_hash, parquet_glob
from openmrv.engine.run import plans, resolve_methods, run_id, run_meta
from openmrv.factors import Library, load_library
from openmrv.ingest.errors import InputError, Problem
from openmrv.methods import Options

ENGINES = ("duckdb", "spark")
# The validated activity schema the plans read (ingest.validate's typed output).
REQUIRED = {
    "source_row": "BIGINT", "record_id": "VARCHAR", "facility_id": "VARCHAR",
    "period_start": "DATE", "period_end": "DATE", "year": "INTEGER", "category": "VARCHAR",
    "fuel": "VARCHAR", "fuel_state": "VARCHAR", "biogenic": "BOOLEAN", "unit": "VARCHAR",
    "unit_key": "VARCHAR", "qty_kind": "VARCHAR", "qty": "DOUBLE", "energy_basis": "VARCHAR",
    "hhv": "DOUBLE", "ncv": "DOUBLE", "carbon_content": "DOUBLE", "carbon_content_per": "VARCHAR",
    "oxidation_factor": "DOUBLE", "molecular_weight": "DOUBLE", "measured_co2_t": "DOUBLE",
    "boiler_ratio_b": "DOUBLE", "tier": "INTEGER", "instrument": "VARCHAR",
}  # fmt: skip

Progress = Callable[[str, int, int], None]  # (methodology, done, total)


def check_dataset(path: Path) -> int:
    """The dataset's record count, after checking it has the validated schema; else a located
    InputError (the rows of a dataset are validated when they are ingested, not here)."""
    name = path.name
    if not path.exists():
        raise InputError([Problem(name, None, None, None, "dataset not found", "check the path")])
    con = duckdb.connect()
    try:
        rel = con.read_parquet(parquet_glob(path), hive_partitioning=True)
        types = dict(zip(rel.columns, map(str, rel.types), strict=True))
        n = rel.count("*").fetchone()[0]
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
        for col, t in REQUIRED.items()
        if types.get(col) != t
    ]
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

        master = spark_master or os.environ.get("OPENMRV_SPARK_MASTER", "local[2]")
        session = (
            SparkSession.builder.master(master)
            .appName("openmrv")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.ansi.enabled", "false")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", os.environ.get("OPENMRV_SPARK_MEMORY", "4g"))
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
) -> dict[str, object]:
    """Calculate every record of a validated Parquet dataset under each methodology and write
    the results dataset to `out`; return the run metadata (also written to out/run.json)."""
    options = options or Options()
    ids = resolve_methods(methods or ["all"])
    records = check_dataset(activity)
    lib = lib or load_library()
    started = time.perf_counter()
    con = connect(engine, spark_master)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        src = parquet_glob(activity) if engine == "duckdb" else str(activity)
        act = con.read_parquet(src)
        timings = {}
        for i, (m, plan) in enumerate(plans(act, facilities, ids, options, lib).items()):
            if progress:
                progress(m, i, len(ids))
            t0 = time.perf_counter()
            part = tmp / "results" / f"methodology={m}"
            rows = plan.drop("methodology")
            if engine == "duckdb":
                part.mkdir(parents=True)
                con.to_parquet(rows, part / "part-0.parquet")
            else:
                con.to_parquet(rows, str(part))
            timings[m] = round(time.perf_counter() - t0, 3)
        if progress:
            progress("", len(ids), len(ids))
        lib.key_table().to_parquet(tmp / "factors.parquet", index=False)
        calc_seconds = time.perf_counter() - started
        meta = run_meta(ids, options, lib, _engine_info(engine, con))
        meta = {"input_hash": content_hash(activity), **meta}
        meta.update(_counts(tmp / "results"), records=records)
        meta["seconds"] = {"calculate": round(calc_seconds, 3), "by_methodology": timings}
        meta["result_hash"] = content_hash(tmp / "results")
        meta["run_id"] = run_id(meta)
        (tmp / "run.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if engine == "spark":
            con._session.stop()
    return meta


def _engine_info(engine: str, con: ibis.BaseBackend) -> dict[str, str]:
    if engine == "spark":
        session = con._session
        return {
            "backend": "pyspark",
            "spark": session.version,
            "master": session.sparkContext.master,
        }
    return {"backend": "duckdb"}


def _counts(results: Path) -> dict[str, int]:
    con = duckdb.connect()
    try:
        rel = con.read_parquet(parquet_glob(results), hive_partitioning=True)
        n, skipped = rel.aggregate("count(*), count(reason)").fetchone()
    finally:
        con.close()
    return {"result_rows": n - skipped, "skipped_rows": skipped}
