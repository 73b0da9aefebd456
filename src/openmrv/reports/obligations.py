"""Reporting obligations per facility and year: which programmes apply (declared in the
facilities file's `programmes`, or reached by a programme's threshold), the primary methodology
and the figure that programme wants, the deadline, and the status. Pure functions over the
facilities and a run's results; submitted / verified come from the store (passed in).

The rules, with where they come from (what could not be read in a primary source is said):

* EPA_GHGRP, 40 CFR Part 98. A facility whose stationary fuel combustion emits 25,000 t CO2e
  or more a year reports (98.2(a)(3); EPA's information sheet "Stationary Fuel Combustion
  Sources", which also states the 30 mmBtu/hr aggregate heat-input condition: that needs unit
  capacities, which the facilities file does not hold, so it is not checked). Biogenic CO2 is
  left out of the comparison, as the project's Part 98 threshold flag already does (the 98.2(b)
  paragraph itself was not found in readable form here). Subpart C figures: CO2, CH4, N2O per
  unit and fuel, and CO2e. The annual report for a year is due 31 March of the next year
  (98.3(b), read in a public copy of the regulation text; 98.6 "reporting year" says the
  same). Facilities listed in 98.2(a)(1) (e.g. Subpart D power plants) report whatever they
  emit: declare them in `programmes`.
* CN_ETS, China's national carbon market (power generation). Power-sector enterprises (GB/T
  4754 4411 thermal power, 4412 combined heat and power; captive plants likewise) whose annual
  emissions reach 26,000 t CO2e (about 10,000 t of standard coal of energy use) are key
  emitting units (MEE notice 环办气候函〔2023〕43号, read here only as quoted by a municipal
  notice, not in the original). The unit reports the previous year's emissions to the
  provincial authority by 31 March (碳排放权交易管理办法(试行), MEE Order No. 19, 2021,
  Art. 25); the province verifies (by 30 June in the notices seen for 2021 reports); allowances
  are surrendered by the date MEE sets for each compliance cycle (31 December of the following
  year in recent cycles: not confirmed in a primary text here).
* CN_ETS_ENTERPRISE, MEE enterprise GHG reporting (key emitting sectors outside the market's
  current coverage): applies when declared; same 26,000 t CO2e criterion and the same
  31 March report date are assumed (not confirmed for non-power sectors in a primary text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import pyarrow as pa

from openmrv.methods.epa_part98_c import Part98SubpartC
from openmrv.methods.mee import MeeEnterprise
from openmrv.reports import coverage
from openmrv.reports.i18n import t
from openmrv.reports.inputs import fsum
from openmrv.reports.regulatory import MEE_REPORT


@dataclass(frozen=True)
class Programme:
    code: str
    country: str
    methodology: str  # the primary methodology whose figure the programme wants
    categories: tuple[str, ...]  # the categories that figure holds
    threshold_t: float
    power_only: bool  # reached by threshold only in the power sector (else: declared only)
    by_threshold: bool  # whether reaching the threshold alone makes it apply
    rule: str


PROGRAMMES = (
    Programme(
        "EPA_GHGRP",
        "US",
        Part98SubpartC.id,
        ("stationary_combustion",),
        25_000.0,
        False,
        True,
        "40 CFR 98.2(a)(3), 98.3(b)",
    ),
    Programme(
        "CN_ETS",
        "CN",
        MeeEnterprise.id,
        ("stationary_combustion", "mobile_combustion", "purchased_electricity", "purchased_heat"),
        26_000.0,
        True,
        True,
        "环办气候函〔2023〕43号 (via municipal notice); 碳排放权交易管理办法(试行) Art. 25",
    ),
    Programme(
        "CN_ETS_ENTERPRISE",
        "CN",
        MeeEnterprise.id,
        MEE_REPORT,
        26_000.0,
        False,
        False,
        "MEE enterprise GHG reporting (declared); 26,000 t CO2e criterion as for CN_ETS",
    ),
)
POWER_SECTORS = ("4411", "4412")  # GB/T 4754-2017: thermal power; combined heat and power
REPORT_DUE = (3, 31)  # month, day of the year after the reporting year (both programmes)


def declared(facilities: pd.DataFrame) -> dict[str, set[str]]:
    """facility_id -> programme codes in its `programmes` cell (';'-separated)."""
    col = facilities.get("programmes", pd.Series("", index=facilities.index))
    return {
        f: {p.strip() for p in str(v or "").split(";") if p.strip() and str(v) != "nan"}
        for f, v in zip(facilities.facility_id, col, strict=True)
    }


def obligations(
    facilities: pd.DataFrame,
    results: pa.Table,
    skipped: pa.Table,
    activity: pa.Table,
    status: dict[tuple[str, int, str], dict[str, bool]] | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """One row per facility, year and programme of the facility's country: whether it
    applies and why, the primary methodology, the figure against the threshold, the figures
    wanted, the deadline, and the status (data complete from the coverage of the primary
    method; submitted / verified from `status[(facility, year, code)]`, unknown if absent)."""
    res = results.select(
        ["methodology", "facility_id", "year", "category", "co2e_t", "biogenic"]
    ).to_pandas()
    res = res[~res.biogenic]
    led = coverage.by_methodology(results, skipped, activity)
    fac = facilities.set_index("facility_id")
    decl = declared(facilities)
    status = status or {}
    years = activity.select(["facility_id", "year"]).to_pandas().drop_duplicates()
    rows = []
    for fid, year in sorted(zip(years.facility_id, years.year.astype(int), strict=True)):
        country, sector = fac.country[fid], str(fac.sector[fid] or "")
        for p in (p for p in PROGRAMMES if p.country == country):
            mine = res[
                (res.methodology == p.methodology)
                & (res.facility_id == fid)
                & (res.year == year)
                & res.category.isin(p.categories)
            ]
            figure = fsum(mine.co2e_t)
            reached = figure >= p.threshold_t
            power = sector.startswith(POWER_SECTORS)
            is_declared = p.code in decl.get(fid, set())
            by_rule = p.by_threshold and reached and (power or not p.power_only)
            if is_declared:
                why = "declared"
            elif by_rule:
                why = "threshold"
            elif not p.by_threshold:
                why = "not_declared"
            elif p.power_only and reached and not power:
                why = "not_power"
            else:
                why = "below"
            led_f = led[
                (led.methodology == p.methodology)
                & (led.facility_id == fid)
                & (led.year == year)
                & led.category.isin(p.categories)
            ]
            missing = int((~led_f.included).sum())
            known = status.get((fid, year, p.code), {})
            rows.append(
                {
                    "facility_id": fid,
                    "year": year,
                    "programme": p.code,
                    "programme_name": t(f"programme.{p.code}", lang),
                    "applies": is_declared or by_rule,
                    "why": t(f"obligation.{why}", lang),
                    "primary_methodology": p.methodology,
                    "figure_t": figure,
                    "threshold_t": p.threshold_t,
                    "threshold_reached": reached,
                    "figures_wanted": t(f"figures.{p.code}", lang),
                    "report_due": date(year + 1, *REPORT_DUE),
                    "then": t(f"then.{p.code}", lang),
                    "data_complete": missing == 0,
                    "records_not_computed": missing,
                    "submitted": known.get("submitted"),
                    "verified": known.get("verified"),
                    "rule": p.rule,
                }
            )
    return pd.DataFrame(rows)
