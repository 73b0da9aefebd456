"""The GHG Protocol inventory: totals are exactly the sum of the per-record results times the
facility's consolidated share, under each organisational boundary."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from openmrv.ingest.errors import InputError
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import validate_facilities
from openmrv.reports.inventory import COUNTRY_METHOD, FALLBACK, build, check_scope3, shares
from openmrv.reports.scope2 import check_instruments, check_residual
from tests.conftest import record
from tests.reports.conftest import EXAMPLES, calc, csv


def expected(example, share: dict[str, float], scope: int) -> dict[tuple[str, int], float]:
    """Independently of reports.inventory: for each record and gas, the fossil CO2e of the first
    method of [country method, *FALLBACK] that computed it, times the share, summed with fsum
    per organisation and year."""
    fac = example.facilities.set_index("facility_id")
    df = example.run.results.to_pandas()
    rows = {(r.record_id, r.gas, r.methodology): r for r in df.itertuples()}
    picked = {}
    for r in df.itertuples():
        chain = [COUNTRY_METHOD[fac.country[r.facility_id]], *FALLBACK]
        for m in chain:
            if (r.record_id, r.gas, m) in rows:
                picked[(r.record_id, r.gas)] = rows[(r.record_id, r.gas, m)]
                break
    out: dict[tuple[str, int], list[float]] = {}
    for r in picked.values():
        if r.scope != scope or r.biogenic:
            continue
        key = (fac.organization_id[r.facility_id], int(r.year))
        out.setdefault(key, []).append(r.co2e_t * share[r.facility_id])
    return {k: math.fsum(v) for k, v in out.items()}


@pytest.mark.parametrize("boundary", ["equity_share", "operational_control", "financial_control"])
def test_totals_equal_the_sum_of_per_record_results_exactly(example, boundary):
    inv = build(example.run, example.activity, example.facilities, boundary)
    share = shares(example.facilities, boundary).to_dict()
    for scope, col in ((1, "scope1_t"), (2, "scope2_location_t")):
        want = expected(example, share, scope)
        got = {
            (r.organization_id, int(r.year)): getattr(r, col)
            for r in inv.totals.itertuples()
            if getattr(r, col) != 0 or (r.organization_id, int(r.year)) in want
        }
        assert got == want  # exact equality, not approx
    # the category breakdown adds up to the same totals (to rounding: each category subtotal is
    # itself a correctly rounded sum, so the sum of subtotals may differ in the last bit)
    s1 = inv.by_category[inv.by_category.scope == 1].groupby(["organization_id", "year"])
    for (org, year), g in s1:
        row = inv.totals[(inv.totals.organization_id == org) & (inv.totals.year == year)]
        assert math.isclose(math.fsum(g.consolidated_t), row.scope1_t.iloc[0], rel_tol=1e-14)


def test_boundaries_consolidate_the_joint_venture_differently(example):
    """The Beijing JV: 50 % equity, operated by the partner, not financially controlled."""
    s = {
        b: shares(example.facilities, b)["FAC-BJ-ENG"]
        for b in ("equity_share", "operational_control", "financial_control")
    }
    assert s == {"equity_share": 0.5, "operational_control": 1.0, "financial_control": 0.0}
    inv = {
        b: build(example.run, example.activity, example.facilities, b).totals.set_index(
            "organization_id"
        )
        for b in ("equity_share", "operational_control", "financial_control")
    }
    op = inv["operational_control"].scope1_t["ORG-TIANHE-JV"]
    assert inv["equity_share"].scope1_t["ORG-TIANHE-JV"] == pytest.approx(op / 2, rel=1e-12)
    assert inv["financial_control"].scope1_t["ORG-TIANHE-JV"] == 0.0


def test_market_based_with_the_example_instruments(example):
    """Cascadia's data centre (NWPP): 60,000 MWh of RECs at 0; the rest at the residual mix."""
    inst = check_instruments(csv("instruments.csv"))
    res = check_residual(csv("residual_mix.csv"))
    inv = build(example.run, example.activity, example.facilities, "operational_control", inst, res)
    wa = inv.scope2[inv.scope2.facility_id == "FAC-WA-DC"].set_index("rung")
    total = wa.mwh.sum()
    assert wa.mwh["certificate"] == 60000.0 and wa.co2e_t["certificate"] == 0.0
    assert wa.co2e_t["residual"] == pytest.approx((total - 60000.0) * 0.29780, rel=1e-12)
    tot = inv.totals.set_index("organization_id")
    assert tot.scope2_market_t["ORG-CASCADIA"] == pytest.approx(wa.co2e_t.sum(), rel=1e-12)
    # Jiangsu has green-power trading and GECs, and no residual mix in China: grid average
    js = inv.scope2[inv.scope2.facility_id == "FAC-JS-PV"]
    assert list(js.rung) == ["certificate", "contract", "grid_average"]


def test_unknown_boundary_is_a_located_error(example):
    with pytest.raises(InputError) as exc:
        build(example.run, example.activity, example.facilities, "joint_control")
    assert exc.value.problems[0].file == "--boundary"
    assert "equity_share" in exc.value.problems[0].fix


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [("equity_share", "1.5", "(0, 1]"), ("operational_control", "maybe", "yes or no")],
)
def test_bad_boundary_columns_in_the_facilities_file(tmp_path, column, value, words):
    text = (EXAMPLES / "facilities.csv").read_text(encoding="utf-8").splitlines()
    head = text[0].split(",")
    i = head.index(column)
    cells = text[3].split(",")
    cells[i] = value
    text[3] = ",".join(cells)
    path = tmp_path / "facilities.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        validate_facilities(read_table(path))
    p = exc.value.problems[0]
    assert (p.row, p.column) == (4, column) and words in p.problem


def test_control_columns_are_optional(tmp_path):
    lines = (EXAMPLES / "facilities.csv").read_text(encoding="utf-8").splitlines()
    n = len(lines[0].split(",")) - 2  # drop the two control columns
    path = tmp_path / "f.csv"
    import csv as _csv

    rows = list(_csv.reader(lines))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        _csv.writer(fh).writerows(r[:n] for r in rows)
    fac = validate_facilities(read_table(path))
    assert fac.operational_control.all() and fac.financial_control.all()


def test_activity_file_instruments_become_market_based_instruments(tmp_path):
    """A Chinese record flagged green_power (MEE counts it as 0) is location-based at the grid
    average in the GHG Protocol inventory, and its MWh become a contract at 0 t/MWh; a
    certificate-flagged record becomes a certificate; an unflagged one stays grid average."""
    base = {"facility_id": "CN-FACTORY", "category": "purchased_electricity", "unit": "MWh"}
    rows = [
        record(record_id="g", quantity=100.0, instrument="green_power", **base),
        record(record_id="c", quantity=50.0, instrument="certificate", **base),
        record(record_id="n", quantity=30.0, **base),
    ]
    fac, act, run = calc(tmp_path, rows, ["cn_mee"])
    res = run.results.to_pandas().set_index("record_id")
    grid = res.mass_t["n"] / 30.0  # national grid average of 2024, t/MWh
    assert res.mass_t["g"] == 0.0  # MEE's own treatment
    inv = build(run, act, fac)
    tot = inv.totals.iloc[0]
    assert tot.scope2_location_t == pytest.approx(180.0 * grid, rel=1e-12)
    mb = inv.scope2.set_index("rung")
    assert mb.mwh["contract"] == pytest.approx(100.0) and mb.mwh["certificate"] == pytest.approx(
        50.0
    )
    assert tot.scope2_market_t == pytest.approx(30.0 * grid, rel=1e-12)


def test_scope3_tags_move_records_out_of_scopes_1_and_2(example):
    """A tagged record leaves Scope 1 or 2 and is reported under its Scope 3 category; the
    organisation's total over the scopes is unchanged."""
    act = example.activity.to_pandas()
    mobile = act[act.category == "mobile_combustion"].record_id.iloc[0]  # Beijing JV, 50 %
    power = act[(act.category == "purchased_electricity") & (act.facility_id == "FAC-WA-DC")]
    power = power.record_id.iloc[0]
    tags = pd.DataFrame({"record_id": [mobile, power], "scope3_category": ["6", "3"]})
    s3 = check_scope3(tags, example.activity)
    plain = build(example.run, example.activity, example.facilities).totals.set_index(
        "organization_id"
    )
    tagged = build(example.run, example.activity, example.facilities, scope3=s3)
    t = tagged.totals.set_index("organization_id")
    res = example.run.results.to_pandas()
    mob = math.fsum(res[(res.record_id == mobile) & (res.methodology == "cn_mee")].co2e_t)
    pw = math.fsum(res[(res.record_id == power) & (res.methodology == "epa_hub_ghgp")].co2e_t)
    assert t.scope3_tagged_t["ORG-TIANHE-JV"] == pytest.approx(mob, rel=1e-12)
    assert t.scope1_t["ORG-TIANHE-JV"] == pytest.approx(plain.scope1_t["ORG-TIANHE-JV"] - mob)
    assert t.scope2_location_t["ORG-CASCADIA"] == pytest.approx(
        plain.scope2_location_t["ORG-CASCADIA"] - pw
    )
    assert t.scope3_tagged_t["ORG-CASCADIA"] == pytest.approx(pw, rel=1e-12)
    assert "scope3_6" in set(tagged.by_category.category)


def test_bad_scope3_tags_are_located(example):
    tags = pd.DataFrame({"record_id": ["nope", "JS-PV-NG-2024-01"], "scope3_category": ["3", "16"]})
    with pytest.raises(InputError) as exc:
        check_scope3(tags, example.activity, "tags.csv")
    rows = [(p.row, p.column) for p in exc.value.problems]
    assert rows == [(2, "record_id"), (3, "scope3_category")]
