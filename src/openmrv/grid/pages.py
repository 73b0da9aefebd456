"""The hourly grid page: per facility, heat maps of load, clean supply and unmatched load (hour
of day × day of year) and the CFE score by month and hour, drawn by a script from the page's
JSON (no inline script: the CSP); the organisation's rows only, through OrgScope.rows."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from openmrv.api.tenancy import OrgScope
from openmrv.grid.charts import heatmaps, scores
from openmrv.grid.store import HOURLY
from openmrv.web import pages
from openmrv.web.pages import lang_of

HERE = Path(__file__).parent
page_router = APIRouter(include_in_schema=False)
pages.add_templates(HERE / "templates")


@page_router.get("/orgs/{org_id}/grid")
def grid_page(
    request: Request, facility: str | None = None, s: OrgScope = pages.Read
) -> HTMLResponse:
    got = s.rows("grid_hourly", ["DISTINCT facility_id"], order="facility_id")
    facilities = [r["DISTINCT facility_id"] for r in got]
    if not facilities:
        return pages.org_page(request, s, "grid.html", figures=None)
    chosen = facility if facility in facilities else facilities[0]
    rows = s.rows("grid_hourly", HOURLY, "facility_id = ?", [chosen], order="hour")
    cfe, matched = scores(rows)
    return pages.org_page(
        request, s, "grid.html", figures=heatmaps(rows, lang_of(request)), facilities=facilities,
        chosen=chosen, cfe=cfe, matched=matched,
    )  # fmt: skip


@page_router.get("/grid/heatmaps.js")
def heatmap_script() -> FileResponse:
    return FileResponse(HERE / "heatmaps.js", media_type="text/javascript")
