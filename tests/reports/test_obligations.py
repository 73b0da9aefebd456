"""Reporting obligations per example facility-year, against the rules as written:

* 40 CFR 98.2(a)(3): stationary fuel combustion of 25,000 t CO2e or more a year reports;
  98.3(b): the report for a year is due 31 March of the next year.
* China's national carbon market: power-sector units (GB/T 4754 4411/4412) at 26,000 t CO2e a
  year (环办气候函〔2023〕43号); the report is due 31 March (碳排放权交易管理办法(试行) Art. 25).
* MEE enterprise reporting: applies when declared (CN_ETS_ENTERPRISE in `programmes`).
"""

from __future__ import annotations

from datetime import date

import pytest

from openmrv.reports.obligations import obligations

# facility, year, programme -> (applies, threshold reached, primary method, report due)
EXPECTED = {
    # Part 98 Subpart C 8.2 Mt, declared EPA_GHGRP
    ("FAC-WY-COAL", 2024, "EPA_GHGRP"): (True, True, "epa_part98_c", date(2025, 3, 31)),
    ("FAC-WY-COAL", 2025, "EPA_GHGRP"): (True, True, "epa_part98_c", date(2026, 3, 31)),
    # 2,739 t and 173 t of stationary combustion: below 25,000, not declared
    ("FAC-AZ-PV", 2024, "EPA_GHGRP"): (False, False, "epa_part98_c", date(2025, 3, 31)),
    ("FAC-WA-DC", 2024, "EPA_GHGRP"): (False, False, "epa_part98_c", date(2025, 3, 31)),
    # a 2 x 330 MW coal plant (4411), declared CN_ETS, ~5 Mt
    ("FAC-SD-COAL", 2024, "CN_ETS"): (True, True, "cn_mee", date(2025, 3, 31)),
    ("FAC-SD-COAL", 2025, "CN_ETS"): (True, True, "cn_mee", date(2026, 3, 31)),
    ("FAC-SD-COAL", 2024, "CN_ETS_ENTERPRISE"): (False, True, "cn_mee", date(2025, 3, 31)),
    ("FAC-SD-COAL", 2025, "CN_ETS_ENTERPRISE"): (False, True, "cn_mee", date(2026, 3, 31)),
    # engine plant (3412): over 26,000 t but not power; declared enterprise reporting
    ("FAC-BJ-ENG", 2024, "CN_ETS"): (False, True, "cn_mee", date(2025, 3, 31)),
    ("FAC-BJ-ENG", 2024, "CN_ETS_ENTERPRISE"): (True, True, "cn_mee", date(2025, 3, 31)),
    # module plant (3825): over 26,000 t (electricity), not power, nothing declared
    ("FAC-JS-PV", 2024, "CN_ETS"): (False, True, "cn_mee", date(2025, 3, 31)),
    ("FAC-JS-PV", 2024, "CN_ETS_ENTERPRISE"): (False, True, "cn_mee", date(2025, 3, 31)),
}


def test_each_example_facility_year(example):
    o = obligations(example.facilities, example.run.results, example.run.skipped, example.activity)
    got = {
        (r.facility_id, r.year, r.programme): (
            r.applies,
            r.threshold_reached,
            r.primary_methodology,
            r.report_due,
        )
        for r in o.itertuples()
    }
    assert got == EXPECTED
    # the figure is the primary method's: Part 98 Subpart C for GHGRP (biogenic excluded)
    res = example.run.results.to_pandas()
    wy = res[(res.facility_id == "FAC-WY-COAL") & (res.year == 2024)]
    wy = wy[(wy.methodology == "epa_part98_c") & ~wy.biogenic]
    row = o[(o.facility_id == "FAC-WY-COAL") & (o.year == 2024)].iloc[0]
    assert row.figure_t == pytest.approx(wy.co2e_t.sum(), rel=1e-12)
    assert row.threshold_t == 25_000 and "98.3(b)" in row.rule
    assert o[o.programme == "CN_ETS"].threshold_t.eq(26_000).all()
    # status: data complete from coverage; submitted / verified unknown without the store
    assert o.data_complete.all() and o.submitted.isna().all() and o.verified.isna().all()


def test_status_comes_from_the_caller(example):
    status = {("FAC-WY-COAL", 2024, "EPA_GHGRP"): {"submitted": True, "verified": False}}
    o = obligations(
        example.facilities, example.run.results, example.run.skipped, example.activity, status
    )
    row = o[(o.facility_id == "FAC-WY-COAL") & (o.year == 2024)].iloc[0]
    assert row.submitted is True and row.verified is False


def test_both_languages(example):
    en = obligations(example.facilities, example.run.results, example.run.skipped,
                     example.activity)  # fmt: skip
    zh = obligations(example.facilities, example.run.results, example.run.skipped,
                     example.activity, lang="zh-CN")  # fmt: skip
    assert list(en.applies) == list(zh.applies)
    assert set(zh.programme_name[zh.programme == "CN_ETS"]) == {"全国碳排放权交易市场(发电行业)"}
    assert "设施文件中已申报" in set(zh.why)
