"""`openmrv ccus` commands and the CCUS page (English and Chinese, the tenancy filter)."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openmrv.ccus import store as ccus_store
from openmrv.ccus.account import read_folder
from openmrv.cli import build_app
from openmrv.store import open_store
from openmrv.web.app import create_app
from tests.ccus.helpers import EXAMPLES, copy, rows, write
from tests.web.conftest import csrf_of, seeded_store, sign_in  # noqa: F401


def test_commands(tmp_path):
    cli, run = build_app(), CliRunner()
    db = str(tmp_path / "s.duckdb")
    r = run.invoke(cli, ["ccus", "validate", str(EXAMPLES / "us")])
    assert r.exit_code == 0 and "1 transfer(s) flagged" in r.output, r.output
    bad = copy("us", tmp_path)
    body = rows(bad, "meters.csv")
    body[0]["role"] = "injector"
    write(bad, "meters.csv", body)
    r = run.invoke(cli, ["ccus", "ingest", str(bad), "--org", "ORG-HIGHPLAINS", "--db", db])
    assert r.exit_code == 2 and "row 2" in r.output and "role" in r.output, r.output
    r = run.invoke(
        cli, ["ccus", "ingest", str(EXAMPLES / "us"), "--org", "ORG-HIGHPLAINS", "--db", db]
    )
    assert r.exit_code == 0 and "stored as batch" in r.output, r.output
    r = run.invoke(
        cli,
        ["ccus", "report", "--from-db", "--org", "ORG-HIGHPLAINS", "--db", db, "--format", "json"],
    )
    assert r.exit_code == 0, r.output
    sites = json.loads(r.output)["ccus_sites"]
    a = ccus_store.load(ccus_store.org_rows(open_store(db), "ORG-HIGHPLAINS"))
    assert a is not None
    eor = next(s for s in sites if s["Facility"] == "FAC-WY-EOR")
    assert eor["Equation"] == "RR-11" and eor["Entrained ratio X"] == 0.0142
    r = run.invoke(cli, ["ccus", "trace", "FAC-WY-COAL", str(EXAMPLES / "us")])
    assert r.exit_code == 0 and "573,050.64" in r.output and "1,007,765.63" in r.output, r.output
    html = tmp_path / "r.html"
    r = run.invoke(
        cli,
        [
            "ccus",
            "report",
            str(EXAMPLES / "cn"),
            "--format",
            "html",
            "--lang",
            "zh-CN",
            "--out",
            str(html),
        ],
    )
    text = html.read_text(encoding="utf-8")
    assert r.exit_code == 0 and 'id="ccus-sankey"' in text and "年度封存二氧化碳量" in text


def test_page_in_both_languages(seeded_store, tmp_path):  # noqa: F811
    path = tmp_path / "web.duckdb"
    shutil.copy(seeded_store, path)
    db = open_store(str(path))
    try:
        ccus_store.ingest(db, "ORG-QILU-POWER", read_folder(EXAMPLES / "cn"), "qilu")
        from openmrv.api import services
        from openmrv.api.tenancy import load_principal, scope_for

        principal = load_principal(db, "qilu")
        assert principal is not None
        services.calculate(scope_for(db, principal, "ORG-QILU-POWER", "write"))
    finally:
        db.close()
    app = create_app(str(path))
    try:
        client = sign_in(app, "owner")  # ORG-SUNBRIDGE: has no CCUS data, may not see Qilu's
        assert 'id="ccus-empty"' in client.get("/orgs/ORG-SUNBRIDGE/ccus").text
        assert client.get("/orgs/ORG-QILU-POWER/ccus").status_code in (403, 404)
        client = TestClient(app)
        form = client.get("/signin").text
        r = client.post(
            "/signin",
            data={"username": "qilu", "password": "demo-qilu-pw", "csrf_token": csrf_of(form)},
            follow_redirects=False,
        )
        assert r.status_code == 303
        page = client.get("/orgs/ORG-QILU-POWER/ccus")
        assert page.status_code == 200 and 'id="ccus-sankey-data"' in page.text
        assert 'data-nav="ccus"' in page.text and "FAC-SD-EOR" in page.text
        # gross source emissions (the run's scope 1) and capture on separate columns
        cells = re.findall(
            r"<tr><td>FAC-SD-COAL</td><td>2025</td><td>(\w+)</td><td>([\d,.]+)</td>"
            r"<td>([\d,.]+)</td><td>(-?[\d,.]+)</td>",
            page.text,
        )
        assert {c[0] for c in cells} == {"cn_mee"}, page.text[:3000]  # its country's method
        for _, gross, captured, net in cells:
            g, c, n = (float(x.replace(",", "")) for x in (gross, captured, net))
            assert c == pytest.approx(1_024_137.68, abs=0.01)
            assert n == pytest.approx(g - c, abs=0.02)
        client.get("/lang/zh-CN?next=/")
        zh = client.get("/orgs/ORG-QILU-POWER/ccus").text
        assert "CCUS：捕集、运输与封存" in zh and "年度封存二氧化碳量" in zh
    finally:
        app.state.store.db.close()
