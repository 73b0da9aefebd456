"""The PACT client: authenticate at another host (OpenID discovery first, then /auth/token),
list its footprints page by page (following `Link: rel="next"`), get one, post an event.

Network calls only; what is stored is decided by `receive` (validation against our model,
provenance) and by the callers (`pull` for the command line, the outbox for the server).
"""

from __future__ import annotations

import json
import ssl
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError

from openmrv.errors import InvalidInput
from openmrv.pact import credentials, store
from openmrv.pact.model import REQUEST_CREATED, Event, ProductFootprint
from openmrv.store.db import Database

__all__ = [
    "PullReport",
    "Remote",
    "RemoteError",
    "base_of",
    "envelope",
    "get_footprint",
    "list_footprints",
    "post_event",
    "pull",
    "receive",
    "remote_of",
    "request_event",
    "requests",
    "send_request",
    "token",
]

TIMEOUT = 30.0
MAX_PAGES = 10_000


class RemoteError(InvalidInput):
    """The other host answered in a way we cannot use (status, body), or not at all."""


@dataclass(frozen=True)
class Remote:
    """Another host: its base URL (the auth base defaults to it) and our credentials there;
    `verify` is a CA file for its certificate, or True for the system's."""

    base_url: str
    client_id: str
    client_secret: str
    verify: str | bool = True
    auth_base: str | None = None

    def http(self) -> httpx.Client:
        verify = (
            ssl.create_default_context(cafile=self.verify) if isinstance(self.verify, str) else True
        )
        return httpx.Client(verify=verify, timeout=TIMEOUT, follow_redirects=False)


def base_of(source: str) -> str:
    """A host's base URL from an event `source`: without a trailing /N/events or slash."""
    s = source.strip().rstrip("/")
    for suffix in ("/3/events", "/2/events"):
        s = s.removesuffix(suffix)
    return s


def _fail(what: str, r: httpx.Response) -> RemoteError:
    return RemoteError(f"{what}: {r.request.url} answered {r.status_code} {r.text[:300]!r}")


def token(remote: Remote, http: httpx.Client) -> str:
    """An access token: the discovered token_endpoint, else AUTHBASE/auth/token (digest §3)."""
    auth = (remote.auth_base or remote.base_url).rstrip("/")
    endpoint = f"{auth}/auth/token"
    try:
        d = http.get(f"{auth}/.well-known/openid-configuration")
        found = d.json().get("token_endpoint") if d.status_code == 200 else None
        if isinstance(found, str) and found.startswith(("https://", "http://")):
            endpoint = found
    except (httpx.HTTPError, ValueError, AttributeError):
        pass  # no discovery document: the fallback
    r = http.post(
        endpoint,
        data={"grant_type": "client_credentials"},
        auth=(remote.client_id, remote.client_secret),
    )
    if r.status_code != 200:
        raise _fail("token request refused", r)
    got = r.json().get("access_token")
    if not isinstance(got, str) or not got:
        raise RemoteError(f"{endpoint}: no access_token in the answer")
    return got


def _same_host(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def list_footprints(
    remote: Remote,
    http: httpx.Client,
    bearer: str,
    filters: Iterable[tuple[str, str]] = (),
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Every footprint the host lists for these filters, following `next` links (which must
    stay on the host: our token is not sent elsewhere)."""
    params = [*filters, *([("limit", str(limit))] if limit else [])]
    first = httpx.URL(f"{remote.base_url}/3/footprints", params=params)
    url: str | None = str(first)
    out: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        if url is None:
            return out
        r = http.get(url, headers={"Authorization": f"Bearer {bearer}"})
        if r.status_code not in (200, 202):
            raise _fail("list footprints", r)
        data = r.json().get("data")
        if not isinstance(data, list):
            raise RemoteError(f"{r.request.url}: `data` is not a list")
        out += data
        url = r.links.get("next", {}).get("url")
        if url is not None and not _same_host(url, remote.base_url):
            raise RemoteError(f"next link {url} leaves {remote.base_url}")
    raise RemoteError(f"more than {MAX_PAGES} pages from {remote.base_url}")


def get_footprint(
    remote: Remote, http: httpx.Client, bearer: str, pf_id: str
) -> dict[str, Any] | None:
    """One footprint by id (None: the host has none of that id)."""
    r = http.get(
        f"{remote.base_url}/3/footprints/{pf_id}", headers={"Authorization": f"Bearer {bearer}"}
    )
    if r.status_code == 404:
        return None
    if r.status_code != 200:
        raise _fail(f"get footprint {pf_id}", r)
    data = r.json().get("data")
    return data if isinstance(data, dict) else None


def post_event(remote: Remote, http: httpx.Client, bearer: str, event: dict[str, Any]) -> None:
    r = http.post(
        f"{base_of(remote.base_url)}/3/events",
        json=event,
        headers={
            "Authorization": f"Bearer {bearer}",
            "Content-Type": "application/cloudevents+json; charset=UTF-8",
        },
    )
    if not 200 <= r.status_code < 300:
        raise _fail(f"event {event.get('type')}", r)


def envelope(kind: str, source: str, data: dict[str, Any]) -> dict[str, Any]:
    """A v3 event of type `kind` from our host (`source`: our base URL), validated."""
    wire = {"type": kind, "specversion": "1.0", "id": str(uuid.uuid4()), "source": source,
            "time": datetime.now(UTC), "data": data}  # fmt: skip
    return Event.model_validate(wire).to_wire()


def request_event(source: str, criteria: dict[str, Any]) -> dict[str, Any]:
    """A RequestCreatedEvent from our host for these criteria (the list filters' names)."""
    return envelope(REQUEST_CREATED, source, criteria)


@dataclass
class PullReport:
    """What came of footprints received: stored, already held, and refused (id: problem)."""

    stored: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


def _problem(wire: dict[str, Any], exc: ValidationError) -> str:
    pf_id = wire.get("id", "?") if isinstance(wire, dict) else "?"
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(footprint)"
    return f"footprint {pf_id}: {where}: {first['msg']}"


def receive(
    db: Database,
    org_id: str,
    supplier_id: str,
    wires: Iterable[dict[str, Any]],
    via: str,
    report: PullReport | None = None,
) -> PullReport:
    """Validate each footprint against the v3 model and store the valid ones as received,
    with their provenance (supplier, footprint id, created, how they came); an invalid one is
    reported with its id and failing field and not stored."""
    report = report or PullReport()
    for w in wires:
        try:
            pf = ProductFootprint.model_validate(w)
        except ValidationError as exc:
            report.invalid.append(_problem(w, exc))
            continue
        pf_id = str(pf.id)
        held = store.get_footprint(db, org_id, pf_id, direction="received") is not None
        try:
            _save(db, org_id, supplier_id, pf, via)
        except ValueError as exc:  # the same id with another content
            report.invalid.append(f"footprint {pf_id}: {exc}")
            continue
        (report.held if held else report.stored).append(pf_id)
    return report


def _save(db: Database, org_id: str, supplier_id: str, pf: ProductFootprint, via: str) -> None:
    lineage = {
        "supplier_id": supplier_id,
        "pf_id": str(pf.id),
        "created": pf.to_wire()["created"],
        "status": pf.status,
        "via": via,
    }
    store.save_footprint(
        db, org_id, pf, lineage=lineage, direction="received", supplier_id=supplier_id
    )


def remote_of(s: credentials.Supplier) -> Remote:
    return Remote(s.base_url, s.client_id, s.client_secret, s.ca_file or True)


def pull(
    db: Database,
    org_id: str,
    supplier_id: str,
    filters: Iterable[tuple[str, str]] = (),
    limit: int | None = None,
) -> PullReport:
    """List a supplier's footprints (discovery, token, every page) and store the valid ones
    as received by `org_id`, with provenance."""
    remote = remote_of(credentials.supplier(db, org_id, supplier_id))
    with remote.http() as http:
        bearer = token(remote, http)
        wires = list_footprints(remote, http, bearer, filters, limit)
    return receive(db, org_id, supplier_id, wires, via="pull")


def send_request(
    db: Database, org_id: str, supplier_id: str, source: str, criteria: dict[str, Any]
) -> str:
    """Ask a supplier for footprints by a RequestCreatedEvent; its answer arrives at our own
    /3/events (`source`: our host's base URL, as the supplier registered it). The request
    is recorded first, so an answer arriving at once finds it. Returns the event id."""
    remote = remote_of(credentials.supplier(db, org_id, supplier_id))
    event = request_event(source, criteria)
    with db.write():
        db.execute(
            "INSERT INTO pact_requests (event_id, organization_id, supplier_id, criteria, "
            "sent_at) VALUES (?, ?, ?, ?, ?)",
            [event["id"], org_id, supplier_id, json.dumps(criteria), datetime.now(UTC).isoformat()],
        )
    try:
        with remote.http() as http:
            post_event(remote, http, token(remote, http), event)
    except (httpx.HTTPError, RemoteError) as exc:
        with db.write():
            db.execute(
                "UPDATE pact_requests SET answer = ?, answered_at = ? WHERE event_id = ?",
                [json.dumps({"error": f"not sent: {exc}"}), datetime.now(UTC).isoformat(),
                 event["id"]],
            )  # fmt: skip
        raise RemoteError(f"request to {supplier_id} not sent: {exc}") from None
    return str(event["id"])


def requests(db: Database, org_id: str) -> list[dict[str, Any]]:
    """The requests `org_id` sent, newest first, with their answers."""
    rows = db.execute(
        "SELECT event_id, supplier_id, criteria, sent_at, answer, answered_at FROM pact_requests "
        "WHERE organization_id = ? ORDER BY sent_at DESC",
        [org_id],
    )
    keys = ("event_id", "supplier_id", "criteria", "sent_at", "answer", "answered_at")
    return [dict(zip(keys, r, strict=True)) for r in rows]
