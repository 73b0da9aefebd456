"""The FastAPI application: the REST API under /api/v1 and the server-rendered pages.

One store connection per process, used by one request at a time (`deps.Store.lock`): the embedded
DuckDB file has a single writer process, and requests are short (the dashboard reads stored
totals). Principals come from an API token (`Authorization: Bearer omrv_...`) or the signed
session cookie, honoured while its server-side session lasts (`sessions`: sign-out ends it); a
session's unsafe API requests must carry its CSRF token in `X-CSRF-Token`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openmrv import plugins
from openmrv.api.deps import Store
from openmrv.api.routes import router
from openmrv.api.services import MAX_BODY_BYTES
from openmrv.errors import OpenMRVError
from openmrv.settings import get_settings
from openmrv.store import open_store
from openmrv.web.pages import error_page, mount_pages

log = logging.getLogger("openmrv.web")
# The form parser logs field data at DEBUG (passwords included): never below INFO.
for _name in ("multipart", "python_multipart", "multipart.multipart"):
    logging.getLogger(_name).setLevel(logging.INFO)
SESSION_HOURS = 8


def error_response(request: Request, exc: Exception) -> Response:
    """The one handler of every `OpenMRVError`: JSON `{"detail": message}` with the error's
    own `status` under /api/, the error page otherwise (so a new error needs no edit here)."""
    status = exc.status if isinstance(exc, OpenMRVError) else 500
    if not request.url.path.startswith("/api/"):
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
    # Then each domain's (plugins): pages as they are, API routes under /api/v1.
    for pages in plugins.pages():
        app.include_router(pages)
    for api in plugins.routers():
        app.include_router(api, prefix="/api/v1")
    return app


def app_from_env() -> FastAPI:
    """The application on the store named by OPENMRV_DB: what each worker process of
    `openmrv serve --workers N` builds (uvicorn's factory)."""
    return create_app(get_settings().db)
