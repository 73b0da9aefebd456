"""The same fuel record under Part 98, MEE and IPCC: three results and the reasons they differ."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from openmrv.reports.summary import compare
from tests.conftest import record
from tests.reports.conftest import load_example


@pytest.fixture(scope="module")
def example():
    return load_example()


def test_one_record_three_methods_and_why(run):
    row = record(facility_id="CN-PLANT", fuel="bituminous_coal", quantity=10_000, unit="t")
    res, _ = run([row], ["epa_part98_c", "cn_mee", "ipcc2006_t1"])
    c = compare(_as_arrow(res), {"record_id": "r1"})
    t = c.table.set_index("methodology")
    assert set(t.index) == {"epa_part98_c", "cn_mee", "ipcc2006_t1"}
    assert len(set(t.total_co2e_t.round(6))) == 3  # three different answers
    # Heating-value basis: Part 98 on HHV (Table C-1: 24.93 mmBtu/short ton), the others on NCV.
    assert t.heat_basis["epa_part98_c"] == "HHV" and t.heat_basis["cn_mee"] == "NCV"
    hhv_gj = 10_000 / 0.90718474 * 24.93 * 1.05505585262
    assert t.heat_gj["epa_part98_c"] == pytest.approx(hhv_gj)
    assert t.heat_gj["ipcc2006_t1"] == pytest.approx(10_000 * 25.8)  # Table 1.2: 25.8 TJ/Gg
    assert t.oxidation["ipcc2006_t1"] == 1.0 and t.oxidation["cn_mee"] < 1.0
    assert t.ch4_n2o_co2e_t["cn_mee"] == 0 and t.ch4_n2o_co2e_t["epa_part98_c"] > 0
    assert t.gwp_set["epa_part98_c"] == "AR4" and t.gwp_set["ipcc2006_t1"] == "AR5"
    text = " ".join(c.reasons)
    for cause in ("Heating-value basis", "Carbon content", "Oxidation", "CH4 and N2O", "GWP set"):
        assert cause in text


def _as_arrow(df):
    import pyarrow as pa

    return pa.Table.from_pandas(df, preserve_index=False)


def test_measured_heating_value_on_the_other_basis(run):
    # A Chinese plant measures NCV (22 GJ/t): the Hub inventory uses it as HHV = NCV / 0.95
    # (IPCC default ratio for solids) instead of the US default HHV; IPCC uses it directly.
    row = record(
        facility_id="CN-PLANT",
        fuel="bituminous_coal",
        quantity=1000,
        unit="t",
        ncv=22,
        ncv_unit="GJ/t",
    )
    res, _ = run([row], ["epa_hub_ghgp", "ipcc2006_t1"])
    co2 = res[res.gas == "CO2"].set_index("methodology")
    assert co2.heat_gj["epa_hub_ghgp"] == pytest.approx(22_000 / 0.95)
    assert co2.heat_gj["ipcc2006_t1"] == pytest.approx(22_000)
    assert "ipcc2006_ncv_gcv" in co2.factor_ids["epa_hub_ghgp"]


def test_tier3_co2_is_not_expressed_per_gj(run):
    # Part 98 Tier 3 computes CO2 from carbon content and mass; the comparison must not divide
    # that CO2 by the Table C-1 default heat used only for CH4/N2O.
    row = record(
        facility_id="CN-PLANT",
        fuel="bituminous_coal",
        quantity=1000,
        unit="t",
        ncv=22,
        ncv_unit="GJ/t",
        carbon_content=0.026,
        carbon_content_unit="tC/GJ",
    )
    res, _ = run([row], ["epa_part98_c", "cn_mee"])
    c = compare(_as_arrow(res), {"record_id": "r1"})
    t = c.table.set_index("methodology")
    assert pd.isna(t.co2_kg_per_gj["epa_part98_c"])
    assert t.heat_gj["epa_part98_c"] == pytest.approx(1000 / 0.90718474 * 24.93 * 1.05505585262)
    assert "computed CO2 from measured carbon content" in " ".join(c.reasons)


# --- like for like (issue 15): the example facility-years the issue names -------------------

GJ_PER_MMBTU = 1.05505585262
SUBBITUMINOUS_CO2 = 97.17  # kg CO2/mmBtu, 40 CFR 98 Table C-1 (reference/factors)


def _both(results, base: str, other: str, fac: str, year: int) -> tuple[set[str], pd.DataFrame]:
    """Independently of reports: the records of fac-year both methods computed (any gas), and
    the fossil result rows of those two methods."""
    df = results.to_pandas()
    df = df[(df.facility_id == fac) & (df.year == year) & ~df.biogenic]
    df = df[df.methodology.isin([base, other])]
    done = df.groupby("methodology").record_id.agg(set)
    return done[base] & done[other], df


@pytest.mark.parametrize(
    ("fac", "other", "only_by", "scopes", "stationary_only", "reason"),
    [
        # MEE computes the natural gas and (through its density) the diesel in gallons of the
        # Wyoming plant, not its coal (short tons and the CEMS unit's mmBtu: no MEE carbon
        # content)
        ("FAC-WY-COAL", "cn_mee", "epa_part98_c", {1}, 24, "no carbon content"),
        ("FAC-WY-COAL", "ipcc2006_t1", None, set(), 0, None),
        # Part 98 converts the Beijing test-cell diesel given in tonnes through its density, so
        # both compute every stationary record; MEE also has the plant's mobile combustion
        # (Scope 1) and purchased electricity and heat (Scope 2)
        ("FAC-BJ-ENG", "cn_mee", "cn_mee", {1, 2}, 0, None),
        ("FAC-BJ-ENG", "ipcc2006_t1", None, set(), 0, None),
    ],
)
def test_comparison_is_like_for_like(example, fac, other, only_by, scopes, stationary_only, reason):
    from openmrv.reports.decompose import CAUSES, decompose

    run, act = example.run, example.activity
    base = "epa_part98_c"
    both, df = _both(run.results, base, other, fac, 2024)
    d = decompose(run.results, base, other, {"facility_id": fac, "year": 2024}, act,
                  skipped=run.skipped)  # fmt: skip
    mine = df[df.record_id.isin(both)]
    # the figures per method are the per-record results of the records both computed
    assert d.base_t == math.fsum(mine[mine.methodology == base].co2e_t)
    assert d.other_t == math.fsum(mine[mine.methodology == other].co2e_t)
    # the causes sum to the like-for-like difference
    assert list(d.effects.cause) == list(CAUSES)
    assert math.fsum(d.effects.effect_t) == pytest.approx(d.difference_t, rel=1e-12, abs=1e-9)
    # the records only one method computed are listed by scope and reason, not netted
    rest = df[~df.record_id.isin(both)]
    assert set(d.only.record_id) == set(rest.record_id)
    assert set(d.only.scope) == scopes
    assert math.fsum(d.only.co2e_t) == pytest.approx(math.fsum(rest.co2e_t), rel=1e-12)
    if only_by:
        assert set(d.only.methodology) == {only_by} and d.only.reason.str.len().gt(0).all()
        st = d.only[d.only.category == "stationary_combustion"]
        assert st.record_id.nunique() == stationary_only
        assert reason is None or st.reason.str.contains(reason).all()
        other_cats = d.only[d.only.category != "stationary_combustion"]
        assert other_cats.reason.str.contains("does not cover category").all()


def test_wyoming_mee_no_longer_compared_with_all_of_part98(example):
    """The issue's 335378 % gap: MEE 2,458 t (natural gas only) against Part 98's whole plant.
    Like for like, both hold the 12 natural-gas and the 12 diesel records (the diesel in gallons
    through its density under MEE), a few per cent apart."""
    c = compare(example.run.results, {"facility_id": "FAC-WY-COAL", "year": 2024},
                skipped=example.run.skipped, methods=("epa_part98_c", "cn_mee"))  # fmt: skip
    t = c.table.set_index("methodology")
    assert set(t.records) == {24}
    spread = t.total_co2e_t.max() / t.total_co2e_t.min() - 1
    assert 0 < spread < 0.1
    assert "335378" not in " ".join(c.reasons)


def test_co2_per_gj_uses_the_same_records_on_both_sides(example):
    """FAC-WY-COAL's coal under Part 98: CO2 per GJ is Table C-1's 97.17 kg/mmBtu (92.10 kg/GJ),
    not CEMS CO2 divided by the heat of the other rows (141.6 kg/GJ before)."""
    keys = {"facility_id": "FAC-WY-COAL", "year": 2024, "fuel": "subbituminous_coal"}
    c = compare(example.run.results, keys, skipped=example.run.skipped,
                methods=("epa_part98_c", "ipcc2006_t1"))  # fmt: skip
    t = c.table.set_index("methodology")
    assert t.co2_kg_per_gj["epa_part98_c"] == pytest.approx(
        SUBBITUMINOUS_CO2 / GJ_PER_MMBTU, rel=1e-9
    )
    # IPCC 2006 Table 1.4 sub-bituminous coal: 96,100 kg CO2/TJ
    assert t.co2_kg_per_gj["ipcc2006_t1"] == pytest.approx(96.1, rel=1e-9)
    # the CEMS records are in the heat of both (same records), not in the per-GJ figures
    assert t.records["epa_part98_c"] == t.records["ipcc2006_t1"] == 24
    assert t.co2_per_gj_records["epa_part98_c"] == 12


def test_compare_json(tmp_path):
    import json

    from typer.testing import CliRunner

    from openmrv.cli import app
    from tests.reports.conftest import EXAMPLES

    res = CliRunner().invoke(
        app,
        ["compare", str(EXAMPLES / "facilities.csv"), str(EXAMPLES / "activity.csv"),
         "--facility", "FAC-BJ-ENG", "--year", "2024", "--format", "json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    pairs = {p["other"]: p for p in doc["comparisons"]}
    mee = pairs["cn_mee"]
    assert math.fsum(c["effect_t"] for c in mee["causes"]) == pytest.approx(
        mee["difference_t"], rel=1e-12
    )
    only = mee["computed_by_one_method_only"]
    # 12 mobile (Scope 1), 24 electricity and heat (Scope 2); the test-cell diesel in tonnes
    # is computed by both since Part 98 converts it through its density
    assert len({r["record_id"] for r in only}) == 36
    assert {r["scope"] for r in only} == {1, 2} and all(r["reason"] for r in only)


def test_decomposition_states_its_scopes(example):
    """Hub against MEE for the Beijing JV: both compute its purchased heat (Scope 2) and its
    natural gas (Scope 1); the totals are given per scope, not only mixed."""
    from openmrv.reports.decompose import decompose

    d = decompose(example.run.results, "epa_hub_ghgp", "cn_mee",
                  {"facility_id": "FAC-BJ-ENG", "year": 2024}, example.activity,
                  skipped=example.run.skipped)  # fmt: skip
    s = d.by_scope.set_index("scope")
    assert set(s.index) == {1, 2}
    assert math.fsum(s.base_t) == pytest.approx(d.base_t, rel=1e-12)
    assert math.fsum(s.other_t) == pytest.approx(d.other_t, rel=1e-12)
    assert set(d.only.scope) <= {1, 2} and len(d.only)
