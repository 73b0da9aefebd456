"""Server-rendered pages (Jinja2 + HTMX) over the same tenancy and services as the API.

Pages use the session only (no API tokens): the signed cookie, honoured while its server-side
session lasts (api.sessions; signing out ends it); every form carries the session's CSRF
token, checked before anything else on a POST. The language comes from the `lang` cookie
(set by the switch in the header) and covers every page through one catalogue (web.i18n).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
import jinja2
from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from openmrv import plugins
from openmrv.api import queries, security, services, sessions, workflow
from openmrv.api.deps import (
    BadCsrf,
    NotSignedIn,
    RowNo,
    Store,
    get_db,
    org_access,
    session_user,
)
from openmrv.api.tenancy import NotFound, OrgScope, Principal, load_principal, scope_for
from openmrv.i18n import N_
from openmrv.methods import METHODS, MethodId, labels
from openmrv.reports.coverage import INVENTORY
from openmrv.store import Database
from openmrv.web import i18n

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def add_templates(folder: Path) -> None:
    """Let a domain's pages render templates from `folder` (after the core's: a domain cannot
    replace a core template by accident)."""
    loader = templates.env.loader
    loaders = loader.loaders if isinstance(loader, jinja2.ChoiceLoader) else [loader]
    templates.env.loader = jinja2.ChoiceLoader([*loaders, jinja2.FileSystemLoader(folder)])


# Data in a URL path segment or query value: percent-encoded whole (its own "/", "?", "&" or
# "#" never change the link); HTML escaping then applies as everywhere (autoescape).
templates.env.filters["seg"] = lambda value: quote(str(value), safe="")
router = APIRouter(include_in_schema=False)


def lang_of(request: Request) -> str:
    return i18n.pick(request.cookies.get("lang"))


def page_context(lang: str, csrf: str, path: str) -> dict[str, Any]:
    """What every page's template receives besides its own data."""
    return {
        "_": lambda text: i18n.translate(lang, text),
        "_msg": lambda text: i18n.message(lang, text),
        "lang": lang,
        "languages": i18n.LANGUAGES,
        "csrf": csrf,
        "labels": labels(lang),
        "here": quote(path),
        "nav_links": plugins.nav_links(),
    }


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    session = request.session
    if "csrf" not in session:
        session["csrf"] = security.csrf_token()
    ctx.update(page_context(lang_of(request), session["csrf"], str(request.url.path)))
    return templates.TemplateResponse(request, name, ctx, status_code=status)


def error_page(request: Request, exc: Exception, code: int) -> Response:
    if isinstance(exc, NotSignedIn):
        return RedirectResponse(f"/signin?next={quote(str(request.url.path))}", 303)
    titles = {404: N_("Not found"), 403: N_("Not allowed"), 401: N_("Sign in again")}
    title = titles.get(code, N_("Cannot do that"))
    return render(request, "error.html", code, title=title, message=str(exc), principal=None)


def page_principal(request: Request, db: Database = Depends(get_db)) -> Principal:
    user_id = session_user(request, db)
    if not user_id:
        raise NotSignedIn("sign in")
    return _principal(db, user_id)


async def check_csrf(request: Request) -> None:
    form = await request.form()
    sent = form.get("csrf_token") or request.headers.get("x-csrf-token")
    if not security.same(str(sent or ""), request.session.get("csrf")):
        raise BadCsrf("the form has expired; reload the page and try again")


def page_org(permission: str):
    return org_access(permission, page_principal)


Read = Depends(page_org("read"))
Write = Depends(page_org("write"))
Csrf = Depends(check_csrf)


def org_page(request: Request, s: OrgScope, name: str, **ctx: Any) -> HTMLResponse:
    perms = s.principal.permissions(s.org_id)
    return render(request, name, org_id=s.org_id, principal=s.principal, perms=perms, **ctx)


# --- sign-in, language ----------------------------------------------------------------------
@router.get("/")
def home(request: Request) -> Response:
    return RedirectResponse("/orgs" if request.session.get("user_id") else "/signin", 303)


@router.get("/signin")
def signin_form(request: Request, next: str = "/orgs") -> Response:
    return render(request, "signin.html", principal=None, next=_local(next), error=None)


_LOCAL_PATH = re.compile(r"/(?![/\\])[\w\-./?=&%]*")


def _local(url: str) -> str:
    """Only same-site paths after sign-in (no open redirect): a path of plain characters, so
    no "//host", "/\\host" or control characters that browsers read as another site."""
    return url if _LOCAL_PATH.fullmatch(url) else "/orgs"


@router.post("/signin", dependencies=[Csrf])
async def signin(
    request: Request,
    username: str = Form(max_length=100),
    password: str = Form(max_length=1000),
    next: str = Form(default="/orgs", max_length=500),
) -> Response:
    """Checks the password outside the store lock (argon2 takes a while on purpose)."""
    store = request.app.state.store
    limit = store.sign_in_limit
    client = request.client.host if request.client else "?"
    keys = (f"ip:{client}", f"user:{username.lower()}")
    wait, stamp = limit.attempt(*keys)  # counted now, before the slow check
    if wait:
        return render(
            request,
            "signin.html",
            429,
            principal=None,
            next=_local(next),
            error=N_("Too many failed sign-ins; try again in a few minutes."),
        )
    async with store.lock:
        stored = store.db.scalar("SELECT password_hash FROM users WHERE user_id = ?", [username])
    if not await anyio.to_thread.run_sync(security.check_password, stored, password):
        return render(
            request,
            "signin.html",
            401,
            principal=None,
            next=_local(next),
            error=N_("Wrong user name or password."),
        )
    limit.succeeded(stamp, *keys, clear=(keys[1],))
    async with store.lock:
        session_id = sessions.start(store.db, username)
    request.session.clear()  # a new session (and CSRF token) at every sign-in
    request.session.update(user_id=username, sid=session_id, csrf=security.csrf_token())
    return RedirectResponse(_local(next), 303)


@router.post("/signout", dependencies=[Csrf])
def signout(request: Request, db: Database = Depends(get_db)) -> Response:
    """Ends the session on the server too: a copy of the cookie no longer signs anyone in."""
    sessions.end(db, request.session.get("sid"))
    request.session.clear()
    return RedirectResponse("/signin", 303)


@router.get("/lang/{code}")
def set_lang(code: str, next: str = "/") -> Response:
    r = RedirectResponse(_local(next), 303)
    r.set_cookie("lang", i18n.pick(code), max_age=365 * 86400, samesite="lax", httponly=True)
    return r


@router.get("/orgs")
def orgs(request: Request, p: Principal = Depends(page_principal)) -> Response:
    return render(request, "orgs.html", principal=p, org_id=None)


# --- dashboard ------------------------------------------------------------------------------
SCOPE_LABELS = {
    "1": N_("Scope 1"),
    "2_location": N_("Scope 2 (location-based)"),
    "2_market": N_("Scope 2 (market-based)"),
    "1+2_location": N_("Scopes 1 and 2 (location-based)"),
}
COVERAGE_STATUS = {
    "complete": N_("complete"),
    "partial": N_("⚠ partial: records not computed"),
    "not_covered": N_("not covered by this methodology (records listed)"),
}
VIEWS = ("obligations", "methods")


def _sum(rows: list[dict[str, Any]], key: str, methodology: str | None) -> list[dict[str, Any]]:
    out: dict[Any, float] = {}
    for r in rows:
        if r["methodology"] == methodology:
            out[r[key]] = out.get(r[key], 0.0) + r["co2e_t"]
    return [{"key": k, "co2e_t": v} for k, v in sorted(out.items(), key=lambda kv: str(kv[0]))]


def _by_year_and_scope(rows: list[dict[str, Any]], methodology: str | None) -> list[dict[str, Any]]:
    """t CO2e per year of each scope apart (the trend chart stacks them, never sums them)."""
    out: dict[tuple[Any, Any], float] = {}
    for r in rows:
        if r["methodology"] == methodology:
            k = (r["year"], r["scope"])
            out[k] = out.get(k, 0.0) + r["co2e_t"]
    return [{"year": y, "scope": sc, "co2e_t": v} for (y, sc), v in sorted(out.items(), key=str)]


def dashboard_data(s: OrgScope, methodology: str | None) -> dict[str, Any]:
    """The dashboard's figures: the latest run's stored totals, obligations, records left out
    and records per facility-month (a few hundred rows, whatever the number of records)."""
    return dashboard_figures(
        queries.runs.totals(s),
        lambda: queries.runs.breakdown(s),
        queries.runs.listed(s),
        methodology,
        obligations=queries.runs.obligations(s),
        not_computed=queries.runs.not_computed(s),
        months=queries.runs.months(s),
        facilities=s.facilities(),
        targets=services.target_progress(s),
    )


def dashboard_figures(
    totals: list[dict[str, Any]],
    breakdown: Callable[[], list[dict[str, Any]]],
    runs: list[dict[str, Any]],
    methodology: str | None,
    obligations: list[dict[str, Any]] = (),  # type: ignore[assignment]
    not_computed: list[dict[str, Any]] = (),  # type: ignore[assignment]
    months: list[dict[str, Any]] = (),  # type: ignore[assignment]
    facilities: list[dict[str, Any]] = (),  # type: ignore[assignment]
    targets: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """`dashboard_data` from the run's totals (by scope, each with its coverage), its
    breakdown (read only when there is a methodology to chart) and the rest."""
    methods = sorted({t["methodology"] for t in totals} - {INVENTORY})
    chosen = methodology if methodology in methods else (methods[0] if methods else None)
    rows = breakdown() if chosen else []
    charts: dict[str, Any] = {k: _sum(rows, k, chosen) for k in ("scope", "gas", "facility_id")}
    charts["year"] = _by_year_and_scope(rows, chosen)
    charts["targets"] = [
        {
            "name": t["name"],
            "x": [t["base_year"], t["target_year"]],
            "y": [t["base_t"], t["goal_t"]],
        }
        for t in targets
        if t["methodology"] == chosen and t["base_t"] is not None
    ]
    org = [t for t in totals if t["facility_id"] is None]
    years = sorted({t["year"] for t in org if t["year"] is not None}, reverse=True)
    month_grid: dict[tuple[str, int], dict[int, dict[str, Any]]] = {}
    for m in months:
        month_grid.setdefault((m["facility_id"], m["year"]), {})[m["month"]] = m
    return {
        "totals": [t for t in totals if t["facility_id"] is not None],
        "org_totals": org,
        "years": years,
        "methods": methods,
        "chosen": chosen,
        "charts": charts,
        "chart_data": charts if chosen else {},  # written with `tojson` (escapes <, >, &)
        "run": runs[0] if runs else None,
        "obligations": list(obligations),
        "not_computed": list(not_computed),
        "months": month_grid,
        "facilities": {f["facility_id"]: f for f in facilities},
        "inventory": INVENTORY,
    }


def _figures_html(data: dict[str, Any], org_id: str, lang: str, view: str) -> Markup:
    """The dashboard's figures (obligations, cards, charts' data, tables) as HTML: the same
    for every reader of the organisation in that language, so rendered once per store version."""
    template = templates.get_template("dashboard_figures.html")
    return Markup(template.render(**figures_context(data, org_id, lang, view)))


def figures_context(data: dict[str, Any], org_id: str, lang: str, view: str) -> dict[str, Any]:
    """What dashboard_figures.html receives: the figures and the language's helpers."""
    from openmrv.reports import coverage
    from openmrv.reports.i18n import t as report_text

    def coverage_text(c: dict[str, Any] | None) -> str:
        if c is None:
            return i18n.translate(lang, "coverage not recorded (run stored before)")
        if c["status"] == "not_covered":
            return i18n.translate(lang, "not covered by this methodology (records listed)")
        share = ";".join(f"{k}={v!r}" for k, v in c["missing_share"].items())
        return coverage.text(c["records"], c["not_computed"], share, lang, c["outside_categories"])

    def facility_name(fid: str) -> str:
        f = data["facilities"].get(fid, {})
        name = (f.get("name_zh") if lang == "zh-CN" else None) or f.get("name") or ""
        return f"{fid} · {name}" if name else fid

    chart_labels = {
        "scope": {k: i18n.translate(lang, v) for k, v in SCOPE_LABELS.items()}
        | {str(k): i18n.translate(lang, v) for k, v in ((1, SCOPE_LABELS["1"]),
                                                         (2, SCOPE_LABELS["2_location"]))},
        "facility_id": {f: facility_name(f) for f in data["facilities"]},
        "axis": i18n.translate(lang, "t CO2e"),
        "year": i18n.translate(lang, "Year"),
        "target": i18n.translate(lang, "Target path (scopes 1 and 2 location-based)"),
    }  # fmt: skip
    return {
        **data,
        "org_id": org_id,
        "view": view,
        "lang": lang,
        "labels": labels(lang),
        "scope_labels": SCOPE_LABELS,
        "chart_labels": chart_labels,
        "coverage_text": coverage_text,
        "facility_name": facility_name,
        "rt": lambda key: report_text(key, lang),
        "_": lambda text: i18n.translate(lang, text),
    }


def _dashboard_parts(
    store: Store,
    version: object,
    user_id: str,
    session_id: str,
    org_id: str,
    methodology: str | None,
    lang: str,
    view: str,
    load: bool = False,
) -> tuple[OrgScope, dict[str, Any], Markup] | None:
    """The principal's scope, figures and rendered figures from the cache: None on a miss, or,
    with `load` (store lock held, so nothing writes meanwhile), what is missing loaded and cached
    under `version`. The session is checked first (cached under the version too: a sign-out is a
    write, so it is never missed); `scope_for` is asked every time (no query: the principal is
    cached), so the cached figures of an organisation are only reached by its members."""
    cache = store.cache

    def cached(key: tuple, make: Callable[[], Any]) -> Any:
        value = cache.get(version, key)
        if value is None and load:
            value = make()
            cache.put(version, key, value)
        return value

    holder = cached(("session", session_id), lambda: sessions.user_of(store.db, session_id) or "")
    if holder is None:
        return None
    if holder != user_id:
        raise NotSignedIn("sign in")
    p = cached(("principal", user_id), lambda: _principal(store.db, user_id))
    if p is None:
        return None
    s = scope_for(store.db, p, org_id, "read")
    data = cached(("dashboard", org_id, methodology), lambda: dashboard_data(s, methodology))
    if data is None:
        return None
    html = cached(
        ("figures", org_id, methodology, lang, view),
        lambda: _figures_html(data, org_id, lang, view),
    )
    return None if html is None else (s, data, html)


def _principal(db: Database, user_id: str) -> Principal:
    """The signed-in user's principal; NotSignedIn when the account is gone."""
    p = load_principal(db, user_id)
    if p is None:
        raise NotSignedIn("sign in")
    return p


@router.get("/orgs/{org_id}")
async def dashboard(
    request: Request, org_id: str, methodology: str | None = None, view: str | None = None
) -> Response:
    """The busiest page, kept light: on the event loop, no worker thread, and once the figures
    are cached (the first request after any write computes them) no query at all on DuckDB
    (one, for the version, on PostgreSQL)."""
    store: Store = request.app.state.store
    user_id, session_id = request.session.get("user_id"), request.session.get("sid")
    if not user_id or not session_id:
        raise NotSignedIn("sign in")
    lang = lang_of(request)
    # a known methodology or none: any other text would be a cache key of its own
    methodology = methodology if methodology in METHODS else None
    # obligations first; the methodology view one click away (or when one is chosen)
    view = view if view in VIEWS else ("methods" if methodology else "obligations")
    version = await store.version()
    parts = _dashboard_parts(store, version, user_id, session_id, org_id, methodology, lang, view)
    if parts is None:
        async with store.lock:
            parts = await anyio.to_thread.run_sync(
                lambda: _dashboard_parts(
                    store,
                    store.db.version(),
                    user_id,
                    session_id,
                    org_id,
                    methodology,
                    lang,
                    view,
                    True,
                )
            )
    assert parts is not None  # loaded (`load=True`) parts are never a miss
    s, data, figures = parts
    return org_page(request, s, "dashboard.html", run=data["run"], figures=figures, view=view)


@router.post("/orgs/{org_id}/runs", dependencies=[Csrf])
def calculate(request: Request, s: OrgScope = Write) -> Response:
    services.calculate(s)
    return RedirectResponse(f"/orgs/{s.org_id}", 303)


@router.get("/orgs/{org_id}/facilities/{facility_id}")
def facility(request: Request, facility_id: str, s: OrgScope = Read) -> Response:
    f = s.facility(facility_id)
    totals = [t for t in queries.runs.totals(s) if t["facility_id"] == facility_id]
    records = queries.records.current(s, facility_id, limit=500)
    locks = [lk for lk in queries.locks.listed(s) if lk["facility_id"] == facility_id]
    years = sorted({r["year"] for r in records})
    return org_page(
        request,
        s,
        "facility.html",
        f=f,
        totals=totals,
        records=records,
        locks=locks,
        years=years,
        scope_labels=SCOPE_LABELS,
        coverage_status=COVERAGE_STATUS,
    )


@router.get("/orgs/{org_id}/records/{record_id}")
def record(request: Request, record_id: str, s: OrgScope = Read) -> Response:
    h = queries.records.history(s, record_id)
    proofs = queries.ledger_keys.inclusion(s, [e["seq"] for e in h["events"]])
    return org_page(request, s, "record.html", h=h, proofs=proofs)


@router.get("/orgs/{org_id}/ledger")
def ledger_page(request: Request, s: OrgScope = Read) -> Response:
    """The ledger's signed checkpoints and their signers, and the keys that sign them."""
    return org_page(
        request,
        s,
        "ledger.html",
        checkpoints=queries.ledger_keys.checkpoints(s),
        keys=queries.ledger_keys.keys(s),
    )


# --- upload ---------------------------------------------------------------------------------
@router.get("/orgs/{org_id}/upload")
def upload_form(request: Request, s: OrgScope = Write) -> Response:
    return org_page(request, s, "upload.html", result=None, uploads=queries.uploads.listed(s)[:20])


@router.post("/orgs/{org_id}/upload", dependencies=[Csrf], max_body_size=services.MAX_UPLOAD_BODY)
async def upload(
    request: Request,
    org_id: str,
    file: UploadFile,
    reason: str = Form(default="", max_length=1000),
) -> Response:
    """Reads the file without holding the store (`services.upload` checks access first)."""
    store: Store = request.app.state.store
    s, result = await services.upload(
        store,
        lambda: scope_for(store.db, page_principal(request, store.db), org_id, "write"),
        file.filename or "upload",
        file.file,
        reason,
    )
    if request.headers.get("hx-request"):
        return org_page(request, s, "upload_result.html", result=result)
    uploads = await store.locked(lambda: queries.uploads.listed(s)[:20])
    return org_page(request, s, "upload.html", result=result, uploads=uploads)


# --- comparison, targets --------------------------------------------------------------------
@router.get("/orgs/{org_id}/compare")
async def compare(
    request: Request,
    org_id: str,
    facility_id: str | None = None,
    year: int | None = Query(default=None, ge=1900, le=2200),
) -> Response:
    """The engine runs without holding the store (services.comparison)."""
    store: Store = request.app.state.store

    def inputs() -> tuple[OrgScope, list[dict[str, Any]], list[int]]:
        s = scope_for(store.db, page_principal(request, store.db), org_id, "read")
        rows = queries.runs.breakdown(s)
        years = sorted({r["year"] for r in rows if r["year"] is not None}) or [2024]
        return s, s.facilities(), years

    s, facilities, years = await store.locked(inputs)
    facility_id = facility_id or (facilities[0]["facility_id"] if facilities else None)
    year = year or years[-1]
    result = await services.comparison(store, lambda: s, facility_id, year) if facility_id else None
    return org_page(
        request,
        s,
        "compare.html",
        facilities=facilities,
        facility_id=facility_id,
        years=years,
        year=year,
        result=result,
    )


@router.get("/orgs/{org_id}/targets")
def targets(request: Request, s: OrgScope = Read) -> Response:
    return org_page(request, s, "targets.html", targets=services.target_progress(s))


@router.post("/orgs/{org_id}/targets", dependencies=[Csrf])
def add_target(
    request: Request,
    name: str = Form(min_length=1, max_length=200),
    methodology: MethodId = Form(),  # any other value is refused (422), as the API does
    base_year: int = Form(ge=1990, le=2100),
    target_year: int = Form(ge=1990, le=2100),
    reduction_pct: float = Form(gt=0, le=100),
    s: OrgScope = Write,
) -> Response:
    queries.targets.add(s, name, methodology, base_year, target_year, reduction_pct)
    return RedirectResponse(f"/orgs/{s.org_id}/targets", 303)


# --- verification ---------------------------------------------------------------------------
@router.get("/orgs/{org_id}/cases")
def cases(request: Request, s: OrgScope = Read) -> Response:
    return org_page(
        request, s, "cases.html", cases=queries.cases.listed(s), facilities=s.facilities()
    )


@router.post("/orgs/{org_id}/cases", dependencies=[Csrf])
def open_case(
    request: Request,
    facility_id: str = Form(max_length=100),
    year: int = Form(ge=1990, le=2100),
    s: OrgScope = Write,
) -> Response:
    case_id = workflow.open_case(s, facility_id, year)
    return RedirectResponse(f"/orgs/{s.org_id}/cases/{case_id}", 303)


@router.get("/orgs/{org_id}/cases/{case_id}")
def case(request: Request, case_id: RowNo, s: OrgScope = Read) -> Response:
    c = queries.cases.get(s, case_id)
    perms = s.principal.permissions(s.org_id)
    actions = [
        a
        for a, step in workflow.STEPS.items()
        if c["status"] in step.sources and step.permission in perms
    ]
    return org_page(request, s, "case.html", c=c, actions=actions)


@router.post("/orgs/{org_id}/cases/{case_id}/steps", dependencies=[Csrf])
def step(
    request: Request,
    case_id: RowNo,
    action: str = Form(max_length=20),
    findings: str = Form(default="", max_length=10_000),
    s: OrgScope = Read,
) -> Response:
    workflow.advance(s, case_id, action, findings)
    return RedirectResponse(f"/orgs/{s.org_id}/cases/{case_id}", 303)


API_DOCS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OpenMRV API</title>
<link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css"><link rel="icon" href="data:,">
</head>
<body><div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script></body></html>"""


def mount_pages(app: FastAPI) -> None:
    import fastapi_offline
    import plotly

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    swagger = Path(fastapi_offline.__file__).parent / "static"
    swagger_files = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript"}

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_script() -> FileResponse:
        """Plotly's JS as the plotly Python package ships it (no CDN)."""
        return FileResponse(plotly_js, media_type="text/javascript")

    @app.get("/vendor/swagger-ui/{name}", include_in_schema=False)
    def swagger_asset(name: str) -> FileResponse:
        """Swagger UI as the fastapi-offline package ships it (no CDN); these two files only."""
        if name not in swagger_files:
            raise NotFound(f"no file {name!r}")
        return FileResponse(swagger / name, media_type=swagger_files[name])

    @app.get("/api/v1/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """The API's documentation, rendered by Swagger UI from local files under the CSP."""
        return HTMLResponse(API_DOCS.format(openapi=app.openapi_url))

    app.include_router(router)
