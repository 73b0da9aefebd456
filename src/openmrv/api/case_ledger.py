"""How `ledger verify` checks verification cases (api/workflow.py) against the ledger.

Every step of a case is an event "case-<step>" whose payload names the case and the statuses
it went from and to, and whose reason holds the findings; the step's row in `case_steps`
points back at its event. The rows are checked against the events, and each case's status
against the status its last recorded step left it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openmrv.store.coverage import Event, EventKind, Finding, LedgerCheck
from openmrv.store.db import Database

PREFIX = "case-"
STEP_FIELDS = ("case_id", "step", "stepped_at", "actor", "action", "from_status", "to_status")


def step_event(step: str) -> EventKind:
    """The kind of event a case step is recorded as ("open", "submit", ... -> "case-open")."""
    return EventKind(PREFIX + step)


OPEN = step_event("open")


@dataclass
class Cases:
    """What the case events read so far say: steps per case, each case's status with the
    event that set it, and the (case, step) each event recorded."""

    steps: dict[int, int] = field(default_factory=dict)
    status: dict[int, tuple[str | None, int]] = field(default_factory=dict)
    seqs: dict[int, tuple[int, int]] = field(default_factory=dict)


def _check_step(db: Database, e: Event, cases: Cases) -> list[str]:
    data = e.data()
    case_id = data["case_id"]
    n = cases.steps.get(case_id, 0) + 1
    to = data.get("to", data.get("status"))
    cases.steps[case_id], cases.status[case_id] = n, (to, e.seq)
    cases.seqs[e.seq] = (case_id, n)
    action = e.action.removeprefix(PREFIX)
    expected = (case_id, n, e.at, e.actor, action, data.get("from", ""), to, e.reason)
    row = db.one(
        f"SELECT {', '.join(STEP_FIELDS)}, findings FROM case_steps WHERE ledger_seq = ?", [e.seq]
    )
    out = []
    if row is None or tuple(row) != expected:
        out.append(f"step {n} of verification case {case_id} differs from what was recorded")
    if e.action == OPEN.name:
        case = db.one(
            "SELECT organization_id, facility_id, year, created_by, created_at "
            "FROM verification_cases WHERE case_id = ?",
            [case_id],
        )
        if case is None or (
            case[0] != data["organization_id"]
            or f"case {case_id} {case[1]} {case[2]}" != e.subject
            or (case[3], case[4]) != (e.actor, e.at)
        ):
            out.append(f"verification case {case_id} differs from what was recorded")
    return out


def _unaccounted(db: Database, cases: Cases) -> list[Finding]:
    """Cases whose stored status is not what their last step made it (at that step's event),
    and steps and cases no event records (a step row naming an event of another step, too)."""
    stored = dict(db.execute("SELECT case_id, status FROM verification_cases"))
    out = [
        Finding(seq, f"verification case {c} is {stored[c]!r}; its last step made it {status!r}")
        for c, (status, seq) in sorted(cases.status.items())
        if c in stored and stored[c] != status
    ]
    steps = db.execute("SELECT case_id, step, ledger_seq FROM case_steps ORDER BY case_id, step")
    out += [
        Finding(None, f"step {step} of verification case {c} that no event records")
        for c, step, seq in steps
        if cases.seqs.get(seq) != (c, step)
    ]
    for (c,) in db.execute("SELECT case_id FROM verification_cases ORDER BY case_id"):
        if c not in cases.steps:
            out.append(Finding(None, f"a verification case {c} that no event records"))
    return out


LEDGER_CHECK: LedgerCheck[Cases] = LedgerCheck(
    "verification cases",
    PREFIX,
    _check_step,
    _unaccounted,
    tally=Cases,
    tables={"verification_cases": "case_id", "case_steps": "case_id, step"},
)
