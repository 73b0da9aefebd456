"""Build OpenMRV's factor library from the team's reference research tables.

Run once when the reference tables change: ``python scripts/build_factor_library.py REF_DIR``.
It writes one long-format CSV per source table and edition into src/openmrv/factors/data/; those
files are the library (committed, reviewed, validated by tests). Status rules:

* ``official``   - value seen in the publication itself (or an identical copy of it);
* ``secondary``  - value from transcriptions that agree with each other, publication not seen;
* ``provisional``- one secondary source only, or sources disagree: never presented as official.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "openmrv" / "factors" / "data"
COLUMNS = [
    "factor_id",
    "table_id",
    "edition",
    "subject",
    "parameter",
    "gas",
    "value",
    "unit",
    "data_year",
    "publisher",
    "document",
    "table_ref",
    "status",
    "note",
]

HUB_DOC = "GHG Emission Factors Hub 2025 (last modified 15 Jan 2025)"
HUB_NOTE = "Hub 2025 workbook; two independent copies identical cell by cell"
CFR_DOC = "40 CFR Part 98 Subpart C, as amended through 81 FR 89252 (9 Dec 2016)"
IPCC_DOC = "2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 2 Energy"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def read(ref: Path, name: str) -> list[dict[str, str]]:
    with open(ref / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def row(table_id: str, edition: str, subject: str, parameter: str, value: str, unit: str, **kw):
    gas = kw.pop("gas", "")
    fid = ":".join(p for p in (table_id, slug(edition), slug(subject), parameter, gas) if p)
    out = dict.fromkeys(COLUMNS, "")
    out.update(
        factor_id=fid,
        table_id=table_id,
        edition=edition,
        subject=subject,
        parameter=parameter,
        gas=gas,
        value=value,
        unit=unit,
        **kw,
    )
    return out


def write(name: str, rows: list[dict[str, str]]) -> None:
    rows = [r for r in rows if r["value"].strip()]  # a value the source leaves blank is absent
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{name}: {len(rows)} rows")


def epa_hub(ref: Path) -> None:
    hub = {"publisher": "US EPA", "document": HUB_DOC, "status": "official"}
    rows = []
    for r in read(ref, "epa_hub2025_table1_stationary_combustion.csv"):
        if not r["physical_unit"]:
            continue  # kraft liquor rows: per-mmBtu only, kept in Table AA-1 of Part 98
        unit = {"short ton": "short ton", "scf": "scf", "gallon": "gal"}[r["physical_unit"]]
        kw = dict(hub, table_ref="Table 1 Stationary Combustion", note=HUB_NOTE)
        rows.append(
            row(
                "epa_hub_t1", "2025", r["fuel"], "hhv", r["heat_content_hhv"], f"mmBtu/{unit}", **kw
            )
        )
        rows.append(
            row(
                "epa_hub_t1",
                "2025",
                r["fuel"],
                "ef",
                r["kg_co2_per_mmbtu"],
                "kg/mmBtu",
                gas="CO2",
                **kw,
            )
        )
        rows.append(
            row(
                "epa_hub_t1",
                "2025",
                r["fuel"],
                "ef",
                r["g_ch4_per_mmbtu"],
                "g/mmBtu",
                gas="CH4",
                **kw,
            )
        )
        rows.append(
            row(
                "epa_hub_t1",
                "2025",
                r["fuel"],
                "ef",
                r["g_n2o_per_mmbtu"],
                "g/mmBtu",
                gas="N2O",
                **kw,
            )
        )
    write("epa_hub_t1__2025", rows)

    rows = [
        row(
            "epa_hub_t2",
            "2025",
            r["fuel"],
            "ef",
            r["kg_co2_per_unit"],
            f"kg/{ {'gallon': 'gal', 'scf': 'scf'}[r['unit']] }",
            gas="CO2",
            **hub,
            table_ref="Table 2 Mobile Combustion CO2",
            note=r["note"],
        )
        for r in read(ref, "epa_hub2025_table2_mobile_co2.csv")
    ]
    write("epa_hub_t2__2025", rows)

    rows = []
    for r in read(ref, "epa_hub2025_table6_egrid2023_subregions.csv"):
        subj = "US" if r["egrid_subregion"] == "US Average" else r["egrid_subregion"]
        kw = dict(
            hub,
            table_ref="Table 6 Electricity (eGRID2023, January 2025 release)",
            note=f"{r['name']}; total output emission rate",
            data_year="2023",
        )
        for gas in ("co2", "ch4", "n2o"):
            rows.append(
                row(
                    "epa_hub_t6",
                    "2025",
                    subj,
                    "ef",
                    r[f"total_output_lb_{gas}_per_mwh"],
                    "lb/MWh",
                    gas=gas.upper(),
                    **kw,
                )
            )
            kw2 = dict(kw, note=f"{r['name']}; non-baseload emission rate")
            rows.append(
                row(
                    "epa_hub_t6",
                    "2025",
                    subj,
                    "ef_nonbaseload",
                    r[f"nonbaseload_lb_{gas}_per_mwh"],
                    "lb/MWh",
                    gas=gas.upper(),
                    **kw2,
                )
            )
        rows.append(
            row(
                "epa_hub_t6",
                "2025",
                subj,
                "grid_loss",
                r["grid_gross_loss_fraction"],
                "fraction",
                **dict(kw, note=f"{r['name']}; grid gross loss"),
            )
        )
    write("epa_hub_t6__2025", rows)

    r = read(ref, "epa_hub2025_table7_steam_heat.csv")[0]
    kw = dict(hub, table_ref="Table 7 Steam and Heat", note=r["basis"])
    write(
        "epa_hub_t7__2025",
        [
            row(
                "epa_hub_t7",
                "2025",
                "steam_and_heat",
                "ef",
                r["kg_co2_per_mmbtu"],
                "kg/mmBtu",
                gas="CO2",
                **kw,
            ),
            row(
                "epa_hub_t7",
                "2025",
                "steam_and_heat",
                "ef",
                r["g_ch4_per_mmbtu"],
                "g/mmBtu",
                gas="CH4",
                **kw,
            ),
            row(
                "epa_hub_t7",
                "2025",
                "steam_and_heat",
                "ef",
                r["g_n2o_per_mmbtu"],
                "g/mmBtu",
                gas="N2O",
                **kw,
            ),
        ],
    )

    rows = [
        row(
            "epa_hub_t11",
            "2025",
            gas_code(r["name"], r["formula"]),
            "gwp",
            r["gwp100_ar5"],
            "1",
            gas=gas_code(r["name"], r["formula"]),
            **hub,
            table_ref="Table 11 GWPs (AR5)",
            note="100-year GWP, IPCC AR5",
        )
        for r in read(ref, "epa_hub2025_table11_gwp_ar5.csv")
    ]
    write("epa_hub_t11__2025", rows)

    rows = []
    for r in read(ref, "epa_hub2025_table12_refrigerant_blends_ar5.csv"):
        kw = dict(hub, table_ref="Table 12 Refrigerant blends (AR5)")
        rows.append(
            row(
                "epa_hub_t12",
                "2025",
                r["ashrae"],
                "gwp",
                r["gwp100_ar5"],
                "1",
                **dict(kw, note="published blend GWP"),
            )
        )
        for part in r["composition"].split(","):
            pct, gas = part.strip().split("%", 1)
            rows.append(
                row(
                    "epa_hub_t12",
                    "2025",
                    r["ashrae"],
                    "mass_fraction",
                    f"{float(pct) / 100:.6g}",
                    "fraction",
                    gas=gas.strip(),
                    **dict(kw, note="blend composition, mass fraction"),
                )
            )
    write("epa_hub_t12__2025", rows)


def gas_code(name: str, formula: str) -> str:
    """One code per gas: CO2/CH4/N2O/SF6/NF3 by formula, HFCs and PFCs by their common names."""
    named = {
        "Carbon dioxide": "CO2",
        "Methane": "CH4",
        "Nitrous oxide": "N2O",
        "Sulfur hexafluoride": "SF6",
        "Nitrogen trifluoride": "NF3",
    }
    if name in named:
        return named[name]
    m = re.match(r"(PFC-\d+(?:-\d+)?)", name)
    return m.group(1) if m else name


def gwp_ipcc(ref: Path) -> None:
    reports = {
        "AR4": "IPCC AR4 WG1 Table 2.14",
        "AR5": "IPCC AR5 WG1 Ch. 8 Table 8.A.1",
        "AR6": "IPCC AR6 WG1 Ch. 7 Table 7.SM.7 (CH4 fossil/non-fossil: Table 7.15)",
    }
    rows = []
    for r in read(ref, "gwp100_ar4_ar5_ar6.csv"):
        gas = {"CH4 (fossil)": "CH4_fossil", "CH4 (non-fossil)": "CH4_nonfossil"}.get(
            r["gas"], r["gas"].split(" (")[0]
        )
        ver = r["verification"]
        if "UNRESOLVED" in ver:
            status = "provisional"
        elif r["assessment_report"] in ("AR4", "AR5") and "agree" in ver:
            status = "official"  # equals 40 CFR 98 Table A-1 (AR4) / EPA Hub 2025 Table 11 (AR5)
        else:
            status = "secondary"
        rows.append(
            row(
                "gwp_ipcc",
                r["assessment_report"],
                gas,
                "gwp",
                r["gwp100"],
                "1",
                gas=gas,
                publisher="IPCC",
                document=reports[r["assessment_report"]],
                table_ref=reports[r["assessment_report"]],
                status=status,
                note=f"cross-check: {r['crosscheck_source'][:160]}; {ver[:160]}",
            )
        )
    for ar in ("AR4", "AR5", "AR6"):
        write(f"gwp_ipcc__{ar.lower()}", [x for x in rows if x["edition"] == ar])


def cfr98(ref: Path) -> None:
    rows_c1, rows_c2 = [], []
    for r in read(ref, "cfr98_subpartC_tableC1_C2.csv"):
        verified = r["verification"].startswith("verified")
        base = {"publisher": "US EPA", "document": CFR_DOC}
        fuel = re.sub(r"\s*\[fn\d.*?\]", "", r["fuel"]).replace(" (dry basis)", "")
        if r["table"] == "C-1":
            status = "official" if verified else "secondary"
            note = (
                "Part 98 text and EPA Hub 2025 Table 1 agree"
                if verified
                else "value from EPA Hub 2025 Table 1, which cites Table C-1; Part 98 text for "
                "this row not seen"
            )
            kw = dict(base, table_ref="Table C-1", status=status, note=note)
            unit = r["hhv_unit"].replace("gallon", "gal")
            rows_c1.append(row("cfr98_c1", "2016", fuel, "hhv", r["default_hhv"], unit, **kw))
            rows_c1.append(
                row(
                    "cfr98_c1",
                    "2016",
                    fuel,
                    "ef",
                    r["default_co2_ef_kg_per_mmbtu"],
                    "kg/mmBtu",
                    gas="CO2",
                    **kw,
                )
            )
        elif r["table"] == "C-2":
            kw = dict(
                base,
                table_ref="Table C-2",
                status="official" if verified else "secondary",
                note="two Part 98 transcriptions and EPA Hub 2025 agree",
            )
            rows_c2.append(
                row(
                    "cfr98_c2",
                    "2016",
                    fuel,
                    "ef",
                    r["default_ch4_ef_kg_per_mmbtu"],
                    "kg/mmBtu",
                    gas="CH4",
                    **kw,
                )
            )
            rows_c2.append(
                row(
                    "cfr98_c2",
                    "2016",
                    fuel,
                    "ef",
                    r["default_n2o_ef_kg_per_mmbtu"],
                    "kg/mmBtu",
                    gas="N2O",
                    **kw,
                )
            )
    write("cfr98_c1__2016", rows_c1)
    write("cfr98_c2__2016", rows_c2)


# Tables 2.2-2.5 (CH4, N2O by source category), transcribed in the project with, per value, its
# IPCC Emission Factor Database (EFDB) id and the cross-check against a second transcription.
CH2 = Path(__file__).resolve().parent / "reference" / "ipcc2006_v2_ch2_ch4_n2o.csv"
EFDB = (
    "IPCC Emission Factor Database (EFDB) export of the 2006 IPCC Guidelines defaults (EF id {ids})"
)


def ch2_checked(r: dict[str, str], ch2: list[dict[str, str]]) -> None:
    """The reference table's Table 2.2/2.3 values must equal the project's transcription."""
    for x in ch2:
        if x["fuel_ipcc"] != r["fuel_ipcc"] or x["table"] not in ("Table 2.2", "Table 2.3"):
            continue
        v = r[f"{x['gas'].lower()}_{x['sector']}_kg_per_TJ"]
        assert not v or float(v) == float(x["value_kg_per_TJ"]), (r["fuel_ipcc"], x)


def ch2_rows(ch2: list[dict[str, str]]) -> list[dict[str, str]]:
    """CH4/N2O of Tables 2.2-2.5: secondary where the EFDB value agrees with the second
    transcription (or, for its one slip, with the reference transcriptions)."""
    return [
        row(
            "ipcc2006",
            "2006",
            f"{x['fuel_ipcc']}|{x['sector']}",
            "ef",
            x["value_kg_per_TJ"],
            "kg/TJ",
            gas=x["gas"],
            publisher="IPCC",
            document=IPCC_DOC,
            table_ref=f"Ch. 2 {x['table']}",
            status="secondary",
            note=f"{EFDB.format(ids=x['efdb_ef_id'])}; {x['crosscheck']}",
        )
        for x in ch2
    ]


def ipcc(ref: Path) -> None:
    rows = []
    with open(CH2, encoding="utf-8") as fh:
        ch2 = list(csv.DictReader(fh))
    for r in read(ref, "ipcc2006_v2_stationary_defaults.csv"):
        f = r["fuel_ipcc"]
        two = "2 secondary" in r["ncv_co2_verification"]
        base = {
            "publisher": "IPCC",
            "document": IPCC_DOC,
            "status": "secondary" if two else "provisional",
            "note": r["ncv_co2_verification"][:200],
        }
        rows.append(
            row(
                "ipcc2006",
                "2006",
                f,
                "ncv",
                r["ncv_default_TJ_per_Gg"],
                "TJ/Gg",
                **dict(base, table_ref="Ch. 1 Table 1.2"),
            )
        )
        rows.append(
            row(
                "ipcc2006",
                "2006",
                f,
                "carbon_content",
                r["carbon_content_default_kgC_per_GJ"],
                "kgC/GJ",
                **dict(base, table_ref="Ch. 1 Table 1.3"),
            )
        )
        rows.append(
            row(
                "ipcc2006",
                "2006",
                f,
                "ef",
                r["co2_ef_default_kg_per_TJ"],
                "kg/TJ",
                gas="CO2",
                **dict(base, table_ref="Ch. 1 Table 1.4"),
            )
        )
        ch2_checked(r, ch2)
    rows += ch2_rows(ch2)
    write("ipcc2006__2006", rows)


CN_GRID_REGIONS = {
    "华北 North": "north",
    "东北 Northeast": "northeast",
    "华东 East": "east",
    "华中 Central": "central",
    "西北 Northwest": "northwest",
    "南方 South": "south",
    "西南 Southwest": "southwest",
}
CN_PROVINCES = {
    "北京": "CN-BJ",
    "天津": "CN-TJ",
    "河北": "CN-HE",
    "山西": "CN-SX",
    "内蒙古": "CN-NM",
    "辽宁": "CN-LN",
    "吉林": "CN-JL",
    "黑龙江": "CN-HL",
    "上海": "CN-SH",
    "江苏": "CN-JS",
    "浙江": "CN-ZJ",
    "安徽": "CN-AH",
    "福建": "CN-FJ",
    "江西": "CN-JX",
    "山东": "CN-SD",
    "河南": "CN-HA",
    "湖北": "CN-HB",
    "湖南": "CN-HN",
    "广东": "CN-GD",
    "广西": "CN-GX",
    "海南": "CN-HI",
    "重庆": "CN-CQ",
    "四川": "CN-SC",
    "贵州": "CN-GZ",
    "云南": "CN-YN",
    "西藏": "CN-XZ",
    "陕西": "CN-SN",
    "甘肃": "CN-GS",
    "青海": "CN-QH",
    "宁夏": "CN-NX",
    "新疆": "CN-XJ",
}


def mee_grid(ref: Path) -> None:
    rows = []
    for r in read(ref, "china_electricity_co2_factors.csv"):
        ver = r["verification"]
        status = "secondary" if ver.startswith("cross-checked") else "provisional"
        base = {
            "publisher": "China MEE and NBS",
            "document": r["source"][:200],
            "table_ref": f"{r['level']}; {r['caliber']}",
            "status": status,
            "note": f"{ver}; {r['crosscheck_source'][:120]}",
        }
        if not r["data_year"].isdigit():
            continue  # the earlier enterprise-reporting factors: see grid_series below
        caliber = {
            "average (all generation)": "average",
            "average": "average",
            "fossil-fuel power only": "fossil",
            "average excluding market-traded non-fossil electricity": "excl_green",
        }[r["caliber"]]
        if r["level"] == "national":
            subj = "CN"
        elif r["level"] == "regional grid":
            subj = f"grid:{CN_GRID_REGIONS[r['region']]}"
        else:
            subj = CN_PROVINCES[r["region"]]
        rows.append(
            row(
                "mee_grid",
                r["data_year"],
                f"{subj}|{caliber}",
                "ef",
                r["value"],
                "t/MWh",
                gas="CO2",
                data_year=r["data_year"],
                **base,
            )
        )
    ets, nbs = grid_series(ref, rows)
    grid = rows + nbs
    for year in sorted({x["edition"] for x in grid}):
        write(f"mee_grid__{year}", [x for x in grid if x["edition"] == year])
    write("mee_ets_grid__notices", ets)


ETS_SERIES = "carbon-market (national ETS) grid average"
NBS_SERIES = "MEE/NBS national average"


def grid_series(ref: Path, nbs: list[dict[str, str]]) -> tuple[list[dict], list[dict]]:
    """The two national series of china_grid_factor_series.csv: the carbon-market series (table
    mee_ets_grid, edition = the data years a value applies to) and the MEE/NBS rows that the
    electricity factors file lacks (the 2021 national average excluding market-traded
    non-fossil power). Statuses as the reference gives them."""
    ets, extra = [], []
    for r in read(ref, "china_grid_factor_series.csv"):
        status = r["status"].split(" ")[0]
        base = {
            "publisher": "China MEE",
            "document": r["source"][:200],
            "status": status if status in ("official", "secondary") else "provisional",
            "note": f"{r['series']}; applies to: {r['scope_of_use']}"[:300],
        }
        if r["series"] == ETS_SERIES:
            base["table_ref"] = "national grid average emission factor (全国电网平均排放因子)"
            ets.append(
                row(
                    "mee_ets_grid",
                    r["data_year"],
                    "CN|average",
                    "ef",
                    r["value_t_co2_per_mwh"],
                    "t/MWh",
                    gas="CO2",
                    data_year=r["data_year"][:4],
                    **base,
                )
            )
        elif "excluding market-traded" in r["series"]:
            extra.append(
                row(
                    "mee_grid",
                    r["data_year"],
                    "CN|excl_green",
                    "ef",
                    r["value_t_co2_per_mwh"],
                    "t/MWh",
                    gas="CO2",
                    data_year=r["data_year"],
                    **dict(
                        base,
                        publisher="China MEE and NBS",
                        table_ref="national; average excl. market-traded non-fossil electricity",
                    ),
                )
            )
        else:  # the MEE/NBS average: already in the electricity factors file, same value
            assert r["series"].startswith(NBS_SERIES), r
            hit = [
                x for x in nbs if x["factor_id"] == f"mee_grid:{r['data_year']}:cn_average:ef:CO2"
            ]
            assert hit and float(hit[0]["value"]) == float(r["value_t_co2_per_mwh"]), r
    return ets, extra


MEE_FUELS = {
    "原煤 raw coal": "raw_coal",
    "无烟煤 anthracite": "anthracite",
    "烟煤 bituminous coal": "bituminous_coal",
    "褐煤 lignite": "lignite",
    "焦炭 coke": "coke",
    "原油 crude oil": "crude_oil",
    "燃料油 fuel oil": "fuel_oil",
    "汽油 gasoline": "gasoline",
    "柴油 diesel": "diesel",
    "一般煤油 kerosene": "kerosene",
    "液化石油气 LPG": "lpg",
    "天然气 natural gas": "natural_gas",
    "焦炉煤气 coke oven gas": "coke_oven_gas",
    "高炉煤气 blast furnace gas": "blast_furnace_gas",
    "转炉煤气 converter gas": "converter_gas",
}


def mee_fuels(ref: Path) -> list[dict[str, str]]:
    rows = []
    for r in read(ref, "china_fuel_default_parameters_SECONDARY.csv"):
        subj = MEE_FUELS[r["fuel"]]
        unit_den = "t" if r["ncv_unit"] == "GJ/t" else "10^4 Nm3"
        for param, unit, col in (
            ("ncv", f"GJ/{unit_den}", "ncv"),
            ("carbon_content", "tC/GJ", "cc_tC_per_GJ"),
            ("oxidation", "fraction", "oxidation"),
        ):
            v1, v2 = r[f"{col}_src1_paper"], r[f"{col}_src2_js"]
            value = v1 or v2
            agree = bool(v1 and v2 and float(v1) == float(v2))
            src = "Heliyon 9(11):e21241 (2023) Table 2" if v1 else "public JS constants file"
            note = (
                f"SECONDARY; {src}; "
                + (
                    "two secondary sources agree"
                    if agree
                    else f"other source gives {v2}"
                    if v1 and v2
                    else "one secondary source only"
                )
                + "; official MEE guideline text not seen"
            )
            rows.append(
                row(
                    "mee_fuel_defaults",
                    "provisional-2026",
                    subj,
                    param,
                    value,
                    unit,
                    publisher="China MEE (as transcribed)",
                    document="Enterprise GHG accounting guidelines / GB/T 32151 fuel "
                    "default table (not seen)",
                    table_ref="common fossil fuel default parameters",
                    status="provisional",
                    note=note,
                )
            )
    write("mee_fuel_defaults__provisional", rows)
    return rows


MEE_OFFICIAL = {
    "无烟煤": "anthracite", "烟煤": "bituminous_coal", "褐煤": "lignite", "洗精煤": "cleaned_coal",
    "其他洗煤": "other_washed_coal", "型煤": "briquettes", "其他煤制品": "other_coal_products",
    "焦炭": "coke", "原油": "crude_oil", "燃料油": "fuel_oil", "汽油": "gasoline", "柴油": "diesel",
    "煤油": "kerosene", "炼厂干气": "refinery_dry_gas", "液化天然气": "lng", "液化石油气": "lpg",
    "石脑油": "naphtha", "煤焦油": "coal_tar", "粗苯": "crude_benzene",
    "其他石油制品": "other_petroleum_products", "天然气": "natural_gas",
    "高炉煤气": "blast_furnace_gas", "转炉煤气": "converter_gas", "焦炉煤气": "coke_oven_gas",
    "其他煤气": "other_gas",
}  # fmt: skip
# Coals the power-generation guideline's unmeasured-coal defaults apply to.
POWER_COALS = ("raw_coal", "anthracite", "bituminous_coal", "lignite", "cleaned_coal",
               "other_washed_coal", "briquettes", "other_coal_products")  # fmt: skip
MEE_GENERAL = "gbt32151-2022"  # 24 sector guidelines / GB/T 32151 family (non-power)
MEE_POWER = "power-2021"  # MEE power-generation facilities guideline (环办气候〔2021〕9号)


def _mee_status(status: str) -> str:
    return "official" if status.startswith("official") else "secondary"


def _mee_rows(edition: str, subject: str, r: dict[str, str], note: str) -> list[dict[str, str]]:
    """NCV, carbon content and oxidation rate of one official-table row (an NCV printed as a
    range is not a default: left out)."""
    kw = dict(
        publisher="China MEE / provincial ecology department",
        document=r["source"][:200],
        table_ref=r["scope_of_use"],
        status=_mee_status(r["status"]),
        note=(note + (f"; {r['notes']}" if r["notes"] else "")).strip("; "),
    )
    out = []
    if r["ncv_default"] and "-" not in r["ncv_default"]:
        out.append(
            row("mee_fuel_defaults", edition, subject, "ncv", r["ncv_default"], r["ncv_unit"], **kw)
        )
    cc = r["carbon_content_tC_per_TJ"]
    out.append(row("mee_fuel_defaults", edition, subject, "carbon_content", cc, "tC/TJ", **kw))
    ox = r["oxidation_rate"]
    out.append(row("mee_fuel_defaults", edition, subject, "oxidation", ox, "fraction", **kw))
    return out


def mee_fuels_official(ref: Path, provisional: list[dict[str, str]]) -> None:
    """The official MEE fuel defaults, one edition per guideline family: `MEE_GENERAL` (the
    provincial official table matching GB/T 32151) and `MEE_POWER` (the 2021 power-generation
    guideline: unmeasured coal and power-sector natural gas, the rest as in the general table).
    A parameter with no official single value keeps its provisional value, marked so."""
    general: dict[tuple[str, str], dict[str, str]] = {}
    power: dict[tuple[str, str], dict[str, str]] = {}
    for r in read(ref, "china_fuel_defaults_official.csv"):
        if r["fuel_cn"] in MEE_OFFICIAL:
            for x in _mee_rows(MEE_GENERAL, MEE_OFFICIAL[r["fuel_cn"]], r, ""):
                general[(x["subject"], x["parameter"])] = x
        elif r["fuel_cn"] == "燃煤（未实测）":
            for coal in POWER_COALS:
                for x in _mee_rows(MEE_POWER, coal, r, "coal when not measured"):
                    power[(coal, x["parameter"])] = x
        elif r["fuel_cn"] == "天然气（发电）":
            for x in _mee_rows(MEE_POWER, "natural_gas", r, "power sector"):
                power[("natural_gas", x["parameter"])] = x
    for p in provisional:  # no official single value: the provisional one, still provisional
        key = (p["subject"], p["parameter"])
        if key not in general:
            general[key] = dict(
                p,
                edition=MEE_GENERAL,
                factor_id=p["factor_id"].replace("provisional_2026", slug(MEE_GENERAL)),
                note=p["note"] + "; no single official value (absent, or printed as a range)",
            )
    for key, x in general.items():
        if key not in power:
            fid = x["factor_id"].replace(slug(MEE_GENERAL), slug(MEE_POWER))
            power[key] = dict(x, edition=MEE_POWER, factor_id=fid)
    write(f"mee_fuel_defaults__{MEE_GENERAL}", sorted(general.values(), key=_fid))
    write(f"mee_fuel_defaults__{MEE_POWER}", sorted(power.values(), key=_fid))


def _fid(r: dict[str, str]) -> str:
    return r["factor_id"]


def main() -> None:
    ref = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/reference/factors")
    epa_hub(ref)
    gwp_ipcc(ref)
    cfr98(ref)
    ipcc(ref)
    mee_grid(ref)
    mee_fuels_official(ref, mee_fuels(ref))


if __name__ == "__main__":
    main()
