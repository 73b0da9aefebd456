"""Two OpenMRV instances exchange a footprint end to end over HTTPS, and the buyer's product
footprint changes by exactly what the supplier's number replaces.

S, the wafer maker (examples/pact/supplier), and B, the PV module maker (SunBridge), each run
`openmrv serve --https` on their own store (PostgreSQL, so each side's own commands write while
its host runs). B registers S as a supplier and pulls (S has issued nothing yet), finds its
wafers without a supplier footprint, S computes its wafer footprint from its own calculation
run, B requests it by event, S's host answers RequestFulfilled at B's /3/events, B stores it as
received and recomputes: its modules' totals change by quantity × (S's PCF − the secondary
factor used before), and the lineage names S's footprint id."""

from __future__ import annotations

import time
from decimal import Decimal

from openmrv.pact import client, credentials
from openmrv.pact import store as pact_store
from openmrv.pact.footprint import compute_and_issue, missing_footprints
from openmrv.pact.schema import read_folder
from openmrv.store import ledger, open_store
from tests.pact.helpers import ORG, PACT, calculated
from tests.pact.hosts import free_port, serve_https
from tests.store.conftest import new_pg_database, pg  # noqa: F401 (fixture)

D = Decimal
SUPPLIER = PACT / "supplier"
S_ORG = "ORG-HUAXIN"
WAFER = "urn:pact:huaxin.example:product-id:W182N"
GLASS = "urn:pact:clearview.example:product-id:SG32"
WAFER_FACTOR = D("24.86547556")  # desnz-2025:19_503_5084_15_1, per kg
WAFERS_KG = {"SB-M550": D(224640), "SB-M430": D(105300)}  # examples/pact/materials.csv


def _answered(db, org: str, event_id: str) -> dict:
    deadline = time.time() + 60
    while time.time() < deadline:
        got = [r for r in client.requests(db, org) if r["event_id"] == event_id]
        if got and got[0]["answered_at"]:
            return got[0]
        time.sleep(0.3)
    raise AssertionError(f"request {event_id} not answered: {client.requests(db, org)}")


def test_buyer_requests_the_wafer_footprint_and_restates(tmp_path, monkeypatch, pg) -> None:  # noqa: F811
    data_dir = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data_dir))  # certificate, credentials' key
    b_url, s_url = new_pg_database(pg), new_pg_database(pg)
    b_port, s_port = free_port(), free_port()
    b_base, s_base = f"https://127.0.0.1:{b_port}", f"https://127.0.0.1:{s_port}"
    ca = str(data_dir / "openmrv" / "tls" / "selfsigned-cert.pem")
    b, s = open_store(b_url), open_store(s_url)
    (tmp_path / "b").mkdir()
    calculated(b, tmp_path / "b")
    calculated(s, tmp_path, "huaxin", S_ORG, SUPPLIER / "facilities.csv",
               SUPPLIER / "activity.csv")  # fmt: skip
    before = {c.product: c for c in compute_and_issue(b, ORG, PACT, 2024, "owner")}
    assert missing_footprints(b, ORG, read_folder(PACT), 2024) == [WAFER, GLASS]
    with serve_https(b_url, data_dir, tmp_path / "b.log", b_port):
        # each side's credentials at the other's host: B is S's partner and S is B's
        at_b = credentials.add_partner(b, ORG, "huaxin", "test", callback_url=s_base)
        at_s = credentials.add_partner(
            s, S_ORG, "sunbridge", "test", callback_url=b_base,
            callback_client_id=at_b[0], callback_secret=at_b[1], callback_ca=ca,
        )  # fmt: skip
        credentials.add_supplier(b, ORG, "huaxin", s_base, *at_s, "test", ca)
        with serve_https(s_url, data_dir, tmp_path / "s.log", s_port):
            pulled = client.pull(b, ORG, "huaxin")
            assert (pulled.stored, pulled.invalid) == ([], [])  # S has issued nothing yet
            [wafer] = compute_and_issue(s, S_ORG, SUPPLIER, 2024, "huaxin")
            assert wafer.status == "new" and wafer.pf.product_ids == [WAFER]
            event_id = client.send_request(b, ORG, "huaxin", b_base, {"productId": [WAFER]})
            answer = _answered(b, ORG, event_id)
            assert "RequestFulfilledEvent" in answer["answer"]
    got = pact_store.get_footprint(b, ORG, wafer.pf.id, direction="received")
    assert got is not None and got.to_wire() == wafer.pf.to_wire()
    prov = pact_store.footprint_lineage(b, ORG, wafer.pf.id, direction="received")
    assert prov["supplier_id"] == "huaxin" and prov["via"] == "request"
    assert missing_footprints(b, ORG, read_folder(PACT), 2024) == [GLASS]

    after = {c.product: c for c in compute_and_issue(b, ORG, PACT, 2024, "owner")}
    per_kg = wafer.pf.pcf.pcf_excluding_biogenic_uptake / wafer.pf.pcf.declared_unit_amount
    for product, kg in WAFERS_KG.items():
        old, new = before[product], after[product]
        assert new.status == "restated" and new.pf.preceding_pf_ids == [old.pf.id]
        change = D(new.lineage["totals_kg"]["product"]) - D(old.lineage["totals_kg"]["product"])
        assert change == kg * per_kg - kg * WAFER_FACTOR  # exactly
        line = next(x for x in new.lineage["upstream"] if x["material"] == "silicon wafers")
        assert line["source"] == "supplier" and line["supplier_pf_id"] == str(wafer.pf.id)
        assert line["supplier_pf_created"] == wafer.pf.to_wire()["created"]
        # the published number per module moves by the same amount ÷ modules (rounded 1e-6)
        units = D(new.lineage["production"]["declared_units"])
        moved = new.pf.pcf.pcf_excluding_biogenic_uptake - old.pf.pcf.pcf_excluding_biogenic_uptake
        assert abs(moved - change / units) <= D("0.000001")
        stale = pact_store.get_footprint(b, ORG, old.pf.id)
        assert stale is not None and stale.status == "Deprecated"
    # S's own footprint: its facility's Scope 1 + 2 market-based over its 1,850,000 kg
    s_total = D(wafer.lineage["totals_kg"]["product"])
    assert s_total == D(wafer.lineage["allocation"]["facility_fossil_kg"])
    assert abs(per_kg - s_total / 1_850_000) <= D("0.000001")
    assert ledger.verify(b).ok and ledger.verify(s).ok
    b.close()
    s.close()
