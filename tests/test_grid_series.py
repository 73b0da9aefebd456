"""China's two national grid-factor series: the carbon-market series for facilities that report
to MEE's enterprise GHG reporting system (programme CN_ETS or CN_ETS_ENTERPRISE), the MEE/NBS
electricity CO2 factors for everyone else; values and statuses against the reference tables."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from openmrv.factors import load_library
from openmrv.methods import Options
from openmrv.methods.mee import ETS_PROGRAMMES, grid_options
from openmrv.reports.obligations import PROGRAMMES
from tests.conftest import FACILITIES, record

REF = Path(__file__).resolve().parent / "data" / "reference"
MEE = ["cn_mee"]
ETS_SERIES = "carbon-market (national ETS) grid average"


def _read(name: str) -> list[dict[str, str]]:
    with open(REF / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _series(prefix: str) -> list[dict[str, str]]:
    return [r for r in _read("china_grid_factor_series.csv") if r["series"].startswith(prefix)]


def _factor(fid: str):
    lib = load_library()
    return lib.factors.set_index("factor_id").loc[fid]


def facilities(programmes: str) -> list[dict[str, object]]:
    """The test facilities, CN-FACTORY (Jiangsu) declaring `programmes`."""
    return [f | {"programmes": programmes} if f["facility_id"] == "CN-FACTORY" else f
            for f in FACILITIES]  # fmt: skip


def elec(year: int, rid: str = "e", **kw: object) -> dict[str, object]:
    return record(
        record_id=rid,
        facility_id="CN-FACTORY",
        category="purchased_electricity",
        quantity=1000,
        unit="MWh",
        period_start=f"{year}-05-01",
        period_end=f"{year}-05-31",
        **kw,
    )


@pytest.mark.parametrize("ref", _series(ETS_SERIES), ids=lambda r: r["data_year"])
def test_carbon_market_series_equals_reference(ref):
    f = _factor(f"mee_ets_grid:{ref['data_year'].replace('-', '_')}:cn_average:ef:CO2")
    assert float(f.value) == float(ref["value_t_co2_per_mwh"])
    assert f.unit == "t/MWh"
    assert f.status == ref["status"].split(" ")[0]  # official / official (quoted …) / secondary


def test_mee_nbs_series_equals_reference():
    national = {
        (r["data_year"], r["caliber"]): r
        for r in _read("china_electricity_co2_factors__national.csv")
    }
    avg = national[("2021", "average (all generation)")]
    f = _factor("mee_grid:2021:cn_average:ef:CO2")
    assert float(f.value) == float(avg["value"]) == 0.5568
    assert f.status == "secondary"  # "cross-checked: 2 secondary reports"
    (excl,) = _series("MEE/NBS national average excluding market-traded non-fossil power")
    f = _factor("mee_grid:2021:cn_excl_green:ef:CO2")
    assert float(f.value) == float(excl["value_t_co2_per_mwh"]) == 0.5942
    assert f.status == excl["status"] == "secondary"


def test_ets_programmes_are_programmes():
    assert set(ETS_PROGRAMMES) <= {p.code for p in PROGRAMMES}


# (data year, t CO2 per MWh) of each series, as the reference tables give them.
ETS = [(2015, 0.6101), (2020, 0.6101), (2021, 0.5810), (2022, 0.5703)]


@pytest.mark.parametrize("programmes", ["CN_ETS", "EPA_GHGRP; CN_ETS_ENTERPRISE"])
@pytest.mark.parametrize(("year", "factor"), ETS)
def test_ets_facility_takes_the_carbon_market_series(run, programmes, year, factor):
    res, skipped = run([elec(year)], MEE, facilities=facilities(programmes))
    assert skipped.empty
    row = res.iloc[0]
    assert row.mass_t == pytest.approx(1000 * factor)
    assert row.factor_ids.startswith("mee_ets_grid:")  # the series, in the lineage
    assert row.equation == "AD × EF_grid (carbon market, national)"
    assert row.scope == 2


def test_same_facility_outside_the_ets_takes_mee_nbs(run):
    # Enterprise accounting outside the reporting system: the MEE/NBS 2021 national average.
    res, _ = run([elec(2021)], MEE, facilities=facilities("EPA_GHGRP"))
    assert res.mass_t.iloc[0] == pytest.approx(556.8)
    assert res.factor_ids.iloc[0] == "mee_grid:2021:cn_average:ef:CO2"
    ets, _ = run([elec(2021)], MEE, facilities=facilities("CN_ETS"))
    assert ets.mass_t.iloc[0] == pytest.approx(581.0)  # the two series differ: 0.5810 vs 0.5568


def test_grid_level_applies_to_mee_nbs_only(run):
    # The carbon-market factor is national only; the level option does not move it.
    opts = Options(methods=grid_options("provincial"))
    res, _ = run([elec(2022)], MEE, opts, facilities=facilities("CN_ETS"))
    assert res.mass_t.iloc[0] == pytest.approx(570.3)
    res, _ = run([elec(2022)], MEE, opts)
    assert res.mass_t.iloc[0] == pytest.approx(597.8)  # Jiangsu 2022 (MEE/NBS), 0.5978


def test_later_year_takes_latest_carbon_market_factor(run):
    res, _ = run([elec(2024)], MEE, facilities=facilities("CN_ETS"))
    assert res.mass_t.iloc[0] == pytest.approx(570.3)
    assert res.factor_ids.iloc[0] == "mee_ets_grid:2022:cn_average:ef:CO2"


def test_ets_year_before_the_series_is_not_computed(run):
    res, skipped = run([elec(2014)], MEE, facilities=facilities("CN_ETS"))
    assert res.empty
    assert skipped.reason.iloc[0] == "no carbon-market grid factor for this data year"


def test_certificates_2021_outside_the_ets(run):
    # 2021 national average excluding market-traded non-fossil power: 0.5942.
    res, _ = run([elec(2021, instrument="certificate")], MEE)
    assert res.mass_t.iloc[0] == pytest.approx(594.2)
    assert res.factor_ids.iloc[0] == "mee_grid:2021:cn_excl_green:ef:CO2"


def test_ets_facility_with_green_instrument_is_refused(run):
    res, skipped = run([elec(2022, instrument="green_power")], MEE, facilities=facilities("CN_ETS"))
    assert res.empty
    assert "carbon-market grid factor has no published treatment" in skipped.reason.iloc[0]
