"""Work the host does later, kept in `pact_outbox` so a restart resumes it: the answer to an
accepted request (exactly one RequestFulfilled or RequestRejected event, sent to the
requester's host after a token from it), and the pull a supplier's Published event asks for.

A job is claimed by moving its `next_at` forward (an UPDATE ... RETURNING that only one
process wins), done without holding the store, then marked sent, or retried with exponential
backoff (2 s, 4 s, ... at most an hour apart) until 72 hours after it was queued (digest §2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from openmrv.pact import client, credentials
from openmrv.pact.model import PUBLISHED
from openmrv.store.db import Database

__all__ = ["GIVE_UP", "Job", "claim_due", "finish", "now_iso", "perform", "publish", "queue"]

GIVE_UP = timedelta(hours=72)
CLAIM = timedelta(minutes=5)  # a claimed job not finished by then is tried again


def _now() -> datetime:
    return datetime.now(UTC)


def now_iso() -> str:
    return _now().isoformat()


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2**attempts, 3600))


def queue(
    db: Database, org_id: str, kind: str, client_id: str, target: str, payload: dict[str, Any]
) -> int:
    """Queue a job ("event": post payload to target's /3/events; "pull": get the footprints
    payload["pf_ids"] from supplier `target`). Call inside the write that accepted it."""
    n = db.next_id("pact_outbox", "outbox_id")
    at = _now().isoformat()
    db.execute(
        "INSERT INTO pact_outbox (outbox_id, organization_id, kind, client_id, target, payload, "
        "attempts, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
        [n, org_id, kind, client_id, target, json.dumps(payload), at, at],
    )
    return n


@dataclass(frozen=True)
class Job:
    outbox_id: int
    organization_id: str
    kind: str
    target: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    remote: client.Remote | None  # who to call, with our credentials there


def _remote(db: Database, org_id: str, kind: str, client_id: str, target: str) -> client.Remote:
    if kind == "pull":
        return client.remote_of(credentials.supplier(db, org_id, target))
    auth = credentials.callback_auth(db, client_id) or {}
    ca = db.scalar("SELECT callback_ca FROM pact_partners WHERE client_id = ?", [client_id])
    return client.Remote(
        client.base_of(target),
        str(auth.get("client_id", "")),
        str(auth.get("client_secret", "")),
        ca or True,
    )


def claim_due(db: Database, limit: int = 20) -> list[Job]:
    """The jobs due now, each claimed for this process."""
    now = _now()
    rows = db.execute(
        "SELECT outbox_id, organization_id, kind, client_id, target, payload, attempts, next_at, "
        "created_at FROM pact_outbox WHERE sent_at IS NULL AND next_at <= ? "
        "ORDER BY next_at LIMIT ?",
        [now.isoformat(), limit],
    )
    jobs = []
    for n, org, kind, cid, target, payload, attempts, next_at, created in rows:
        with db.write():
            won = db.execute(
                "UPDATE pact_outbox SET next_at = ? WHERE outbox_id = ? AND next_at = ? "
                "AND sent_at IS NULL RETURNING outbox_id",
                [(now + CLAIM).isoformat(), n, next_at],
            )
        if not won:
            continue
        try:
            remote = _remote(db, org, kind, cid, target)
        except Exception as exc:  # a job that cannot start is recorded
            finish(db, Job(n, org, kind, target, {}, attempts, datetime.fromisoformat(created),
                           None), str(exc))  # fmt: skip
            continue
        jobs.append(
            Job(n, org, kind, target, json.loads(payload), attempts,
                datetime.fromisoformat(created), remote)
        )  # fmt: skip
    return jobs


def perform(job: Job) -> tuple[str | None, list[dict[str, Any]]]:
    """Do a job's network part: (error or None, footprints fetched for a pull)."""
    assert job.remote is not None
    try:
        with job.remote.http() as http:
            bearer = client.token(job.remote, http)
            if job.kind == "event":
                client.post_event(job.remote, http, bearer, job.payload)
                return None, []
            got = [client.get_footprint(job.remote, http, bearer, i) for i in job.payload["pf_ids"]]
            return None, [g for g in got if g is not None]
    except (httpx.HTTPError, client.RemoteError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}", []


def finish(
    db: Database, job: Job, error: str | None, fetched: list[dict[str, Any]] | None = None
) -> None:
    """Record a job's outcome: sent (a pull's footprints received and stored), or its next
    attempt, or given up after 72 hours."""
    now = _now()
    if error is None and job.kind == "pull" and fetched:  # each footprint its own transaction
        client.receive(db, job.organization_id, job.target, fetched, via="published")
    with db.write():
        if error is None:
            db.execute(
                "UPDATE pact_outbox SET sent_at = ?, attempts = ?, last_error = NULL "
                "WHERE outbox_id = ?",
                [now.isoformat(), job.attempts + 1, job.outbox_id],
            )
            return
        attempts = job.attempts + 1
        later = now + backoff(attempts)
        if later - job.created_at > GIVE_UP:
            error = f"gave up after {attempts} attempts: {error}"
            later = datetime.max.replace(tzinfo=UTC)
        db.execute(
            "UPDATE pact_outbox SET attempts = ?, next_at = ?, last_error = ? WHERE outbox_id = ?",
            [attempts, later.isoformat(), error, job.outbox_id],
        )


def publish(db: Database, org_id: str, pf_ids: list[str], source: str) -> int:
    """Queue a PublishedEvent of these footprints to every partner of `org_id` that has a
    callback URL (`source`: our host's base URL); the server's worker sends them. Returns
    how many partners will be notified."""
    if not pf_ids:
        raise ValueError("name at least one footprint to publish")
    event = client.envelope(PUBLISHED, source, {"pfIds": pf_ids})
    partners = [
        p for p in credentials.list_partners(db, org_id) if p.callback_url and not p.revoked_at
    ]
    with db.write():
        for p in partners:
            queue(db, org_id, "event", p.client_id, str(p.callback_url), event)
    return len(partners)
