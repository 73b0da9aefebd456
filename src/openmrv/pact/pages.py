"""The PACT page of an organisation, for its owners (the `admin` permission): partners'
credentials (created with the secret shown once, revoked) and suppliers' hosts."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openmrv.api.tenancy import OrgScope
from openmrv.pact import credentials, store
from openmrv.web import pages

HERE = Path(__file__).parent
page_router = APIRouter(include_in_schema=False)
pages.add_templates(HERE / "templates")
Admin = Depends(pages.page_org("admin"))
# The page's texts in Chinese (the core catalogue is consulted first; docs/translating.md).
PAGES = {
    "zh-CN": {
        "PACT": "PACT",
        "PACT exchange": "PACT 数据交换",
        "Footprints issued": "已发布的足迹",
        "Footprints received": "已接收的足迹",
        "Give these credentials to the partner now: the secret is shown once.":
            "请立即将这些凭据交给合作方：密钥只显示一次。",
        "Client id": "客户端 ID",
        "Client secret": "客户端密钥",
        "Partners (clients of our host)": "合作方（本主机的客户端）",
        "Callback URL": "回调地址",
        "Created": "创建时间",
        "Revoked": "撤销时间",
        "Revoke": "撤销",
        "Our client id there": "我方在对方的客户端 ID",
        "Our secret there": "我方在对方的密钥",
        "Add partner": "添加合作方",
        "Suppliers (hosts we pull from)": "供应商（我方拉取数据的主机）",
        "Supplier": "供应商",
        "Base URL": "基础地址",
        "Add supplier": "添加供应商",
    }
}  # fmt: skip


def _page(request: Request, s: OrgScope, new_secret: dict[str, str] | None = None) -> HTMLResponse:
    db = s.db
    return pages.org_page(
        request, s, "pact.html", new_secret=new_secret,
        partners=credentials.list_partners(db, s.org_id),
        suppliers=credentials.list_suppliers(db, s.org_id),
        issued=len(store.list_footprints(db, s.org_id)),
        received=len(store.list_footprints(db, s.org_id, direction="received")),
    )  # fmt: skip


@page_router.get("/orgs/{org_id}/pact")
def pact_page(request: Request, s: OrgScope = Admin) -> HTMLResponse:
    return _page(request, s)


@page_router.post("/orgs/{org_id}/pact/partners", dependencies=[pages.Csrf])
def add_partner(
    request: Request,
    name: str = Form(min_length=1, max_length=200),
    callback_url: str = Form(""),
    callback_client_id: str = Form(""),
    callback_secret: str = Form(""),
    s: OrgScope = Admin,
) -> HTMLResponse:
    """Create a partner; the answer is the page with its secret, shown this once."""
    cid, secret = credentials.add_partner(
        s.db, s.org_id, name, s.principal.user_id, callback_url=callback_url or None,
        callback_client_id=callback_client_id or None, callback_secret=callback_secret or None,
    )  # fmt: skip
    return _page(request, s, {"client_id": cid, "secret": secret})


@page_router.post("/orgs/{org_id}/pact/partners/{client_id}/revoke", dependencies=[pages.Csrf])
def revoke_partner(client_id: str, s: OrgScope = Admin) -> Response:
    credentials.revoke_partner(s.db, s.org_id, client_id, s.principal.user_id)
    return RedirectResponse(f"/orgs/{s.org_id}/pact", 303)


@page_router.post("/orgs/{org_id}/pact/suppliers", dependencies=[pages.Csrf])
def add_supplier(
    supplier_id: str = Form(min_length=1, max_length=100),
    base_url: str = Form(min_length=1),
    client_id: str = Form(min_length=1),
    client_secret: str = Form(min_length=1),
    s: OrgScope = Admin,
) -> Response:
    credentials.add_supplier(
        s.db, s.org_id, supplier_id, base_url, client_id, client_secret, s.principal.user_id
    )
    return RedirectResponse(f"/orgs/{s.org_id}/pact", 303)
