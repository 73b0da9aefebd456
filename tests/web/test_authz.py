"""The authorisation matrix: every API route × every role × own and other organisation.

Routes are enumerated from the application, so a new route is covered (and must declare its
permission as `x-permission` in its OpenAPI entry). Other organisations' data must answer 404
to every role, and nothing may change in the store through such a request.
"""

from __future__ import annotations

import io

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from openmrv.api.tenancy import role_permissions
from tests.web.conftest import token_for

OWN, OTHER = "ORG-SUNBRIDGE", "ORG-TIANHE-JV"
ROLES = ("owner", "editor", "verifier", "viewer", "regulator")
TABLES = ("ledger_events", "activity_records", "uploads", "org_runs", "targets",
          "verification_cases", "case_steps", "memberships", "batches")  # fmt: skip


def _ids(app, org: str) -> dict[str, str]:
    """Existing ids of an organisation to put in paths (a run, a record, an upload, a case)."""
    db = app.state.store.db
    fac = db.scalar("SELECT min(facility_id) FROM facilities WHERE organization_id = ?", [org])
    rec = db.scalar("SELECT min(record_id) FROM activity_records WHERE facility_id = ?", [fac])
    run = db.scalar("SELECT max(run_no) FROM org_runs WHERE organization_id = ?", [org])
    return {"org_id": org, "facility_id": fac, "record_id": rec, "run_no": str(run)}


def _prepare(app, client_owner: TestClient, org: str, ids: dict[str, str]) -> None:
    """A case and an upload in the organisation, made by its owner."""
    r = client_owner.post(
        f"/api/v1/organisations/{org}/verification-cases",
        json={"facility_id": ids["facility_id"], "year": 2024},
    )
    assert r.status_code == 201, r.text
    ids["case_id"] = str(r.json()["case_id"])
    r = client_owner.post(
        f"/api/v1/organisations/{org}/uploads",
        files={"file": ("a.csv", b"record_id\n", "text/csv")},
    )
    assert r.status_code == 200, r.text
    ids["upload_id"] = str(r.json()["upload_id"])
    ids["token_id"] = "nosuchtoken"


def _call(client: TestClient, route: APIRoute, method: str, ids: dict[str, str]):
    # a member who is not a regulator: revoking "their grant" is refused, nothing changes
    path = route.path.format(**{"user_id": "viewer", **ids})
    kw: dict = {}
    if path.endswith("/uploads") and method == "POST":
        kw["files"] = {"file": ("x.csv", io.BytesIO(b"record_id,facility_id\n"), "text/csv")}
    elif path.endswith("/targets") and method == "POST":
        kw["json"] = {"name": "t", "methodology": "cn_mee", "base_year": 2024,
                      "target_year": 2030, "reduction_pct": 10}  # fmt: skip
    elif path.endswith("/verification-cases") and method == "POST":
        kw["json"] = {"facility_id": ids["facility_id"], "year": 2023}
    elif path.endswith("/steps"):
        kw["json"] = {"action": "submit"}
    elif path.endswith("/regulators") and method == "POST":
        kw["json"] = {"user_id": "regulator"}
    elif path.endswith("/tokens") and method == "POST":
        kw["json"] = {"label": "m", "scopes": ["read"]}
    elif path.endswith("/reports/comparison"):
        kw["params"] = {"facility_id": ids["facility_id"], "year": 2024}
    return client.request(method, path, **kw)


def _counts(app) -> dict[str, int]:
    return {t: app.state.store.db.scalar(f"SELECT count(*) FROM {t}") for t in TABLES}


def api_routes(app) -> list[tuple[APIRoute, str]]:
    """Every API route and method: the API router's routes, checked against the application's
    OpenAPI document so that no route under /api is served from elsewhere."""
    from openmrv.api.routes import router

    out = [(r, m) for r in router.routes if isinstance(r, APIRoute) for m in sorted(r.methods)]
    served = {(p, m.upper()) for p, ops in app.openapi()["paths"].items() for m in ops}
    assert {(r.path, m) for r, m in out} == {x for x in served if x[0].startswith("/api/")}
    return out


def test_every_route_declares_a_permission(app):
    for route, _ in api_routes(app):
        declared = (route.openapi_extra or {}).get("x-permission")
        assert declared in ("self", "tokens", "read", "write", "verify", "admin", "step"), (
            route.path
        )


@pytest.fixture(scope="module")
def clients(app):
    out = {}
    for role, user in zip(
        ROLES, ("owner", "editor", "verifier", "viewer", "regulator"), strict=True
    ):
        c = TestClient(app)
        c.headers["Authorization"] = f"Bearer {token_for(app, user)}"
        out[role] = c
    tianhe = TestClient(app)
    tianhe.headers["Authorization"] = f"Bearer {token_for(app, 'tianhe')}"
    own, other = _ids(app, OWN), _ids(app, OTHER)
    _prepare(app, out["owner"], OWN, own)
    _prepare(app, tianhe, OTHER, other)
    return out, own, other


def test_other_organisation_is_invisible_to_every_role(app, clients):
    by_role, _, other = clients
    # The regulator is granted both demo organisations; its "other" is one that granted nothing.
    regulator_other = {**other, **_ids(app, "ORG-CASCADIA")}
    before = _counts(app)
    checked = 0
    for route, method in api_routes(app):
        if "{org_id}" not in route.path:
            continue
        for role, client in by_role.items():
            ids = regulator_other if role == "regulator" else other
            r = _call(client, route, method, ids)
            assert r.status_code == 404, (role, method, route.path, r.status_code, r.text)
            assert ids["org_id"] not in r.text.replace(f"'{ids['org_id']}'", "")
            checked += 1
    assert _counts(app) == before, "a cross-tenant request changed the store"
    assert checked == 5 * sum("{org_id}" in r.path for r, _ in api_routes(app))


def test_own_organisation_follows_the_role(app, clients):
    by_role, own, _ = clients
    for route, method in api_routes(app):
        need = route.openapi_extra["x-permission"]
        for role, client in by_role.items():
            r = _call(client, route, method, own)
            if need in ("self", "tokens"):  # these clients' tokens have every scope
                allowed = True
            elif need == "step":  # the body asks to submit: an editor's or owner's step
                allowed = "write" in role_permissions(role)
            else:
                allowed = need in role_permissions(role)
            if allowed:
                denied = (401, 403) if need in ("self", "tokens") else (401, 403, 404)
                assert r.status_code not in denied, (role, method, route.path, r.text)
                assert r.status_code < 500, (role, method, route.path, r.text)
            elif "{org_id}" in route.path:
                assert r.status_code == 403, (role, method, route.path, r.status_code, r.text)


def test_no_credentials_no_access(app):
    anon = TestClient(app)
    ids = {**_ids(app, OWN), "case_id": "1", "upload_id": "1", "token_id": "x"}
    for route, method in api_routes(app):
        r = _call(anon, route, method, ids)
        assert r.status_code == 401, (method, route.path, r.status_code)


def test_tokens_are_per_user_and_revocable(app):
    from tests.web.conftest import token_for

    owner_token = token_for(app, "owner", ["read"])
    owner = TestClient(app, headers={"Authorization": f"Bearer {owner_token}"})
    editor = TestClient(app, headers={"Authorization": f"Bearer {token_for(app, 'editor')}"})
    token_id = owner_token.split("_")[1]
    assert editor.delete(f"/api/v1/tokens/{token_id}").status_code == 404
    assert token_id not in editor.get("/api/v1/tokens").text
    assert owner.get(f"/api/v1/organisations/{OWN}").status_code == 200
    # A read-scoped token cannot write, even for an owner, nor mint tokens (test_tokens).
    assert owner.post(f"/api/v1/organisations/{OWN}/runs").status_code == 403
    r = owner.post("/api/v1/tokens", json={"label": "x", "scopes": ["write"]})
    assert r.status_code == 403
    assert owner.delete(f"/api/v1/tokens/{token_id}").status_code == 200
    assert owner.get(f"/api/v1/organisations/{OWN}").status_code == 401
    tampered = owner_token[:-2] + ("AA" if not owner_token.endswith("AA") else "BB")
    r = TestClient(app).get("/api/v1/me", headers={"Authorization": f"Bearer {tampered}"})
    assert r.status_code == 401


# --- PACT host: partner credentials are bound to one organisation ------------------------------


def _pact_token(client: TestClient, cid: str, secret: str) -> str:
    r = client.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, secret))
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def test_pact_partners_see_only_their_organisations_footprints(app):
    """Every PACT host route, with the credentials of a partner of each organisation: lists,
    gets and requests reach that organisation's footprints only; PACT and API credentials
    are not interchangeable; a revoked partner is shut out at once."""
    import json
    import uuid
    from datetime import UTC, datetime

    from openmrv.pact import credentials, host
    from openmrv.pact import store as pact_store
    from tests.pact.samples import FIRST, SECOND, footprint

    db = app.state.store.db
    mine, theirs = FIRST["id"], SECOND["id"]
    shared = {"productIds": FIRST["productIds"]}  # the same product in both organisations
    pact_store.save_footprint(db, OWN, footprint(FIRST), lineage={})
    pact_store.save_footprint(db, OTHER, footprint(SECOND, **shared), lineage={})
    cb = "http://127.0.0.1:9"
    own = credentials.add_partner(db, OWN, "own", "t", callback_url=cb)
    other = credentials.add_partner(db, OTHER, "other", "t", callback_url=cb)
    c = TestClient(app)
    tok = {OWN: _pact_token(c, *own), OTHER: _pact_token(c, *other)}
    seen = {(r.path, m) for r in host.host_router.routes for m in r.methods}
    checked = set()
    for org, pid, foreign in ((OWN, mine, theirs), (OTHER, theirs, mine)):
        h = {"Authorization": f"Bearer {tok[org]}"}
        r = c.get("/3/footprints", headers=h)
        held = [str(p.id) for p in pact_store.list_footprints(db, org)]  # the demo's too
        assert [p["id"] for p in r.json()["data"]] == held and pid in held
        assert foreign not in r.text
        r = c.get("/3/footprints", headers=h, params={"productId": FIRST["productIds"][0]})
        assert [p["id"] for p in r.json()["data"]] == [pid]
        assert c.get(f"/3/footprints/{pid}", headers=h).status_code == 200
        r = c.get(f"/3/footprints/{foreign}", headers=h)
        assert r.status_code == 404 and r.json()["code"] == "NotFound"
        checked |= {("/3/footprints", "GET"), ("/3/footprints/{pf_id}", "GET")}
        # a request for the shared product is answered with this organisation's footprint only
        before = db.scalar("SELECT coalesce(max(outbox_id), 0) FROM pact_outbox")
        event = {"type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
                 "specversion": "1.0", "id": str(uuid.uuid4()), "source": cb,
                 "time": datetime.now(UTC).isoformat(),
                 "data": {"productId": shared["productIds"]}}  # fmt: skip
        r = c.post("/3/events", headers={**h, "Content-Type": "application/cloudevents+json"},
                   content=json.dumps(event))  # fmt: skip
        assert r.status_code == 200, r.text
        (queued,) = db.execute(
            "SELECT payload, organization_id FROM pact_outbox WHERE outbox_id > ?", [before]
        )
        answer = json.loads(queued[0])
        assert queued[1] == org and [p["id"] for p in answer["data"]["pfs"]] == [pid]
        # a Published naming the other's footprint reads nothing of it
        event |= {"type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
                  "id": str(uuid.uuid4()), "data": {"pfIds": [foreign]}}  # fmt: skip
        r = c.post("/3/events", headers={**h, "Content-Type": "application/cloudevents+json"},
                   content=json.dumps(event))  # fmt: skip
        assert r.status_code == 200 and foreign not in r.text
        checked |= {("/3/events", "POST")}
    checked |= {("/auth/token", "POST"), ("/.well-known/openid-configuration", "GET")}
    assert checked == seen, seen - checked  # every host route exercised
    # PACT tokens are not API tokens, nor the reverse
    assert c.get(f"/api/v1/organisations/{OWN}",
                 headers={"Authorization": f"Bearer {tok[OWN]}"}).status_code == 401  # fmt: skip
    api = {"Authorization": f"Bearer {token_for(app, 'owner')}"}
    assert c.get("/3/footprints", headers=api).status_code == 401
    # revoked: the token and the secret stop working at once
    credentials.revoke_partner(db, OWN, own[0], "t")
    r = c.get("/3/footprints", headers={"Authorization": f"Bearer {tok[OWN]}"})
    assert r.status_code == 401 and r.json()["code"] == "BadRequest"
    r = c.post("/auth/token", data={"grant_type": "client_credentials"}, auth=own)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    # another organisation cannot revoke a partner it does not have
    with pytest.raises(Exception, match="no partner"):
        credentials.revoke_partner(db, OWN, other[0], "t")
    r = c.get("/3/footprints", headers={"Authorization": f"Bearer {tok[OTHER]}"})
    assert r.status_code == 200


def test_pact_page_is_for_owners_of_the_organisation(app, monkeypatch, tmp_path):
    from tests.web.conftest import csrf_of, sign_in

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # the key of stored credentials
    for user, status in (("owner", 200), ("editor", 403), ("viewer", 403), ("tianhe", 404)):
        r = sign_in(app, user).get(f"/orgs/{OWN}/pact")
        assert r.status_code == status, (user, r.status_code)
    owner = sign_in(app, "owner")
    page = owner.get(f"/orgs/{OWN}/pact")
    r = owner.post(f"/orgs/{OWN}/pact/partners",
                   data={"name": "Buyer GmbH", "csrf_token": csrf_of(page.text)})  # fmt: skip
    assert r.status_code == 200 and 'id="pact-client-secret"' in r.text
    cid = r.text.split('id="pact-client-id">')[1].split("<")[0]
    secret = r.text.split('id="pact-client-secret">')[1].split("<")[0]
    assert _pact_token(TestClient(app), cid, secret)
    again = owner.get(f"/orgs/{OWN}/pact")
    assert cid in again.text and secret not in again.text  # shown once
    r = owner.post(f"/orgs/{OWN}/pact/suppliers", follow_redirects=False,
                   data={"supplier_id": "glass", "base_url": "https://glass.example",
                         "client_id": "me", "client_secret": "s3cret",
                         "csrf_token": csrf_of(again.text)})  # fmt: skip
    assert r.status_code == 303
    stored = app.state.store.db.scalar(
        "SELECT secret FROM pact_suppliers WHERE supplier_id = 'glass'"
    )
    assert "s3cret" not in stored  # encrypted
    r = owner.post(f"/orgs/{OWN}/pact/partners/{cid}/revoke", follow_redirects=False,
                   data={"csrf_token": csrf_of(again.text)})  # fmt: skip
    assert r.status_code == 303
    r = TestClient(app).post("/auth/token", data={"grant_type": "client_credentials"},
                             auth=(cid, secret))  # fmt: skip
    assert r.status_code == 401
    # without the CSRF token nothing is created
    n = app.state.store.db.scalar("SELECT count(*) FROM pact_partners")
    assert owner.post(f"/orgs/{OWN}/pact/partners", data={"name": "x"}).status_code == 403
    assert app.state.store.db.scalar("SELECT count(*) FROM pact_partners") == n
