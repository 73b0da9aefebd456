"""Browser end-to-end: a real `openmrv serve` process on a loopback port, driven by Playwright
on Debian's chromium (no browser download). The same flow in English and in Chinese:
sign in; upload a file with errors and see them located; fix and re-upload; calculate, and
the dashboard's figures equal `openmrv calculate`'s for the same data; open and submit a
verification case; a verifier signs off; the editor can no longer change that period.
Screenshots go to docs/screenshots/."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from openmrv.cli.web import EXAMPLES
from openmrv.reports.browser import ARGS
from openmrv.reports.browser import CHROMIUM as CHROMIUM_BIN
from tests.web import data
from tests.web.conftest import PASSWORDS

CHROMIUM = Path(CHROMIUM_BIN)
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
OPENMRV = Path(sys.executable).with_name("openmrv")

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing: .ci/run installs it (apt-get install chromium)")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    db = str(tmp / "web.duckdb")
    subprocess.run(
        [OPENMRV, "demo-seed", "--db", db, "--no-activity"], check=True, capture_output=True
    )
    port = _free_port()
    log = open(tmp / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [OPENMRV, "serve", "--db", db, "--port", str(port)], stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("server did not start: " + (tmp / "server.log").read_text())
    yield base, tmp
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()
    text = (tmp / "server.log").read_text()
    for pw in PASSWORDS.values():
        assert pw not in text, "a password reached the server log"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def cli_totals(facilities_file: Path, activity: Path, out: Path) -> dict[tuple, str]:
    """What `openmrv calculate` computes for the same records, summed as the dashboard's totals
    are (t CO2e per scope, biogenic CO2 excluded; docs/schemas.md's result columns), as
    {(methodology, facility, year, scope): text}, from its results file."""
    import pandas as pd

    subprocess.run(
        [OPENMRV, "calculate", facilities_file, activity, "--out", out],
        capture_output=True,
        text=True,
        check=True,
    )
    df = pd.read_csv(out)
    fossil = df[~df.biogenic.astype(bool)]
    sums = fossil.groupby(["methodology", "facility_id", "year", "scope"]).co2e_t.sum()
    scope = {1: "1", 2: "2_location"}
    got = {(m, f, str(y), scope[sc]): f"{v:,.2f}" for (m, f, y, sc), v in sums.items()}
    assert got, out
    return got


FLOWS = {
    "en": dict(
        org="ORG-SUNBRIDGE", editor="editor", verifier="verifier", facility="FAC-JS-PV",
        facilities=data.SUNBRIDGE, foreign="FAC-BJ-ENG", rejected="The file was rejected",
        locked="period FAC-JS-PV 2024 is locked by verifier", verified="verified",
    ),
    "zh-CN": dict(
        org="ORG-TIANHE-JV", editor="tianhe", verifier="shenhe", facility="FAC-BJ-ENG",
        facilities=("FAC-BJ-ENG",), foreign="FAC-JS-PV", rejected="文件被拒绝",
        locked="期间 FAC-BJ-ENG 2024 已由 shenhe", verified="已核查",
    ),
}  # fmt: skip


def sign_in(page, base: str, user: str) -> None:
    page.goto(f"{base}/signin")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORDS[user])
    page.click("#signin")
    page.wait_for_url(re.compile(r".*/orgs$"))


def sign_out(page) -> None:
    page.click("header form button")
    page.wait_for_url(re.compile(r".*/signin"))


@pytest.mark.parametrize("lang", list(FLOWS))
def test_flow(server, browser, lang):
    base, tmp = server
    f = FLOWS[lang]
    org, shot = f["org"], lambda name: page.screenshot(path=SHOTS / f"{lang}-{name}.png")
    SHOTS.mkdir(parents=True, exist_ok=True)
    bad = data.write(tmp, f"activity-{lang}.csv", data.bad(f["facilities"], f["foreign"]))
    good = data.write(tmp, f"activity-{lang}-fixed.csv", data.good(f["facilities"]))
    late = data.write(tmp, f"late-{lang}.csv", data.changed(f["facility"], 2024, f["facilities"]))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    page.goto(f"{base}/signin")
    if lang != "en":
        page.click(f"#lang-{lang}")
        assert page.locator("html").get_attribute("lang") == lang
    shot("signin")
    sign_in(page, base, f["editor"])

    # upload a file with errors: every problem located in a table, nothing stored
    page.goto(f"{base}/orgs/{org}/upload")
    page.set_input_files("input[name=file]", str(bad))
    page.click("#upload")
    page.wait_for_selector("#problems")
    assert f["rejected"] in page.inner_text("#result")
    rows = page.locator("#problems tbody tr")
    cells = [rows.nth(i).locator("td") for i in range(rows.count())]
    located = {(c.nth(1).inner_text(), c.nth(2).inner_text()) for c in cells}
    assert {("3", "unit"), ("5", "period_end"), ("7", "facility_id")} <= located
    shot("upload-errors")

    # fix and re-upload
    page.set_input_files("input[name=file]", str(good))
    page.click("#upload")
    page.wait_for_selector("#upload-status[data-status=stored]")
    shot("upload-stored")

    # calculate: the dashboard leads with the obligations; the methodology view, one click
    # away, shows the CLI's figures for the same file, scope by scope
    page.goto(f"{base}/orgs/{org}")
    page.click("#calculate")
    page.wait_for_selector("#obligations")
    shot("dashboard")
    page.click("#tab-methods")
    page.wait_for_selector("#totals")
    page.wait_for_selector("#chart-year .main-svg")
    shot("dashboard-methods")
    cli = cli_totals(EXAMPLES / "facilities.csv", good, tmp / f"cli-{lang}.csv")
    shown = {}
    for row in page.locator("#totals tbody tr").all():
        key = tuple(row.get_attribute(f"data-{k}") for k in ("methodology", "facility", "year",
                                                            "scope"))  # fmt: skip
        shown[key] = row.locator("td").nth(4).inner_text()
    assert {k: v for k, v in shown.items() if k in cli} == cli
    assert all(v == "0.00" for k, v in shown.items() if k not in cli)  # nothing computed

    # open a verification case for the facility's 2024 and submit it
    page.goto(f"{base}/orgs/{org}/cases")
    page.select_option("select[name=facility_id]", f["facility"])
    page.fill("input[name=year]", "2024")
    page.click("#open-case")
    page.click("#step-submit")
    page.wait_for_selector("#case-status[data-status=submitted]")
    case_url = page.url
    sign_out(page)

    # the verifier starts and signs off
    sign_in(page, base, f["verifier"])
    page.goto(case_url)
    page.click("#step-start")
    page.wait_for_selector("#case-status[data-status=in_verification]")
    page.click("#step-verify")
    page.wait_for_selector("#case-status[data-status=verified]")
    assert page.inner_text("#case-status") == f["verified"]
    shot("case-verified")
    sign_out(page)

    # the editor can no longer change that period
    sign_in(page, base, f["editor"])
    page.goto(f"{base}/orgs/{org}/upload")
    page.set_input_files("input[name=file]", str(late))
    page.fill("input[name=reason]", "late invoice")
    page.click("#upload")
    page.wait_for_selector("#upload-status[data-status=refused]")
    assert f["locked"] in page.inner_text("#result")
    shot("locked-refused")
    page.goto(f"{base}/orgs/{org}/facilities/{f['facility']}")
    shot("facility")
    page.goto(f"{base}/orgs/{org}/compare?facility_id={f['facility']}&year=2024")
    shot("comparison")
    context.close()


OBLIGATIONS = {
    "en": ("highplains", "ORG-HIGHPLAINS", ("FAC-WY-COAL",), "EPA_GHGRP"),
    "zh-CN": ("qilu", "ORG-QILU-POWER", ("FAC-SD-COAL",), "CN_ETS"),
}


@pytest.mark.parametrize("lang", list(OBLIGATIONS))
def test_dashboard_leads_with_obligations(server, browser, lang):
    """The first thing on the dashboard: per facility and year, the programmes, threshold
    result, primary methodology, deadline and status (rules: tests/reports/test_obligations.py);
    the methodology view is one click away. Writes docs/screenshots/dashboard-obligations-*."""
    from openmrv.reports.i18n import t

    base, tmp = server
    user, org, facilities, programme = OBLIGATIONS[lang]
    SHOTS.mkdir(parents=True, exist_ok=True)
    good = data.write(tmp, f"obligations-{lang}.csv", data.good(facilities))
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(f"{base}/signin")
    if lang != "en":
        page.click(f"#lang-{lang}")
    sign_in(page, base, user)
    page.goto(f"{base}/orgs/{org}/upload")
    page.set_input_files("input[name=file]", str(good))
    page.click("#upload")
    page.wait_for_selector("#upload-status[data-status=stored]")
    page.goto(f"{base}/orgs/{org}")
    page.click("#calculate")
    page.wait_for_selector("#obligations tbody tr[data-programme]")
    assert page.locator("main h2").first.inner_text() == t("section.obligations", lang)
    top = page.locator("#obligations").bounding_box()
    assert top is not None and top["y"] < page.locator("#inventory").bounding_box()["y"]
    rows = page.locator(f"#obligations tbody tr[data-programme={programme}]")
    assert rows.count() == 2  # 2024 and 2025
    first = rows.nth(0)
    assert first.get_attribute("data-applies") == "true"
    cells = first.locator("td")
    assert t(f"programme.{programme}", lang) in cells.nth(2).inner_text()
    assert cells.nth(6).inner_text().startswith("2025-03-31")
    if lang == "zh-CN":  # the facility's Chinese name, the methodology's Chinese label
        assert "齐鲁电厂" in cells.nth(0).inner_text() and "生态环境部" in cells.nth(5).inner_text()
    page.screenshot(path=SHOTS / f"dashboard-obligations-{lang}.png", full_page=True)
    page.click("#tab-methods")
    page.wait_for_selector("#chart-year .main-svg")
    assert page.locator("#totals tbody tr").count() > 0
    context.close()
