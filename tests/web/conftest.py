"""Fixtures for the web tests: one seeded store (example facilities and activity, the demo
users, one calculation run per organisation), copied afresh for each test module."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from openmrv.cli.web import EXAMPLES, seed_demo
from openmrv.store import open_store
from openmrv.web.app import create_app

PASSWORDS = {
    "owner": "demo-owner-pw",
    "editor": "demo-editor-pw",
    "verifier": "demo-verifier-pw",
    "viewer": "demo-viewer-pw",
    "tianhe": "demo-tianhe-pw",
    "shenhe": "demo-shenhe-pw",
    "regulator": "demo-regulator-pw",
    "cascadia": "demo-cascadia-pw",
    "qilu": "demo-qilu-pw",
    "highplains": "demo-highplains-pw",
}


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "web.duckdb"
    db = open_store(str(path))
    try:
        seed_demo(db, EXAMPLES / "facilities.csv", EXAMPLES / "activity.csv")
    finally:
        db.close()
    return path


@pytest.fixture(scope="module")
def store_path(seeded_store, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "web.duckdb"
    shutil.copy(seeded_store, path)
    return path


@pytest.fixture(scope="module")
def app(store_path):
    application = create_app(str(store_path))
    yield application
    application.state.store.db.close()


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def sign_in(app, user: str) -> TestClient:
    client = TestClient(app)
    page = client.get("/signin")
    r = client.post(
        "/signin",
        data={"username": user, "password": PASSWORDS[user], "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def token_for(app, user: str, scopes=("read", "write", "verify")) -> str:
    from openmrv.api import tokens

    return tokens.create(app.state.store.db, user, "test", list(scopes))["token"]


@contextmanager
def served(db: Path, *args: str) -> Iterator[str]:
    """`openmrv serve` on the store `db` at a free loopback port: its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("openmrv")
    cmd = [exe, "serve", "--db", str(db), "--port", str(port), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(20)
