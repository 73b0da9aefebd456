"""The outbox on DuckDB and PostgreSQL: a queued answer survives a restart, is claimed by one
process only, retried with exponential backoff when the requester's host does not answer,
given up after 72 hours, and sent (token from the requester's host, then its /3/events).
Bearer tokens expire; a revoked partner's tokens end with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openmrv.pact import client, credentials, outbox
from openmrv.pact.model import PUBLISHED
from openmrv.store import open_store
from tests.pact.hosts import CALLBACK_ID, CALLBACK_SECRET, callback_receiver, free_port
from tests.store.conftest import pg, store_url  # noqa: F401 (fixtures: both backends)


@pytest.fixture
def db(store_url, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    d = open_store(store_url)
    yield d
    d.close()


def _queue(db, target: str) -> tuple[str, dict]:
    cid, _ = credentials.add_partner(db, "ORG-A", "buyer", "t", callback_url=target,
                                     callback_client_id=CALLBACK_ID,
                                     callback_secret=CALLBACK_SECRET)  # fmt: skip
    event = client.envelope(PUBLISHED, "https://us.example", {"pfIds": [
        "6f0c2f3a-4a0e-4c7b-9d7e-3b0d2a1c5e01"]})  # fmt: skip
    with db.write():
        outbox.queue(db, "ORG-A", "event", cid, target, event)
    return cid, event


def test_retries_back_off_and_give_up_after_72_hours(db, store_url):  # noqa: F811
    _queue(db, f"http://127.0.0.1:{free_port()}")  # nobody listens there
    (job,) = outbox.claim_due(db)
    assert outbox.claim_due(db) == []  # claimed: another process would not get it
    error, _ = outbox.perform(job)
    assert error and "Connect" in error
    outbox.finish(db, job, error)
    attempts, next_at, last = db.one("SELECT attempts, next_at, last_error FROM pact_outbox")
    assert attempts == 1 and last == error
    wait = datetime.fromisoformat(next_at) - datetime.now(UTC)
    assert timedelta(seconds=0) < wait <= outbox.backoff(1) == timedelta(seconds=2)
    assert outbox.backoff(5) == timedelta(seconds=32) and outbox.backoff(30) == timedelta(hours=1)
    # a restart: a new connection finds the job and, once due, claims it again
    db.execute("UPDATE pact_outbox SET next_at = ?", [datetime.now(UTC).isoformat()])
    again = open_store(store_url) if store_url.startswith("postgres") else db
    (job,) = outbox.claim_due(again)
    assert job.attempts == 1
    # queued 73 hours ago: this failure is the last
    db.execute("UPDATE pact_outbox SET created_at = ?",
               [(datetime.now(UTC) - timedelta(hours=73)).isoformat()])  # fmt: skip
    job = outbox.Job(**{**job.__dict__, "created_at": datetime.now(UTC) - timedelta(hours=73)})
    outbox.finish(again, job, "refused")
    assert "gave up after 2 attempts" in db.scalar("SELECT last_error FROM pact_outbox")
    assert outbox.claim_due(db) == []
    if again is not db:
        again.close()


def test_a_due_event_is_sent_with_a_token_from_the_requester(db):
    with callback_receiver() as receiver:
        _, event = _queue(db, receiver.base)
        (job,) = outbox.claim_due(db)
        error, _ = outbox.perform(job)
        assert error is None
        outbox.finish(db, job, error)
    assert receiver.events == [event]
    assert receiver.token_requests == [(CALLBACK_ID, CALLBACK_SECRET)]
    assert db.scalar("SELECT sent_at FROM pact_outbox") is not None
    assert outbox.claim_due(db) == []  # sent once


def test_tokens_expire_and_end_with_their_partner(db):
    cid, secret = credentials.add_partner(db, "ORG-A", "p", "t")
    assert credentials.check_client(db, cid, "wrong") is None
    partner = credentials.check_client(db, cid, secret)
    assert partner is not None and partner.organization_id == "ORG-A"
    token, seconds = credentials.issue_token(db, partner)
    assert seconds == credentials.TOKEN_SECONDS
    assert credentials.token_partner(db, token) == partner
    assert credentials.token_partner(db, token + "x") == "invalid"
    assert token not in str(db.execute("SELECT * FROM pact_tokens"))  # stored hashed
    assert secret not in str(db.execute("SELECT * FROM pact_partners"))
    db.execute("UPDATE pact_tokens SET expires_at = ?",
               [(datetime.now(UTC) - timedelta(seconds=1)).isoformat()])  # fmt: skip
    assert credentials.token_partner(db, token) == "expired"
    fresh, _ = credentials.issue_token(db, partner)
    credentials.revoke_partner(db, "ORG-A", cid, "t")
    assert credentials.token_partner(db, fresh) == "invalid"
    assert credentials.check_client(db, cid, secret) is None
