"""Every 40 CFR 98 Table C-1 row, named exactly as EPA prints it, through the CLI at Tier 1.

The expected figures are computed here by hand from the team's reference transcription of
Tables C-1 and C-2 (tests/data/reference/cfr98_subpartC_tableC1_C2.csv, a copy of the shared
reference), not from the library: CO2 = 1e-3 · Fuel · HHV · EF (Eq. C-1), CH4/N2O = 1e-3 · Fuel
· HHV · EF (Eq. C-8), with the Table C-2 row that covers the fuel's Table C-1 group.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from openmrv.cli import app
from openmrv.combustion.schema import ACTIVITY
from tests.conftest import FACILITIES, record, write_csv

REF = Path(__file__).resolve().parent / "data" / "reference"  # copies of the shared tables
TABLE = REF / "cfr98_subpartC_tableC1_C2.csv"
UNITS = {"mmBtu/short ton": "short ton", "mmBtu/gallon": "gallon", "mmBtu/scf": "scf"}
QTY = 1000.0


def _printed(name: str) -> str:
    """The name as printed: the reference marks footnotes as '[fnN]' after it."""
    return re.sub(r"\s*\[fn\d[^\]]*\]", "", name).strip()


def _c2_row(c1: dict[str, str], c2: dict[str, dict[str, str]]) -> dict[str, str]:
    """The Table C-2 row for a Table C-1 fuel: by its own name where C-2 lists it, else by the
    C-1 group it is printed under (the group heading's words start the C-2 row's name)."""
    name, group = _printed(c1["fuel"]).lower(), c1["fuel_category"].lower()
    for key, row in c2.items():
        if key.lower().startswith(name.split(" (")[0]):
            return row
    if group.startswith("coal"):
        prefix = "coal and coke"
    elif group.startswith("natural gas"):
        prefix = "natural gas"
    elif group.startswith("petroleum"):
        prefix = "petroleum products"
    else:
        prefix = group.split(" (")[0]
    hits = [row for key, row in c2.items() if key.lower().startswith(prefix)]
    assert len(hits) == 1, (c1["fuel"], prefix, hits)
    return hits[0]


def _table() -> list[tuple[str, str, float, float, float, float]]:
    with open(TABLE, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    c2 = {r["fuel"]: r for r in rows if r["table"] == "C-2"}
    out = []
    for r in (r for r in rows if r["table"] == "C-1"):
        hhv = float(r["default_hhv"])
        c2row = _c2_row(r, c2)
        out.append(
            (
                _printed(r["fuel"]),
                UNITS[r["hhv_unit"]],
                hhv,
                float(r["default_co2_ef_kg_per_mmbtu"]),
                float(c2row["default_ch4_ef_kg_per_mmbtu"]),
                float(c2row["default_n2o_ef_kg_per_mmbtu"]),
            )
        )
    return out


ROWS = _table()


def test_reference_has_every_table_c1_row():
    assert len(ROWS) == 58  # Table C-1 as amended through 81 FR 89252
    assert any(name == "Asphalt and Road Oil" for name, *_ in ROWS)
    assert any(name == "Wood and Wood Residuals (dry basis)" for name, *_ in ROWS)


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> pd.DataFrame:
    tmp = tmp_path_factory.mktemp("c1")
    recs = [
        record(record_id=f"c1-{i}", fuel=name, quantity=QTY, unit=unit, tier=1)
        for i, (name, unit, *_) in enumerate(ROWS)
    ]
    fac = write_csv(tmp / "fac.csv", FACILITIES)
    act = write_csv(tmp / "act.csv", recs, [c.name for c in ACTIVITY.file_columns])
    out = tmp / "results.csv"
    run = CliRunner().invoke(
        app, ["calculate", str(fac), str(act), "-m", "epa_part98_c", "--out", str(out)]
    )
    assert run.exit_code == 0, run.output
    return pd.read_csv(out)


@pytest.mark.parametrize(("i", "row"), list(enumerate(ROWS)), ids=[r[0] for r in ROWS])
def test_every_table_c1_fuel_at_tier_1(results, i, row):
    name, _, hhv, co2, ch4, n2o = row
    got = results[results.record_id == f"c1-{i}"].set_index("gas")
    heat = QTY * hhv  # mmBtu
    for gas, ef, eq in (("CO2", co2, "C-1"), ("CH4", ch4, "C-8"), ("N2O", n2o, "C-8")):
        assert got.loc[gas, "mass_t"] == pytest.approx(1e-3 * heat * ef, rel=1e-9), (name, gas)
        assert got.loc[gas, "equation"] == eq
        assert int(got.loc[gas, "tier"]) == 1
