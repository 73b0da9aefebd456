"""The verification workflow of a facility's reporting year.

    draft --submit--> submitted --start--> in_verification --verify--> verified
                          |                      |
                          +-------return---------+--> returned --submit--> submitted

Editors and owners create and submit cases; verifiers start, return (with findings) and
verify them. Each step is one ledger event written in the same transaction as the step, and
"verify" locks the period (store.periods) in that transaction too, so a verified year is
frozen exactly when the sign-off is recorded. A verifier (or a regulator) then witnesses it:
`witness` co-signs, with their own key, the checkpoint of the ledger's tree that contains the
sign-off, so any later rewrite of the period's history is provable by whoever holds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from openmrv.api import queries
from openmrv.api.case_ledger import OPEN, step_event
from openmrv.api.tenancy import Forbidden, OrgScope, Refused
from openmrv.store import ledger, note, periods, tlog
from openmrv.store.db import Database


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]
    target: str
    permission: str
    needs_findings: bool = False


STEPS: dict[str, Step] = {
    "submit": Step(frozenset({"draft", "returned"}), "submitted", "write"),
    "start": Step(frozenset({"submitted"}), "in_verification", "verify"),
    "return": Step(frozenset({"submitted", "in_verification"}), "returned", "verify", True),
    "verify": Step(frozenset({"in_verification"}), "verified", "verify"),
}
STATUSES = ("draft", "submitted", "in_verification", "returned", "verified")


def open_case(scope: OrgScope, facility_id: str, year: int) -> int:
    """A new draft case for a facility-year of the scope's organisation."""
    scope.facility(facility_id)  # 404 outside the organisation
    db = scope.db
    with db.write():
        if db.scalar(
            "SELECT count(*) FROM verification_cases WHERE facility_id = ? AND year = ?",
            [facility_id, year],
        ):
            raise Refused(f"{facility_id} {year} already has a verification case")
        case_id = db.next_id("verification_cases", "case_id")
        at = ledger.now()
        db.execute(
            "INSERT INTO verification_cases VALUES (?, ?, ?, ?, 'draft', ?, ?)",
            [case_id, scope.org_id, facility_id, year, scope.actor, at],
        )
        event = ledger.append(
            db,
            scope.actor,
            OPEN.name,
            f"case {case_id} {facility_id} {year}",
            None,
            {"case_id": case_id, "organization_id": scope.org_id, "status": "draft"},
            at=at,
        )
        db.execute(
            "INSERT INTO case_steps VALUES (?, 1, ?, ?, 'open', '', 'draft', NULL, ?)",
            [case_id, at, scope.actor, event.seq],
        )
    return case_id


def advance(
    scope: OrgScope,
    case_id: int,
    action: str,
    findings: str | None = None,
    signer: note.Signer | None = None,
) -> str:
    """Take one step; return the new status. Refused (409) from a status the step does not
    leave; Forbidden when the principal's role may not take it. A "verify" with the verifier's
    `signer` witnesses the sign-off at once (`witness`)."""
    step = STEPS.get(action)
    if step is None:
        raise Refused(f"unknown step {action!r}; one of {', '.join(STEPS)}")
    if step.permission not in scope.principal.permissions(scope.org_id):
        raise Forbidden(f"your role may not {action} a verification case")
    findings = (findings or "").strip() or None
    if step.needs_findings and not findings:
        raise Refused("returning a case needs findings: say what must be fixed")
    db = scope.db
    with db.write():
        case = queries.cases.get(scope, case_id)
        status = case["status"]
        if status not in step.sources:
            raise Refused(f"case {case_id} is {status}; it cannot {action} from there")
        at = ledger.now()
        subject = f"case {case_id} {case['facility_id']} {case['year']}"
        if action == "verify":
            periods.lock_within(
                db,
                case["facility_id"],
                case["year"],
                scope.actor,
                f"verified in case {case_id}",
            )
        event = ledger.append(
            db,
            scope.actor,
            step_event(action).name,
            subject,
            findings,
            {"case_id": case_id, "from": status, "to": step.target},
            at=at,
        )
        n = len(case["steps"]) + 1
        db.execute(
            "INSERT INTO case_steps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [case_id, n, at, scope.actor, action, status, step.target, findings, event.seq],
        )
        db.execute(
            "UPDATE verification_cases SET status = ? WHERE case_id = ?", [step.target, case_id]
        )
    if action == "verify" and signer is not None:
        witness(db, case_id, signer)
    return step.target


def sign_off(db: Database, case_id: int) -> ledger.Event:
    """The case's "verify" event (Refused when it was not verified)."""
    for e in ledger.events(db):
        if e.action == step_event("verify").name and e.data().get("case_id") == case_id:
            return e
    raise Refused(f"case {case_id} is not verified: nothing to witness")


def witness(db: Database, case_id: int, signer: note.Signer) -> str:
    """Co-sign the checkpoint containing the case's sign-off (a new one, signed by `signer`,
    when none does yet) with the key of a verifier of the case's organisation or of a
    regulator; the checkpoint with all its signatures."""
    event = sign_off(db, case_id)
    org = db.scalar("SELECT organization_id FROM verification_cases WHERE case_id = ?", [case_id])
    key = db.one("SELECT owner_kind, owner, verifier_key FROM ledger_keys WHERE name = ?",
                 [signer.name])  # fmt: skip
    if key is None or key[2] != signer.verifier.encode():
        raise Forbidden(f"{signer.name!r} is not a key the store lists (openmrv ledger keygen)")
    role = db.scalar("SELECT role FROM memberships WHERE user_id = ? AND organization_id = ?",
                     [key[1], org])  # fmt: skip
    if not ((key[0] == "verifier" and role == "verifier") or key[0] == "regulator"):
        raise Forbidden(f"{signer.name!r} is not the key of a verifier of {org} or a regulator")
    held = [c for c in tlog.checkpoints(db) if c["size"] >= event.seq]
    if not held:
        return tlog.merged(db, _size(tlog.checkpoint(db, signer)))
    return tlog.cosign(db, held[-1]["note"], signer)  # the earliest that contains it


def _size(signed: str) -> int:
    return note.Checkpoint.parse(note.split(signed)[0]).size
