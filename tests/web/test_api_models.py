"""The OpenAPI document describes what every JSON route answers (api/models.py), and what the
routes answer on the seeded store is what it describes: no field left undeclared."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from openmrv.store import periods
from tests.web.conftest import token_for

ORG = "/api/v1/organisations/ORG-SUNBRIDGE"


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _undeclared(spec: dict[str, Any], schema: dict[str, Any], value: Any, at: str) -> list[str]:
    """Paths of fields in `value` that `schema` does not declare (recursively)."""
    schema = _resolve(spec, schema)
    for option in schema.get("anyOf", []):  # Optional[X]: check against X when not null
        if option.get("type") != "null" and value is not None:
            return _undeclared(spec, option, value, at)
    if isinstance(value, list) and "items" in schema:
        return [m for v in value for m in _undeclared(spec, schema["items"], v, at + "[]")]
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        missing = [f"{at}.{k}" for k in value if k not in props]
        return missing + [
            m
            for k, v in value.items()
            if k in props
            for m in _undeclared(spec, props[k], v, f"{at}.{k}")
        ]
    return []


def test_every_json_route_documents_a_non_empty_response(app):
    spec = TestClient(app).get("/api/v1/openapi.json").json()
    checked = 0
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            ok = {c: r for c, r in op["responses"].items() if c in ("200", "201")}
            assert ok, f"{method.upper()} {path} documents no success response"
            for code, response in ok.items():
                schema = response["content"]["application/json"]["schema"]
                body = _resolve(spec, schema.get("items", schema))
                assert body.get("properties"), f"{method.upper()} {path} {code}: empty schema"
                assert body.get("description"), f"{method.upper()} {path} {code}: undescribed"
                checked += 1
    assert checked >= 28


def test_answers_declare_every_field(app):
    """Every GET of the seeded organisation, and a rejected upload, against its schema."""
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {token_for(app, 'owner')}"
    spec = client.get("/api/v1/openapi.json").json()
    record = client.get(ORG + "/records?limit=1").json()[0]
    case = client.post(
        ORG + "/verification-cases", json={"facility_id": record["facility_id"], "year": 2024}
    )
    assert case.status_code == 201, case.text
    client.post(ORG + "/targets", json={"name": "Half by 2030", "methodology": "cn_mee",
                                        "base_year": 2024, "target_year": 2030,
                                        "reduction_pct": 50})  # fmt: skip
    fid = record["facility_id"]
    periods.lock(app.state.store.db, fid, 2023, "verifier", "verified")
    urls = [
        "/api/v1/me",
        "/api/v1/tokens",
        "/api/v1/organisations",
        ORG,
        ORG + "/regulators",
        ORG + "/facilities",
        ORG + f"/facilities/{fid}",
        ORG + "/sources",
        ORG + "/locks",
        ORG + "/records",
        ORG + f"/records/{record['record_id']}/history",
        ORG + "/runs",
        ORG + "/runs/1",
        ORG + "/reports/totals",
        ORG + "/reports/breakdown",
        ORG + f"/reports/comparison?facility_id={fid}&year={record['year']}",
        ORG + "/targets",
        ORG + "/verification-cases",
        ORG + f"/verification-cases/{case.json()['case_id']}",
    ]
    rejected = client.post(ORG + "/uploads", files={"file": ("a.csv", b"record_id\nr1\n")})
    assert rejected.json()["status"] == "rejected"
    answers = [("post", "/api/v1/organisations/{org_id}/uploads", rejected)]
    answers += [("get", u, client.get(u)) for u in urls]
    templates = list(spec["paths"])
    for method, url, r in answers:
        assert r.status_code == 200, (url, r.text)
        body = r.json()
        assert body, f"{url} answered nothing: the check would be empty"
        path = url.split("?")[0]
        template = next(t for t in templates if _matches(t, path))
        schema = spec["paths"][template][method]["responses"]["200"]["content"]
        assert _undeclared(spec, schema["application/json"]["schema"], body, path) == []
    comparison = next(r for _, u, r in answers if "/comparison" in u).json()
    assert comparison["rows"], "the comparison had no rows to check"


def _matches(template: str, path: str) -> bool:
    a, b = template.split("/"), path.split("/")
    return len(a) == len(b) and all(x == y or x.startswith("{") for x, y in zip(a, b, strict=True))
