"""The CCS fields of a product footprint come from the CCUS domain's capture at the facility
(through the core's `captured_co2` hook): the Qilu power station's 2025 electricity, with the
capture of examples/ccus/cn stored for its organisation. Disclosed, not deducted: the facility
totals are gross of the capture."""

from __future__ import annotations

from decimal import Decimal

from openmrv.ccus import store as ccus_store
from openmrv.ccus.account import captured
from openmrv.ccus.account import read_folder as read_ccus
from openmrv.pact.footprint import compute
from openmrv.pact.schema import read_folder
from openmrv.store import open_store
from tests.pact.helpers import EXAMPLES, calculated, sunbridge_activity

D = Decimal
ORG = "ORG-QILU-POWER"


def _inputs(folder) -> None:
    folder.mkdir()
    files = {
        "company.csv": "company_name,company_ids\n"
        "Qilu Power,urn:pact:qilu.example:company-id:QILU\n",
        "products.csv": "product,product_ids,name,declared_unit,declared_unit_amount,mass_kg,"
        "facility_id,fossil_carbon_kg\nEL,urn:pact:qilu.example:product-id:EL,Electricity,"
        "kilowatt hour,1,0.000001,FAC-SD-COAL,0\n",
        "production.csv": "product,year,quantity\nEL,2025,3500000000\n",
        "allocation.csv": "facility_id,year,rule\nFAC-SD-COAL,2025,mass\n",
    }
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")


def test_ccs_fields_from_the_ccus_capture(tmp_path) -> None:
    db = open_store(str(tmp_path / "s.duckdb"))
    try:
        act = sunbridge_activity(tmp_path, ("FAC-SD-COAL",))
        calculated(db, tmp_path, "qilu", ORG, activity=act)
        data = read_ccus(EXAMPLES / "ccus" / "cn")
        ccus_store.ingest(db, ORG, data, "qilu")
        _inputs(tmp_path / "pact")
        [el] = compute(db, ORG, read_folder(tmp_path / "pact"), 2025)
        cap = captured(data.capture)
        want_t = cap[(cap.facility_id == "FAC-SD-COAL") & (cap.year == 2025)].captured_t.sum()
        assert want_t > 0
        ccs = el.lineage["ccs"]
        assert D(ccs["captured_t"]) == D(repr(float(want_t))) and ccs["included"] is False
        wire = el.pf.to_wire()["pcf"]
        assert wire["ccsTechnologicalCO2CaptureIncluded"] is False
        per_kwh = -D(repr(float(want_t))) * 1000 / 3_500_000_000
        assert abs(D(wire["ccsTechnologicalCO2Capture"]) - per_kwh) <= D("0.000001")
        assert "Subpart PP" in wire["technologicalCO2CaptureOrigin"]
    finally:
        db.close()
