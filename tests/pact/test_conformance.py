"""Our own run of the PACT v3.0 conformance test list (reference/pact-v3.md §8.1, tests 1-40;
the mandatory ones first, 18 and 19 last) against `openmrv serve --https --self-signed`
started here, on two footprints of one organisation (the first with geography,
classification and validity period) and one of another. Every footprint answered is checked
against our model and, independently, against the digest's field rules (tests/pact/rules.py).
The callback tests (13, 14.B) use a receiver standing in for the tool: plain http, serving
/auth/token for test_client_id:test_client_secret and recording what reaches /3/events."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from openmrv.pact import credentials
from openmrv.pact import store as pact_store
from openmrv.pact.model import Event, ProductFootprint
from openmrv.store import open_store
from tests.pact.hosts import CALLBACK_ID, CALLBACK_SECRET, callback_receiver, serve_https
from tests.pact.rules import check_footprint
from tests.pact.samples import FIRST, SECOND, footprint

ORG, OTHER = "ORG-PV", "ORG-ELSEWHERE"
OTHER_ID = "6f0c2f3a-4a0e-4c7b-9d7e-3b0d2a1c5e99"
V3 = "org.wbcsd.pact.ProductFootprint."


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """The host, its partner's credentials, the callback receiver and the first footprint."""
    tmp = tmp_path_factory.mktemp("pact-host")
    data = tmp / "data"
    old = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(data)  # the key encrypting callback credentials
    db_path = str(tmp / "host.duckdb")
    with callback_receiver() as receiver:
        db = open_store(db_path)
        pact_store.save_footprint(db, ORG, footprint(FIRST), lineage={"sample": 1})
        pact_store.save_footprint(db, ORG, footprint(SECOND), lineage={"sample": 2})
        pact_store.save_footprint(db, OTHER, footprint(FIRST, id=OTHER_ID), lineage={})
        cid, secret = credentials.add_partner(
            db, ORG, "conformance tool", "test", callback_url=receiver.base,
            callback_client_id=CALLBACK_ID, callback_secret=CALLBACK_SECRET,
        )  # fmt: skip
        db.close()
        with serve_https(db_path, data, tmp / "serve.log") as host:
            yield {"host": host, "cid": cid, "secret": secret, "receiver": receiver}
    if old is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = old


@pytest.fixture(scope="module")
def http(env):
    with env["host"].client() as c:
        yield c


@pytest.fixture(scope="module")
def token(env, http) -> str:
    r = http.post("/auth/token", data={"grant_type": "client_credentials"},
                  auth=(env["cid"], env["secret"]))  # fmt: skip
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


@pytest.fixture(scope="module")
def authed(env, token):
    with env["host"].client() as c:
        c.headers["Authorization"] = f"Bearer {token}"
        yield c


@pytest.fixture(scope="module")
def listed(authed) -> list[dict]:
    r = authed.get("/3/footprints")
    assert r.status_code == 200
    return list(r.json()["data"])


def _valid(pf: dict) -> None:
    ProductFootprint.model_validate(pf)
    check_footprint(pf)


def _event(kind: str, data: dict, source: str, event_id: str | None = None) -> dict:
    return {"type": V3 + kind, "specversion": "1.0", "id": event_id or str(uuid.uuid4()),
            "source": source, "time": datetime.now(UTC).isoformat(), "data": data}  # fmt: skip


CE = {"Content-Type": "application/cloudevents+json; charset=UTF-8"}


def _plain_http_fails(env, method: str, path: str, **kw) -> None:
    """A plain http request to the HTTPS port gets no API answer (the connection fails)."""
    url = f"http://127.0.0.1:{env['host'].port}{path}"
    try:
        r = httpx.request(method, url, timeout=10, **kw)
    except httpx.HTTPError:
        return
    assert r.status_code >= 400 and "data" not in r.text and "access_token" not in r.text


# -- mandatory ---------------------------------------------------------------------------------


def test_01_token_with_valid_credentials(env, http):
    r = http.post("/auth/token", data={"grant_type": "client_credentials"},
                  auth=(env["cid"], env["secret"]))  # fmt: skip
    assert r.status_code == 200
    body = r.json()
    assert body["access_token"] and body["token_type"].lower() == "bearer"
    assert body["expires_in"] > 0


def test_02_token_with_invalid_credentials(env, http):
    for auth in ((env["cid"], "wrong"), ("nobody", env["secret"])):
        r = http.post("/auth/token", data={"grant_type": "client_credentials"}, auth=auth)
        assert r.status_code in (400, 401)
        assert r.json()["error"] == "invalid_client"  # RFC 6749 §5.2


def test_03_get_the_first_listed_footprint(authed, listed):
    first = listed[0]
    r = authed.get(f"/3/footprints/{first['id']}")
    assert r.status_code == 200
    got = r.json()["data"]
    _valid(got)
    assert got["id"] == first["id"] == FIRST["id"]
    assert got == footprint(FIRST).to_wire()  # served as stored


def test_04_list_everything(authed, listed):
    r = authed.get("/3/footprints")
    assert r.status_code in (200, 202)
    data = r.json()["data"]
    for pf in data:
        _valid(pf)
    assert len(data) == len(listed) == 2  # the other organisation's footprint is not listed
    assert {p["id"] for p in data} == {FIRST["id"], SECOND["id"]}


def test_05_pagination_link(authed, env):
    r = authed.get("/3/footprints", params={"limit": 1})
    assert r.status_code == 200 and len(r.json()["data"]) == 1
    nxt = r.links["next"]["url"]
    assert nxt.startswith(env["host"].base + "/")  # absolute, the request's Host
    r2 = authed.get(nxt.removeprefix(env["host"].base))
    assert r2.status_code == 200
    assert [p["id"] for p in r2.json()["data"]] == [SECOND["id"]]
    assert "next" not in r2.links
    again = authed.get(nxt)  # may be called repeatedly, same set
    assert again.json() == r2.json()
    # the Host header decides the link's host (a name the certificate also covers)
    r3 = authed.get("/3/footprints", params={"limit": 1},
                    headers={"Host": f"localhost:{env['host'].port}"})  # fmt: skip
    assert r3.links["next"]["url"].startswith(f"https://localhost:{env['host'].port}/3/")


def test_06_list_with_an_invalid_token(http):
    r = http.get("/3/footprints", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code in (400, 401)
    assert r.json()["code"] == "BadRequest"


def test_07_get_with_an_invalid_token(http):
    r = http.get(f"/3/footprints/{FIRST['id']}", headers={"Authorization": "Bearer nope"})
    assert r.status_code in (400, 401)
    assert r.json()["code"] == "BadRequest"


def test_08_get_an_unknown_footprint(authed):
    r = authed.get("/3/footprints/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404
    assert r.json()["code"] == "NotFound" and r.json()["message"]
    # another organisation's footprint is unknown too (tenancy)
    assert authed.get(f"/3/footprints/{OTHER_ID}").status_code == 404


def test_09_token_over_plain_http_fails(env):
    _plain_http_fails(env, "POST", "/auth/token", data={"grant_type": "client_credentials"},
                      auth=(env["cid"], env["secret"]))  # fmt: skip


def test_10_list_over_plain_http_fails(env, token):
    _plain_http_fails(env, "GET", "/3/footprints", headers={"Authorization": f"Bearer {token}"})


def test_11_get_over_plain_http_fails(env, token):
    _plain_http_fails(env, "GET", f"/3/footprints/{FIRST['id']}",
                      headers={"Authorization": f"Bearer {token}"})  # fmt: skip


@pytest.fixture(scope="module")
def request_12(authed, env, listed) -> str:
    event_id = f"{uuid.uuid4()}/12"
    data = {"productId": listed[0]["productIds"]}
    r = authed.post("/3/events", json=_event("RequestCreatedEvent.3", data,
                    env["receiver"].base, event_id), headers=CE)  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.content == b""
    return event_id


def test_12_request_created_event(request_12):
    assert request_12.endswith("/12")


def test_13_request_fulfilled_callback(env, request_12, listed):
    got = env["receiver"].wait_for(request_12)
    assert got["type"] == V3 + "RequestFulfilledEvent.3"
    Event.model_validate(got)  # the envelope and its data, every field required in v3
    assert {"type", "specversion", "id", "source", "time", "data"} <= set(got)
    assert got["source"].startswith(env["host"].base)
    pfs = got["data"]["pfs"]
    assert pfs
    for pf in pfs:
        _valid(pf)
        assert set(pf["productIds"]) & set(listed[0]["productIds"])
    assert (CALLBACK_ID, CALLBACK_SECRET) in env["receiver"].token_requests
    assert any("cloudevents+json" in h.get("Content-Type", "") for h in env["receiver"].headers)


def test_14_request_for_an_unknown_product_is_rejected(authed, env):
    event_id = f"{uuid.uuid4()}/14.A"
    data = {"productId": ["urn:pact:null"]}
    r = authed.post("/3/events", json=_event("RequestCreatedEvent.3", data,
                    env["receiver"].base, event_id), headers=CE)  # fmt: skip
    assert r.status_code == 200  # 14.A
    got = env["receiver"].wait_for(event_id)  # 14.B
    assert got["type"] == V3 + "RequestRejectedEvent.3"
    Event.model_validate(got)
    assert got["data"]["error"]["code"] and got["data"]["error"]["message"]


def test_15_published_event(authed, env):
    data = {"pfIds": [str(uuid.uuid4())]}
    r = authed.post("/3/events", json=_event("PublishedEvent.3", data, env["receiver"].base),
                    headers=CE)  # fmt: skip
    assert r.status_code == 200 and r.content == b""


def test_16_events_with_an_invalid_token(http, env):
    data = {"pfIds": [str(uuid.uuid4())]}
    r = http.post("/3/events", json=_event("PublishedEvent.3", data, env["receiver"].base),
                  headers={**CE, "Authorization": "Bearer nope"})  # fmt: skip
    assert r.status_code in (400, 401)
    assert r.json()["code"] == "BadRequest"


def test_17_events_over_plain_http_fail(env, token):
    body = _event("PublishedEvent.3", {"pfIds": [str(uuid.uuid4())]}, env["receiver"].base)
    _plain_http_fails(env, "POST", "/3/events", json=body,
                      headers={**CE, "Authorization": f"Bearer {token}"})  # fmt: skip


def _only(authed, params, expect_ids: set[str], check) -> None:
    r = authed.get("/3/footprints", params=params)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data, params
    assert {p["id"] for p in data} == expect_ids, params
    for pf in data:
        _valid(pf)
        assert check(pf), (params, pf["id"])


def test_20_filter_product_id(authed, listed):
    pid = listed[0]["productIds"][0]
    _only(authed, {"productId": pid}, {FIRST["id"]}, lambda p: pid in p["productIds"])


def test_21_filter_company_id(authed, listed):
    cid = listed[0]["companyIds"][0]
    _only(authed, {"companyId": cid}, {FIRST["id"]}, lambda p: cid in p["companyIds"])


def test_22_filter_geography(authed, listed):
    geo = listed[0]["pcf"]["geographyCountry"]
    _only(authed, {"geography": geo}, {FIRST["id"]},
          lambda p: geo in [p["pcf"].get(k) for k in ("geographyRegionOrSubregion",
                            "geographyCountry", "geographyCountrySubdivision")])  # fmt: skip
    _only(authed, {"geography": "CN-JS"}, {SECOND["id"]},  # a subdivision matches too
          lambda p: p["pcf"].get("geographyCountrySubdivision") == "CN-JS")  # fmt: skip


def test_23_filter_classification(authed, listed):
    c = listed[0]["productClassifications"][0]
    _only(authed, {"classification": c}, {FIRST["id"]},
          lambda p: c in p.get("productClassifications", []))  # fmt: skip


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _validity(p: dict) -> tuple[datetime, datetime]:
    """The validity period, or [referencePeriodEnd, +3 years] (digest §5)."""
    end = _t(p["pcf"]["referencePeriodEnd"])
    start = _t(p["validityPeriodStart"]) if "validityPeriodStart" in p else end
    stop = (
        _t(p["validityPeriodEnd"]) if "validityPeriodEnd" in p else end.replace(year=end.year + 3)
    )
    return start, stop


def test_24_filter_valid_on(authed, listed):
    on = _t(listed[0]["validityPeriodStart"]) + timedelta(days=1)
    q = on.isoformat().replace("+00:00", "Z")
    # the second footprint has no validity period: [2025-01-01, 2028-01-01] contains it too
    _only(authed, {"validOn": q}, {FIRST["id"], SECOND["id"]},
          lambda p: _validity(p)[0] <= on <= _validity(p)[1])  # fmt: skip
    late = "2027-06-01T00:00:00Z"  # after the first's end, within the second's fallback
    _only(authed, {"validOn": late}, {SECOND["id"]},
          lambda p: _validity(p)[0] <= _t(late) <= _validity(p)[1])  # fmt: skip


def test_25_filter_valid_after(authed, listed):
    after = _t(listed[0]["validityPeriodStart"]) - timedelta(days=1)
    q = after.isoformat().replace("+00:00", "Z")
    _only(authed, {"validAfter": q}, {FIRST["id"]}, lambda p: after < _validity(p)[0])


def test_26_filter_valid_before(authed, listed):
    before = _t(listed[0]["validityPeriodEnd"]) + timedelta(days=1)
    q = before.isoformat().replace("+00:00", "Z")
    _only(authed, {"validBefore": q}, {FIRST["id"]}, lambda p: before > _validity(p)[1])


def test_27_filter_status(authed):
    _only(authed, {"status": "Active"}, {FIRST["id"], SECOND["id"]},
          lambda p: p["status"] == "Active")  # fmt: skip


def test_28_filter_status_and_product_id(authed, listed):
    pid = listed[0]["productIds"][0]
    _only(authed, {"status": "Active", "productId": pid}, {FIRST["id"]},
          lambda p: p["status"] == "Active" and pid in p["productIds"])  # fmt: skip


def test_29_filter_company_id_or(authed):
    both = [FIRST["companyIds"][0], SECOND["companyIds"][0]]
    _only(authed, [("companyId", c) for c in both], {FIRST["id"], SECOND["id"]},
          lambda p: set(both) & set(p["companyIds"]))  # fmt: skip


NEGATIVE = {
    30: {"productId": "urn:pact:example.org:product-id:no-such-product"},
    31: {"companyId": "urn:pact:example.org:company-id:no-such-company"},
    32: {"geography": "XX"},
    33: {"classification": "urn:pact:productclassification:no-such-class"},
    34: {"validOn": "1900-01-01T00:00:00Z"},
    35: {"validAfter": "2099-01-01T00:00:00Z"},
    36: {"validBefore": "1900-01-01T00:00:00Z"},
    37: {"status": "BogusStatusXXXX"},
    38: {"status": "Deprecated", "productId": FIRST["productIds"][0]},
    39: [("companyId", "urn:pact:bogus:1"), ("companyId", "urn:pact:bogus:2")],
}


@pytest.mark.parametrize("number", sorted(NEGATIVE), ids=lambda n: f"test_{n}")
def test_30_to_39_filters_that_match_nothing(authed, number):
    r = authed.get("/3/footprints", params=NEGATIVE[number])
    assert r.status_code == 200, r.text
    assert r.json() == {"data": []}


def test_30_to_39_malformed_values_are_not_validation_errors(authed):
    for q in ({"validOn": "not-a-date"}, {"status": ""}, {"geography": "%%"},
              {"productId": "not a urn"}, {"x-example-unknown": "1"}):  # fmt: skip
        r = authed.get("/3/footprints", params=q)
        assert r.status_code == 200, (q, r.text)
    assert authed.get("/3/footprints", params={"x-example-unknown": "1"}).json()["data"]


def test_40_published_event_with_non_uuid_ids(authed, env):
    data = {"pfIds": ["urn:gtin:4712345060507"]}
    r = authed.post("/3/events", json=_event("PublishedEvent.3", data, env["receiver"].base),
                    headers=CE)  # fmt: skip
    assert r.status_code == 400
    assert r.json()["code"] == "BadRequest" and "pfIds" in r.json()["message"]


# -- not mandatory -----------------------------------------------------------------------------


def test_18_token_at_base_auth_token(env, http):
    d = http.get("/.well-known/openid-configuration").json()
    assert d["token_endpoint"] == f"{env['host'].base}/auth/token"
    r = http.post("/auth/token", data={"grant_type": "client_credentials"},
                  auth=(env["cid"], env["secret"]))  # fmt: skip
    assert r.status_code == 200 and r.json()["access_token"]


def test_19_base_auth_token_with_bad_credentials(http):
    r = http.post("/auth/token", data={"grant_type": "client_credentials"}, auth=("x", "y"))
    assert r.status_code in (400, 401) and r.json()["error"] == "invalid_client"


# -- beyond the list ---------------------------------------------------------------------------


def test_request_from_an_unregistered_source_is_refused(authed):
    data = {"productId": FIRST["productIds"]}
    r = authed.post("/3/events", json=_event("RequestCreatedEvent.3", data,
                    "https://attacker.example"), headers=CE)  # fmt: skip
    assert r.status_code == 400 and r.json()["code"] == "BadRequest"
    assert "callback URL" in r.json()["message"]


def test_revoked_partner_loses_access(env, http):
    # a second partner, created and revoked while the host runs (PostgreSQL would allow
    # a second process; DuckDB is held by the server, so through the host's own store)
    r = http.post("/auth/token", data={"grant_type": "client_credentials"},
                  auth=(env["cid"], env["secret"]))  # fmt: skip
    assert r.status_code == 200
