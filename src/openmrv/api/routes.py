"""REST API under /api/v1.

Every route declares the permission it needs in its OpenAPI entry (`x-permission`): `self`
(any signed-in principal, about itself), `tokens` (minting API tokens: a session, or a
token with the `write` scope; see api.tokens), or one of the organisation permissions,
which `org_access` enforces through the tenancy module. The authorisation matrix test enumerates
these routes, so a new route without a declared permission fails it.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from pydantic import BaseModel, Field

from openmrv.api import models as M
from openmrv.api import queries, services, tokens, workflow
from openmrv.api.deps import OptionalRowNo, RowNo, api_principal, get_db, org_access
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
@router.get("/me", openapi_extra=perm("self"), tags=["auth"], response_model=M.Me)
def me(p: Principal = Me) -> dict[str, Any]:
    return {
        "user_id": p.user_id,
        "display_name": p.display_name,
        "is_regulator": p.is_regulator,
        "roles": p.roles,
        "via": p.via,
        "scopes": sorted(p.scopes),
    }


@router.get("/tokens", openapi_extra=perm("self"), tags=["auth"], response_model=list[M.TokenRow])
def list_tokens(p: Principal = Me, db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    return tokens.listing(db, p.user_id)


@router.post(
    "/tokens",
    status_code=201,
    openapi_extra=perm("tokens"),
    tags=["auth"],
    response_model=M.NewToken,
)
def create_token(
    body: TokenIn, p: Principal = Me, db: Database = Depends(get_db)
) -> dict[str, Any]:
    """A new API token; its secret is in this response only. A token has no more scopes or
    lifetime than the token (or session) that creates it, and is revoked with that token;
    a token creates tokens only with the `write` scope."""
    tokens.may_manage(p)
    return tokens.create(db, p.user_id, body.label, body.scopes, body.days, minter=p)


@router.delete(
    "/tokens/{token_id}", openapi_extra=perm("self"), tags=["auth"], response_model=M.Revoked
)
def revoke_token(token_id: str, p: Principal = Me, db: Database = Depends(get_db)) -> dict:
    """Revoke a token and every token minted from it. A token revokes only itself and what
    it minted; a signed-in user, any of theirs."""
    return {"token_id": token_id, "revoked": True, "revoked_ids": tokens.revoke(db, p, token_id)}


@router.get(
    "/organisations",
    openapi_extra=perm("self"),
    tags=["organisations"],
    response_model=list[M.Membership],
)
def organisations(p: Principal = Me) -> list[dict[str, str]]:
    return [{"organization_id": o, "role": r} for o, r in sorted(p.roles.items())]


# --- one organisation ----------------------------------------------------------------------
ORG = "/organisations/{org_id}"


@router.get(ORG, openapi_extra=perm("read"), tags=["organisations"], response_model=M.Organisation)
def organisation(s: OrgScope = Read) -> dict[str, Any]:
    return s.organisation()


@router.get(
    ORG + "/regulators",
    openapi_extra=perm("admin"),
    tags=["organisations"],
    response_model=list[M.Regulator],
)
def regulators(s: OrgScope = Admin) -> list[dict[str, Any]]:
    return queries.regulators.listed(s)


@router.post(
    ORG + "/regulators",
    status_code=201,
    openapi_extra=perm("admin"),
    tags=["organisations"],
    response_model=M.RegulatorRole,
)
def grant_regulator(body: GrantIn, s: OrgScope = Admin) -> dict[str, Any]:
    """Let a regulator read this organisation's data (read-only)."""
    queries.regulators.grant(s, body.user_id)
    return {"user_id": body.user_id, "role": "regulator"}


@router.delete(
    ORG + "/regulators/{user_id}",
    openapi_extra=perm("admin"),
    tags=["organisations"],
    response_model=M.RegulatorRole,
)
def revoke_regulator(user_id: str, s: OrgScope = Admin) -> dict[str, Any]:
    """End a regulator's access to this organisation (a ledger event, as the grant was)."""
    queries.regulators.revoke(s, user_id)
    return {"user_id": user_id, "role": None}


@router.get(
    ORG + "/facilities",
    openapi_extra=perm("read"),
    tags=["facilities"],
    response_model=list[M.Facility],
)
def facilities(s: OrgScope = Read) -> list[dict[str, Any]]:
    return s.facilities()


@router.get(
    ORG + "/facilities/{facility_id}",
    openapi_extra=perm("read"),
    tags=["facilities"],
    response_model=M.Facility,
)
def facility(facility_id: str, s: OrgScope = Read) -> dict[str, Any]:
    return s.facility(facility_id)


@router.get(
    ORG + "/sources", openapi_extra=perm("read"), tags=["facilities"], response_model=list[M.Source]
)
def sources(s: OrgScope = Read) -> list[dict[str, Any]]:
    return queries.records.sources(s)


@router.get(
    ORG + "/locks", openapi_extra=perm("read"), tags=["verification"], response_model=list[M.Lock]
)
def locks(s: OrgScope = Read) -> list[dict[str, Any]]:
    return queries.locks.listed(s)


@router.get(
    ORG + "/uploads", openapi_extra=perm("read"), tags=["uploads"], response_model=list[M.Upload]
)
def uploads(s: OrgScope = Read) -> list[dict[str, Any]]:
    return queries.uploads.listed(s)


@router.post(
    ORG + "/uploads",
    openapi_extra=perm("write"),
    tags=["uploads"],
    max_body_size=services.MAX_UPLOAD_BODY,
    response_model=M.UploadResult,
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


@router.get(
    ORG + "/uploads/{upload_id}",
    openapi_extra=perm("read"),
    tags=["uploads"],
    response_model=M.Upload,
)
def upload_info(upload_id: RowNo, s: OrgScope = Read) -> dict[str, Any]:
    return queries.uploads.get(s, upload_id)


@router.get(
    ORG + "/records", openapi_extra=perm("read"), tags=["records"], response_model=list[M.Record]
)
def records(
    facility_id: str | None = None,
    year: int | None = Query(default=None, ge=1900, le=2200),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=10**9),
    s: OrgScope = Read,
) -> list[dict[str, Any]]:
    """Current version of each record (deleted records left out)."""
    return queries.records.current(s, facility_id, year, limit, offset)


@router.get(
    ORG + "/records/{record_id}/history",
    openapi_extra=perm("read"),
    tags=["records"],
    response_model=M.RecordHistory,
)
def record_history(record_id: str, s: OrgScope = Read) -> dict[str, Any]:
    """Every version of a record and the ledger events that wrote them."""
    return queries.records.history(s, record_id)


@router.get(
    ORG + "/runs", openapi_extra=perm("read"), tags=["calculation"], response_model=list[M.Run]
)
def runs(s: OrgScope = Read) -> list[dict[str, Any]]:
    return queries.runs.listed(s)


@router.post(
    ORG + "/runs",
    status_code=201,
    openapi_extra=perm("write"),
    tags=["calculation"],
    response_model=M.RunDetail,
)
def calculate(s: OrgScope = Write) -> dict[str, Any]:
    """Calculate the organisation's current records under every methodology."""
    return queries.runs.get(s, services.calculate(s))


@router.get(
    ORG + "/runs/{run_no}",
    openapi_extra=perm("read"),
    tags=["calculation"],
    response_model=M.RunDetail,
)
def run(run_no: RowNo, s: OrgScope = Read) -> dict[str, Any]:
    return queries.runs.get(s, run_no)


@router.get(
    ORG + "/reports/totals", openapi_extra=perm("read"), tags=["reports"], response_model=M.Totals
)
def totals(org_id: str, run_no: OptionalRowNo = None, s: OrgScope = Read) -> dict[str, Any]:
    """t CO2e (biogenic CO2 apart) per methodology, facility, year and scope, each with its
    coverage and a link to the records it leaves out, for the latest run (or `run_no`)."""
    run_no = run_no or queries.runs.latest_no(s)
    rows = queries.runs.totals(s, run_no)
    by = ("methodology", "facility_id", "year", "scope")
    base = f"/api/v1/organisations/{quote(org_id, safe='')}/reports/not-computed"
    for r in rows:
        if (
            r["coverage"] is not None
            and r["coverage"]["not_computed"] + r["coverage"]["outside_categories"]
        ):
            keys = {k: r[k] for k in by if r[k] is not None}
            r["not_computed_url"] = f"{base}?" + urlencode({"run_no": run_no} | keys)
    return {
        "run_no": run_no,
        "totals": [r for r in rows if r["facility_id"] is not None],
        "organisation": [r for r in rows if r["facility_id"] is None],
        "partial": sum(1 for r in rows if r["coverage"] and r["coverage"]["status"] == "partial"),
        "not_computed_url": f"{base}?run_no={run_no}" if run_no else None,
    }


@router.get(
    ORG + "/reports/not-computed",
    openapi_extra=perm("read"),
    tags=["reports"],
    response_model=M.NotComputed,
)
def not_computed(
    run_no: OptionalRowNo = None,
    methodology: str | None = Query(default=None, max_length=100),
    facility_id: str | None = Query(default=None, max_length=100),
    year: int | None = Query(default=None, ge=1900, le=2200),
    scope: Literal["1", "2_location", "2_market"] | None = None,
    s: OrgScope = Read,
) -> dict[str, Any]:
    """The records a run did not compute, with the reasons (filters optional). The market-based
    Scope 2 total leaves out the same records as the location-based one."""
    scope = "2_location" if scope == "2_market" else scope
    rows = queries.runs.not_computed(
        s, run_no, methodology=methodology, facility_id=facility_id, year=year, scope=scope
    )
    return {"run_no": run_no or queries.runs.latest_no(s), "rows": rows}


@router.get(
    ORG + "/reports/obligations",
    openapi_extra=perm("read"),
    tags=["reports"],
    response_model=M.Obligations,
)
def obligations(run_no: OptionalRowNo = None, s: OrgScope = Read) -> dict[str, Any]:
    """Per facility-year and programme: applies and why, figure against threshold, primary
    methodology, deadline, data complete, submitted / verified (verification case)."""
    rows = queries.runs.obligations(s, run_no)
    return {"run_no": run_no or queries.runs.latest_no(s), "obligations": rows}


@router.get(
    ORG + "/reports/breakdown",
    openapi_extra=perm("read"),
    tags=["reports"],
    response_model=M.Breakdown,
)
def breakdown(run_no: OptionalRowNo = None, s: OrgScope = Read) -> dict[str, Any]:
    rows = queries.runs.breakdown(s, run_no)
    return {"run_no": run_no or queries.runs.latest_no(s), "rows": rows}


@router.get(
    ORG + "/reports/comparison",
    openapi_extra=perm("read"),
    tags=["reports"],
    response_model=M.Comparison,
)
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


@router.get(
    ORG + "/targets",
    openapi_extra=perm("read"),
    tags=["targets"],
    response_model=list[M.TargetProgress],
)
def targets(s: OrgScope = Read) -> list[dict[str, Any]]:
    return services.target_progress(s)


@router.post(
    ORG + "/targets",
    status_code=201,
    openapi_extra=perm("write"),
    tags=["targets"],
    response_model=M.TargetCreated,
)
def add_target(body: TargetIn, s: OrgScope = Write) -> dict[str, Any]:
    n = queries.targets.add(
        s, body.name, body.methodology, body.base_year, body.target_year, body.reduction_pct
    )
    return {"target_id": n}


@router.get(
    ORG + "/verification-cases",
    openapi_extra=perm("read"),
    tags=["verification"],
    response_model=list[M.Case],
)
def cases(s: OrgScope = Read) -> list[dict[str, Any]]:
    return queries.cases.listed(s)


@router.post(
    ORG + "/verification-cases",
    status_code=201,
    openapi_extra=perm("write"),
    tags=["verification"],
    response_model=M.CaseDetail,
)
def open_case(body: CaseIn, s: OrgScope = Write) -> dict[str, Any]:
    return queries.cases.get(s, workflow.open_case(s, body.facility_id, body.year))


@router.get(
    ORG + "/verification-cases/{case_id}",
    openapi_extra=perm("read"),
    tags=["verification"],
    response_model=M.CaseDetail,
)
def case(case_id: RowNo, s: OrgScope = Read) -> dict[str, Any]:
    return queries.cases.get(s, case_id)


@router.post(
    ORG + "/verification-cases/{case_id}/steps",
    openapi_extra=perm("step"),
    tags=["verification"],
    response_model=M.CaseDetail,
)
def step(case_id: RowNo, body: StepIn, s: OrgScope = Read) -> dict[str, Any]:
    """Take a workflow step: submit (editor, owner); start, return with findings, verify
    (verifier). Verify locks the facility's reporting year."""
    workflow.advance(s, case_id, body.action, body.findings)
    return queries.cases.get(s, case_id)


@router.get(
    ORG + "/ledger/keys",
    openapi_extra=perm("read"),
    tags=["ledger"],
    response_model=list[M.LedgerKey],
)
def ledger_keys(s: OrgScope = Read) -> list[dict[str, Any]]:
    """The public keys that sign the ledger's checkpoints: the organisation's, its verifiers'
    and the regulators'."""
    return queries.ledger_keys.keys(s)


@router.get(
    ORG + "/ledger/checkpoints",
    openapi_extra=perm("read"),
    tags=["ledger"],
    response_model=list[M.Checkpoint],
)
def ledger_checkpoints(s: OrgScope = Read) -> list[dict[str, Any]]:
    """The signed checkpoints of the ledger, latest first, with their signers."""
    return queries.ledger_keys.checkpoints(s)
