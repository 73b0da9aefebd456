"""`openmrv report ...` and `openmrv compare --facility --year` on the example files."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from openmrv.cli import app
from tests.reports.conftest import EXAMPLES

FAC, ACT = str(EXAMPLES / "facilities.csv"), str(EXAMPLES / "activity.csv")


def test_report_inventory_writes_csv(tmp_path):
    out = tmp_path / "inv.csv"
    r = CliRunner().invoke(
        app,
        [
            "report",
            "inventory",
            FAC,
            ACT,
            "--boundary",
            "equity_share",
            "--instruments",
            str(EXAMPLES / "instruments.csv"),
            "--residual-mix",
            str(EXAMPLES / "residual_mix.csv"),
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out)
    assert set(df.columns) >= {"scope1_t", "scope2_location_t", "scope2_market_t"}
    assert len(df) == 7


def test_report_rejects_instruments_over_consumption(tmp_path):
    bad = tmp_path / "inst.csv"
    bad.write_text(
        "instrument_id,facility_id,year,type,mwh,t_co2e_per_mwh\nX,FAC-AZ-PV,2024,rec,999999,0\n",
        encoding="utf-8",
    )
    r = CliRunner().invoke(app, ["report", "inventory", FAC, ACT, "--instruments", str(bad)])
    assert r.exit_code == 2
    assert "row 2" in r.output and "exceed its consumption" in r.output


def test_compare_facility_year_prints_the_decomposition(tmp_path):
    html = tmp_path / "wf.html"
    r = CliRunner().invoke(
        app,
        ["compare", FAC, ACT, "--facility", "FAC-AZ-PV", "--year", "2024", "--html", str(html)],
    )
    assert r.exit_code == 0, r.output
    assert "by cause" in r.output and "oxidation" in r.output
    assert "Plotly" in html.read_text(encoding="utf-8")
    r = CliRunner().invoke(app, ["compare", FAC, ACT])
    assert r.exit_code == 2
