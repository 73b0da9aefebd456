"""Bad interval data is refused with located problems and nothing is written; good data from
CSV and Parquet becomes the same UTC meter-hours (sub-hourly summed, units converted)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.grid.helpers import LOAD_HEAD, SUPPLY_HEAD, grid, scope2, write

GOOD = [f"m1,dc,PJM,2025-06-01 {h:02d}:00Z,1,MWh" for h in range(3)]

BAD = {
    "gap": (
        [GOOD[0], GOOD[2]],
        "row 3, column 'timestamp'",
        "a gap: meter m1 has no reading from 2025-06-01 01:00 to 2025-06-01 02:00 UTC",
    ),
    "duplicate": ([*GOOD, GOOD[1]], "row 5, column 'timestamp'", "a duplicate interval"),
    "dst nonexistent": (
        ["m1,dc,PJM,2025-03-09 02:00,1,MWh"],
        "row 2, column 'timestamp'",
        "does not exist in America/New_York",
    ),
    "dst ambiguous": (
        ["m1,dc,PJM,2025-11-02 01:00,1,MWh"],
        "row 2, column 'timestamp'",
        "ambiguous local time",
    ),
    "unit": ([GOOD[0], "m1,dc,PJM,2025-06-01 01:00Z,1,GJ"], "row 3, column 'unit'",
             "not an electricity unit"),
    "negative": ([GOOD[0], "m1,dc,PJM,2025-06-01 01:00Z,-1,MWh"], "row 3, column 'value'",
                 "must be a number ≥ 0"),
    "overlapping intervals": (
        ["m1,dc,PJM,2025-06-01 00:00Z,1,MWh,60", "m1,dc,PJM,2025-06-01 00:30Z,1,MWh,30"],
        "row 3, column 'timestamp'",
        "overlaps the interval of row 2",
    ),
    "meter under two facilities": (
        [GOOD[0], "m1,other,PJM,2025-06-01 01:00Z,1,MWh"],
        "row 2, column 'meter_id'",
        "reported under two facilities or markets",
    ),
    "bad stamp": (["m1,dc,PJM,1 June 2025,1,MWh"], "row 2, column 'timestamp'",
                  "not a date and time"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD)
def test_bad_interval_data_is_located_and_nothing_is_written(tmp_path: Path, case: str) -> None:
    rows, where, problem = BAD[case]
    head = LOAD_HEAD + (",interval_minutes" if case == "overlapping intervals" else "")
    f = write(tmp_path / "load.csv", head, rows)
    dataset = tmp_path / "ds"
    r = grid("load", f, dataset, "--tz", "America/New_York")
    assert r.exit_code != 0
    assert f"load.csv, {where}" in r.output and problem in r.output, r.output
    assert not dataset.exists()


def test_unknown_supply_kind_is_located(tmp_path: Path) -> None:
    f = write(tmp_path / "s.csv", SUPPLY_HEAD, ["pv,dc,PJM,wind,2025-06-01 00:00Z,1,MWh"])
    r = grid("check", f, "--supply")
    assert r.exit_code != 0 and "s.csv, row 2, column 'kind'" in r.output


def test_sub_hourly_parquet_and_a_dataset_give_the_hourly_totals(tmp_path: Path) -> None:
    # 15-minute readings in kWh (4 × 2,500 kWh = 10 MWh an hour), local time in New York,
    # read from Parquet, loaded to a dataset, then accounted from the dataset.
    stamps = [f"2025-06-01 {h:02d}:{m:02d}" for h in range(4) for m in (0, 15, 30, 45)]
    t = pa.table({
        "meter_id": ["m1"] * 16, "facility_id": ["dc"] * 16, "market": ["PJM"] * 16,
        "timestamp": stamps, "value": ["2500"] * 16, "unit": ["kWh"] * 16,
        "interval_minutes": ["15"] * 16,
    })  # fmt: skip
    pq.write_table(t, tmp_path / "load.parquet")
    ds = tmp_path / "ds"
    r = grid("load", tmp_path / "load.parquet", ds, "--tz", "America/New_York")
    assert r.exit_code == 0, r.output
    meta = pq.read_schema(next(ds.rglob("*.parquet"))).metadata
    assert b"local time without offset read in America/New_York" in meta[b"openmrv.grid.source"]
    [r1] = scope2("--load", ds)
    assert (r1["hours"], r1["load_mwh"]) == (4, 40.0)
    # New York is UTC-4 in June: the first hour is 04:00 UTC.
    hours = pq.read_table(ds).column("hour").to_pylist()
    assert str(min(hours)) == "2025-06-01 04:00:00"
