"""The FastAPI application: the REST API under /api/v1 and the server-rendered pages.

One store connection per process, used by one request at a time (`Store.lock`): the embedded
DuckDB file has a single writer process, and requests are short (the dashboard reads stored
totals). Principals come from an API token (`Authorization: Bearer omrv_...`) or the signed
session cookie, honoured while its server-side session lasts (`sessions`: sign-out ends it); a
session's unsafe API requests must carry its CSRF token in `X-CSRF-Token`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openmrv.api import security, sessions, tokens
from openmrv.api.services import MAX_BODY_BYTES
from openmrv.api.tenancy import (
    OrgScope,
    Principal,
    load_principal,
    scope_for,
)
from openmrv.errors import NotAllowed, OpenMRVError, Unauthenticated
from openmrv.settings import get_settings
from openmrv.store import Database, open_store

log = logging.getLogger("openmrv.web")
# The form parser logs field data at DEBUG (passwords included): never below INFO.
for _name in ("multipart", "python_multipart", "multipart.multipart"):
    logging.getLogger(_name).setLevel(logging.INFO)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# A number that names a stored row (BIGINT): a larger one is refused (422), not a server error.
RowNo = Annotated[int, Path(ge=1, le=2**63 - 1)]
OptionalRowNo = Annotated[int | None, Query(ge=1, le=2**63 - 1)]
SESSION_HOURS = 8
T = TypeVar("T")


class NotSignedIn(Unauthenticated):
    """Raised when a request has no valid API token or live session (pages redirect)."""


class BadCsrf(NotAllowed):
    """Raised when a session's unsafe request lacks its CSRF token (header or form field)."""


@dataclass
class Store:
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


def error_response(request: Request, exc: Exception) -> Response:
    """The one handler of every `OpenMRVError`: JSON `{"detail": message}` with the error's
    own `status` under /api/, the error page otherwise (so a new error needs no edit here)."""
    status = exc.status if isinstance(exc, OpenMRVError) else 500
    if not request.url.path.startswith("/api/"):
        from openmrv.web.pages import error_page

        return error_page(request, exc, status)
    return JSONResponse({"detail": str(exc)}, status_code=status)


class SecurityHeaders:
    """Adds the security headers to every HTTP response that does not set them itself (plain
    ASGI: no extra task or body copy per request, unlike `@app.middleware("http")`). Served
    over HTTPS (TLS at uvicorn, or a trusted proxy's X-Forwarded-Proto), a response also
    carries HSTS and its cookies are marked Secure."""

    HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")

    HEADERS = (
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (
            b"content-security-policy",
            b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            b"img-src 'self' data:; frame-ancestors 'none'",
        ),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.HEADERS if k not in present]
                if https:
                    headers = [_secure(k, v) for k, v in headers] + [self.HSTS]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secure(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    """A Set-Cookie header marked Secure (other headers as they are)."""
    if name.lower() == b"set-cookie" and b"; secure" not in value.lower():
        value += b"; Secure"
    return name, value


def create_app(db_url: str | None = None, secure_cookies: bool | None = None) -> FastAPI:
    """The application on the store at `db_url` (DuckDB file or postgresql:// URL)."""
    from openmrv.api.routes import router
    from openmrv.web.pages import mount_pages

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.store.db.close()

    app = FastAPI(
        lifespan=lifespan,
        title="OpenMRV",
        version="1",
        description="Greenhouse-gas measurement, reporting and verification. Authenticate "
        "with `Authorization: Bearer <API token>` (create one with `openmrv token create`).",
        docs_url=None,  # served by web.pages from local files (FastAPI's page uses a CDN)
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        # Request bodies are capped as they stream in (413); upload routes allow a file.
        max_body_size=MAX_BODY_BYTES,
    )
    settings = get_settings()
    app.state.store = Store(open_store(db_url or settings.db))
    key = settings.secret_key
    secret = key.get_secret_value() if key else secrets.token_urlsafe(32)
    if secure_cookies is None:
        secure_cookies = settings.secure_cookies
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="openmrv_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=secure_cookies,
    )

    app.add_middleware(SecurityHeaders)

    app.add_exception_handler(OpenMRVError, error_response)
    # The pages first: routes are matched in order, and the dashboard is the busiest route
    # (no path of one router can match the other's: the API lives under /api/v1).
    mount_pages(app)
    app.include_router(router)
    return app


def app_from_env() -> FastAPI:
    """The application on the store named by OPENMRV_DB: what each worker process of
    `openmrv serve --workers N` builds (uvicorn's factory)."""
    return create_app(get_settings().db)
