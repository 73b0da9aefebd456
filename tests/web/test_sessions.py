"""Signing out ends the session on the server: a copy of the cookie taken before sign-out is
refused everywhere a session is accepted (pages, the cached dashboard, HTMX posts, the API),
while the user's other sessions and API tokens go on working."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openmrv.api import sessions
from openmrv.cli import app as cli
from openmrv.cli.console import EXIT_INPUT
from tests.web import data
from tests.web.conftest import csrf_of, sign_in, token_for

ORG = "ORG-SUNBRIDGE"
COOKIE = "openmrv_session"
API = f"/api/v1/organisations/{ORG}"


def _replay(app, cookie: str) -> TestClient:
    """Another browser holding a copy of the cookie."""
    return TestClient(app, cookies={COOKIE: cookie}, follow_redirects=False)


def _sign_out(client: TestClient) -> None:
    csrf = csrf_of(client.get("/orgs").text)
    r = client.post("/signout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin"


def _count(app, table: str) -> int:
    return app.state.store.db.scalar(f"SELECT count(*) FROM {table}")


def _assert_signed_in(client: TestClient) -> None:
    assert client.get("/orgs").status_code == 200
    assert 'id="obligations"' in client.get(f"/orgs/{ORG}").text  # the cached dashboard
    assert client.get(f"/orgs/{ORG}/cases").status_code == 200
    assert client.get(f"{API}/runs").status_code == 200


def _assert_signed_out(app, client: TestClient, csrf: str) -> None:
    for path in ("/orgs", f"/orgs/{ORG}", f"/orgs/{ORG}/cases", f"/orgs/{ORG}/upload"):
        r = client.get(path)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/signin?next="), path
    assert client.get(f"{API}/runs").status_code == 401
    # writes with the session's own CSRF token: refused, nothing stored
    before = _count(app, "org_runs"), _count(app, "uploads")
    r = client.post(f"/orgs/{ORG}/runs", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    r = client.post(
        f"/orgs/{ORG}/upload",
        data={"csrf_token": csrf, "reason": ""},
        files={"file": ("a.csv", data.good(("FAC-JS-PV",)).encode(), "text/csv")},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    assert client.post(f"{API}/runs", headers={"X-CSRF-Token": csrf}).status_code == 401
    assert (_count(app, "org_runs"), _count(app, "uploads")) == before


def test_a_copy_of_the_cookie_is_refused_after_sign_out(app):
    editor = sign_in(app, "editor")
    cookie = editor.cookies[COOKIE]
    csrf = csrf_of(editor.get(f"/orgs/{ORG}/upload").text)
    copy = _replay(app, cookie)
    _assert_signed_in(copy)  # the copy works while the session lasts
    _sign_out(editor)
    assert COOKIE not in editor.cookies
    _assert_signed_out(app, _replay(app, cookie), csrf)


def test_other_sessions_of_the_user_stay_signed_in(app):
    """One row per sign-in: signing out ends that session only (the other browser stays)."""
    laptop, phone = sign_in(app, "viewer"), sign_in(app, "viewer")
    assert laptop.cookies[COOKIE] != phone.cookies[COOKIE]
    old = laptop.cookies[COOKIE]
    _sign_out(laptop)
    assert _replay(app, old).get(f"/orgs/{ORG}").status_code == 303
    assert 'id="obligations"' in phone.get(f"/orgs/{ORG}").text
    assert phone.get(f"{API}/runs").status_code == 200
    again = sign_in(app, "viewer")  # and signing in again starts a new session
    assert again.get("/orgs").status_code == 200


def test_api_tokens_are_not_ended_by_sign_out(app):
    token = token_for(app, "editor", ("read",))
    editor = sign_in(app, "editor")
    old = editor.cookies[COOKIE]
    _sign_out(editor)
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert api.get(f"{API}/runs").status_code == 200
    # the token decides, not the ended session's cookie sent along
    with_cookie = TestClient(
        app, headers={"Authorization": f"Bearer {token}"}, cookies={COOKIE: old}
    )
    assert with_cookie.get(f"{API}/runs").status_code == 200


def test_the_table_holds_digests_and_ended_sessions_go(app):
    db = app.state.store.db
    before = _count(app, "web_sessions")
    owner = sign_in(app, "owner")
    assert _count(app, "web_sessions") == before + 1
    stored = db.scalar("SELECT session_hash FROM web_sessions ORDER BY created_at DESC LIMIT 1")
    assert re.fullmatch("[0-9a-f]{64}", stored)  # a SHA-256 of the id, not the id itself
    _sign_out(owner)
    assert _count(app, "web_sessions") == before
    assert not db.scalar("SELECT count(*) FROM web_sessions WHERE session_hash = ?", [stored])


def test_sessions_older_than_the_limit_are_refused_and_pruned(app):
    owner = sign_in(app, "owner")
    db = app.state.store.db
    with db.write():
        db.execute("UPDATE web_sessions SET created_at = '2000-01-01T00:00:00.000000+00:00'")
    assert owner.get("/orgs", follow_redirects=False).status_code == 303
    sign_in(app, "viewer")  # any sign-in prunes them
    assert db.scalar("SELECT min(created_at) FROM web_sessions") > "2001"


def test_sign_out_everywhere_from_the_command_line(tmp_path):
    """`openmrv user sign-out` ends every session of one user; other users' stay. (A store of
    its own: the app's DuckDB file is held by the app.)"""
    from openmrv.api.tenancy import add_user
    from openmrv.store import open_store

    path = str(tmp_path / "cli.duckdb")
    db = open_store(path)
    try:
        with db.write():
            for user in ("ann", "bob"):
                add_user(db, user, user.title(), f"{user}-password-1")
        ids = [sessions.start(db, u) for u in ("ann", "ann", "bob")]
    finally:
        db.close()
    r = CliRunner().invoke(cli, ["user", "sign-out", "nobody", "--db", path])
    assert r.exit_code == EXIT_INPUT and "no user nobody" in r.output
    r = CliRunner().invoke(cli, ["user", "sign-out", "ann", "--db", path])
    assert r.exit_code == 0, r.output
    assert "2 session(s) of ann ended" in r.output
    db = open_store(path)
    try:
        assert [sessions.user_of(db, s) for s in ids] == [None, None, "bob"]
    finally:
        db.close()


@pytest.mark.parametrize("cookie", ["", "not-a-signed-cookie"])
def test_a_forged_or_empty_cookie_is_not_a_session(app, cookie):
    assert _replay(app, cookie).get("/orgs").status_code == 303
    assert _replay(app, cookie).get(f"{API}/runs").status_code == 401
