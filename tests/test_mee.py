"""China MEE method: grid factor selection and green electricity."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from openmrv.cli import app
from openmrv.combustion.schema import ACTIVITY
from openmrv.methods import Options
from openmrv.methods.mee import grid_options
from openmrv.reports.export import companion
from tests.conftest import FACILITIES, record, write_csv

MEE = ["cn_mee"]


def elec(rid: str, mwh: float, year: int = 2022, **kw: object) -> dict[str, object]:
    return record(
        record_id=rid,
        facility_id="CN-FACTORY",
        category="purchased_electricity",
        quantity=mwh,
        unit="MWh",
        period_start=f"{year}-03-01",
        period_end=f"{year}-03-31",
        **kw,
    )


def test_cn09_green_power_and_certificates(run):
    # CN-09 (China Electric Power News, published 0.4839 kgCO2/kWh; recomputed 0.48399): 30 %
    # green power at 0, 40 % covered by green certificates at the national average excluding
    # market-traded non-fossil power (0.5856), 30 % residual at the fossil-power factor (0.8325),
    # 2022 factors.
    rows = [
        elec("g", 300, instrument="green_power"),
        elec("c", 400, instrument="certificate"),
        elec("r", 300, instrument="residual"),
    ]
    res, skipped = run(rows, MEE)
    assert skipped.empty
    composite = res.mass_t.sum() / 1000  # t per MWh over 1000 MWh = kg/kWh
    assert composite == pytest.approx(0.48399, abs=1e-6)
    assert round(composite, 4) == pytest.approx(0.4839, abs=1.01e-4)  # published, 1e-4 rounding


@pytest.mark.parametrize(
    ("level", "factor"), [("national", 0.5366), ("regional", 0.5617), ("provincial", 0.5978)]
)
def test_grid_level_choice(run, level, factor):
    # Jiangsu (CN-JS), data year 2022: national 0.5366, East China grid 0.5617, Jiangsu 0.5978.
    res, _ = run([elec("e", 1000)], MEE, Options(methods=grid_options(level)))
    assert res.mass_t.iloc[0] == pytest.approx(1000 * factor)


@pytest.mark.parametrize(
    ("flag", "level", "factor"),
    [([], "national", 0.5366), (["--cn-grid", "regional"], "regional", 0.5617)],
)
def test_cli_grid_flag_reaches_mee_and_run_json(tmp_path, flag, level, factor):
    """`--cn-grid` still chooses MEE's grid level (now MEE's own option) and run.json records
    it as options.cn_grid, as before (so run ids of the same inputs do not change)."""
    fac = write_csv(tmp_path / "facilities.csv", FACILITIES)
    act = write_csv(
        tmp_path / "activity.csv", [elec("e", 1000)], [c.name for c in ACTIVITY.file_columns]
    )
    out = tmp_path / "results.csv"
    args = ["calculate", str(fac), str(act), "-m", "cn_mee", "--out", str(out), *flag]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out).mass_t.iloc[0] == pytest.approx(1000 * factor)
    meta = json.loads(companion(out, "run", ".json").read_text(encoding="utf-8"))
    assert meta["options"] == {"cn_grid": level}


def test_unknown_grid_level_is_refused():
    with pytest.raises(ValueError, match="unknown China grid level 'county'"):
        grid_options("county")


def test_unpublished_year_uses_latest_earlier_factor(run):
    # No 2024 factor is published: the 2023 national average (0.5306) applies, and the factor id
    # says so.
    res, _ = run([elec("e", 1000, year=2024)], MEE)
    assert res.mass_t.iloc[0] == pytest.approx(530.6)
    assert ":2023:" in res.factor_ids.iloc[0]


def test_year_before_any_factor_is_not_computed(run):
    res, skipped = run([elec("e", 1000, year=2019)], MEE)
    assert res.empty
    assert "no MEE grid factor" in skipped.reason.iloc[0]


def test_us_facility_electricity_not_under_mee(run):
    res, skipped = run([record(category="purchased_electricity", quantity=5, unit="MWh")], MEE)
    assert res.empty and "facilities in China" in skipped.reason.iloc[0]


def test_element_carbon_route(run):
    # Power-sector form with measured received-basis element carbon (kg C per kg coal):
    # E = FC · C · OF · 44/12 = 1000 t · 0.60 · 0.98 · 44/12 = 2156 t.
    row = record(
        facility_id="CN-PLANT",
        fuel="bituminous_coal",
        quantity=1000,
        unit="t",
        carbon_content=0.60,
        carbon_content_unit="kgC/kg",
        oxidation_factor=0.98,
    )
    res, _ = run([row], MEE)
    assert res.mass_t.iloc[0] == pytest.approx(1000 * 0.60 * 0.98 * 44 / 12)


def test_biomass_not_counted(run):
    res, skipped = run([record(facility_id="CN-PLANT", fuel="wood", quantity=10, unit="t")], MEE)
    assert res.empty and "biomass" in skipped.reason.iloc[0]
