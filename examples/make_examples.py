"""Generate the example dataset: fictional organisations that mirror the US-China cooperation.

Deterministic (fixed seed). Writes examples/facilities.csv and examples/activity.csv:
a year (2024) of monthly records for every category, and 2025 for the two coal plants so the
Part 98 switch from AR4 to AR5 GWPs shows. All companies and figures are invented.

Run: python examples/make_examples.py
"""

from __future__ import annotations

import calendar
import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20131

FACILITY_COLUMNS = [
    "facility_id",
    "organization_id",
    "name",
    "name_zh",
    "country",
    "state_province",
    "grid_region",
    "sector",
    "ipcc_sector",
    "equity_share",
    "programmes",
    "operational_control",
    "financial_control",
]
ACTIVITY_COLUMNS = [
    "record_id",
    "facility_id",
    "source_id",
    "period_start",
    "period_end",
    "category",
    "fuel",
    "quantity",
    "unit",
    "energy_basis",
    "hhv",
    "hhv_unit",
    "ncv",
    "ncv_unit",
    "carbon_content",
    "carbon_content_unit",
    "oxidation_factor",
    "molecular_weight",
    "measured_co2_t",
    "boiler_ratio_b",
    "tier",
    "instrument",
    "data_quality",
    "evidence_ref",
    "notes",
]

FACILITIES = [
    (
        "FAC-JS-PV",
        "ORG-SUNBRIDGE",
        "SunBridge Solar Jiangsu module plant",
        "阳桥光伏江苏组件厂",
        "CN",
        "CN-JS",
        "",
        "3825",
        "manufacturing_construction",
        "1",
        "",
        "yes",
        "yes",
    ),
    (
        "FAC-AZ-PV",
        "ORG-SUNBRIDGE",
        "SunBridge Solar Arizona module plant",
        "",
        "US",
        "US-AZ",
        "AZNM",
        "334413",
        "manufacturing_construction",
        "1",
        "",
        "yes",
        "yes",
    ),
    (
        "FAC-BJ-ENG",
        "ORG-TIANHE-JV",
        "Tianhe-Prairie Heavy Engines (Beijing) JV",
        "天河草原重型发动机(北京)合资公司",
        "CN",
        "CN-BJ",
        "",
        "3412",
        "manufacturing_construction",
        "0.5",
        "CN_ETS_ENTERPRISE",
        "yes",  # the JV partner runs the plant ...
        "no",  # ... but does not consolidate it financially
    ),
    (
        "FAC-WA-DC",
        "ORG-CASCADIA",
        "Cascadia Cloud data centre, Quincy WA",
        "",
        "US",
        "US-WA",
        "NWPP",
        "518210",
        "commercial_institutional",
        "1",
        "",
        "yes",
        "yes",
    ),
    (
        "FAC-SD-COAL",
        "ORG-QILU-POWER",
        "Qilu Power Station units 1-2 (2 x 330 MW)",
        "齐鲁电厂一二号机组",
        "CN",
        "CN-SD",
        "",
        "4411",
        "energy_industries",
        "1",
        "CN_ETS",
        "yes",
        "yes",
    ),
    (
        "FAC-WY-COAL",
        "ORG-HIGHPLAINS",
        "High Plains Generating Station",
        "",
        "US",
        "US-WY",
        "RMPA",
        "221112",
        "energy_industries",
        "1",
        "EPA_GHGRP",
        "yes",
        "yes",
    ),
]


def months(year: int):
    for m in range(1, 13):
        last = calendar.monthrange(year, m)[1]
        yield m, f"{year}-{m:02d}-01", f"{year}-{m:02d}-{last:02d}"


def season(m: int, winter: float) -> float:
    """1 + winter in Dec-Feb, tapering to 1 - winter/2 in summer."""
    return 1 + winter * (abs(m - 7) / 6 * 1.5 - 0.5)


class Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[dict[str, object]] = []

    def add(
        self,
        rid: str,
        fac: str,
        start: str,
        end: str,
        category: str,
        fuel: str,
        quantity: float,
        unit: str,
        digits: int = 1,
        **extra: object,
    ) -> None:
        row = dict.fromkeys(ACTIVITY_COLUMNS, "")
        row.update(
            record_id=rid,
            facility_id=fac,
            period_start=start,
            period_end=end,
            category=category,
            fuel=fuel,
            quantity=round(quantity, digits),
            unit=unit,
            data_quality="measured",
            evidence_ref=f"{rid.lower()}-doc",
        )
        row.update(extra)
        self.rows.append(row)

    def noise(self, spread: float = 0.06) -> float:
        return 1 + self.rng.uniform(-spread, spread)


def pv_jiangsu(w: Writer) -> None:
    f = "FAC-JS-PV"
    for m, a, b in months(2024):
        w.add(
            f"JS-PV-NG-2024-{m:02d}",
            f,
            a,
            b,
            "stationary_combustion",
            "natural_gas",
            9.5 * season(m, 0.3) * w.noise(),
            "10^4 Nm3",
            2,
            source_id="JS-BOILER-1",
            evidence_ref=f"gas invoice 2024-{m:02d}",
        )
        w.add(
            f"JS-PV-EL-2024-{m:02d}",
            f,
            a,
            b,
            "purchased_electricity",
            "",
            6200 * w.noise(),
            "MWh",
            evidence_ref=f"State Grid bill 2024-{m:02d}",
        )
        w.add(
            f"JS-PV-HEAT-2024-{m:02d}",
            f,
            a,
            b,
            "purchased_heat",
            "",
            2100 * season(m, 0.4) * w.noise(),
            "GJ",
            evidence_ref=f"steam meter 2024-{m:02d}",
        )
        if m in (3, 7, 11):
            w.add(
                f"JS-PV-REF-2024-{m:02d}",
                f,
                a,
                b,
                "refrigerant",
                "R-410A",
                w.rng.uniform(4, 12),
                "kg",
                source_id="JS-CHILLERS",
                data_quality="estimated",
                evidence_ref=f"service log 2024-{m:02d}",
            )


def pv_arizona(w: Writer) -> None:
    f = "FAC-AZ-PV"
    for m, a, b in months(2024):
        w.add(
            f"AZ-PV-NG-2024-{m:02d}",
            f,
            a,
            b,
            "stationary_combustion",
            "natural_gas",
            41_000 * season(m, 0.25) * w.noise(),
            "therm",
            0,
            source_id="AZ-OVENS",
            evidence_ref=f"utility bill 2024-{m:02d}",
        )
        w.add(
            f"AZ-PV-EL-2024-{m:02d}",
            f,
            a,
            b,
            "purchased_electricity",
            "",
            3900 * season(m, -0.2) * w.noise(),
            "MWh",
            evidence_ref=f"APS bill 2024-{m:02d}",
        )
        w.add(
            f"AZ-PV-DSL-2024-{m:02d}",
            f,
            a,
            b,
            "stationary_combustion",
            "diesel",
            180 * w.noise(0.3),
            "gal",
            0,
            source_id="AZ-GENSET",
            evidence_ref="fuel log",
        )
        if m in (6, 8):
            w.add(
                f"AZ-PV-REF-2024-{m:02d}",
                f,
                a,
                b,
                "refrigerant",
                "R-404A",
                w.rng.uniform(10, 30),
                "lb",
                source_id="AZ-COLDROOM",
                data_quality="estimated",
            )


def engines_beijing(w: Writer) -> None:
    f = "FAC-BJ-ENG"
    for m, a, b in months(2024):
        w.add(
            f"BJ-ENG-NG-2024-{m:02d}",
            f,
            a,
            b,
            "stationary_combustion",
            "natural_gas",
            14 * season(m, 0.5) * w.noise(),
            "10^4 Nm3",
            2,
            source_id="BJ-PAINT-OVENS",
        )
        w.add(
            f"BJ-ENG-TEST-2024-{m:02d}",
            f,
            a,
            b,
            "stationary_combustion",
            "diesel",
            85 * w.noise(0.15),
            "t",
            2,
            source_id="BJ-TEST-CELLS",
            evidence_ref=f"test-cell fuel meter 2024-{m:02d}",
        )
        w.add(
            f"BJ-ENG-FLEET-2024-{m:02d}",
            f,
            a,
            b,
            "mobile_combustion",
            "diesel",
            22 * w.noise(0.1),
            "t",
            2,
            source_id="BJ-TRUCKS",
        )
        w.add(
            f"BJ-ENG-EL-2024-{m:02d}", f, a, b, "purchased_electricity", "", 5200 * w.noise(), "MWh"
        )
        w.add(
            f"BJ-ENG-HEAT-2024-{m:02d}",
            f,
            a,
            b,
            "purchased_heat",
            "",
            3000 * season(m, 0.9) * w.noise(),
            "GJ",
        )


def datacentre_washington(w: Writer) -> None:
    f = "FAC-WA-DC"
    for m, a, b in months(2024):
        w.add(
            f"WA-DC-EL-2024-{m:02d}",
            f,
            a,
            b,
            "purchased_electricity",
            "",
            10_000 * season(m, -0.1) * w.noise(0.04),
            "MWh",
            evidence_ref="Grant PUD bill",
        )
        w.add(
            f"WA-DC-GEN-2024-{m:02d}",
            f,
            a,
            b,
            "stationary_combustion",
            "diesel",
            (2600 if m in (4, 10) else 420) * w.noise(0.2),
            "gal",
            0,
            source_id="WA-GENSETS",
            notes="monthly load tests; April/October full-load tests",
        )
        w.add(
            f"WA-DC-NG-2024-{m:02d}",
            f,
            a,
            b,
            "stationary_combustion",
            "natural_gas",
            900 * season(m, 0.8) * w.noise(),
            "therm",
            0,
            source_id="WA-OFFICE-HEAT",
        )
        if m in (2, 9):
            w.add(
                f"WA-DC-REF-2024-{m:02d}",
                f,
                a,
                b,
                "refrigerant",
                "HFC-134a",
                w.rng.uniform(20, 60),
                "lb",
                source_id="WA-CRAH",
                data_quality="estimated",
            )


def coal_shandong(w: Writer) -> None:
    f = "FAC-SD-COAL"
    for year in (2024, 2025):
        for m, a, b in months(year):
            ncv = w.rng.uniform(21.5, 23.5)
            w.add(
                f"SD-COAL-{year}-{m:02d}",
                f,
                a,
                b,
                "stationary_combustion",
                "bituminous_coal",
                200_000 * season(m, 0.2) * w.noise(0.08),
                "t",
                0,
                source_id="SD-UNITS-1-2",
                ncv=round(ncv, 3),
                ncv_unit="GJ/t",
                carbon_content=round(w.rng.uniform(0.0255, 0.0265), 5),
                carbon_content_unit="tC/GJ",
                evidence_ref=f"coal lab report {year}-{m:02d}",
            )
            w.add(
                f"SD-DSL-{year}-{m:02d}",
                f,
                a,
                b,
                "stationary_combustion",
                "diesel",
                w.rng.uniform(15, 60),
                "t",
                1,
                source_id="SD-STARTUP",
            )
            w.add(
                f"SD-EL-{year}-{m:02d}",
                f,
                a,
                b,
                "purchased_electricity",
                "",
                900 * w.noise(0.3),
                "MWh",
                notes="start-up power from the grid",
            )


def coal_wyoming(w: Writer) -> None:
    f = "FAC-WY-COAL"
    for year in (2024, 2025):
        for m, a, b in months(year):
            w.add(
                f"WY-COAL-{year}-{m:02d}",
                f,
                a,
                b,
                "stationary_combustion",
                "subbituminous_coal",
                250_000 * season(m, 0.15) * w.noise(0.08),
                "short ton",
                0,
                source_id="WY-U1",
                hhv=round(w.rng.uniform(17.0, 17.6), 2),
                hhv_unit="mmBtu/short ton",
                evidence_ref=f"coal sampling {year}-{m:02d}",
            )
            heat = 2_300_000 * season(m, 0.15) * w.noise(0.08)
            w.add(
                f"WY-U2-CEMS-{year}-{m:02d}",
                f,
                a,
                b,
                "stationary_combustion",
                "subbituminous_coal",
                heat,
                "mmBtu",
                0,
                source_id="WY-U2-CEMS",
                energy_basis="HHV",
                measured_co2_t=round(heat * 97.17 / 1000 * w.rng.uniform(0.98, 1.02), 1),
                evidence_ref=f"CEMS quarterly report {year}-Q{(m - 1) // 3 + 1}",
            )
            w.add(
                f"WY-NG-{year}-{m:02d}",
                f,
                a,
                b,
                "stationary_combustion",
                "natural_gas",
                w.rng.uniform(2e6, 6e6),
                "scf",
                0,
                source_id="WY-STARTUP",
            )
            w.add(
                f"WY-DSL-{year}-{m:02d}",
                f,
                a,
                b,
                "stationary_combustion",
                "diesel",
                w.rng.uniform(3000, 9000),
                "gal",
                0,
                source_id="WY-AUX",
            )


# Inputs of the reports (docs/reports.md). Instruments: Cascadia buys US RECs for part of its
# data centre's use; SunBridge Jiangsu buys green-power trading and China GECs. The residual
# mix rows are SECONDARY figures (Green-e 2023 data as transcribed by a third party, CO2 only,
# lb/MWh x 0.45359237/1000), for illustration only; see docs/research/scope2-examples.md.
INSTRUMENTS = [
    ("instrument_id", "facility_id", "year", "type", "mwh", "t_co2e_per_mwh"),
    ("REC-2024-WA-001", "FAC-WA-DC", "2024", "rec", "60000", "0"),
    ("GPT-2024-JS-01", "FAC-JS-PV", "2024", "green_power", "20000", "0"),
    ("GEC-2024-JS-01", "FAC-JS-PV", "2024", "gec", "15000", "0"),
]
RESIDUAL_MIX = [
    ("grid_key", "year", "t_co2e_per_mwh", "source"),
    ("AZNM", "2024", "0.32102", "Green-e residual mix AZNM 707.73 lb/MWh (secondary)"),
    ("NWPP", "2024", "0.29780", "Green-e residual mix NWPP 656.53 lb/MWh (secondary)"),
]
TARGETS = [
    ("target_id", "organization_id", "kind", "scope", "base_year", "target_year", "reduction",
     "output_unit"),
    ("QILU-PEAK", "ORG-QILU-POWER", "peak", "scope1", "2024", "2030", "", ""),
    ("QILU-INT", "ORG-QILU-POWER", "intensity", "scope1", "2024", "2030", "0.18", "MWh"),
    ("HP-ABS", "ORG-HIGHPLAINS", "absolute", "scope1_2_market", "2024", "2030", "0.3", ""),
]  # fmt: skip
OUTPUT = [
    ("organization_id", "year", "value", "unit"),
    ("ORG-QILU-POWER", "2024", "3650000", "MWh"),
    ("ORG-QILU-POWER", "2025", "3580000", "MWh"),
    ("ORG-HIGHPLAINS", "2024", "7900000", "MWh"),
    ("ORG-HIGHPLAINS", "2025", "7800000", "MWh"),
]


def write_rows(name: str, rows: list[tuple[str, ...]]) -> None:
    with open(HERE / name, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def main() -> None:
    w = Writer(random.Random(SEED))
    for build in (
        pv_jiangsu,
        pv_arizona,
        engines_beijing,
        datacentre_washington,
        coal_shandong,
        coal_wyoming,
    ):
        build(w)
    with open(HERE / "facilities.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(FACILITY_COLUMNS)
        out.writerows(FACILITIES)
    with open(HERE / "activity.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, fieldnames=ACTIVITY_COLUMNS, lineterminator="\n")
        out.writeheader()
        out.writerows(w.rows)
    for name, rows in (
        ("instruments.csv", INSTRUMENTS),
        ("residual_mix.csv", RESIDUAL_MIX),
        ("targets.csv", TARGETS),
        ("output.csv", OUTPUT),
    ):
        write_rows(name, rows)
    print(f"wrote {len(FACILITIES)} facilities and {len(w.rows)} activity records")


if __name__ == "__main__":
    main()
