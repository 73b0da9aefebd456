"""The web application on a real PostgreSQL store: the same services and workflow as on
DuckDB (upload, calculation run, verification and its lock, tenant isolation, the ledger)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from openmrv.api import sessions
from openmrv.cli.web import EXAMPLES, seed_demo
from openmrv.store import ledger, open_store
from openmrv.web.app import create_app
from tests.store.conftest import new_pg_database, pg  # noqa: F401  (the server fixture)
from tests.web import data
from tests.web.conftest import token_for

ORG = "/api/v1/organisations/ORG-TIANHE-JV"


def _seeded_app(pg) -> tuple[str, object]:  # noqa: F811 (pg: the server fixture)
    """A new database on the server, seeded with the demo facilities and users, and the app."""
    url = new_pg_database(pg)
    db = open_store(url)
    try:
        seed_demo(db, EXAMPLES / "facilities.csv", None)
    finally:
        db.close()
    return url, create_app(url)


def test_workflow_on_postgresql(pg):  # noqa: F811
    _, app = _seeded_app(pg)
    try:
        owner = TestClient(app, headers={"Authorization": f"Bearer {token_for(app, 'tianhe')}"})
        verifier = TestClient(app, headers={"Authorization": f"Bearer {token_for(app, 'shenhe')}"})
        bj = ("FAC-BJ-ENG",)
        r = owner.post(
            f"{ORG}/uploads",
            files={"file": ("bad.csv", data.bad(bj, "FAC-JS-PV").encode(), "text/csv")},
        )
        assert r.json()["status"] == "rejected" and r.json()["total_problems"] == 3
        r = owner.post(f"{ORG}/uploads", files={"file": ("bj.csv", data.good(bj).encode())})
        assert r.json()["status"] == "stored", r.text
        run = owner.post(f"{ORG}/runs")
        assert run.status_code == 201, run.text
        totals = owner.get(f"{ORG}/reports/totals").json()["totals"]
        assert {t["methodology"] for t in totals} >= {"cn_mee", "ipcc2006_t1"}
        case = owner.post(f"{ORG}/verification-cases", json={"facility_id": "FAC-BJ-ENG",
                                                           "year": 2024}).json()  # fmt: skip
        steps = f"{ORG}/verification-cases/{case['case_id']}/steps"
        assert owner.post(steps, json={"action": "submit"}).status_code == 200
        assert verifier.post(steps, json={"action": "start"}).status_code == 200
        r = verifier.post(steps, json={"action": "verify"})
        assert r.json()["status"] == "verified"
        late = data.changed("FAC-BJ-ENG", 2024, bj).encode()
        r = owner.post(f"{ORG}/uploads", files={"file": ("late.csv", late)}, data={"reason": "x"})
        assert r.json()["status"] == "refused" and "locked by shenhe" in r.json()["message"]
        assert owner.get("/api/v1/organisations/ORG-SUNBRIDGE/records").status_code == 404
        store = app.state.store
        assert ledger.verify(store.db).ok
    finally:
        app.state.store.db.close()


def test_dashboard_follows_writes_of_other_processes_on_postgresql(pg):  # noqa: F811
    """On PostgreSQL other processes may write (the CLI, another server): the dashboard's
    cache is keyed by the database snapshot, so their commits show on the next request."""
    from tests.web.conftest import sign_in

    url, app = _seeded_app(pg)
    try:
        tianhe = sign_in(app, "tianhe")
        page = tianhe.get("/orgs/ORG-TIANHE-JV")
        assert page.status_code == 200 and "No calculation run yet." in page.text
        v = app.state.store.db.version()
        other = open_store(url)  # another writer: activity and one run per organisation
        try:
            seed_demo(other, EXAMPLES / "facilities.csv", EXAMPLES / "activity.csv")
        finally:
            other.close()
        assert app.state.store.db.version() != v
        page = tianhe.get("/orgs/ORG-TIANHE-JV")
        assert 'id="obligations"' in page.text and "FAC-BJ-ENG" in page.text
        assert "FAC-JS-PV" not in page.text  # SunBridge's facility: not this organisation's
    finally:
        app.state.store.db.close()


def test_sign_out_on_one_server_ends_the_session_on_another(pg, monkeypatch):  # noqa: F811
    """Two server processes on one database (the same signing key): a sign-out through one
    ends the session for the other, whose dashboard had it cached."""
    from tests.web.conftest import csrf_of, sign_in

    monkeypatch.setenv("OPENMRV_SECRET_KEY", "a key both servers share")
    url, one = _seeded_app(pg)
    other = create_app(url)
    try:
        tianhe = sign_in(one, "tianhe")
        cookie = {"openmrv_session": tianhe.cookies["openmrv_session"]}
        there = TestClient(other, cookies=cookie, follow_redirects=False)
        assert there.get("/orgs/ORG-TIANHE-JV").status_code == 200
        assert there.get(f"{ORG}/runs").status_code == 200
        csrf = csrf_of(tianhe.get("/orgs").text)
        r = tianhe.post("/signout", data={"csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 303
        there = TestClient(other, cookies=cookie, follow_redirects=False)
        assert there.get("/orgs/ORG-TIANHE-JV").status_code == 303
        assert there.get("/orgs").status_code == 303
        assert there.get(f"{ORG}/runs").status_code == 401
        # sessions take no writer lock: a sign-in goes through while another process writes
        writer = open_store(url)
        writer.begin_write()
        try:
            one.state.store.db.execute("SET lock_timeout = '5s'")
            phone = sign_in(one, "tianhe")
        finally:
            writer.rollback()
            writer.close()
        assert phone.get("/orgs").status_code == 200
        sign_in(other, "tianhe")
        assert sessions.end_all(one.state.store.db, "tianhe") == 2  # sign out everywhere
        assert phone.get("/orgs", follow_redirects=False).status_code == 303
    finally:
        one.state.store.db.close()
        other.state.store.db.close()
