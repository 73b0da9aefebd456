"""Honest totals (issue 15): every record is either in a total or listed as not computed with
the reason, in every output; every total that misses records says so, in both languages."""

from __future__ import annotations

import csv
import json
import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from openmrv.cli import app
from openmrv.combustion.schema import ACTIVITY
from openmrv.engine import calculate
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import validate_activity, validate_facilities
from openmrv.reports import coverage
from openmrv.reports.bundle import assemble, write
from openmrv.reports.coverage import PARTIAL_MARK
from openmrv.reports.i18n import t
from openmrv.reports.markdown import render
from tests.reports.conftest import EXAMPLES

# Records the example lacks, one of each kind the issue names: a liquid fuel in tonnes that
# Part 98 cannot compute (coal tar: no Table C-1 row; the example's diesel in tonnes, and
# kerosene, compute through their densities), a
# Chinese refrigerant (MEE has none), a process record (no methodology here computes process
# emissions), a biomass fuel (biogenic CO2, outside every total) and a CEMS unit (measured CO2,
# no heat on its CO2 row).
ADDED = [
    {  # coal tar in tonnes: Part 98 has no Table C-1 factor for it, MEE computes it
        "record_id": "BJ-ENG-TAR-2024-06",
        "facility_id": "FAC-BJ-ENG",
        "source_id": "BJ-TEST-CELL",
        "period_start": "2024-06-01",
        "period_end": "2024-06-30",
        "category": "stationary_combustion",
        "fuel": "煤焦油",
        "quantity": "3",
        "unit": "t",
    },
    {
        "record_id": "JS-PV-REF-2024-12",
        "facility_id": "FAC-JS-PV",
        "period_start": "2024-12-01",
        "period_end": "2024-12-31",
        "category": "refrigerant",
        "fuel": "R-410A",
        "quantity": "5",
        "unit": "kg",
    },
    {
        "record_id": "BJ-ENG-PROC-2024",
        "facility_id": "FAC-BJ-ENG",
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "category": "process",
        "fuel": "",
        "quantity": "120",
        "unit": "t",
    },
    {
        "record_id": "AZ-PV-WOOD-2024-05",
        "facility_id": "FAC-AZ-PV",
        "period_start": "2024-05-01",
        "period_end": "2024-05-31",
        "category": "stationary_combustion",
        "fuel": "wood",
        "quantity": "100",
        "unit": "short ton",
    },
    {
        "record_id": "WY-U3-CEMS-2024-12",
        "facility_id": "FAC-WY-COAL",
        "source_id": "WY-UNIT-3",
        "period_start": "2024-12-01",
        "period_end": "2024-12-31",
        "category": "stationary_combustion",
        "fuel": "subbituminous_coal",
        "quantity": "100000",
        "unit": "mmBtu",
        "measured_co2_t": "9500",
        "tier": "4",
    },
]


@pytest.fixture(scope="module")
def augmented(tmp_path_factory):
    """The example data plus ADDED, through the public path; (dir, facilities, activity, run)."""
    d = tmp_path_factory.mktemp("honest")
    with open(EXAMPLES / "activity.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    cols = list(rows[0])
    path = d / "activity.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, cols)
        w.writeheader()
        w.writerows(rows + [{c: r.get(c, "") for c in cols} for r in ADDED])
    fac = validate_facilities(read_table(EXAMPLES / "facilities.csv"))
    act = validate_activity(read_table(path), set(fac.facility_id)).table
    return d, fac, act, calculate(act, fac, schema=ACTIVITY)


def _inputs(act) -> dict[tuple[str, int], set[str]]:
    df = act.select(["record_id", "facility_id", "year"]).to_pandas()
    return {(f, int(y)): set(g.record_id) for (f, y), g in df.groupby(["facility_id", "year"])}


def _ids(cell: str) -> set[str]:
    return {x.strip() for x in str(cell).split(",") if x.strip()}


def test_the_added_records_are_in_the_input(augmented):
    _, _, act, run = augmented
    ids = set(act.column("record_id").to_pylist())
    assert {r["record_id"] for r in ADDED} <= ids
    # the process record: no methodology computes or skips it (the engine leaves no trace)
    res = set(run.results.column("record_id").to_pylist())
    sk = set(run.skipped.column("record_id").to_pylist())
    assert "BJ-ENG-PROC-2024" not in res | sk


def test_every_record_is_computed_or_listed_per_methodology(augmented):
    """The calculate table's ledger: per methodology and facility-year, the records in the total
    and the records listed as not computed partition the input."""
    _, _, act, run = augmented
    led = coverage.by_methodology(run.results, run.skipped, act)
    want = _inputs(act)
    res = run.results.select(["methodology", "record_id"]).to_pandas()
    for m in ("epa_part98_c", "epa_hub_ghgp", "cn_mee", "ipcc2006_t1"):
        done = set(res.record_id[res.methodology == m])
        why = coverage.reasons(led[led.methodology == m], ["facility_id", "year"])
        for key, ids in want.items():
            listed = set().union(
                *[
                    _ids(c)
                    for c in why.record_ids[(why.facility_id == key[0]) & (why.year == key[1])]
                ]
            )
            included = done & ids
            assert included | listed == ids, (m, key)
            assert not included & listed, (m, key)
    proc = led[(led.record_id == "BJ-ENG-PROC-2024") & (led.methodology == "cn_mee")].iloc[0]
    assert not proc.included and proc.reason == "cn_mee does not cover category process"
    # the summary counts add up to the input too (records in scope + outside its categories)
    summ = coverage.summary(led, ["methodology", "facility_id", "year"])
    for r in summ.itertuples():
        assert r.records + r.outside_categories == len(want[(r.facility_id, r.year)])


def _bundle_partition(records: pd.DataFrame, missing: pd.DataFrame, act, fac) -> None:
    """The inventory's records plus its listed not-computed records equal the input of every
    facility-year inside the boundary (operational control: all six facilities)."""
    want = _inputs(act)
    org = fac.set_index("facility_id").organization_id
    for (f, y), ids in want.items():
        included = set(records.record_id[(records.facility_id == f) & (records.year == y)])
        rows = missing[(missing.organization_id == org[f]) & (missing.year == y)]
        listed = set().union(*[_ids(c) for c in rows.record_ids]) & ids
        assert included | listed == ids, (f, y, ids - included - listed)
        assert not included & listed, (f, y)


@pytest.fixture(scope="module")
def bundle(augmented):
    _, fac, act, run = augmented
    return assemble(run, act, fac)


def test_inventory_takes_fallbacks_and_lists_the_rest(bundle, augmented):
    _, fac, act, _ = augmented
    inv = bundle.inventory
    rec = inv.records
    # the Jiangsu refrigerants come from the EPA Hub fallback, marked as such
    ref = rec[rec.record_id.str.startswith("JS-PV-REF")]
    assert len(ref) == 4 and set(ref.methodology) == {"epa_hub_ghgp"} and ref.fallback.all()
    assert set(ref.primary_methodology) == {"cn_mee"}
    # MEE's combustion rows stay MEE's; their CH4/N2O come from IPCC 2006 (first fallback)
    ng = rec[rec.record_id == "JS-PV-NG-2024-01"].set_index("gas").methodology.to_dict()
    assert ng == {"CO2": "cn_mee", "CH4": "ipcc2006_t1", "N2O": "ipcc2006_t1"}
    _bundle_partition(rec, inv.not_computed(), act, fac)
    # the process record is listed with every method tried
    miss = inv.not_computed()
    proc = miss[miss.record_ids == "BJ-ENG-PROC-2024"].iloc[0]
    assert proc.reason == (
        "cn_mee: cn_mee does not cover category process | ipcc2006_t1: ipcc2006_t1 does not "
        "cover category process | epa_hub_ghgp: epa_hub_ghgp does not cover category process"
    )


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "xlsx"])
def test_flat_formats_partition_the_input(bundle, augmented, tmp_path, fmt):
    _, fac, act, _ = augmented
    out = tmp_path / ("r.xlsx" if fmt == "xlsx" else "r")
    write(bundle, out, fmt)

    def read(name: str) -> pd.DataFrame:
        if fmt == "xlsx":
            return pd.read_excel(out, sheet_name=name)
        p = out / f"{name}.{fmt}"
        return {
            "csv": pd.read_csv,
            "json": lambda p: pd.DataFrame(json.loads(p.read_text())),
            "parquet": pd.read_parquet,
        }[fmt](p)

    _bundle_partition(read("inventory_records"), read("inventory_not_computed"), act, fac)
    totals = read("inventory_totals")
    partial = totals[totals.organization_id == "ORG-TIANHE-JV"].coverage_scope1.iloc[0]
    assert partial.startswith(PARTIAL_MARK) and "1 of 38 records" in partial
    by_m = read("totals_by_methodology")
    p98 = by_m[(by_m.methodology == "epa_part98_c") & (by_m.facility_id == "FAC-BJ-ENG")]
    assert p98.coverage.iloc[0].startswith(PARTIAL_MARK)
    p98r = read("part98_subpart_c")
    assert (
        p98r[p98r.facility_id == "FAC-BJ-ENG"].facility_coverage.str.startswith(PARTIAL_MARK).all()
    )


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_html_lists_every_record_left_out_and_marks_partial_totals(bundle, tmp_path, lang):
    write(bundle, tmp_path / "r.html", "html", lang)
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    # obligations first
    assert text.index(t("section.obligations", lang)) < text.index(t("section.inventory", lang))
    for rid in set().union(*map(_ids, bundle.inventory.not_computed().record_ids)):
        assert rid in text
    partial = t("coverage.partial", lang).split("{")[0]
    assert f'<td class="partial">{partial}' in text  # visibly marked in its own cell
    # the Part 98 report marks FAC-BJ-ENG's total partial (its coal tar)
    p98 = text[text.index(t("section.part98", lang)) : text.index(t("section.mee", lang))]
    assert f'<td class="partial">{partial}' in p98
    editions = text[text.index(t("report.editions", lang)) : text.index("</details>")]
    assert "cfr98_c1 2016" in editions and "{" not in editions  # text, not a Python dict


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_markdown_and_cli_flag_partial_totals(augmented, lang):
    d, fac, act, run = augmented
    md = render(run, act, fac, lang)
    assert t("coverage.partial", lang).split("{")[0] in md
    assert "BJ-ENG-PROC-2024" in md
    if lang == "en":
        res = CliRunner().invoke(
            app,
            [
                "calculate",
                str(EXAMPLES / "facilities.csv"),
                str(d / "activity.csv"),
                "--out",
                str(d / "r.csv"),
            ],
            env={"COLUMNS": "250"},
        )
        assert res.exit_code == 0, res.output
        assert "⚠ partial: 1 of 25 records not computed" in res.output  # Part 98, FAC-BJ-ENG
        assert "cn_mee does not cover category process" in res.output


def test_cli_inventory_and_part98_list_what_they_leave_out(augmented):
    d = augmented[0]
    args = [str(EXAMPLES / "facilities.csv"), str(d / "activity.csv")]
    res = CliRunner().invoke(app, ["report", "inventory", *args], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    assert "ipcc2006_t1, epa_hub_ghgp" in res.output  # the fallback order is shown
    assert "cn_mee: cn_mee does not cover category process" in res.output
    res = CliRunner().invoke(app, ["report", "part98", *args], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    assert "⚠ partial" in res.output and "fuel not in 40 CFR 98 Table C-1" in res.output


def test_mee_table4_carries_coverage_in_both_languages(bundle):
    t4 = list(bundle.mee.values())[3]
    col = next(c for c in t4.columns if c.startswith("Coverage"))
    assert "完整性" in col
    bj = t4[t4.iloc[:, 0] == "FAC-BJ-ENG"][col].iloc[0]
    # the process record: MEE has no process method here, and the total says so
    assert bj.startswith(PARTIAL_MARK) and " / " + PARTIAL_MARK in bj


def test_ipcc_table_names_the_methodology_of_each_row(augmented):
    from openmrv.reports.inventory import COUNTRY_METHOD
    from openmrv.reports.regulatory import ipcc_categories

    _, fac, _, run = augmented
    mixed = ipcc_categories(run.results, fac, COUNTRY_METHOD, "facility")
    js = mixed[mixed.facility_id == "FAC-JS-PV"]
    assert set(js[js.ipcc_category == "2.F.1"].methodology) == {"epa_hub_ghgp"}
    pure = ipcc_categories(
        run.results, fac, dict.fromkeys(fac.country, "ipcc2006_t1"), "facility", ()
    )
    assert set(pure.methodology) == {"ipcc2006_t1"}
    res = run.results.to_pandas()
    ipcc = res[(res.methodology == "ipcc2006_t1") & ~res.biogenic]
    assert math.fsum(pure.co2e_t) == pytest.approx(math.fsum(ipcc.co2e_t), rel=1e-12)


def test_biogenic_co2_is_outside_every_total(augmented):
    _, fac, act, run = augmented
    wood = run.results.to_pandas().query("record_id == 'AZ-PV-WOOD-2024-05' and gas == 'CO2'")
    assert len(wood) and wood.biogenic.all() and (wood.co2e_t > 0).all()
    b = assemble(run, act, fac)
    recs = b.inventory.records
    assert recs[recs.record_id == "AZ-PV-WOOD-2024-05"].query("gas == 'CO2'").co2e_t.eq(0).all()
    bio = b.inventory.totals.set_index("organization_id").biogenic_co2_t["ORG-SUNBRIDGE"]
    assert bio == pytest.approx(float(wood[wood.methodology == "epa_hub_ghgp"].mass_t.iloc[0]))


# --- smaller defects -----------------------------------------------------------------------


def test_json_keeps_full_precision(tmp_path):
    import pyarrow as pa

    from openmrv.reports.export import write_table

    values = [0.1 + 0.2, 1 / 3, 8245760.536420579, float("nan")]
    write_table(pa.table({"v": values}), tmp_path / "v.json")
    back = [r["v"] for r in json.loads((tmp_path / "v.json").read_text())]
    assert back[:3] == values[:3] and back[3] is None  # exact, not rounded to 10 decimals


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_report_files_respect_the_umask(tmp_path, umask, mode):
    import os

    import pyarrow as pa

    from openmrv.reports.export import write_table

    old = os.umask(umask)
    try:
        write_table(pa.table({"v": [1.0]}), tmp_path / "v.csv")
    finally:
        os.umask(old)
    assert (tmp_path / "v.csv").stat().st_mode & 0o777 == mode


def test_restatement_totals_exclude_biogenic_co2(augmented):
    from openmrv.methods import Options
    from openmrv.reports.restate import restate

    _, fac, act, _ = augmented
    r = restate(act, fac, 2024, ["epa_hub_ghgp"], Options(), Options(), schema=ACTIVITY)
    wood = r.diff[(r.diff.record_id == "AZ-PV-WOOD-2024-05") & (r.diff.gas == "CO2")]
    assert len(wood) == 1 and wood.co2e_t_pinned.iloc[0] == 0.0
    res = r.run.results.to_pandas()
    fossil = res[~res.biogenic & (res.methodology == "epa_hub_ghgp")]
    assert r.summary.set_index("methodology").pinned_t["epa_hub_ghgp"] == pytest.approx(
        math.fsum(fossil.co2e_t), rel=1e-12
    )


def test_waterfall_draws_no_noise_bars(example):
    from openmrv.reports.decompose import decompose
    from openmrv.reports.html import waterfall

    d = decompose(example.run.results, "epa_part98_c", "ipcc2006_t1",
                  {"facility_id": "FAC-WY-COAL", "year": 2024}, example.activity)  # fmt: skip
    hv = d.effects.set_index("cause").effect_t["heating_value"]
    assert hv != 0 and abs(hv) < 1e-6  # float residue of an exact HHV/NCV conversion
    fig = waterfall("FAC-WY-COAL", 2024, d, "en")
    assert t("cause.heating_value", "en") not in list(fig.data[0].x)
    assert t("cause.carbon_content", "en") in list(fig.data[0].x)
