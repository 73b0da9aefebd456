"""Pages and services through the application: uploads with located errors, record history,
the verification workflow and its period lock, CSRF, sign-in rate limit, upload limits,
translations of every page, no secrets in logs, and dashboard totals equal to the CLI's."""

from __future__ import annotations

import html
import logging
import re

import pytest
from fastapi.testclient import TestClient

from openmrv.combustion.schema import ACTIVITY
from openmrv.store import ledger
from tests.web import data
from tests.web.conftest import PASSWORDS, csrf_of, sign_in, token_for

ORG = "ORG-SUNBRIDGE"


def _upload(client: TestClient, name: str, content: str, reason: str = ""):
    page = client.get(f"/orgs/{ORG}/upload")
    return client.post(
        f"/orgs/{ORG}/upload",
        data={"csrf_token": csrf_of(page.text), "reason": reason},
        files={"file": (name, content.encode(), "text/csv")},
        headers={"HX-Request": "true"},
    )


def _cells(html: str, table_id: str) -> list[list[str]]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
        if "<td" in tr
    ]


def test_upload_shows_located_errors_then_stores_the_fix(app):
    editor = sign_in(app, "editor")
    r = _upload(editor, "sunbridge.csv", data.bad())
    assert r.status_code == 200
    assert 'data-status="rejected"' in r.text
    located = {(c[1], c[2]) for c in _cells(r.text, "problems")}
    assert ("3", "unit") in located
    assert ("5", "period_end") in located
    assert ("7", "facility_id") in located
    # corrections of stored records need a reason; the example records are stored already
    fixed = data.good().replace("48417.0", "48418.0")
    r = _upload(editor, "sunbridge-fixed.csv", fixed)
    assert 'data-status="refused"' in r.text and "reason" in r.text
    r = _upload(editor, "sunbridge-fixed.csv", fixed, reason="meter re-read")
    assert 'data-status="stored"' in r.text, r.text
    page = editor.get(f"/orgs/{ORG}/records/AZ-PV-NG-2024-01")
    versions = _cells(page.text, "versions")
    assert [v[0] for v in versions] == ["1", "2"]
    assert versions[1][3] == "meter re-read" and versions[1][2] == "editor"
    assert [e[3] for e in _cells(page.text, "events")] == ["ingest", "ingest"]


def _step(client: TestClient, case_id: int, action: str, findings: str = ""):
    page = client.get(f"/orgs/{ORG}/cases/{case_id}")
    assert f'id="step-{action}"' in page.text, page.text
    return client.post(
        f"/orgs/{ORG}/cases/{case_id}/steps",
        data={"csrf_token": csrf_of(page.text), "action": action, "findings": findings},
    )


def test_verification_workflow_locks_the_period(app):
    editor, verifier = sign_in(app, "editor"), sign_in(app, "verifier")
    page = editor.get(f"/orgs/{ORG}/cases")
    r = editor.post(
        f"/orgs/{ORG}/cases",
        data={"csrf_token": csrf_of(page.text), "facility_id": "FAC-JS-PV", "year": "2024"},
    )
    case_id = int(r.url.path.rsplit("/", 1)[1])
    assert 'data-status="draft"' in r.text
    assert 'id="step-start"' not in r.text  # an editor cannot verify
    assert 'data-status="submitted"' in _step(editor, case_id, "submit").text
    assert 'id="step-submit"' not in verifier.get(f"/orgs/{ORG}/cases/{case_id}").text
    _step(verifier, case_id, "start")
    r = _step(verifier, case_id, "return", "January gas invoice missing")
    assert 'data-status="returned"' in r.text
    _step(editor, case_id, "submit")
    _step(verifier, case_id, "start")
    r = _step(verifier, case_id, "verify")
    assert 'data-status="verified"' in r.text
    steps = _cells(r.text, "steps")
    assert [s[3] for s in steps] == ["open", "submit", "start", "return", "submit", "start",
                                     "verify"]  # fmt: skip
    # the editor can no longer change that period
    r = _upload(editor, "late-fix.csv", data.changed("FAC-JS-PV", 2024), reason="late invoice")
    assert 'data-status="refused"' in r.text
    assert "period FAC-JS-PV 2024 is locked by verifier" in r.text
    store = app.state.store
    v = ledger.verify(store.db)
    actions = [e.action for e in ledger.events(store.db)]
    assert v.ok, v.findings
    assert actions.count("case-verify") == 1 and "lock" in actions
    assert actions.index("lock") == actions.index("case-verify") - 1


def test_api_step_from_a_wrong_status_is_refused(app):
    c = TestClient(app, headers={"Authorization": f"Bearer {token_for(app, 'verifier')}"})
    e = TestClient(app, headers={"Authorization": f"Bearer {token_for(app, 'editor')}"})
    r = e.post(
        f"/api/v1/organisations/{ORG}/verification-cases",
        json={"facility_id": "FAC-AZ-PV", "year": 2025},
    )
    case_id = r.json()["case_id"]
    url = f"/api/v1/organisations/{ORG}/verification-cases/{case_id}/steps"
    assert c.post(url, json={"action": "verify"}).status_code == 409
    assert c.post(url, json={"action": "submit"}).status_code == 403
    assert e.post(url, json={"action": "submit"}).status_code == 200
    assert c.post(url, json={"action": "return"}).status_code == 409  # findings needed


def test_numbers_beyond_what_the_store_holds_are_refused_not_server_errors(app):
    """Found by the schemathesis run: a run number past BIGINT reached the database (500)."""
    c = TestClient(app, headers={"Authorization": f"Bearer {token_for(app, 'editor')}"})
    huge = 2**127
    api = f"/api/v1/organisations/{ORG}"
    paths = [f"/runs/{huge}", f"/uploads/{huge}", f"/verification-cases/{huge}"]
    paths += [f"/reports/{r}?run_no={huge}" for r in ("totals", "breakdown")]
    for path in paths:
        r = c.get(api + path)
        assert r.status_code == 422, (path, r.status_code)
        assert r.json()["detail"][0]["loc"][-1] in {"run_no", "upload_id", "case_id"}
    editor = sign_in(app, "editor")
    assert editor.get(f"/orgs/{ORG}/cases/{huge}").status_code == 422
    assert editor.get(f"/orgs/{ORG}/compare?year={huge}").status_code == 422


def test_csrf_is_required(app):
    editor = sign_in(app, "editor")
    r = editor.post(f"/orgs/{ORG}/runs", data={})
    assert r.status_code == 403
    r = editor.post(f"/orgs/{ORG}/runs", data={"csrf_token": "forged"})
    assert r.status_code == 403
    # the API with a session cookie needs the token in a header
    assert editor.post(f"/api/v1/organisations/{ORG}/runs").status_code == 403
    assert editor.get(f"/api/v1/organisations/{ORG}/runs").status_code == 200


def test_sign_in_is_rate_limited(app):
    client = TestClient(app)
    csrf = csrf_of(client.get("/signin").text)
    for _ in range(5):
        r = client.post(
            "/signin", data={"username": "viewer", "password": "wrong", "csrf_token": csrf}
        )
        assert r.status_code == 401
    r = client.post(
        "/signin",
        data={"username": "viewer", "password": PASSWORDS["viewer"], "csrf_token": csrf},
    )
    assert r.status_code == 429
    app.state.store.sign_in_limit.reset("ip:testclient", "user:viewer")


def test_upload_limits(app, monkeypatch):
    from openmrv.api import services

    c = TestClient(app, headers={"Authorization": f"Bearer {token_for(app, 'editor')}"})
    url = f"/api/v1/organisations/{ORG}/uploads"
    r = c.post(url, files={"file": ("evil.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 409 and "unsupported file type" in r.text
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 1000)
    r = c.post(url, files={"file": ("big.csv", b"x" * 5000, "text/csv")})
    assert r.status_code == 413
    r = c.post(url, files={"file": ("../../etc/passwd.csv", b"a,b\n1,2\n", "text/csv")})
    assert r.status_code == 200 and r.json()["file_name"] == "passwd.csv"


PAGES = (
    "/signin",
    "/orgs",
    f"/orgs/{ORG}",
    f"/orgs/{ORG}/facilities/FAC-JS-PV",
    f"/orgs/{ORG}/records/JS-PV-NG-2024-01",
    f"/orgs/{ORG}/upload",
    f"/orgs/{ORG}/compare?facility_id=FAC-JS-PV&year=2024",
    f"/orgs/{ORG}/cases",
    f"/orgs/{ORG}/cases/1",
    f"/orgs/{ORG}/targets",
    f"/orgs/{ORG}/ledger",
)


def test_every_page_is_translated(app):
    from openmrv.web import i18n

    owner = sign_in(app, "owner")
    page = owner.get(f"/orgs/{ORG}/targets")
    owner.post(
        f"/orgs/{ORG}/targets",
        data={"csrf_token": csrf_of(page.text), "name": "SBTi 1.5", "methodology": "epa_hub_ghgp",
              "base_year": "2024", "target_year": "2030", "reduction_pct": "42"},
    )  # fmt: skip
    r = owner.get("/lang/zh-CN?next=/orgs", follow_redirects=False)
    assert r.status_code == 303
    owner.cookies.set("lang", "zh-CN")
    i18n.MISSING.clear()
    for path in PAGES:
        r = owner.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert 'lang="zh-CN"' in r.text
    r = _upload(owner, "bad.csv", data.bad())
    assert "文件被拒绝" in r.text
    assert not i18n.MISSING, f"untranslated: {sorted(i18n.MISSING)}"
    assert "仪表板" in owner.get(f"/orgs/{ORG}").text


def test_an_untranslated_text_fails_the_page_check(app, monkeypatch):
    """A catalogue entry without its translation: the page shows English and the check of
    test_every_page_is_translated (MISSING) names it."""
    from openmrv.i18n import catalogue
    from openmrv.web import i18n

    monkeypatch.setitem(catalogue("zh-CN").texts, "Dashboard", "")
    owner = sign_in(app, "owner")
    owner.cookies.set("lang", "zh-CN")
    i18n.MISSING.clear()
    r = owner.get(f"/orgs/{ORG}/targets")
    assert r.status_code == 200 and 'data-nav="dashboard">Dashboard</a>' in r.text
    assert sorted(i18n.MISSING) == ["Dashboard"]
    with pytest.raises(AssertionError):
        assert not i18n.MISSING
    i18n.MISSING.clear()


def test_upload_problems_are_shown_in_the_page_language(app):
    """Validation's problems and fixes, and a refused change, read in Chinese on Chinese pages
    and stay English on English ones."""
    from openmrv.web import i18n

    editor = sign_in(app, "editor")
    editor.cookies.set("lang", "zh-CN")
    i18n.MISSING.clear()
    r = _upload(editor, "bad.csv", data.bad())
    shown = {(c[1], c[2]): (c[4], c[5]) for c in _cells(r.text, "problems")}
    assert shown[("5", "period_end")] == (
        "不是 YYYY-MM-DD 格式的日期",
        "日期写成 YYYY-MM-DD，例如 2024-01-31",
    )
    assert shown[("7", "facility_id")] == (
        "设施不在设施文件中",
        "将该设施加入设施文件，或修正编号",
    )
    problem, fix = shown[("3", "unit")]
    assert html.unescape(problem).startswith("未知单位 'furlongs'。可接受的单位见 docs/units.md")
    assert fix == "使用可接受的单位之一（见 docs/units.md）"
    header, body = data.rows()
    q = header.index("quantity")
    body[-1][q] = str(float(body[-1][q]) + 2)  # a stored record changed, without a reason
    r = _upload(editor, "changed.csv", data.text(header, body))
    assert 'data-status="refused"' in r.text
    assert "条记录已按其他数值存储" in r.text and "未存储任何数据。" in r.text, r.text
    assert not i18n.MISSING, f"untranslated: {sorted(i18n.MISSING)}"
    editor.cookies.set("lang", "en")
    r = _upload(editor, "bad.csv", data.bad())
    shown = {(c[1], c[2]): (c[4], c[5]) for c in _cells(r.text, "problems")}
    assert shown[("7", "facility_id")] == (
        "facility not in the facilities file",
        "add the facility to the facilities file, or fix the id",
    )


def test_no_secrets_in_logs(app, caplog):
    caplog.set_level(logging.DEBUG)
    client = TestClient(app)
    csrf = csrf_of(client.get("/signin").text)
    client.post(
        "/signin", data={"username": "owner", "password": "s3cret-guess", "csrf_token": csrf}
    )
    token = token_for(app, "viewer")
    TestClient(app).get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "s3cret-guess" not in logged and token.split("_", 2)[2] not in logged
    app.state.store.sign_in_limit.reset("ip:testclient", "user:owner")


def test_dashboard_totals_are_the_cli_totals(app, tmp_path):
    """The dashboard's methodology view shows, scope by scope, `reports.summary.scope_totals` of
    a run over the stored records: the table `openmrv calculate` prints for the same file."""
    from openmrv.cli.console import load_inputs as _load
    from openmrv.cli.web import EXAMPLES
    from openmrv.engine import calculate
    from openmrv.reports.summary import scope_totals

    fac, checked = _load(EXAMPLES / "facilities.csv", EXAMPLES / "activity.csv")
    run = calculate(checked.table, fac, schema=ACTIVITY)
    cli = scope_totals(run.results, run.skipped, checked.table)
    tianhe = sign_in(app, "tianhe")  # untouched by the other tests
    page = tianhe.get("/orgs/ORG-TIANHE-JV?view=methods").text
    labels = {"US EPA Part 98 C": "epa_part98_c", "GHG Protocol / EPA Hub": "epa_hub_ghgp",
              "China MEE": "cn_mee", "IPCC 2006 Tier 1": "ipcc2006_t1"}  # fmt: skip
    scopes = {"Scope 1": "scope1_t", "Scope 2 (location-based)": "scope2_location_t"}
    shown = {
        (labels[c[0]], c[1].split(" · ")[0], int(c[2]), scopes[c[3]]): c[4]
        for c in _cells(page, "totals")
    }
    expected = {
        (r.methodology, r.facility_id, r.year, col): f"{getattr(r, col):,.2f}"
        for r in cli.itertuples()
        if r.facility_id == "FAC-BJ-ENG"
        for col in scopes.values()
    }
    assert shown == expected
    assert len(expected) >= 8


@pytest.mark.parametrize("path", ["/orgs/ORG-TIANHE-JV", "/orgs/NOPE/upload"])
def test_pages_of_other_organisations_are_not_found(app, path):
    assert sign_in(app, "editor").get(path).status_code == 404


def _grand_totals(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-total="([^"]+)">([^<]+)<', html))


def test_dashboard_is_fresh_after_every_write(app):
    """The dashboard's figures are cached per store version: any write (here an upload that
    changes a stored record, then a new run) shows on the next request."""
    owner = sign_in(app, "owner")
    before = owner.get(f"/orgs/{ORG}")
    assert before.status_code == 200 and 'id="obligations"' in before.text
    assert owner.get(f"/orgs/{ORG}").text.count("data-total=") == before.text.count("data-total=")
    run_before = int(re.search(r"Latest run: #(\d+) ", before.text)[1])
    # one stored record's quantity changes: its totals change once the next run is made
    changed = data.good().replace("48417.0", "96834.0")
    stored = _upload(owner, "sunbridge-doubled.csv", changed, reason="meter re-read (test)")
    assert 'data-status="stored"' in stored.text, stored.text
    page = owner.get(f"/orgs/{ORG}")
    r = owner.post(f"/orgs/{ORG}/runs", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and 'id="obligations"' in r.text  # followed the redirect
    after = owner.get(f"/orgs/{ORG}")
    assert int(re.search(r"Latest run: #(\d+) ", after.text)[1]) > run_before  # numbered store-wide
    assert _grand_totals(after.text) != _grand_totals(before.text)


def test_cached_figures_never_cross_organisations(app):
    """Organisation A's cached dashboard is never served for organisation B: not to a
    member of B asking for A's page, and not as B's own figures."""
    tianhe = sign_in(app, "tianhe")
    owner = sign_in(app, "owner")
    a = tianhe.get("/orgs/ORG-TIANHE-JV")  # cached now
    assert a.status_code == 200 and "FAC-BJ-ENG" in a.text
    assert owner.get("/orgs/ORG-TIANHE-JV").status_code == 404
    assert owner.get("/orgs/ORG-TIANHE-JV?methodology=cn_mee").status_code == 404
    b = owner.get(f"/orgs/{ORG}")
    assert b.status_code == 200 and "FAC-BJ-ENG" not in b.text
    assert _grand_totals(b.text) != _grand_totals(a.text)
    # the regulator sees both, each with its own figures
    regulator = sign_in(app, "regulator")
    assert _grand_totals(regulator.get("/orgs/ORG-TIANHE-JV").text) == _grand_totals(a.text)
    assert _grand_totals(regulator.get(f"/orgs/{ORG}").text) == _grand_totals(b.text)


def test_cached_principal_follows_membership_changes(app):
    """Who may see an organisation is cached with the figures, under the same version: a new
    membership is honoured on the next request."""
    from openmrv.api.tenancy import add_membership, add_user

    store = app.state.store
    with store.db.write():
        add_user(store.db, "newcomer", "New Comer", "newcomer-password-1")
    client = TestClient(app)
    page = client.get("/signin")
    client.post(
        "/signin",
        data={"username": "newcomer", "password": "newcomer-password-1",
              "csrf_token": csrf_of(page.text)},
    )  # fmt: skip
    assert client.get("/orgs/ORG-TIANHE-JV").status_code == 404  # cached: not a member
    with store.db.write():
        add_membership(store.db, "newcomer", "ORG-TIANHE-JV", "viewer", "tianhe")
    assert client.get("/orgs/ORG-TIANHE-JV").status_code == 200


def test_store_version_changes_with_every_write(tmp_path):
    """DuckDB: the version is this process's count of writes (the file is locked to it);
    reads leave it alone, every transaction moves it."""
    from openmrv.store import open_store

    db = open_store(str(tmp_path / "v.duckdb"))
    try:
        v0 = db.version()
        db.execute("SELECT count(*) FROM ledger_events")
        db.scalar("  with x AS (SELECT 1) SELECT * FROM x")
        assert db.version() == v0
        with db.write():
            db.execute("INSERT INTO targets SELECT * FROM targets WHERE false")
        v1 = db.version()
        assert v1 != v0
        with pytest.raises(RuntimeError), db.write():
            raise RuntimeError("rolled back")
        assert db.version() != v1
    finally:
        db.close()


def test_facility_page_shows_the_boundary_flags_of_the_facilities_file(app):
    """examples/facilities.csv gives FAC-BJ-ENG operational control yes, financial control no."""
    client = sign_in(app, "tianhe")
    page = client.get("/orgs/ORG-TIANHE-JV/facilities/FAC-BJ-ENG").text
    assert '<dd id="operational_control">Yes</dd>' in page
    assert '<dd id="financial_control">No</dd>' in page
    client.cookies.set("lang", "zh-CN")
    page = client.get("/orgs/ORG-TIANHE-JV/facilities/FAC-BJ-ENG").text
    assert "财务控制权" in page and '<dd id="financial_control">否</dd>' in page
