"""The PACT v3 host: the routes a partner calls, at the site root (digest §2-§6).

OAuth2 client credentials at /auth/token (and OpenID discovery), then with the bearer token:
ListFootprints (every v3 filter, pagination by absolute `Link` headers), GetFootprint and
Events. A token is bound to its partner's organisation: it reads that organisation's issued
footprints only. Errors are `{code, message}` bodies as the digest's table gives them; the
token endpoint answers RFC 6749 §5.2 bodies. Query parameters are read as text, so a bogus
filter value matches nothing (200 with an empty list), never a validation error.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from functools import partial
from typing import Any
from urllib.parse import urlencode

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from openmrv.api.deps import Store, get_db
from openmrv.pact import client, credentials, outbox, store
from openmrv.pact.credentials import Partner
from openmrv.pact.filters import Filters
from openmrv.pact.model import (
    PUBLISHED,
    REQUEST_CREATED,
    REQUEST_FULFILLED,
    REQUEST_REJECTED,
    Error,
    Event,
    PublishedData,
    RequestCreatedData,
    RequestFulfilledData,
    RequestRejectedData,
)
from openmrv.store.db import Database

__all__ = ["POLL_SECONDS", "host_router"]

POLL_SECONDS = 1.0
PAGE = 1000  # at most this many footprints a page, whatever `limit` says


async def _outbox_worker(store_: Store) -> None:
    """Send what the outbox holds, for as long as the application runs."""
    while True:
        try:
            jobs = await store_.locked(lambda: outbox.claim_due(store_.db))
            for job in jobs:
                error, fetched = await anyio.to_thread.run_sync(outbox.perform, job)
                await store_.locked(partial(outbox.finish, store_.db, job, error, fetched))
        except Exception:  # the worker outlives one bad round
            logging.getLogger(__name__).exception("PACT outbox round failed")
        await asyncio.sleep(POLL_SECONDS)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    task = asyncio.create_task(_outbox_worker(app.state.store))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


host_router = APIRouter(include_in_schema=False, lifespan=_lifespan)


def error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse(Error(code=code, message=message).to_wire(), status, headers=headers)


def _base(request: Request) -> str:
    """Our base URL as the caller reached it: the request's scheme and Host header."""
    host = request.headers.get("host") or request.url.netloc
    return f"{request.url.scheme}://{host}"


def _partner(request: Request, db: Database) -> Partner | JSONResponse:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return error(401, "BadRequest", "send Authorization: Bearer <access token>",
                     **{"WWW-Authenticate": "Bearer"})  # fmt: skip
    got = credentials.token_partner(db, token.strip())
    if got == "expired":
        return error(401, "TokenExpired", "the access token has expired; request a new one",
                     **{"WWW-Authenticate": 'Bearer error="invalid_token"'})  # fmt: skip
    if isinstance(got, str):
        return error(401, "BadRequest", "invalid or revoked access token",
                     **{"WWW-Authenticate": 'Bearer error="invalid_token"'})  # fmt: skip
    return got


@host_router.get("/.well-known/openid-configuration")
def discovery(request: Request) -> JSONResponse:
    base = _base(request)
    return JSONResponse(
        {
            "issuer": base,
            "token_endpoint": f"{base}/auth/token",
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "response_types_supported": ["token"],
        }
    )


def _invalid_client(message: str) -> JSONResponse:
    return JSONResponse(
        {"error": "invalid_client", "error_description": message},
        401,
        headers={"WWW-Authenticate": 'Basic realm="pact"', "Cache-Control": "no-store"},
    )


def _basic(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, secret = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, secret) if sep else None


@host_router.post("/auth/token")
async def auth_token(request: Request, db: Database = Depends(get_db)) -> JSONResponse:
    """RFC 6749 §4.4: Basic client authentication (or client_id/client_secret in the form),
    grant_type=client_credentials; scope, audience and resource are accepted and ignored."""
    form = await request.form()
    pair = _basic(request.headers.get("authorization", ""))
    if pair is None and form.get("client_id"):
        pair = (str(form.get("client_id")), str(form.get("client_secret") or ""))
    if pair is None:
        return _invalid_client("send the client id and secret by HTTP Basic authentication")
    if form.get("grant_type") != "client_credentials":
        return JSONResponse(
            {"error": "unsupported_grant_type", "error_description": "use client_credentials"},
            400,
        )
    partner = await anyio.to_thread.run_sync(credentials.check_client, db, *pair)
    if partner is None:
        return _invalid_client("unknown client, wrong secret, or revoked")
    token, seconds = await anyio.to_thread.run_sync(credentials.issue_token, db, partner)
    return JSONResponse(
        {"access_token": token, "token_type": "bearer", "expires_in": seconds},
        headers={"Cache-Control": "no-store"},
    )


@host_router.get("/3/footprints")
def list_footprints(request: Request, db: Database = Depends(get_db)) -> Response:
    partner = _partner(request, db)
    if isinstance(partner, Response):
        return partner
    q = request.query_params
    try:
        limit = min(int(q.get("limit", PAGE)), PAGE)
        offset = int(q.get("offset", 0))
    except ValueError:
        return error(400, "BadRequest", "limit and offset are whole numbers")
    if limit < 1 or offset < 0:
        return error(400, "BadRequest", "limit is at least 1 and offset at least 0")
    filters = Filters.of(q.multi_items())
    found = store.list_footprints(db, partner.organization_id, filters=filters)
    page = found[offset : offset + limit]
    headers = {}
    if offset + limit < len(found):
        # Offsets over a stable order: a link stays valid while the data do (well over 180 s).
        rest = [(k, v) for k, v in q.multi_items() if k not in ("limit", "offset")]
        query = urlencode([*rest, ("limit", str(limit)), ("offset", str(offset + limit))])
        headers["Link"] = f'<{_base(request)}{request.url.path}?{query}>; rel="next"'
    return JSONResponse({"data": [pf.to_wire() for pf in page]}, headers=headers)


@host_router.get("/3/footprints/{pf_id}")
def get_footprint(pf_id: str, request: Request, db: Database = Depends(get_db)) -> Response:
    partner = _partner(request, db)
    if isinstance(partner, Response):
        return partner
    pf = store.get_footprint(db, partner.organization_id, pf_id)
    if pf is None:
        return error(404, "NotFound", f"no footprint {pf_id}")
    return JSONResponse({"data": pf.to_wire()})


def _event_problem(exc: ValidationError) -> str:
    e = exc.errors()[0]
    return f"{'.'.join(str(p) for p in e['loc']) or 'event'}: {e['msg']}"


@host_router.post("/3/events")
async def events(request: Request, db: Database = Depends(get_db)) -> Response:
    partner = _partner(request, db)
    if isinstance(partner, Response):
        return partner
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/cloudevents+json", "application/json"):
        return error(400, "BadRequest", "send application/cloudevents+json (structured mode)")
    try:
        body = json.loads(await request.body())
        event = Event.model_validate(body)
    except ValueError as exc:
        msg = _event_problem(exc) if isinstance(exc, ValidationError) else "not JSON"
        return error(400, "BadRequest", f"invalid event: {msg}")
    try:
        return await anyio.to_thread.run_sync(_handle, db, partner, event, _base(request))
    except ValueError as exc:
        return error(400, "BadRequest", str(exc))


def _handle(db: Database, partner: Partner, event: Event, base: str) -> Response:
    org = partner.organization_id
    data = event.data
    if event.type == REQUEST_CREATED and isinstance(data, RequestCreatedData):
        return _request_created(db, partner, event, data, base)
    if event.type == PUBLISHED and isinstance(data, PublishedData):
        sup = _supplier_of(db, partner)
        if sup is not None:
            with db.write():
                ids = [str(i) for i in data.pf_ids]
                job = {"pf_ids": ids, "event_id": event.id}
                outbox.queue(db, org, "pull", partner.client_id, sup, job)
        return Response(status_code=200)
    if isinstance(data, RequestFulfilledData | RequestRejectedData):
        return _answer(db, partner, event.type, data)
    raise ValueError(f"event type {event.type} does not match its data")


def _same_url(a: str, b: str) -> bool:
    return client.base_of(a).lower() == client.base_of(b).lower()


def _request_created(
    db: Database, partner: Partner, event: Event, data: RequestCreatedData, base: str
) -> Response:
    """Accept a request and queue its one answer: Fulfilled with the matching footprints, or
    Rejected when none match. The answer goes to `source`, which must be the partner's
    registered callback URL (we never call an address a caller names freely)."""
    if not partner.callback_url:
        raise ValueError("no callback URL is registered for this client; ask the host's owner")
    if not _same_url(event.source, partner.callback_url):
        raise ValueError(f"source {event.source!r} is not this client's registered callback URL")
    found = store.list_footprints(db, partner.organization_id, filters=Filters.of_request(data))
    if found:
        kind = REQUEST_FULFILLED
        answer: dict[str, Any] = {"pfs": [p.to_wire() for p in found]}
    else:
        kind = REQUEST_REJECTED
        answer = {"error": {"code": "NotFound", "message": "no footprint matches the request"}}
    reply = client.envelope(kind, base, {"requestEventId": event.id, **answer})
    with db.write():
        outbox.queue(db, partner.organization_id, "event", partner.client_id, event.source, reply)
    return Response(status_code=200)


def _supplier_of(db: Database, partner: Partner) -> str | None:
    """The supplier registered at the partner's host (its callback URL), if any."""
    if not partner.callback_url:
        return None
    for s in credentials.list_suppliers(db, partner.organization_id):
        if _same_url(s.base_url, partner.callback_url):
            return s.supplier_id
    return None


def _answer(
    db: Database, partner: Partner, kind: str, data: RequestFulfilledData | RequestRejectedData
) -> Response:
    """A supplier's answer to one of our requests: its footprints stored as received."""
    r = db.one(
        "SELECT supplier_id, answered_at FROM pact_requests WHERE event_id = ? "
        "AND organization_id = ?",
        [data.request_event_id, partner.organization_id],
    )
    if r is None:
        raise ValueError(f"requestEventId {data.request_event_id!r}: no request of ours")
    if r[1] is not None:
        raise ValueError(f"request {data.request_event_id} was already answered")
    if isinstance(data, RequestFulfilledData):
        got = client.receive(db, partner.organization_id, r[0],
                             [p.to_wire() for p in data.pfs], via="request")  # fmt: skip
        outcome: dict[str, Any] = {"type": kind, "stored": got.stored, "held": got.held}
    else:
        outcome = {"type": kind, "error": data.error.to_wire()}
    with db.write():
        db.execute(
            "UPDATE pact_requests SET answer = ?, answered_at = ? WHERE event_id = ?",
            [json.dumps(outcome), outbox.now_iso(), data.request_event_id],
        )
    return Response(status_code=200)
