"""What the REST API answers: one pydantic model per JSON response, so the OpenAPI document
(/api/v1/openapi.json) describes outputs as well as inputs.

The routes return plain dicts from the tenancy queries; FastAPI checks them against these
models (`response_model`). Every model allows fields it does not declare (`Out`): a query that
gains a column keeps answering it instead of dropping it, and tests/web/test_api_models.py fails
until the model declares it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Breakdown",
    "BreakdownRow",
    "Case",
    "CaseDetail",
    "CaseStep",
    "Comparison",
    "ComparisonRow",
    "Coverage",
    "Facility",
    "LedgerEvent",
    "Lock",
    "Me",
    "Membership",
    "NewToken",
    "NotComputed",
    "NotComputedRow",
    "Obligation",
    "Obligations",
    "Organisation",
    "Problem",
    "Record",
    "RecordHistory",
    "RecordVersion",
    "Regulator",
    "RegulatorRole",
    "Revoked",
    "Run",
    "RunDetail",
    "Source",
    "TargetCreated",
    "TargetProgress",
    "TokenRow",
    "TotalRow",
    "Totals",
    "Upload",
    "UploadResult",
]

When = Field(description="ISO 8601 timestamp (UTC).")


class Out(BaseModel):
    """A response body: declared fields, and any further field passed through as it is."""

    model_config = ConfigDict(extra="allow")


# --- the caller --------------------------------------------------------------------------
class Me(Out):
    """The principal asking: a signed-in user or an API token."""

    user_id: str
    display_name: str
    is_regulator: bool
    roles: dict[str, str] = Field(description="Organisation id -> role in it.")
    via: str = Field(description="session or token.")
    scopes: list[str] = Field(description="What the principal may do: read, write, verify.")


class TokenRow(Out):
    """One of the caller's API tokens (never its secret)."""

    token_id: str
    label: str
    scopes: str = Field(description="Comma-separated scopes.")
    created_at: str = When
    expires_at: str | None = None
    parent_id: str | None = Field(None, description="The token that minted this one.")
    revoked_at: str | None = None


class NewToken(Out):
    """A token just created: `token` is the secret, shown in this response only."""

    token_id: str
    token: str
    scopes: list[str]
    expires_at: str | None = None


class Revoked(Out):
    """A revoked token and every token minted from it."""

    token_id: str
    revoked: bool
    revoked_ids: list[str]


class Membership(Out):
    """An organisation the caller has a role in."""

    organization_id: str
    role: str


# --- one organisation -------------------------------------------------------------------
class Organisation(Out):
    """An organisation as the caller sees it."""

    organization_id: str
    role: str
    facilities: int = Field(description="Number of facilities.")


class Regulator(Out):
    """A regulator granted read access to the organisation."""

    user_id: str
    granted_by: str
    granted_at: str = When


class RegulatorRole(Out):
    """A regulator's role after a grant (`regulator`) or a revocation (null)."""

    user_id: str
    role: str | None


class Facility(Out):
    """A facility's current version (columns as in docs/schemas.md, facilities file)."""

    facility_id: str
    organization_id: str
    name: str
    name_zh: str | None = None
    country: str
    state_province: str
    grid_region: str | None = None
    sector: str | None = None
    ipcc_sector: str
    equity_share: float
    programmes: str | None = None
    operational_control: bool | None = None
    financial_control: bool | None = None


class Source(Out):
    """An emission source of a facility."""

    facility_id: str
    source_id: str


class LedgerKey(Out):
    """A public key that signs ledger checkpoints (c2sp.org signed-note verifier key)."""

    name: str
    owner_kind: str = Field(description="organisation, verifier or regulator")
    owner: str
    verifier_key: str = Field(description="name+key id+base64(0x01 || Ed25519 public key)")
    created_at: str = When


class Checkpoint(Out):
    """A signed checkpoint of the ledger's Merkle tree (c2sp.org tlog-checkpoint)."""

    size: int
    root: str = Field(description="root hash, hex")
    signers: list[str]
    note: str = Field(description="the signed note, as `openmrv ledger verify --since` reads it")


class Lock(Out):
    """A locked reporting period (facility-year)."""

    facility_id: str
    year: int
    locked_by: str
    locked_at: str = When
    reason: str


class Upload(Out):
    """An uploaded file and what became of it."""

    upload_id: int
    batch_id: int | None = None
    file_name: str
    uploaded_by: str
    uploaded_at: str = When
    status: str = Field(description="stored, unchanged, rejected or refused.")
    problems: int = Field(description="Number of problems found (rejected files).")
    message: str | None = None


class Problem(Out):
    """One thing wrong with an uploaded file, located."""

    file: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    problem: str
    fix: str


class UploadResult(Out):
    """The outcome of an upload: stored as one batch, or why not (nothing stored then)."""

    upload_id: int
    status: str = Field(description="stored, unchanged, rejected or refused.")
    file_name: str
    batch_id: int | None = None
    message: str = ""
    problems: list[Problem] = Field(description="Located problems (first ones) if rejected.")
    total_problems: int = 0
    warnings: list[str] = []


class Record(Out):
    """The current version of an activity record."""

    record_id: str
    facility_id: str
    source_id: str | None = None
    period_start: date
    period_end: date
    year: int
    category: str
    fuel: str | None = None
    quantity: float | None = None
    unit: str | None = None
    data_quality: str | None = None
    version: int
    batch_id: int


class RecordVersion(Out):
    """One version of a record, with the batch that wrote it."""

    version: int
    deleted: bool
    reason: str | None = None
    batch_id: int
    source_row: int | None = None
    facility_id: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    category: str | None = None
    fuel: str | None = None
    quantity: float | None = None
    unit: str | None = None
    data_quality: str | None = None
    kind: str = Field(description="How the batch came: file, restate, delete, ...")
    file_name: str | None = None
    submitted_by: str
    submitted_at: str = When


class LedgerEvent(Out):
    """A ledger event (hash-chained)."""

    seq: int
    at: str = When
    actor: str
    action: str
    subject: str
    reason: str | None = None
    hash: str


class RecordHistory(Out):
    """Every version of a record and the ledger events that wrote them."""

    record_id: str
    versions: list[RecordVersion]
    events: list[LedgerEvent]


# --- calculation and reports ------------------------------------------------------------
class Run(Out):
    """A calculation run of the organisation's records."""

    run_no: int
    run_id: str = Field(description="Content id of the run (inputs, methods, factors).")
    created_by: str
    created_at: str = When
    records: int


class RunDetail(Run):
    """A calculation run with its metadata (methodology versions, factor editions, GWP sets,
    engine, hashes, timings)."""

    meta: dict[str, Any]


class Coverage(Out):
    """What a total holds of its records: `complete`; `partial` (some records of its categories
    not computed: they are listed at `not_computed_url`, with the reasons); `not_covered` (the
    methodology covers none of these records' categories; they are listed too)."""

    status: Literal["complete", "partial", "not_covered"]
    records: int = Field(description="Records of the categories the total covers.")
    not_computed: int = Field(description="Of those, the records not in the total.")
    outside_categories: int = Field(
        description="Records of the facility-year outside the methodology's categories (listed, "
        "they do not make the total partial)."
    )
    missing_share: dict[str, float] = Field(
        description="Per category (or category/quantity kind), the share of the quantity not "
        "computed, 0 to 1."
    )
    text: str = Field(description="'complete' or '⚠ partial: n of m records not computed ...'.")


class TotalRow(Out):
    """One total of a run: t CO2e (biogenic CO2 apart) of ONE scope, for a methodology (or the
    GHG Protocol `inventory`: each facility's primary method plus fallbacks), facility, year."""

    methodology: str
    facility_id: str | None = Field(description="Null: all of the organisation's facilities.")
    year: int | None = Field(None, description="Null for a run stored before totals by year.")
    scope: Literal["1", "2_location", "2_market", "1+2_location"] = Field(
        description="Scope 1, Scope 2 location-based, Scope 2 market-based (inventory only); "
        "`1+2_location` only for runs stored before totals were kept by scope."
    )
    co2e_t: float
    biogenic_co2_t: float
    categories: list[str] = Field(description="The activity categories the total holds.")
    coverage: Coverage | None = Field(description="Null for a run stored before coverage.")
    not_computed_url: str | None = Field(
        None, description="The records of this facility-year and scope the total leaves out."
    )


class Totals(Out):
    """Totals of a run (the latest unless asked), one per scope: null run_no when there is
    none. Scopes are never summed: add them yourself only where that is what you mean."""

    run_no: int | None
    totals: list[TotalRow] = Field(description="Per facility.")
    organisation: list[TotalRow] = Field(description="Per year over all facilities.")
    partial: int = Field(description="How many of the totals (both lists) are partial.")
    not_computed_url: str | None = Field(None, description="Every record the run left out.")


class NotComputedRow(Out):
    """Records a total leaves out, grouped by category, reason and unit."""

    methodology: str
    facility_id: str
    year: int
    scope: str
    category: str
    reason: str
    unit: str
    records: int
    quantity: float = Field(description="Sum of the records' quantities, in `unit`.")
    record_ids: list[str]


class NotComputed(Out):
    """The records a run did not compute (the latest unless asked), with the reasons."""

    run_no: int | None
    rows: list[NotComputedRow]


class Obligation(Out):
    """A reporting programme for a facility-year (reports.obligations): whether it applies and
    why, the primary methodology's figure against the threshold, the deadline and status."""

    facility_id: str
    year: int
    programme: str
    applies: bool
    reason_code: Literal["declared", "threshold", "below", "not_declared", "not_power"]
    primary_methodology: str
    figure_t: float
    threshold_t: float
    threshold_reached: bool
    report_due: date
    data_complete: bool
    records_not_computed: int
    rule: str = Field(description="Where the rule comes from.")
    case_id: int | None = None
    case_status: str | None = Field(None, description="Of the facility-year's verification case.")
    submitted: bool | None = Field(None, description="Null: no verification case.")
    verified: bool | None = None


class Obligations(Out):
    """The reporting obligations of a run's facility-years (the latest run unless asked)."""

    run_no: int | None
    obligations: list[Obligation]


class BreakdownRow(Out):
    """t CO2e of a run by methodology, facility, year, scope, gas and category."""

    methodology: str
    facility_id: str
    year: int | None = None
    scope: int | None = None
    gas: str | None = None
    category: str | None = None
    co2e_t: float


class Breakdown(Out):
    """The breakdown of a run (the latest unless asked)."""

    run_no: int | None
    rows: list[BreakdownRow]


class ComparisonRow(Out):
    """One methodology's figures for the records every compared methodology computed."""

    methodology: str
    label: str
    records: int
    heat_gj: float | None = None
    heat_basis: str | None = None
    co2_t: float
    co2_kg_per_gj: float | None = None
    co2_per_gj_records: int
    co2_not_from_heat: int
    oxidation: float | None = None
    ch4_n2o_co2e_t: float
    gwp_set: str
    total_co2e_t: float


class Comparison(Out):
    """A facility-year's stationary combustion under several methodologies, and why the
    figures differ."""

    facility: Facility
    year: int
    rows: list[ComparisonRow]
    reasons: list[str]


class TargetCreated(Out):
    """The number of a new target."""

    target_id: int


class TargetProgress(Out):
    """A reduction target with its base-year and latest emissions from the latest run."""

    target_id: int
    name: str
    methodology: str
    base_year: int
    target_year: int
    reduction_pct: float
    created_by: str
    created_at: str = When
    base_t: float | None = None
    goal_t: float | None = None
    latest_year: int | None = None
    latest_t: float | None = None
    on_track: bool | None = Field(None, description="At or below the straight-line path.")


# --- verification -----------------------------------------------------------------------
class Case(Out):
    """A verification case of a facility-year."""

    case_id: int
    facility_id: str
    year: int
    status: str
    created_by: str
    created_at: str = When


class CaseStep(Out):
    """A workflow step of a verification case."""

    step: int
    stepped_at: str = When
    actor: str
    action: str
    from_status: str
    to_status: str
    findings: str | None = None
    ledger_seq: int


class CaseDetail(Case):
    """A verification case with its steps."""

    steps: list[CaseStep]
