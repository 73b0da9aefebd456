"""What routes and pages depend on: the store held per request, the caller, the organisation.

FastAPI dependencies and the types they share, below both the API routes and the pages (which
import them from here; the application, web.app, only assembles).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Path, Query, Request

from openmrv.api import security, sessions, tokens
from openmrv.api.tenancy import OrgScope, Principal, load_principal, scope_for
from openmrv.errors import NotAllowed, Unauthenticated
from openmrv.store import Database

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# A number that names a stored row (BIGINT): a larger one is refused (422), not a server error.
RowNo = Annotated[int, Path(ge=1, le=2**63 - 1)]
OptionalRowNo = Annotated[int | None, Query(ge=1, le=2**63 - 1)]
T = TypeVar("T")


class NotSignedIn(Unauthenticated):
    """No session or valid API token: 401 from the API; the pages redirect to sign-in."""


class BadCsrf(NotAllowed):
    """An unsafe request of a session without its CSRF token: 403."""


@dataclass
class Store:
    """The application's one store connection (`app.state.store`), used by one request at a
    time, and what is kept per store: the sign-in rate limit and the cache of figures."""

    db: Database
    # An asyncio lock, taken and released on the event loop: requests waiting for the store
    # hold no worker thread (a thread lock here starves the thread pool under load, so the
    # request holding the lock could never run its release).
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    sign_in_limit: security.RateLimit = field(default_factory=security.RateLimit)
    # Figures computed from the store, keyed by what they depend on and by `db.version()`
    # (so a write makes them unreachable); per store, never shared between applications.
    cache: VersionedCache = field(default_factory=lambda: VersionedCache())

    async def locked(self, fn: Callable[[], T]) -> T:
        """`fn()` in a worker thread, holding the store (for steps of a request that must
        not hold it throughout, such as an upload's reading of its file)."""
        async with self.lock:
            return await anyio.to_thread.run_sync(fn)

    async def version(self) -> object:
        """The store's version token (see `Database.version`); on DuckDB without a query."""
        if self.db.local_version:
            return self.db.version()
        async with self.lock:
            return await anyio.to_thread.run_sync(self.db.version)


class VersionedCache:
    """Values valid for one store version: a lookup under another version misses, and the
    first entry stored under a new version drops the old ones (they can never match again)."""

    def __init__(self, limit: int = 2000) -> None:
        self.limit = limit
        # One tuple, replaced in one assignment: a reader on the event loop never pairs one
        # version with another version's entries while a worker thread stores.
        self._state: tuple[object, dict[tuple, Any]] = (None, {})

    def get(self, version: object, key: tuple) -> Any:
        held, items = self._state
        return items.get(key) if version == held else None

    def put(self, version: object, key: tuple, value: Any) -> None:
        held, items = self._state
        if version != held or len(items) >= self.limit:
            items = {}
            self._state = (version, items)
        items[key] = value


async def get_db(request: Request) -> AsyncIterator[Database]:
    """The store, held by this request alone until it is done."""
    store: Store = request.app.state.store
    async with store.lock:
        yield store.db


def session_user(request: Request, db: Database) -> str | None:
    """The user signed in by the session cookie while its server-side session lasts (one
    primary-key lookup); the cookie of an ended session is cleared."""
    user_id = request.session.get("user_id")
    if user_id and sessions.user_of(db, request.session.get("sid")) == user_id:
        return user_id
    if user_id:
        request.session.clear()
    return None


def api_principal(request: Request, db: Database = Depends(get_db)) -> Principal:
    """The caller of an API route: a token, or a session (with CSRF on unsafe methods)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        p = tokens.principal(db, header.split(" ", 1)[1].strip())
        if p is None:
            raise NotSignedIn("invalid or revoked API token")
        return p
    user_id = session_user(request, db)
    p = load_principal(db, user_id) if user_id else None
    if p is None:
        raise NotSignedIn("sign in, or send an API token: Authorization: Bearer omrv_...")
    if request.method not in SAFE_METHODS and not security.same(
        request.headers.get("x-csrf-token"), request.session.get("csrf")
    ):
        raise BadCsrf("missing or wrong X-CSRF-Token header")
    return p


def org_access(permission: str, principal=api_principal):
    """Dependency: the organisation in the path, as the caller (resolved by `principal`:
    token or session for the API, session for pages) may use it for `permission`."""

    def dependency(
        org_id: str, p: Principal = Depends(principal), db: Database = Depends(get_db)
    ) -> OrgScope:
        return scope_for(db, p, org_id, permission)

    return dependency
