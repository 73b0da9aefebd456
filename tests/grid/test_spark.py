"""grid.calc's query on Spark (real PySpark, local[2]) gives the DuckDB results to 1e-9: a few
thousand seeded meter-hours across a year end, with storage charge and discharge, excess
supply, marginal rows (ignored), hours without a factor (annual fallback) and a region without
any factor for a year (missing hours: hourly results empty on both)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from openmrv.grid import calc, spark

HOURS = 800  # from 2024-12-20: two reporting years


def _inputs(tmp: Path) -> dict[str, Path]:
    rng = np.random.default_rng(19)
    hours = pd.date_range("2024-12-20", periods=HOURS, freq="h")
    facs = [("fa", "A"), ("fb", "A"), ("fc", "B")]
    load = [
        pd.DataFrame({"meter_id": f"{f}-{i}", "facility_id": f, "market": m, "hour": hours,
                      "mwh": rng.uniform(0.5, 2.0, HOURS)})
        for f, m in facs for i in range(2)
    ]  # fmt: skip
    kinds = ["generation", "storage_charge", "storage_discharge"]
    supply = [
        pd.DataFrame({"meter_id": f"{f}-{k}", "facility_id": f, "market": m, "kind": k,
                      "hour": hours, "mwh": rng.uniform(0, 3.0, HOURS) * (rng.random(HOURS) < .6)})
        for f, m in facs for k in kinds
    ]  # fmt: skip
    factors = [
        pd.DataFrame({"region": r, "signal": s, "hour": hours, "ef_t_per_mwh": rng.uniform(
            0.1, 0.8, HOURS), "cfe_fraction": rng.uniform(0, 1, HOURS), "source": f"hub {r}",
            "edition": "2025"})
        for r in ("A", "B") for s in ("average", "marginal")
    ]  # fmt: skip
    f = pd.concat(factors, ignore_index=True)
    gap = (f.region == "A") & (rng.random(len(f)) < 0.1)  # fall back to the annual factor
    none_b = (f.region == "B") & (f.hour.dt.year == 2024)  # B has no 2024 annual: missing
    f = f[~gap & ~none_b]
    annual = pd.DataFrame({"region": ["A", "A", "B"], "year": [2024, 2025, 2025],
                           "ef_t_per_mwh": [0.45, 0.4, 0.6], "cfe_fraction": [0.3, 0.35, 0.2],
                           "source": "eGRID", "edition": "2023"})  # fmt: skip
    out = {}
    for name, df in (("load", pd.concat(load)), ("supply", pd.concat(supply)), ("factors", f),
                     ("annual", annual)):  # fmt: skip
        out[name] = tmp / f"{name}.parquet"
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), out[name])
    return out


@pytest.mark.slow
def test_spark_gives_the_duckdb_results(tmp_path: Path) -> None:
    files = _inputs(tmp_path)
    con = duckdb.connect()
    calc.register(con, {n: con.read_parquet(str(p)) for n, p in files.items()})
    duck = con.execute(calc.scope2_sql(10.0)).df()
    on_spark = spark.scope2(files, 10.0, "local[2]")
    assert len(duck) == 6  # 3 facilities × 2 years
    assert duck.fallback_hours.sum() > 0 and duck.excess_mwh.min() > 0
    b24 = duck[(duck.facility_id == "fc") & (duck.year == 2024)].iloc[0]
    assert b24.missing_factor_hours == 12 * 24 and pd.isna(b24.location_hourly_t)
    worst = spark.differences(on_spark, duck)
    assert max(worst.values()) <= 1e-9, worst


def test_differences_catch_a_changed_result() -> None:
    a = pd.DataFrame([dict.fromkeys(calc.RESULT_COLUMNS, 1.0)])
    a[["facility_id", "market", "factor_sources"]] = "x"
    b = a.copy()
    b["cfe_score"] = 1.0 + 1e-6
    assert spark.differences(b, a)["cfe_score"] == pytest.approx(1e-6)
    b["market"] = "y"
    with pytest.raises(ValueError, match="market"):
        spark.differences(b, a)
