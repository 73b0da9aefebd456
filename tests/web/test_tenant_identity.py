"""Two organisations using the same record ids, source ids and file names (both backends):
every API call, page and report of one shows none of the other's data and refuses nothing
because of it, and the ledger keeps them apart (issue 14; the leaks it found, one by one)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from openmrv.cli.web import EXAMPLES, seed_demo
from openmrv.store import ledger, open_store
from openmrv.web.app import create_app
from tests.store.conftest import BACKENDS, new_pg_database, pg  # noqa: F401 (the server fixture)
from tests.web import data
from tests.web.conftest import sign_in, token_for

SUN, TIAN = "ORG-SUNBRIDGE", "ORG-TIANHE-JV"
AZ, BJ = ("FAC-AZ-PV",), ("FAC-BJ-ENG",)
NAME = "activity.csv"  # both organisations' files
SHARED = "AZ-PV-NG-2024-02"  # the record id of the issue, used by both
# What of SunBridge's must never reach Tianhe's answers, and the reverse.
SUN_MARKS = ("FAC-AZ-PV", SUN, "Ed Editor", "Vera Verifier", "verified in case")
TIAN_MARKS = ("FAC-BJ-ENG", TIAN, "Tian He")


def _tianhe_file(scale: float, order: int = 1) -> str:
    """SunBridge's Arizona rows (same record ids and source ids) as Tianhe's Beijing rows,
    with other quantities."""
    header, body = data.rows(AZ)
    f, q = header.index("facility_id"), header.index("quantity")
    rows = [[*r[:f], BJ[0], *r[f + 1 : q], str(float(r[q]) * scale), *r[q + 1 :]] for r in body]
    return data.text(header, rows[::order])


@pytest.fixture(params=BACKENDS)
def web(request, tmp_path):
    url = (
        str(tmp_path / "web.duckdb")
        if request.param == "duckdb"
        else new_pg_database(request.getfixturevalue("pg"))
    )
    db = open_store(url)
    try:
        seed_demo(db, EXAMPLES / "facilities.csv", None)
    finally:
        db.close()
    application = create_app(url)
    yield application
    application.state.store.db.close()


def _client(app, user: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token_for(app, user)}"})


def _upload(client: TestClient, org: str, content: str, reason: str | None = None) -> dict:
    r = client.post(
        f"/api/v1/organisations/{org}/uploads",
        files={"file": (NAME, content.encode(), "text/csv")},
        data={"reason": reason} if reason else {},
    )
    assert r.status_code == 200, r.text
    return r.json()


def _none_of(marks: tuple[str, ...], text: str, where: str) -> None:
    leaked = [m for m in marks if m in text]
    assert not leaked, f"{where} shows {leaked}"


def test_two_organisations_with_the_same_ids_stay_apart(web):
    sun, tian = _client(web, "editor"), _client(web, "tianhe")
    owner, verifier = _client(web, "owner"), _client(web, "verifier")
    api = "/api/v1/organisations/"
    header, body = data.rows(AZ)
    n = len(body)
    source_ids = {r[header.index("source_id")] for r in body} - {""}

    first = _upload(sun, SUN, data.good(AZ))
    assert first["status"] == "stored", first
    assert owner.post(f"{api}{SUN}/runs").status_code == 201
    sun_totals = owner.get(f"{api}{SUN}/reports/totals").json()
    cmp_params = {"facility_id": AZ[0], "year": 2024}
    sun_cmp = owner.get(f"{api}{SUN}/reports/comparison", params=cmp_params).json()

    # Tianhe: the same record ids, source ids and file name, other values, no reason: all new
    # (before, this named SunBridge's record and version and asked for a reason).
    t1 = _upload(tian, TIAN, _tianhe_file(2.0))
    assert t1["status"] == "stored" and f"{n} rows: {n} new, 0 new versions" in t1["message"], t1
    # SunBridge's very file (the same SHA-256) is not "already ingested" for Tianhe: its
    # facilities are simply not Tianhe's.
    t2 = _upload(tian, TIAN, data.good(AZ))
    assert t2["status"] == "rejected" and "already" not in str(t2), t2
    # SunBridge's unchanged re-uploads: the same bytes, and the rows in another order.
    again = _upload(sun, SUN, data.good(AZ))
    assert again["status"] == "unchanged" and again["batch_id"] == first["batch_id"], again
    reordered = _upload(sun, SUN, data.text(data.rows(AZ)[0], data.rows(AZ)[1][::-1]))
    assert f"0 new, 0 new versions, {n} unchanged" in reordered["message"], reordered

    # Tianhe corrects its records (a reason): versions 2 of Tianhe's records only.
    t3 = _upload(tian, TIAN, _tianhe_file(3.0), "meters recalibrated")
    assert t3["status"] == "stored" and f"{n} new versions" in t3["message"], t3

    # SunBridge's verifier signs off FAC-AZ-PV 2024: the lock is SunBridge's alone.
    case = owner.post(f"{api}{SUN}/verification-cases", json={"facility_id": AZ[0], "year": 2024})
    steps = f"{api}{SUN}/verification-cases/{case.json()['case_id']}/steps"
    assert owner.post(steps, json={"action": "submit"}).status_code == 200
    assert verifier.post(steps, json={"action": "start"}).status_code == 200
    assert verifier.post(steps, json={"action": "verify"}).json()["status"] == "verified"
    lock_event = [e for e in ledger.events(web.state.store.db) if e.action == "lock"][-1]
    in_2024 = sum(r[header.index("period_start")].startswith("2024") for r in body)
    assert lock_event.data()["records"] == in_2024  # SunBridge's records (Tianhe's are v3)
    t4 = _upload(tian, TIAN, _tianhe_file(4.0, order=-1), "again")
    assert t4["status"] == "stored", t4  # not refused by SunBridge's lock
    _none_of(SUN_MARKS, str([t1, t3, t4]), "Tianhe's uploads")
    # (t2 names FAC-AZ-PV: Tianhe's own file did; refused as a facility Tianhe does not have.)
    assert {p["column"] for p in t2["problems"]} == {"facility_id"}, t2
    assert all("facility not in the facilities file" in p["problem"] for p in t2["problems"])

    # Histories: each organisation's own versions and events.
    h_t = tian.get(f"{api}{TIAN}/records/{SHARED}/history").json()
    assert [(v["version"], v["facility_id"]) for v in h_t["versions"]] == [
        (1, BJ[0]), (2, BJ[0]), (3, BJ[0])
    ]  # fmt: skip
    assert {e["actor"] for e in h_t["events"]} == {"tianhe"}
    h_s = owner.get(f"{api}{SUN}/records/{SHARED}/history").json()
    assert [(v["version"], v["submitted_by"]) for v in h_s["versions"]] == [(1, "editor")]
    assert {e["actor"] for e in h_s["events"]} == {"editor"}

    # Every read of each organisation: its own data only.
    assert owner.post(f"{api}{SUN}/runs").status_code == 201
    assert tian.post(f"{api}{TIAN}/runs").status_code == 201
    for client, org, fac, marks in ((owner, SUN, AZ, TIAN_MARKS), (tian, TIAN, BJ, SUN_MARKS)):
        recs = client.get(f"{api}{org}/records", params={"limit": 1000}).json()
        assert len(recs) == n and {r["facility_id"] for r in recs} == set(fac)
        sources = client.get(f"{api}{org}/sources").json()
        assert {(s["facility_id"], s["source_id"]) for s in sources} == {
            (fac[0], src) for src in source_ids
        }
        uploads = client.get(f"{api}{org}/uploads").json()
        assert {u["file_name"] for u in uploads} == {NAME}
        for path in ("", "/facilities", "/sources", "/uploads", "/records", "/locks", "/runs",
                     "/reports/totals", "/reports/breakdown", "/verification-cases",
                     f"/records/{SHARED}/history"):  # fmt: skip
            r = client.get(f"{api}{org}{path}")
            assert r.status_code == 200, (org, path, r.text)
            _none_of(marks, r.text, f"{org}{path}")

    # SunBridge's figures are what they were before Tianhe stored anything (a later run of
    # SunBridge's own: the same figures, links to the records it left out name that run).
    def figures(rows: list[dict]) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "not_computed_url"} for r in rows]

    after = owner.get(f"{api}{SUN}/reports/totals").json()["totals"]
    assert figures(after) == figures(sun_totals["totals"])
    assert owner.get(f"{api}{SUN}/reports/comparison", params=cmp_params).json() == sun_cmp
    assert tian.get(f"{api}{TIAN}/locks").json() == []

    # Pages, signed in.
    for user, org, marks in (("tianhe", TIAN, SUN_MARKS), ("owner", SUN, TIAN_MARKS)):
        browser = sign_in(web, user)
        for path in ("", f"/records/{SHARED}", "/upload", "/cases", "/targets"):
            page = browser.get(f"/orgs/{org}{path}")
            assert page.status_code == 200, (org, path)
            _none_of(marks, page.text, f"page /orgs/{org}{path}")

    # The ledger: intact, and each batch names its organisation.
    db = web.state.store.db
    v = ledger.verify(db)
    assert v.ok, v.findings
    batches = {e.data()["batch_id"]: e.data()["batch"] for e in ledger.events(db)
               if e.action == "ingest"}  # fmt: skip
    assert {b["organization_id"] for b in batches.values()} == {SUN, TIAN}
    assert batches[t3["batch_id"]]["organization_id"] == TIAN
