"""REST API under /api/v1.

Every route declares the permission it needs in its OpenAPI entry (`x-permission`): `self`
(any signed-in principal, about itself), `tokens` (minting API tokens: a session, or a
token with the `write` scope; see api.tokens), or one of the organisation permissions,
which `org_access` enforces through the tenancy module. The authorisation matrix test enumerates
these routes, so a new route without a declared permission fails it.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from pydantic import BaseModel, Field

from openmrv.api import services, tokens, workflow
from openmrv.api.app import OptionalRowNo, RowNo, api_principal, get_db, org_access
from openmrv.api.tenancy import OrgScope, Principal, scope_for
from openmrv.methods import MethodId
from openmrv.store import Database

router = APIRouter(prefix="/api/v1")
Id = Field(min_length=1, max_length=100)


def perm(name: str) -> dict[str, Any]:
    return {"x-permission": name}


Read = Depends(org_access("read"))
Write = Depends(org_access("write"))
Admin = Depends(org_access("admin"))
Me = Depends(api_principal)


class TokenIn(BaseModel):
    label: str = Field(min_length=1, max_length=100)
    scopes: list[Literal["read", "write", "verify"]] = Field(min_length=1, max_length=3)
    days: int | None = Field(default=None, ge=1, le=tokens.MAX_DAYS)  # default: 90, capped


class TargetIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    methodology: MethodId
    base_year: int = Field(ge=1990, le=2100)
    target_year: int = Field(ge=1990, le=2100)
    reduction_pct: float = Field(gt=0, le=100)


class CaseIn(BaseModel):
    facility_id: str = Id
    year: int = Field(ge=1990, le=2100)


class StepIn(BaseModel):
    action: Literal["submit", "start", "return", "verify"]
    findings: str | None = Field(default=None, max_length=10_000)


class GrantIn(BaseModel):
    user_id: str = Id


# --- the caller ---------------------------------------------------------------------------
@router.get("/me", openapi_extra=perm("self"), tags=["auth"])
def me(p: Principal = Me) -> dict[str, Any]:
    return {
        "user_id": p.user_id,
        "display_name": p.display_name,
        "is_regulator": p.is_regulator,
        "roles": p.roles,
        "via": p.via,
        "scopes": sorted(p.scopes),
    }


@router.get("/tokens", openapi_extra=perm("self"), tags=["auth"])
def list_tokens(p: Principal = Me, db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    return tokens.listing(db, p.user_id)


@router.post("/tokens", status_code=201, openapi_extra=perm("tokens"), tags=["auth"])
def create_token(
    body: TokenIn, p: Principal = Me, db: Database = Depends(get_db)
) -> dict[str, Any]:
    """A new API token; its secret is in this response only. A token has no more scopes or
    lifetime than the token (or session) that creates it, and is revoked with that token;
    a token creates tokens only with the `write` scope."""
    tokens.may_manage(p)
    return tokens.create(db, p.user_id, body.label, body.scopes, body.days, minter=p)


@router.delete("/tokens/{token_id}", openapi_extra=perm("self"), tags=["auth"])
def revoke_token(token_id: str, p: Principal = Me, db: Database = Depends(get_db)) -> dict:
    """Revoke a token and every token minted from it. A token revokes only itself and what
    it minted; a signed-in user, any of theirs."""
    return {"token_id": token_id, "revoked": True, "revoked_ids": tokens.revoke(db, p, token_id)}


@router.get("/organisations", openapi_extra=perm("self"), tags=["organisations"])
def organisations(p: Principal = Me) -> list[dict[str, str]]:
    return [{"organization_id": o, "role": r} for o, r in sorted(p.roles.items())]


# --- one organisation ----------------------------------------------------------------------
ORG = "/organisations/{org_id}"


@router.get(ORG, openapi_extra=perm("read"), tags=["organisations"])
def organisation(s: OrgScope = Read) -> dict[str, Any]:
    return s.organisation()


@router.get(ORG + "/regulators", openapi_extra=perm("admin"), tags=["organisations"])
def regulators(s: OrgScope = Admin) -> list[dict[str, Any]]:
    return s.regulators()


@router.post(
    ORG + "/regulators", status_code=201, openapi_extra=perm("admin"), tags=["organisations"]
)
def grant_regulator(body: GrantIn, s: OrgScope = Admin) -> dict[str, Any]:
    """Let a regulator read this organisation's data (read-only)."""
    s.grant_regulator(body.user_id)
    return {"user_id": body.user_id, "role": "regulator"}


@router.delete(ORG + "/regulators/{user_id}", openapi_extra=perm("admin"), tags=["organisations"])
def revoke_regulator(user_id: str, s: OrgScope = Admin) -> dict[str, Any]:
    """End a regulator's access to this organisation (a ledger event, as the grant was)."""
    s.revoke_regulator(user_id)
    return {"user_id": user_id, "role": None}


@router.get(ORG + "/facilities", openapi_extra=perm("read"), tags=["facilities"])
def facilities(s: OrgScope = Read) -> list[dict[str, Any]]:
    return s.facilities()


@router.get(ORG + "/facilities/{facility_id}", openapi_extra=perm("read"), tags=["facilities"])
def facility(facility_id: str, s: OrgScope = Read) -> dict[str, Any]:
    return s.facility(facility_id)


@router.get(ORG + "/sources", openapi_extra=perm("read"), tags=["facilities"])
def sources(s: OrgScope = Read) -> list[dict[str, Any]]:
    return s.sources()


@router.get(ORG + "/locks", openapi_extra=perm("read"), tags=["verification"])
def locks(s: OrgScope = Read) -> list[dict[str, Any]]:
    return s.locks()


@router.get(ORG + "/uploads", openapi_extra=perm("read"), tags=["uploads"])
def uploads(s: OrgScope = Read) -> list[dict[str, Any]]:
    return s.uploads()


@router.post(
    ORG + "/uploads",
    openapi_extra=perm("write"),
    tags=["uploads"],
    max_body_size=services.MAX_UPLOAD_BODY,
)
async def upload(
    request: Request,
    org_id: str,
    file: UploadFile = File(description="Activity file: .csv, .xlsx, .json or .parquet"),
    reason: str | None = Form(default=None, max_length=1000),
) -> dict[str, Any]:
    """Store an activity file as one batch (all or nothing). A rejected file returns
    status "rejected" with every located problem; nothing is stored then. The file is read
    without holding the store (`services.upload`), so access is checked here, not by `Write`."""
    db = request.app.state.store.db
    _, out = await services.upload(
        request.app.state.store,
        lambda: scope_for(db, api_principal(request, db), org_id, "write"),
        file.filename or "upload",
        file.file,
        reason,
    )
    return out.__dict__


@router.get(ORG + "/uploads/{upload_id}", openapi_extra=perm("read"), tags=["uploads"])
def upload_info(upload_id: RowNo, s: OrgScope = Read) -> dict[str, Any]:
    return s.upload(upload_id)


@router.get(ORG + "/records", openapi_extra=perm("read"), tags=["records"])
def records(
    facility_id: str | None = None,
    year: int | None = Query(default=None, ge=1900, le=2200),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=10**9),
    s: OrgScope = Read,
) -> list[dict[str, Any]]:
    """Current version of each record (deleted records left out)."""
    return s.records(facility_id, year, limit, offset)


@router.get(ORG + "/records/{record_id}/history", openapi_extra=perm("read"), tags=["records"])
def record_history(record_id: str, s: OrgScope = Read) -> dict[str, Any]:
    """Every version of a record and the ledger events that wrote them."""
    return s.record_history(record_id)


@router.get(ORG + "/runs", openapi_extra=perm("read"), tags=["calculation"])
def runs(s: OrgScope = Read) -> list[dict[str, Any]]:
    return s.runs()


@router.post(ORG + "/runs", status_code=201, openapi_extra=perm("write"), tags=["calculation"])
def calculate(s: OrgScope = Write) -> dict[str, Any]:
    """Calculate the organisation's current records under every methodology."""
    return s.run(services.calculate(s))


@router.get(ORG + "/runs/{run_no}", openapi_extra=perm("read"), tags=["calculation"])
def run(run_no: RowNo, s: OrgScope = Read) -> dict[str, Any]:
    return s.run(run_no)


@router.get(ORG + "/reports/totals", openapi_extra=perm("read"), tags=["reports"])
def totals(run_no: OptionalRowNo = None, s: OrgScope = Read) -> dict[str, Any]:
    """t CO2e (biogenic CO2 excluded) and biogenic CO2 by methodology and facility, as
    `openmrv calculate` prints them, for the latest run (or `run_no`)."""
    return {"run_no": run_no or s.latest_run_no(), "totals": s.totals(run_no)}


@router.get(ORG + "/reports/breakdown", openapi_extra=perm("read"), tags=["reports"])
def breakdown(run_no: OptionalRowNo = None, s: OrgScope = Read) -> dict[str, Any]:
    return {"run_no": run_no or s.latest_run_no(), "rows": s.breakdown(run_no)}


@router.get(ORG + "/reports/comparison", openapi_extra=perm("read"), tags=["reports"])
async def comparison(
    request: Request, org_id: str, facility_id: str, year: int = Query(ge=1990, le=2100)
) -> dict[str, Any]:
    """Stationary combustion of a facility-year under Part 98, MEE and IPCC 2006. (The
    engine runs without holding the store: access is checked in `services.comparison`.)"""
    db = request.app.state.store.db
    return await services.comparison(
        request.app.state.store,
        lambda: scope_for(db, api_principal(request, db), org_id, "read"),
        facility_id,
        year,
    )


@router.get(ORG + "/targets", openapi_extra=perm("read"), tags=["targets"])
def targets(s: OrgScope = Read) -> list[dict[str, Any]]:
    return services.target_progress(s)


@router.post(ORG + "/targets", status_code=201, openapi_extra=perm("write"), tags=["targets"])
def add_target(body: TargetIn, s: OrgScope = Write) -> dict[str, Any]:
    n = s.add_target(
        body.name, body.methodology, body.base_year, body.target_year, body.reduction_pct
    )
    return {"target_id": n}


@router.get(ORG + "/verification-cases", openapi_extra=perm("read"), tags=["verification"])
def cases(s: OrgScope = Read) -> list[dict[str, Any]]:
    return s.cases()


@router.post(
    ORG + "/verification-cases", status_code=201, openapi_extra=perm("write"), tags=["verification"]
)
def open_case(body: CaseIn, s: OrgScope = Write) -> dict[str, Any]:
    return s.case(workflow.open_case(s, body.facility_id, body.year))


@router.get(
    ORG + "/verification-cases/{case_id}", openapi_extra=perm("read"), tags=["verification"]
)
def case(case_id: RowNo, s: OrgScope = Read) -> dict[str, Any]:
    return s.case(case_id)


@router.post(
    ORG + "/verification-cases/{case_id}/steps",
    openapi_extra=perm("step"),
    tags=["verification"],
)
def step(case_id: RowNo, body: StepIn, s: OrgScope = Read) -> dict[str, Any]:
    """Take a workflow step: submit (editor, owner); start, return with findings, verify
    (verifier). Verify locks the facility's reporting year."""
    workflow.advance(s, case_id, body.action, body.findings)
    return s.case(case_id)
