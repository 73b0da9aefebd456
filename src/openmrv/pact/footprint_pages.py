"""The product-footprint page of an organisation (anyone who may read it): the footprints it
issued and received, each with its lineage (the run and totals, the allocation rule and share,
and for each purchased material the supplier footprint or secondary factor used; for a
received one, where it came from)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from openmrv.api.tenancy import OrgScope
from openmrv.pact import store
from openmrv.web import pages

__all__ = ["FOOTPRINT_PAGES", "footprint_router"]

footprint_router = APIRouter(include_in_schema=False)
# The page's texts in Chinese (a domain's own texts: docs/translating.md, "Domains").
FOOTPRINT_PAGES = {
    "zh-CN": {
        "Product footprints": "产品碳足迹",
        "Product carbon footprints": "产品碳足迹",
        "Cradle-to-gate footprints computed from this organisation's calculation runs "
        "(openmrv pact compute), and those received from suppliers over PACT.":
            "根据本组织的计算运行得出的从摇篮到大门的足迹（openmrv pact compute），以及通过 PACT "
            "从供应商接收的足迹。",
        "Issued": "已发布",
        "Received": "已接收",
        "Product": "产品",
        "Product ids": "产品标识",
        "Status": "状态",
        "kg CO2e per declared unit": "每声明单位 kg CO2e",
        "Declared unit": "声明单位",
        "Reference period": "参考期",
        "Footprint id": "足迹 ID",
        "Lineage": "溯源",
        "Calculation run": "计算运行",
        "Scope totals used (t CO2e)": "所用范围总量（t CO2e）",
        "Allocation": "分配",
        "rule": "规则",
        "share": "份额",
        "allocated (kg CO2e)": "分配量（kg CO2e）",
        "Purchased materials": "外购材料",
        "Material": "材料",
        "Quantity": "数量",
        "Upstream (kg CO2e)": "上游（kg CO2e）",
        "From": "来源",
        "supplier footprint": "供应商足迹",
        "secondary factor": "二手因子",
        "Supersedes": "取代",
        "Supplier": "供应商",
        "Received via": "接收方式",
        "Primary data share (%)": "初级数据占比（%）",
        "Active": "有效",
        "Deprecated": "已废弃",
        "None": "无",
    }
}  # fmt: skip


def _row(pf: Any, lineage: dict[str, Any]) -> dict[str, Any]:
    w = pf.to_wire()
    c = w["pcf"]
    return {
        "id": w["id"],
        "name": w["productNameCompany"],
        "product_ids": w["productIds"],
        "status": w["status"],
        "pcf": w["pcf"]["pcfExcludingBiogenicUptake"],
        "unit": f"{w['pcf']['declaredUnitAmount']} {w['pcf']['declaredUnitOfMeasurement']}",
        "period": f"{c['referencePeriodStart'][:10]} – {c['referencePeriodEnd'][:10]}",
        "primary": w["pcf"].get("primaryDataShare", ""),
        "preceding": w.get("precedingPfIds", []),
        "lineage": lineage,
    }


@footprint_router.get("/orgs/{org_id}/pact/footprints")
def footprints_page(request: Request, s: OrgScope = pages.Read) -> HTMLResponse:
    def rows(direction: str) -> list[dict[str, Any]]:
        return [
            _row(pf, store.footprint_lineage(s.db, s.org_id, pf.id, direction=direction))
            for pf in store.list_footprints(s.db, s.org_id, direction=direction)
        ]

    return pages.org_page(
        request, s, "pact_footprints.html", issued=rows("issued"), received=rows("received")
    )
