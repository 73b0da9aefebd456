"""Hourly grid factors from user files: located problems, provenance carried to the results,
marginal signals never in the inventory, the annual fallback flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.grid.helpers import ANNUAL_HEAD, FACTOR_HEAD, grid, load_file, scope2, write


@pytest.mark.parametrize(
    ("row", "where", "problem"),
    [
        ("PJM,2025-06-01 00:30,average,400,0.5,s,1", "row 2, column 'datetime_utc'",
         "not the start of a UTC hour"),
        ("PJM,2025-06-01 00:00,average,400,1.5,s,1", "row 2, column 'cfe_fraction'",
         "a share above 1"),
        ("PJM,2025-06-01 00:00,hourly,400,0.5,s,1", "row 2, column 'signal'", ""),
        ("PJM,2025-06-01 00:00,average,-4,0.5,s,1", "row 2, column 'co2e_kg_per_mwh'",
         "must be a number ≥ 0"),
    ],
)  # fmt: skip
def test_bad_factor_rows_are_located(tmp_path: Path, row: str, where: str, problem: str) -> None:
    f = write(tmp_path / "f.csv", FACTOR_HEAD, [row])
    r = grid("scope2", "--load", load_file(tmp_path / "l.csv", [1]), "--factors", f)
    assert r.exit_code != 0 and f"f.csv, {where}" in r.output and problem in r.output, r.output


def test_a_factor_given_twice_is_refused(tmp_path: Path) -> None:
    row = "PJM,2025-06-01 00:00,average,400,0.5,s,1"
    f = write(tmp_path / "f.csv", FACTOR_HEAD, [row, row])
    r = grid("scope2", "--load", load_file(tmp_path / "l.csv", [1]), "--factors", f)
    assert r.exit_code != 0 and "f.csv, row 3, column 'datetime_utc'" in r.output
    a = write(tmp_path / "a.csv", ANNUAL_HEAD, ["PJM,2025,400,,s,1", "PJM,2025,300,,s,2"])
    r = grid("scope2", "--load", load_file(tmp_path / "l.csv", [1]), "--annual", a)
    assert r.exit_code != 0 and "a.csv, row 3, column 'year'" in r.output


def test_provenance_and_signals(tmp_path: Path) -> None:
    # Hour 0 has an average factor from OGE, hour 1 only a marginal one: hour 1 falls back
    # to the annual eGRID factor (flagged); the marginal 900 kg/MWh is never used.
    f = write(tmp_path / "f.csv", FACTOR_HEAD, [
        "PJM,2025-06-01 00:00,average,400,0.5,OGE carbon accounting,2024 release",
        "PJM,2025-06-01 01:00,marginal,900,,WattTime MOER,2025-01",
    ])  # fmt: skip
    a = write(tmp_path / "a.csv", ANNUAL_HEAD, ["PJM,2025,350,0.4,eGRID2022 RFCE,2024"])
    [r] = scope2("--load", load_file(tmp_path / "l.csv", [10, 10]), "--factors", f, "--annual", a)
    assert r["location_hourly_t"] == pytest.approx(10 * 0.4 + 10 * 0.35)
    assert r["fallback_hours"] == 1
    assert r["factor_sources"] == (
        "OGE carbon accounting, 2024 release; eGRID2022 RFCE, 2024 (annual)"
    )
