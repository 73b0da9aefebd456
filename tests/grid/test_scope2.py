"""Hourly vs annual Scope 2 and the 24/7 CFE score, through `openmrv grid scope2`.

The first test is the reference's worked example (shared/reference/modules/
hourly-scope2-smart-grid.md §2: CFE 53.75 %, hourly-matched 37.5 %, annual match 50 %,
location-based 16.0 t, hourly market-based 11.5 t). The others are hand-computed from the
same definitions; each states its arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.grid.helpers import (
    ANNUAL_HEAD,
    LOAD_HEAD,
    SUPPLY_HEAD,
    factor_file,
    load_file,
    scope2,
    supply_file,
    write,
)

DATA = Path(__file__).parent / "data" / "worked"
WORKED_EF = [500, 300, 300, 500]  # kg/MWh = 0.5, 0.3, 0.3, 0.5 t/MWh
WORKED_CFE = [0.2, 0.5, 0.5, 0.2]


def test_worked_example_of_the_reference_through_the_cli() -> None:
    # The files mix MWh, kWh and Wh and carry a marginal signal that must not be used.
    [r] = scope2(
        "--load", DATA / "load.csv", "--supply", DATA / "supply.csv",
        "--factors", DATA / "factors.csv",
    )  # fmt: skip
    assert r["cfe_score"] == pytest.approx(0.5375)
    assert r["hourly_matched_share"] == pytest.approx(0.375)
    assert r["annual_match"] == pytest.approx(0.50)
    assert r["location_hourly_t"] == pytest.approx(16.0)
    assert r["market_hourly_t"] == pytest.approx(11.5)
    assert (r["load_mwh"], r["clean_supply_mwh"], r["excess_mwh"]) == (40.0, 20.0, 5.0)
    assert r["residual_mwh"] == pytest.approx(25.0) and r["hours"] == 4


def test_excess_supply_is_not_carried_to_another_hour(tmp_path: Path) -> None:
    # L = 10, 10; P = 30, 0: matched 10 + 0, excess 20 lost; CFE (10 + 10×0.5)/20 = 0.75;
    # hourly market-based 10 × 0.4 = 4.0 t; annual volumes cover the load: 0 t at 0.4 t/MWh.
    annual = write(tmp_path / "a.csv", ANNUAL_HEAD, ["PJM,2025,400,0.5,test,1"])
    [r] = scope2(
        "--load", load_file(tmp_path / "l.csv", [10, 10]),
        "--supply", supply_file(tmp_path / "s.csv", [("generation", 0, 30), ("generation", 1, 0)]),
        "--factors", factor_file(tmp_path / "f.csv", [400, 400], [0.5, 0.5]),
        "--annual", annual,
    )  # fmt: skip
    assert r["matched_mwh"] == 10 and r["excess_mwh"] == 20
    assert r["cfe_score"] == pytest.approx(0.75)
    assert r["annual_match"] == pytest.approx(1.5)
    assert r["market_hourly_t"] == pytest.approx(4.0)
    assert r["market_annual_t"] == pytest.approx(0.0)
    assert r["location_annual_t"] == pytest.approx(8.0)  # 20 MWh × 0.4


def test_storage_shifts_clean_supply_between_hours(tmp_path: Path) -> None:
    # The worked example with 5 MWh of hour 2's excess charged and 4.5 MWh discharged in
    # hour 4 (90 % round trip): P = 0, 10, 5, 4.5; matched 19.5;
    # CFE (2 + 10 + 7.5 + 4.5 + 5.5×0.2)/40 = 25.1/40; market hourly 5 + 0 + 1.5 + 5.5×0.5.
    s = supply_file(
        tmp_path / "s.csv",
        [("generation", 1, 15), ("generation", 2, 5),
         ("storage_charge", 1, 5), ("storage_discharge", 3, 4.5)],
    )  # fmt: skip
    [r] = scope2(
        "--load", load_file(tmp_path / "l.csv", [10] * 4), "--supply", s,
        "--factors", factor_file(tmp_path / "f.csv", WORKED_EF, WORKED_CFE),
    )  # fmt: skip
    assert r["cfe_score"] == pytest.approx(25.1 / 40)
    assert r["hourly_matched_share"] == pytest.approx(19.5 / 40)
    assert r["excess_mwh"] == pytest.approx(0.0)
    assert r["market_hourly_t"] == pytest.approx(9.25)


def test_charging_beyond_clean_supply_is_grid_load(tmp_path: Path) -> None:
    # Hour 1: load 10, no generation, 2 MWh charged from the grid: load 12, all unmatched.
    s = supply_file(tmp_path / "s.csv", [("storage_charge", 0, 2)])
    [r] = scope2(
        "--load", load_file(tmp_path / "l.csv", [10]), "--supply", s,
        "--factors", factor_file(tmp_path / "f.csv", [500], [0.2]),
    )  # fmt: skip
    assert r["load_mwh"] == pytest.approx(12.0)
    assert r["market_hourly_t"] == pytest.approx(6.0)


def _local_day(path: Path, day: str, stamps: list[str]) -> Path:
    rows = [f"m1,dc,PJM,{day} {s},1,MWh" for s in stamps]
    return write(path, LOAD_HEAD, rows)


def test_dst_days_have_23_and_25_hours(tmp_path: Path) -> None:
    # Spring forward (9 March 2025, New York): 02:00 does not exist, 23 hours of 1 MWh.
    spring = [f"{h:02d}:00" for h in range(24) if h != 2]
    # Fall back (2 November 2025): 01:00 happens twice, given with its UTC offset: 25 hours.
    fall = [f"{h:02d}:00" for h in range(24) if h != 1] + ["01:00-04:00", "01:00-05:00"]
    annual = write(tmp_path / "a.csv", ANNUAL_HEAD, ["PJM,2025,500,0.3,test,1"])
    for day, stamps, n in (("2025-03-09", spring, 23), ("2025-11-02", fall, 25)):
        [r] = scope2(
            "--load", _local_day(tmp_path / f"{n}.csv", day, stamps),
            "--annual", annual, "--tz", "America/New_York",
        )  # fmt: skip
        assert (r["hours"], r["load_mwh"]) == (n, n)
        # No hourly factors: every hour falls back to the annual 0.5 t/MWh, flagged.
        assert r["fallback_hours"] == n
        assert r["location_hourly_t"] == pytest.approx(0.5 * n)
        assert r["cfe_score"] == pytest.approx(0.3)


def test_end_of_interval_stamps_give_the_same_hours(tmp_path: Path) -> None:
    rows = [f"m1,dc,PJM,2025-06-01 {h:02d}:00Z,10,MWh" for h in range(1, 5)]  # ends 01..04
    load = write(tmp_path / "l.csv", LOAD_HEAD, rows)
    p = [0, 15, 5, 0]
    supply = write(tmp_path / "s.csv", SUPPLY_HEAD,
                   [f"pv,dc,PJM,generation,2025-06-01 {h + 1:02d}:00Z,{v},MWh"
                    for h, v in enumerate(p)])  # fmt: skip
    [r] = scope2(
        "--load", load, "--convention", "end", "--supply", supply,
        "--factors", DATA / "factors.csv",
    )  # fmt: skip
    assert r["cfe_score"] == pytest.approx(0.5375)
    assert r["market_hourly_t"] == pytest.approx(11.5)


def test_missing_factor_hours_fall_back_or_are_reported(tmp_path: Path) -> None:
    # Hourly factors for 3 of 4 hours; the 4th falls back to the annual 0.4 t/MWh:
    # location 10×(0.5+0.3+0.3) + 10×0.4 = 15.0 t, one flagged hour.
    load = load_file(tmp_path / "l.csv", [10] * 4)
    f = factor_file(tmp_path / "f.csv", WORKED_EF[:3], WORKED_CFE[:3])
    annual = write(tmp_path / "a.csv", ANNUAL_HEAD, ["PJM,2025,400,0.3,test,1"])
    [r] = scope2("--load", load, "--factors", f, "--annual", annual)
    assert r["fallback_hours"] == 1 and r["missing_factor_hours"] == 0
    assert r["location_hourly_t"] == pytest.approx(15.0)
    # Without an annual factor the hour has none: no hourly total rather than a low one.
    [r] = scope2("--load", load, "--factors", f)
    assert r["missing_factor_hours"] == 1 and r["location_hourly_t"] is None


def test_supply_in_another_market_is_not_matched(tmp_path: Path) -> None:
    s = supply_file(tmp_path / "s.csv", [("generation", 0, 10)], market="ERCO")
    rows = scope2(
        "--load", load_file(tmp_path / "l.csv", [10]), "--supply", s,
        "--factors", factor_file(tmp_path / "f.csv", [500], [0.2]),
    )  # fmt: skip
    pjm = next(r for r in rows if r["market"] == "PJM")
    assert pjm["matched_mwh"] == 0 and pjm["market_hourly_t"] == pytest.approx(5.0)


@pytest.mark.parametrize(("threshold", "below"), [("5", False), ("10", True), ("50", True)])
def test_exemption_threshold(tmp_path: Path, threshold: str, below: bool) -> None:
    # Two facilities, 3 + 3 GWh in the year: organisation total 6 GWh.
    a = load_file(tmp_path / "a.csv", [3000], fac="a")
    b = write(tmp_path / "b.csv", LOAD_HEAD,
              [*a.read_text().splitlines()[1:], "m-b,b,PJM,2025-06-01 00:00Z,3,GWh"])  # fmt: skip
    b.write_text(b.read_text().replace("3,GWh", "3000,MWh"))
    rows = scope2("--load", b, "--threshold-gwh", threshold)
    assert [r["org_load_gwh"] for r in rows] == [6.0, 6.0]
    assert {r["below_threshold"] for r in rows} == {below}
