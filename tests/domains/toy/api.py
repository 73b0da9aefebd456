"""The toy domain's API routes (mounted under /api/v1) and pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from openmrv.api.deps import org_access
from openmrv.api.tenancy import OrgScope
from openmrv.web import pages
from tests.domains.toy.method import KG_CO2_PER_M3

router = APIRouter()
Read = Depends(org_access("read"))
page_router = APIRouter(include_in_schema=False)
pages.add_templates(Path(__file__).parent / "templates")


class Reading(BaseModel):
    record_id: str
    facility_id: str
    flared_m3: float
    co2_t: float


def listed(s: OrgScope) -> list[dict[str, Any]]:
    """The organisation's readings, through the one tenancy filter."""
    rows = s.rows("toy_readings", ("record_id", "facility_id", "flared_m3"), order="record_id")
    return [r | {"co2_t": r["flared_m3"] * KG_CO2_PER_M3 / 1000} for r in rows]


@router.get(
    "/organisations/{org_id}/toy/readings",
    openapi_extra={"x-permission": "read"},
    tags=["toy"],
    response_model=list[Reading],
)
def readings(s: OrgScope = Read) -> list[dict[str, Any]]:
    return listed(s)


@page_router.get("/orgs/{org_id}/toy")
def readings_page(request: Request, s: OrgScope = pages.Read) -> HTMLResponse:
    return pages.org_page(request, s, "toy.html", readings=listed(s))
