"""Running PACT hosts for tests: `openmrv serve --https --self-signed` as a subprocess (the
certificate made under the test's own data folder), and a small callback receiver standing in
for a requester's host (plain http, as the conformance tool's is): it issues tokens for fixed
credentials at /auth/token and records every event POSTed to /3/events."""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

CALLBACK_ID, CALLBACK_SECRET = "test_client_id", "test_client_secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Host:
    base: str  # https://127.0.0.1:PORT
    ca: Path  # the self-signed certificate to trust
    port: int

    def client(self) -> httpx.Client:
        ctx = ssl.create_default_context(cafile=str(self.ca))
        return httpx.Client(base_url=self.base, verify=ctx, timeout=30)


@contextmanager
def serve_https(
    db: str, data_dir: Path, log: Path | None = None, port: int | None = None
) -> Iterator[Host]:
    """`openmrv serve --https --self-signed` on store `db`, its data folder `data_dir` (two
    hosts may share one: the same certificate, and the key of stored credentials)."""
    port = port or free_port()
    exe = Path(sys.executable).with_name("openmrv")
    env = {**os.environ, "XDG_DATA_HOME": str(data_dir)}
    cmd = [exe, "serve", "--db", db, "--port", str(port), "--https", "--self-signed"]
    sink = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT, env=env)
    ca = data_dir / "openmrv" / "tls" / "selfsigned-cert.pem"
    host = Host(f"https://127.0.0.1:{port}", ca, port)
    try:
        deadline = time.time() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"openmrv serve ended ({proc.returncode}); see {log}")
            try:
                if ca.exists():
                    with host.client() as c:
                        if c.get("/.well-known/openid-configuration").status_code == 200:
                            break
            except httpx.HTTPError:
                pass
            if time.time() > deadline:
                raise RuntimeError("openmrv serve did not answer in 90 s")
            time.sleep(0.3)
        yield host
    finally:
        proc.terminate()
        proc.wait(30)
        if log:
            sink.close()  # type: ignore[union-attr]


@dataclass
class Receiver:
    """What the callback receiver saw: token requests (their Basic credentials) and events."""

    base: str
    token_requests: list[tuple[str, str]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    footprints: list[dict[str, Any]] = field(default_factory=list)  # served, one a page

    def wait_for(self, request_id: str, seconds: float = 30) -> dict[str, Any]:
        """The event answering request `request_id` (data.requestEventId), once it arrives."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            for e in list(self.events):
                if (e.get("data") or {}).get("requestEventId") == request_id:
                    return e
            time.sleep(0.2)
        raise AssertionError(f"no answer to {request_id} within {seconds} s: {self.events}")


@contextmanager
def callback_receiver() -> Iterator[Receiver]:
    port = free_port()
    seen = Receiver(f"http://127.0.0.1:{port}")
    tokens: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any] | None = None) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _authorised(self) -> bool:
            bearer = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            if bearer in tokens:
                return True
            self._send(401, {"code": "BadRequest", "message": "token"})
            return False

        def do_GET(self) -> None:
            """A supplier's list, one footprint a page; no discovery document (as the tool)."""
            path, _, query = self.path.partition("?")
            if path != "/3/footprints":
                return self._send(404, {"code": "NotFound", "message": self.path})
            if not self._authorised():
                return None
            at = int(query.removeprefix("offset=") or 0) if query.startswith("offset=") else 0
            data = json.dumps({"data": seen.footprints[at : at + 1]}).encode()
            self.send_response(200)
            if at + 1 < len(seen.footprints):
                self.send_header("Link", f'<{seen.base}/3/footprints?offset={at + 1}>; rel="next"')
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return None

        def do_POST(self) -> None:
            body = self._body()
            if self.path == "/auth/token":
                scheme, _, value = (self.headers.get("Authorization") or "").partition(" ")
                user, _, secret = base64.b64decode(value or b"").decode().partition(":")
                seen.token_requests.append((user, secret))
                if scheme != "Basic" or (user, secret) != (CALLBACK_ID, CALLBACK_SECRET):
                    return self._send(401, {"error": "invalid_client"})
                token = f"tok-{len(seen.token_requests)}"
                tokens.add(token)
                return self._send(200, {"access_token": token, "token_type": "bearer"})
            if self.path == "/3/events":
                if not self._authorised():
                    return None
                seen.headers.append(dict(self.headers))
                seen.events.append(json.loads(body))
                return self._send(200)
            return self._send(404, {"code": "NotFound", "message": self.path})

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()
