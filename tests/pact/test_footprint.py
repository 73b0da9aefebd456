"""Product footprints from a real calculation run, on DuckDB and PostgreSQL: the allocated
emissions add up to the facility's exactly, every PACT v3 required field is filled from data,
the lineage names the run, the totals, the rule and each factor; a recomputation with the same
numbers keeps the footprint, a changed one restates it; the ledger catches a tampered body."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from openmrv.pact import store as pact
from openmrv.pact.allocation import ProductBasis, allocate
from openmrv.pact.footprint import compute, compute_and_issue
from openmrv.pact.model import ProductFootprint
from openmrv.pact.schema import read_folder
from openmrv.pact.upstream import latest_by_product, upstream
from openmrv.store import ledger, open_store
from tests.pact.helpers import ORG, PACT, calculated
from tests.pact.samples import FIRST, footprint
from tests.store.conftest import pg, store_url  # noqa: F401 (fixtures: both backends)

D = Decimal
REQUIRED = (
    "declaredUnitOfMeasurement", "declaredUnitAmount", "productMassPerDeclaredUnit",
    "referencePeriodStart", "referencePeriodEnd", "pcfExcludingBiogenicUptake",
    "pcfIncludingBiogenicUptake", "fossilGhgEmissions", "fossilCarbonContent",
    "ipccCharacterizationFactors", "crossSectoralStandards", "exemptedEmissionsPercent",
)  # fmt: skip


@pytest.fixture
def db(store_url, tmp_path):  # noqa: F811
    d = open_store(store_url)
    calculated(d, tmp_path)
    yield d
    d.close()


def _run_totals(db) -> tuple[D, dict]:
    """FAC-JS-PV's 2024 Scope 1 + 2 market-based as the run stored them, read here directly."""
    rows = db.execute(
        "SELECT scope, co2e_t FROM run_scope_totals WHERE methodology = 'inventory' AND "
        "facility_id = 'FAC-JS-PV' AND year = 2024 AND scope IN ('1', '2_market')"
    )
    meta = json.loads(db.scalar("SELECT meta FROM org_runs WHERE organization_id = ?", [ORG]))
    return sum(D(repr(float(t))) for _, t in rows) * 1000, meta


def _total(c) -> D:
    return D(c.lineage["totals_kg"]["product"])


def test_footprints_of_the_example(db) -> None:
    got = compute(db, ORG, read_folder(PACT), 2024)
    assert [c.product for c in got] == ["SB-M550", "SB-M430"]
    facility_kg, meta = _run_totals(db)
    alloc = [D(c.lineage["allocation"]["allocated_fossil_kg"]) for c in got]
    assert sum(alloc) == facility_kg  # exactly
    # mass rule: 400,000 × 27.5 kg and 250,000 × 21.5 kg
    assert [D(c.lineage["allocation"]["basis"]) for c in got] == [D(11_000_000), D(5_375_000)]
    assert abs(alloc[0] - facility_kg * 11_000_000 / 16_375_000) <= D("1e-9")
    m550 = got[0]
    wire = m550.pf.to_wire()
    assert all(k in wire["pcf"] for k in REQUIRED)
    assert wire["pcf"]["ipccCharacterizationFactors"] == [meta["gwp_set"]["cn_mee"]["2024"]]
    assert wire["pcf"]["geographyCountry"] == "CN"
    assert wire["productClassifications"] == ["urn:pact:productclassification:hs:854143"]
    assert wire["validityPeriodStart"] == "2025-01-01T00:00:00Z"
    lin = m550.lineage
    assert lin["ccs"] is None and "ccsTechnologicalCO2Capture" not in wire["pcf"]  # no capture
    assert lin["facility"]["run_id"] == meta["run_id"]
    # glass: 7,000 t × 1,402.76667 kg CO2e/t (DESNZ 2025, Material use, Glass)
    glass = next(x for x in lin["upstream"] if x["material"] == "solar glass")
    assert D(glass["emissions_kg"]) == D("9819366.69")
    assert glass["secondary_factor_id"] == "desnz-2025:19_501_5056_15_1"
    total = D(lin["totals_kg"]["product"])
    assert total == alloc[0] + sum(D(x["emissions_kg"]) for x in lin["upstream"])
    assert abs(D(wire["pcf"]["pcfExcludingBiogenicUptake"]) - total / 400_000) <= D("5e-7")
    # only secondary upstream: primary share is the facility's part of the total
    assert D(wire["pcf"]["primaryDataShare"]) == (alloc[0] * 100 / total).quantize(D("0.1"))


def test_restatement_and_ledger(db, tmp_path: Path) -> None:
    first = compute_and_issue(db, ORG, PACT, 2024, "owner")
    assert [c.status for c in first] == ["new", "new"]
    again = compute_and_issue(db, ORG, PACT, 2024, "owner")
    assert [c.status for c in again] == ["unchanged", "unchanged"]
    assert [c.pf.id for c in again] == [c.pf.id for c in first]
    folder = tmp_path / "pact"
    shutil.copytree(PACT, folder)
    p = folder / "materials.csv"
    p.write_text(p.read_text().replace("7000000", "7100000"), encoding="utf-8")
    later = compute_and_issue(db, ORG, folder, 2024, "owner")
    assert [c.status for c in later] == ["restated", "unchanged"]
    old = pact.get_footprint(db, ORG, first[0].pf.id)
    assert old is not None and old.status == "Deprecated"
    assert later[0].pf.preceding_pf_ids == [first[0].pf.id]
    delta = D(later[0].lineage["totals_kg"]["product"]) - D(
        first[0].lineage["totals_kg"]["product"]
    )
    assert delta == 100_000 * D("1.40276667")
    active = [pf for pf in pact.list_footprints(db, ORG) if pf.status == "Active"]
    assert len(active) == 2
    assert ledger.verify(db).ok
    # the body served is the one computed: a changed stored body breaks the ledger check
    with db.write():
        body = json.loads(
            db.scalar("SELECT body FROM pact_footprints WHERE pf_id = ?", [str(later[0].pf.id)])
        )
        body["pcf"]["pcfExcludingBiogenicUptake"] = "1.000000"
        db.execute(
            "UPDATE pact_footprints SET body = ? WHERE pf_id = ?",
            [json.dumps(body, sort_keys=True), str(later[0].pf.id)],
        )
    report = ledger.verify(db)
    assert not report.ok
    assert "pact_footprints" in " ".join(str(f) for f in report.findings)


def test_nothing_is_stored_on_a_refused_input(db, tmp_path: Path) -> None:
    folder = tmp_path / "pact"
    shutil.copytree(PACT, folder)
    p = folder / "allocation.csv"
    p.write_text("facility_id,year,rule\nFAC-JS-PV,2023,mass\n", encoding="utf-8")
    with pytest.raises(Exception, match="no allocation rule for FAC-JS-PV in 2024"):
        compute_and_issue(db, ORG, folder, 2024, "owner")
    assert pact.list_footprints(db, ORG) == []


def test_hybrid_method_worked_example() -> None:
    """GHG Protocol Technical Guidance for Calculating Scope 3 Emissions (2013), category 1,
    Example 1.3 (pp. 29-30): supplier B's allocated Scope 1 and 2 (5,000 kWh × 0.5 + 2,500 kWh ×
    0.2 = 3,000 kg CO2e) and waste (100 kg × 0.5 = 50 kg) plus 12,000 t-shirts × 5.6 kg CO2e
    (cradle-to-gate excluding the producer's own Scope 1, 2 and waste) = 67,200 kg; total
    70,250 kg CO2e. (The published text writes "50,000 × 5.6" beside the table's 12,000
    t-shirts; 67,200 is 12,000 × 5.6.) The t-shirts' factor comes in as a footprint."""
    own = allocate(D(5000) * D("0.5") + D(2500) * D("0.2"), [ProductBasis("t", D(1))], "mass")
    assert own["t"].emissions == D(3000)
    shirt = footprint(
        FIRST, productIds=["urn:pact:example.org:product-id:t-shirt"],
        pcf={**FIRST["pcf"], "pcfExcludingBiogenicUptake": "5.6", "fossilGhgEmissions": "5.6"},
    )  # fmt: skip
    import pandas as pd

    mats = pd.DataFrame([{
        "material": "t-shirts", "supplier": "supplier B", "quantity": "12000", "unit": "piece",
        "supplier_product_id": "urn:pact:example.org:product-id:t-shirt",
        "secondary_factor": "", "source_row": 2,
    }])  # fmt: skip
    [line] = upstream(mats, latest_by_product([shirt]))
    assert line.emissions_kg == D(67200)
    assert line.source == "supplier" and line.pf_id == str(shirt.id)
    waste = D(100) * D("0.5")
    assert own["t"].emissions + waste + line.emissions_kg == D(70250)


def test_received_footprint_replaces_the_secondary_factor(db) -> None:
    """A wafer footprint received from the supplier is used for the wafers, by product id:
    the product's total changes by exactly quantity × (supplier PCF − secondary factor)."""
    before = compute(db, ORG, read_folder(PACT), 2024)[0]
    wafer = footprint(
        FIRST, id="1b7ab0a4-27c7-4f7e-9a53-7d7a3f1f0b10",
        productIds=["urn:pact:huaxin.example:product-id:W182N"],
        pcf={**FIRST["pcf"], "declaredUnitOfMeasurement": "kilogram",
             "pcfExcludingBiogenicUptake": "45.5", "declaredUnitAmount": "1"},
    )  # fmt: skip
    pact.save_footprint(db, ORG, wafer, lineage={}, direction="received", supplier_id="huaxin")
    after = compute(db, ORG, read_folder(PACT), 2024)[0]
    delta = _total(after) - _total(before)
    assert delta == D(224640) * (D("45.5") - D("24.86547556"))
    line = next(x for x in after.lineage["upstream"] if x["material"] == "silicon wafers")
    assert line["supplier_pf_id"] == str(wafer.id)
    assert line["supplier_pf_created"] == "2025-03-01T10:00:00Z"
    assert isinstance(after.pf, ProductFootprint)


def test_line_rule_gives_a_line_its_own_sources(db, tmp_path: Path) -> None:
    """SB-M550's line is boiler JS-BOILER-1: its Scope 1 goes to SB-M550 alone, the rest of
    the facility's total (other sources, Scope 2 market-based) to both by mass."""
    folder = tmp_path / "pact"
    shutil.copytree(PACT, folder)
    (folder / "allocation.csv").write_text("facility_id,year,rule\nFAC-JS-PV,2024,line\n")
    p = folder / "products.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("JS-LINE-A", "JS-BOILER-1"), "utf-8")
    a, b = compute(db, ORG, read_folder(folder), 2024)
    facility_kg, _ = _run_totals(db)
    line = D(a.lineage["allocation"]["line_emissions_kg"]["JS-BOILER-1"])
    assert 0 < line < facility_kg
    got_a = D(a.lineage["allocation"]["allocated_fossil_kg"])
    got_b = D(b.lineage["allocation"]["allocated_fossil_kg"])
    assert got_a + got_b == facility_kg  # exactly
    shared = facility_kg - line
    assert abs(got_b - shared * 5_375_000 / 16_375_000) <= D("1e-9")
    assert abs(got_a - line - shared * 11_000_000 / 16_375_000) <= D("1e-9")


def test_compute_command(tmp_path: Path) -> None:
    """`openmrv pact compute`: the table, then JSON with the lineage (the same footprints,
    unchanged the second time)."""
    from typer.testing import CliRunner

    from openmrv.cli import build_app

    path = str(tmp_path / "cli.duckdb")
    d = open_store(path)
    calculated(d, tmp_path)
    d.close()
    args = ["pact", "compute", "--org", ORG, "--period", "2024", "--inputs", str(PACT),
            "--db", path]  # fmt: skip
    table = CliRunner().invoke(build_app(), args)
    assert table.exit_code == 0, table.output
    assert "SB-M550" in table.output and "new" in table.output
    got = CliRunner().invoke(build_app(), [*args, "--format", "json"])
    assert got.exit_code == 0, got.output
    rows = json.loads(got.output)
    assert [r["status"] for r in rows] == ["unchanged", "unchanged"]
    assert rows[0]["lineage"]["allocation"]["rule"] == "mass"
    assert rows[0]["footprint"]["pcf"]["declaredUnitOfMeasurement"] == "piece"
