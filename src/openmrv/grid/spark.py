"""grid.calc's query on Apache Spark, for meter-hours beyond one machine: the same SQL, its
DuckDB dialect translated to Spark's by sqlglot (so there is one query to keep right), over
Parquet files; the session is the engine's (engine.dataset.connect: local[N] or a cluster).
`differences` compares two result frames column by column (the ≤ 1e-9 equality check)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import sqlglot

from openmrv.grid import calc

__all__ = ["INPUTS", "differences", "scope2", "scope2_sql"]

INPUTS = ("load", "supply", "factors", "annual")


def scope2_sql(threshold_gwh: float) -> str:
    """calc.scope2_sql in Spark SQL."""
    return sqlglot.transpile(calc.scope2_sql(threshold_gwh), read="duckdb", write="spark")[0]


def scope2(
    parquet: Mapping[str, Path], threshold_gwh: float = 5.0, spark_master: str | None = None
) -> pd.DataFrame:
    """The per facility-year results (calc.RESULT_COLUMNS) of the Parquet inputs named by
    INPUTS (calc.register's columns), computed by Spark."""
    from openmrv.engine.dataset import connect

    session = connect("spark", spark_master)._session
    try:
        for name in INPUTS:
            session.read.parquet(str(parquet[name])).createOrReplaceTempView(f"{name}_in")
        df = session.sql(scope2_sql(threshold_gwh)).toPandas()
    finally:
        session.stop()
    return df[list(calc.RESULT_COLUMNS)]


def differences(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, float]:
    """Per numeric column, the largest relative difference |a − b| / |b| of two result frames in
    the same row order (0 where both are 0); ValueError where their rows, nulls or other
    columns differ."""
    if len(a) != len(b):
        raise ValueError(f"{len(a)} rows against {len(b)}")
    out = {}
    for c in calc.RESULT_COLUMNS:
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if c in ("facility_id", "market", "factor_sources", "below_threshold"):
            if [str(v) for v in x] != [str(v) for v in y]:
                raise ValueError(f"column {c} differs")
            continue
        x, y = pd.to_numeric(a[c]).to_numpy(float), pd.to_numeric(b[c]).to_numpy(float)
        if (np.isnan(x) != np.isnan(y)).any():
            raise ValueError(f"column {c}: nulls differ")
        ok = ~np.isnan(y)
        diff = np.abs(x[ok] - y[ok])
        out[c] = float((diff / np.maximum(np.abs(y[ok]), 1e-300)).max(initial=0.0))
    return out
