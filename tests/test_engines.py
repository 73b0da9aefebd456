"""One plan, two engines: DuckDB and Apache Spark (real PySpark, local[2]) give the same result
rows; runs are reproducible from their pins; the dataset path writes a self-describing output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import ibis
import pandas as pd
import pyarrow.parquet as pq
import pytest

from openmrv.combustion.schema import ACTIVITY
from openmrv.engine import calculate
from openmrv.engine.context import context
from openmrv.engine.dataset import calculate_dataset, check_dataset, compact_view
from openmrv.engine.shapes import compact_plan, compact_rows, layout, shapes
from openmrv.factors import load_library
from openmrv.ingest.errors import InputError
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import validate_activity, validate_facilities
from openmrv.methods import Options
from openmrv.methods.base import KEY_BITS
from tests.conftest import newer_hub_library

ROOT = Path(__file__).resolve().parents[1]
KEY = ["methodology", "source_row", "rule"]
NUMBERS = ["mass_t", "co2e_t", "heat_gj"]


def _example(tmp: Path) -> tuple[pd.DataFrame, Path]:
    fac = validate_facilities(read_table(ROOT / "examples" / "facilities.csv"))
    checked = validate_activity(
        read_table(ROOT / "examples" / "activity.csv"), set(fac.facility_id)
    )
    path = tmp / "activity.parquet"
    pq.write_table(checked.table, path)
    return fac, path


def _generated(tmp: Path, n: int) -> tuple[pd.DataFrame, Path]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from datagen import facilities, validated

    path = tmp / "generated"
    validated(n, path)
    return facilities(), path


def _rows(out: Path, act: Path) -> pd.DataFrame:
    """Every record's compact rows (computed or not), from the run's shapes and direct rows."""
    return compact_view(out, act, ACTIVITY).to_pandas().sort_values(KEY, ignore_index=True)


def _stored(out: Path) -> pd.DataFrame:
    """The per-record rows the run stored for records without measured parameters."""
    df = duckdb.connect().read_parquet(str(out / "rows" / "**" / "*.parquet")).df()
    return df.sort_values(["source_row", "shape"], ignore_index=True)


def _assert_same(a: pd.DataFrame, b: pd.DataFrame, keys=(*KEY, "factor_key", "reason")) -> None:
    assert len(a) == len(b) > 0
    for c in keys:
        assert a[c].astype(str).tolist() == b[c].astype(str).tolist(), c
    for c in (n for n in NUMBERS if n in a):
        x, y = a[c].to_numpy(float), b[c].to_numpy(float)
        assert ((x != x) == (y != y)).all(), f"{c}: nulls differ"
        ok = x == x
        rel = abs(x[ok] - y[ok]) / pd.Series(abs(x[ok])).clip(lower=1e-300).to_numpy()
        assert rel.max(initial=0.0) <= 1e-9, f"{c}: max relative difference {rel.max()}"


@pytest.mark.slow
def test_spark_and_duckdb_agree_on_the_example_dataset(tmp_path):
    fac, act = _example(tmp_path)
    d = calculate_dataset(act, fac, tmp_path / "duck", engine="duckdb", schema=ACTIVITY)
    s = calculate_dataset(
        act, fac, tmp_path / "spark", engine="spark", spark_master="local[2]", schema=ACTIVITY
    )
    assert s["engine"]["backend"] == "pyspark" and s["engine"]["master"] == "local[2]"
    assert d["result_rows"] == s["result_rows"] > 1000
    _assert_same(_rows(tmp_path / "duck", act), _rows(tmp_path / "spark", act))
    duck, spark = _stored(tmp_path / "duck"), _stored(tmp_path / "spark")
    _assert_same(duck, spark, keys=("source_row", "shape"))


@pytest.mark.slow
def test_spark_and_duckdb_agree_on_one_million_generated_records(tmp_path):
    fac, act = _generated(tmp_path, 1_000_000)
    d = calculate_dataset(act, fac, tmp_path / "duck", engine="duckdb", schema=ACTIVITY)
    s = calculate_dataset(
        act, fac, tmp_path / "spark", engine="spark", spark_master="local[2]", schema=ACTIVITY
    )
    assert d["records"] == s["records"] == 1_000_000
    assert d["result_rows"] == s["result_rows"] and d["skipped_rows"] == s["skipped_rows"]
    _assert_same(_rows(tmp_path / "duck", act), _rows(tmp_path / "spark", act))
    _assert_same(_stored(tmp_path / "duck"), _stored(tmp_path / "spark"), ("source_row", "shape"))


def test_dataset_path_matches_in_memory_path(tmp_path):
    fac, act = _example(tmp_path)
    meta = calculate_dataset(act, fac, tmp_path / "out", schema=ACTIVITY)
    run = calculate(pq.read_table(act), fac, schema=ACTIVITY)
    assert meta["result_hash"] == run.meta["result_hash"]
    assert meta["input_hash"] == run.meta["input_hash"]
    assert meta["result_rows"] == run.meta["result_rows"]
    keys = pd.read_parquet(tmp_path / "out" / "factors.parquet")
    used = set(_rows(tmp_path / "out", act).factor_key.dropna().astype("int64"))
    assert used and {k % 2**KEY_BITS for k in used} <= set(keys.factor_key)
    written = json.loads((tmp_path / "out" / "run.json").read_text())
    assert written["run_id"] == meta["run_id"]


def test_same_pins_same_hash_new_edition_changes_it(tmp_path):
    fac, act = _example(tmp_path)
    first = calculate_dataset(act, fac, tmp_path / "a", methods=["epa_hub_ghgp"], schema=ACTIVITY)
    again = calculate_dataset(act, fac, tmp_path / "b", methods=["epa_hub_ghgp"], schema=ACTIVITY)
    assert first["result_hash"] == again["result_hash"] and first["run_id"] == again["run_id"]

    # A library with a second edition of Hub Table 1 (every CO2 factor 1 % higher).
    lib = newer_hub_library(tmp_path)
    assert not lib.problems
    opts = Options(editions={"epa_hub_t1": "2099"})
    newer = calculate_dataset(
        act, fac, tmp_path / "c", ["epa_hub_ghgp"], opts, lib=lib, schema=ACTIVITY
    )
    assert newer["result_hash"] != first["result_hash"] and newer["run_id"] != first["run_id"]
    changed = {
        t
        for t, e in newer["factor_editions"]["epa_hub_ghgp"].items()
        if first["factor_editions"]["epa_hub_ghgp"][t] != e
    }
    assert changed == {"epa_hub_t1"}


def test_dataset_without_the_validated_schema_is_refused(tmp_path):
    path = tmp_path / "raw.parquet"
    pq.write_table(read_table(ROOT / "examples" / "activity.csv").table, path)
    with pytest.raises(InputError) as exc:
        check_dataset(path, ACTIVITY)
    text = "\n".join(map(str, exc.value.problems))
    assert "qty_kind" in text and "openmrv validate" in text
    assert not (tmp_path / "out").exists()


def test_shaped_route_equals_direct_evaluation(tmp_path):
    """Factorised evaluation (engine.shapes: the plans on a few probes per distinct key and
    measured-parameter pattern, then per-unit figures × quantity × measured parameters) gives
    the rows that evaluating the plans on every record gives — same lineage, reasons and
    factors, figures equal to rounding — for the example records, measured ones included, every
    one of them on the shaped route (no pattern left to direct evaluation)."""
    fac, path = _example(tmp_path)
    table = pq.read_table(path)
    con = ibis.duckdb.connect()
    act = ibis.memtable(table)
    ctx = context(fac, Options(), load_library())
    methods = ["epa_part98_c", "epa_hub_ghgp", "cn_mee", "ipcc2006_t1"]
    direct = con.to_pyarrow(compact_plan(act, methods, ctx)).to_pandas()
    shp = shapes(con, act, methods, ctx, ACTIVITY)
    lay = layout(shp, ACTIVITY)
    assert lay.direct == []
    assert len(set(shp["pattern"].to_pylist())) >= 4  # HHV; NCV and C; CEMS; none
    shaped = con.to_pyarrow(compact_rows(act, ibis.memtable(shp), lay, ACTIVITY)).to_pandas()
    direct, shaped = (d.sort_values(KEY, ignore_index=True) for d in (direct, shaped))
    assert direct.co2e_t.notna().sum() > 500
    _assert_same(direct, shaped)
    x, y = direct.co2e_t.to_numpy(float), shaped.co2e_t.to_numpy(float)
    ok = x == x
    assert (abs(x[ok] - y[ok]) <= 1e-12 * abs(x[ok])).all()


def test_compiled_plan_is_reused_only_under_the_same_pins(tmp_path, monkeypatch):
    """engine.plans: a second run with the same pins takes the compiled plan from the cache and
    gives the same results; another facility attribute, GWP set or factor library compiles the
    plan again (and changes the results); a damaged entry is compiled again; "off" never caches."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("OPENMRV_PLAN_CACHE", str(cache))
    fac, act = _example(tmp_path)

    def run(name: str, facilities: pd.DataFrame = fac, **kw) -> dict:
        return calculate_dataset(act, facilities, tmp_path / name, **kw, schema=ACTIVITY)

    first, again = run("a"), run("b")
    assert (first["plan"], again["plan"]) == ("compiled", "cached")
    assert first["result_hash"] == again["result_hash"]
    _assert_same(_stored(tmp_path / "a"), _stored(tmp_path / "b"), ("source_row", "shape"))

    moved = fac.copy()  # the Arizona plant's grid subregion: its Scope 2 factors change
    moved.loc[moved.facility_id == "FAC-AZ-PV", "grid_region"] = "CAMX"
    ar4 = Options(gwp_set="AR4")
    others = [
        run("c", moved),
        run("d", options=ar4),
        run("e", methods=["epa_hub_ghgp"], lib=newer_hub_library(tmp_path)),
    ]
    assert [m["plan"] for m in others] == ["compiled"] * 3
    assert len({first["result_hash"], *(m["result_hash"] for m in others)}) == 4
    assert run("f", moved)["result_hash"] == others[0]["result_hash"]
    assert len(list(cache.iterdir())) == 4

    for table in cache.glob("*/tables/*.arrow"):  # damaged entries: compiled again
        table.write_bytes(b"not arrow")
    assert run("g")["plan"] == "compiled"
    assert run("h")["plan"] == "cached"

    monkeypatch.setenv("OPENMRV_PLAN_CACHE", "off")
    assert run("i")["plan"] == run("j")["plan"] == "compiled"
