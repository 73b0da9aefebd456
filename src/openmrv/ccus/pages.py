"""The CCUS page: capture beside the latest run's gross emissions, the sites' figures,
the custody reconciliation and the Sankey diagram, drawn by a script from the page's JSON
(no inline script: the CSP)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from openmrv.api.queries import runs
from openmrv.api.tenancy import OrgScope
from openmrv.ccus import store
from openmrv.ccus.report import build, gross_of_run, primary_only, sankey_json
from openmrv.web import pages
from openmrv.web.pages import lang_of

HERE = Path(__file__).parent
page_router = APIRouter(include_in_schema=False)
pages.add_templates(HERE / "templates")


@page_router.get("/orgs/{org_id}/ccus")
def ccus_page(request: Request, s: OrgScope = pages.Read) -> HTMLResponse:
    data = store.load(s.rows)
    if data is None:
        return pages.org_page(request, s, "ccus.html", report=None)
    lang = lang_of(request)
    countries = {f["facility_id"]: f["country"] for f in s.facilities()}
    gross = primary_only(gross_of_run(runs.breakdown(s)), countries)  # the latest run's
    r = build(data, gross, sectors={f["facility_id"]: f["sector"] for f in s.facilities()})
    return pages.org_page(
        request, s, "ccus.html", report=r, tables=r.tables(lang), chart=sankey_json(r.edges, lang)
    )


@page_router.get("/ccus/sankey.js")
def sankey_script() -> FileResponse:
    return FileResponse(HERE / "sankey.js", media_type="text/javascript")
