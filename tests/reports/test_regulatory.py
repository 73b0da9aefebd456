"""Regulator tables: Part 98 Subpart C fuel-level rows, MEE tables, IPCC categories."""

from __future__ import annotations

import math

import pytest

from openmrv.reports.i18n import t
from openmrv.reports.inventory import COUNTRY_METHOD
from openmrv.reports.regulatory import ipcc_categories, mee_tables, part98
from tests.conftest import record
from tests.reports.conftest import calc


def test_part98_fuel_level_row_from_equation_c1b(tmp_path):
    """Eq. C-1b: CO2 = 1e-3 · Gas[mmBtu] · 53.06 (Table C-1); CH4, N2O with Table C-2
    (1.0E-03, 1.0E-04 kg/mmBtu); reporting year 2024 uses AR4 (25, 298)."""
    rows = [
        record(
            record_id=f"r{m}",
            source_id="BOILER-1",
            fuel="natural_gas",
            quantity=5000.0,
            unit="mmBtu",
            period_start=f"2024-{m:02d}-01",
            period_end=f"2024-{m:02d}-28",
        )
        for m in (1, 2)
    ]
    fac, act, run = calc(tmp_path, rows, ["epa_part98_c"])
    rep = part98(run.results, act, fac)
    assert len(rep) == 1
    r = rep.iloc[0]
    assert (r.unit_name, r.fuel_type, r.tier, r.reporting_year) == (
        "BOILER-1",
        "natural_gas",
        1,
        2024,
    )
    assert r.fuel_quantity == 10000.0 and r.fuel_quantity_uom == "mmBtu"
    assert r.annual_heat_input == pytest.approx(10000.0, rel=1e-12)
    assert r.tier1_co2_combustion_emissions == pytest.approx(10000 * 53.06 / 1000, rel=1e-12)
    assert r.tier1_ch4_combustion_emissions == pytest.approx(10000 * 1e-3 / 1000, rel=1e-12)
    assert r.tier1_n2o_combustion_emissions == pytest.approx(10000 * 1e-4 / 1000, rel=1e-12)
    co2e = (53.06 + 25 * 1e-3 + 298 * 1e-4) * 10
    assert r.co2e_emissions == pytest.approx(co2e, rel=1e-12)
    assert not r.above_threshold  # 531 t, far below 25,000 t CO2e


def test_part98_example_threshold_and_sums(example):
    rep = part98(example.run.results, example.activity, example.facilities)
    flags = rep.groupby(["facility_id", "reporting_year"]).above_threshold.first()
    assert flags[("FAC-WY-COAL", 2024)] and not flags[("FAC-WA-DC", 2024)]
    df = example.run.results.to_pandas()
    p98 = df[(df.methodology == "epa_part98_c") & ~df.biogenic]
    assert math.fsum(rep.co2e_emissions) == pytest.approx(math.fsum(p98.co2e_t), rel=1e-12)
    for col in ("tier1_co2_combustion_emissions", "annual_heat_input", "biogenic_co2_emissions"):
        assert col in rep.columns


def test_mee_tables_bilingual_with_parameter_sources(example):
    tables = mee_tables(example.run.results, example.activity, example.facilities)
    names = list(tables)
    assert names[0] == "Table 1 fuel combustion 表1 化石燃料燃烧排放"
    fuel = tables[names[0]]
    assert "NCV source 低位发热量来源" in fuel.columns
    sources = set(fuel["NCV source 低位发热量来源"])
    assert sources <= {"measured 实测", "default 缺省值"} and sources
    totals = tables[names[3]]
    df = example.run.results.to_pandas()
    mee = df[(df.methodology == "cn_mee") & ~df.biogenic]
    assert math.fsum(totals["t CO2e 吨二氧化碳当量"]) == pytest.approx(math.fsum(mee.co2e_t))
    zh = mee_tables(example.run.results, example.activity, example.facilities, "zh-CN")
    assert "表1 化石燃料燃烧排放" in zh


def test_measured_ncv_is_reported_as_measured(example):
    act = example.activity.to_pandas()
    measured = act[act.ncv.notna() & (act.facility_id.str.startswith("FAC-SD"))]
    if measured.empty:
        pytest.skip("example has no measured NCV")
    tables = mee_tables(example.run.results, example.activity, example.facilities, "en")
    fuel = tables["Table 1 fuel combustion"]
    assert "measured" in set(fuel["NCV source"])


def test_ipcc_levels_add_up_to_the_national_totals(example):
    fac = example.facilities
    nat = ipcc_categories(example.run.results, fac, COUNTRY_METHOD, "national")
    for level in ("facility", "state", "sector"):
        df = ipcc_categories(example.run.results, fac, COUNTRY_METHOD, level)
        assert math.fsum(df.co2e_t) == pytest.approx(math.fsum(nat.co2e_t), rel=1e-12)
    cats = set(nat.ipcc_category)
    assert {"1.A.1.a", "1.A.2", "1.A.3.b", "1.A.4.a", "2.F.1"} <= cats
    with pytest.raises(ValueError, match="unknown level"):
        ipcc_categories(example.run.results, fac, COUNTRY_METHOD, "county")


def test_report_keys_in_both_languages():
    """The catalogue itself is checked in tests/test_i18n.py."""
    assert t("section.inventory", "en") == "Corporate inventory (GHG Protocol)"
    assert t("section.inventory", "zh-CN") == "企业温室气体清单(温室气体核算体系)"
    with pytest.raises(KeyError):
        t("section.nowhere", "en")
    with pytest.raises(ValueError):
        t("report.title", "fr")
