"""EIA-930 balance files into hourly factors: our sample (EIA's column layout, thousands
separators, end-of-hour UTC stamps, a negative solar value at night) with per-fuel rates gives
hand-computed generation-weighted rates and carbon-free shares, which `grid scope2` then uses;
broken files are refused with located problems."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from openmrv.grid.eia930 import hourly_factors
from openmrv.ingest.errors import InputError
from openmrv.ingest.readers import read_table
from tests.grid.helpers import grid, load_file, scope2

DATA = Path(__file__).parent / "data" / "eia930"
BALANCE, RATES = DATA / "balance.csv", DATA / "fuel_rates.csv"


def test_factors_are_generation_weighted_and_feed_scope2(tmp_path: Path) -> None:
    out = tmp_path / "factors.csv"
    r = grid("eia930", BALANCE, "--rates", RATES, "-o", out)
    assert r.exit_code == 0, r.output
    rows = {(x["region"], x["datetime_utc"]): x for x in csv.DictReader(out.open())}
    # AZPS, hour ending 08:00 UTC: (1,000 × 932.8 + 2,000 × 371.42 + 1,000 × 0) / 4,000 MW
    az = rows["AZPS", "2025-06-01 07:00"]
    assert float(az["co2e_kg_per_mwh"]) == pytest.approx(418.91)
    assert float(az["cfe_fraction"]) == pytest.approx(0.25)
    # BPAT, 09:00: 1,000 × 371.42 / (1,000 + 1,000 + 5,000 + 0 (solar −5) + 500); clean 6,500
    bp = rows["BPAT", "2025-06-01 08:00"]
    assert float(bp["co2e_kg_per_mwh"]) == pytest.approx(371_420 / 7_500)
    assert float(bp["cfe_fraction"]) == pytest.approx(6_500 / 7_500)
    assert (bp["source"], bp["edition"], bp["signal"]) == (
        "EIA-930 balance.csv (production-based) × per-fuel rates of fuel_rates.csv",
        "Hub 2025",
        "average",
    )
    # 10 MWh in BPAT at 07:00 and 08:00 UTC: 10 × (23.21375 + 49.522667) kg = 0.72737 t
    load = load_file(tmp_path / "l.csv", [10, 10], market="BPAT")
    load.write_text(load.read_text().replace("2025-06-01 00:", "2025-06-01 07:")
                    .replace("2025-06-01 01:", "2025-06-01 08:"))  # fmt: skip
    [res] = scope2("--load", load, "--factors", out)
    assert res["location_hourly_t"] == pytest.approx(10 * (23.21375 + 371_420 / 7_500) / 1000)


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('9:00:00 AM,"5,800"', '9 AM,"5,800"', (3, "UTC Time at End of Hour")),
        ('"2,600"', '"two"', (5, "Net Generation (MW)")),
        ("AZPS,06/01/2025,2,6/1/2025 2:00:00 AM,6/1/2025 9:00:00 AM",
         "AZPS,06/01/2025,2,6/1/2025 2:00:00 AM,6/1/2025 8:00:00 AM", (5, "Balancing Authority")),
    ],
)  # fmt: skip
def test_bad_rows_are_located(tmp_path: Path, old: str, new: str, where: tuple) -> None:
    text = BALANCE.read_text()
    assert old in text
    (tmp_path / "b.csv").write_text(text.replace(old, new))
    with pytest.raises(InputError) as e:
        hourly_factors(read_table(tmp_path / "b.csv"), read_table(RATES))
    assert (e.value.problems[0].row, e.value.problems[0].column) == where


def test_every_fuel_needs_a_cited_rate(tmp_path: Path) -> None:
    lines = RATES.read_text().splitlines()
    (tmp_path / "r.csv").write_text("\n".join(x for x in lines if not x.startswith("Wind")))
    with pytest.raises(InputError, match="no rate for this fuel") as e:
        hourly_factors(read_table(BALANCE), read_table(tmp_path / "r.csv"))
    assert e.value.problems[0].value == "Wind"
    (tmp_path / "r.csv").write_text(
        RATES.read_text().replace(",0,no combustion emissions at the plant,", ",0,,", 1)
    )
    with pytest.raises(InputError, match="not a rate"):
        hourly_factors(read_table(BALANCE), read_table(tmp_path / "r.csv"))
