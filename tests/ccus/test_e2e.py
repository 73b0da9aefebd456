"""Browser: a real `openmrv serve` on a store seeded with the demo and both CCUS examples,
Playwright on Debian's chromium; the Sankey diagram drawn on the CCUS page in English
(High Plains) and Chinese (Qilu). Screenshots to docs/screenshots/ccus-*.png."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.ccus.helpers import EXAMPLES
from tests.web.conftest import served
from tests.web.test_e2e import CHROMIUM, OPENMRV, SHOTS  # skips without chromium

FLOWS = {
    "en": ("highplains", "demo-highplains-pw", "ORG-HIGHPLAINS", "Stored · FAC-WY-EOR"),
    "zh-CN": ("qilu", "demo-qilu-pw", "ORG-QILU-POWER", "封存 · FAC-SD-EOR"),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    db = tmp_path_factory.mktemp("ccus-e2e") / "web.duckdb"
    subprocess.run(
        [OPENMRV, "demo-seed", "--db", db, "--no-activity"], check=True, capture_output=True
    )
    for folder, org in (("us", "ORG-HIGHPLAINS"), ("cn", "ORG-QILU-POWER")):
        subprocess.run(
            [OPENMRV, "ccus", "ingest", EXAMPLES / folder, "--org", org, "--db", db],
            check=True,
            capture_output=True,
        )
    with served(db) as url:
        yield url


@pytest.mark.parametrize("lang", list(FLOWS))
def test_sankey_on_the_ccus_page(base, lang):
    from playwright.sync_api import sync_playwright

    from openmrv.reports.browser import ARGS

    user, password, org, node = FLOWS[lang]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 1100}).new_page()
        errors: list[str] = []
        page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
        page.goto(f"{base}/signin")
        if lang != "en":
            page.click(f"#lang-{lang}")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", password)
        page.click("#signin")
        page.wait_for_url(re.compile(r".*/orgs$"))
        page.goto(f"{base}/orgs/{org}/ccus")
        page.wait_for_selector("#ccus-sankey .main-svg")
        page.wait_for_selector("#ccus-sankey .sankey-node")
        labels = page.eval_on_selector_all(
            "#ccus-sankey .node-label", "els => els.map(e => e.textContent)"
        )
        assert node in labels, labels
        assert page.locator("#ccus-sites tbody tr").count() >= 1
        page.screenshot(path=SHOTS / f"ccus-{lang}.png", full_page=True)
        assert not errors, errors
        browser.close()


@pytest.mark.parametrize("lang", list(FLOWS))
def test_whole_report_with_the_ccus_sections(tmp_path, lang):
    """`openmrv ccus report --facilities --activity`: the OpenMRV report with the CCUS sections;
    the capture facility's gross emissions are its `openmrv calculate` scope-1 total under its
    country's method, capture on its own column; chromium draws every chart (Sankey included)."""
    import csv

    import pandas as pd

    from openmrv.reports.browser import check

    root = EXAMPLES.parents[1] / "examples"
    act = tmp_path / "act.csv"
    with open(root / "activity.csv", newline="", encoding="utf-8") as fh:
        body = [r for i, r in enumerate(csv.reader(fh)) if i == 0 or r[1] == "FAC-WY-COAL"]
    with open(act, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(body)
    html = tmp_path / f"report-{lang}.html"
    subprocess.run([OPENMRV, "ccus", "report", EXAMPLES / "us", "--facilities",
                    root / "facilities.csv", "--activity", act, "--format", "html", "--lang",
                    lang, "--out", html], check=True, capture_output=True)  # fmt: skip
    subprocess.run([OPENMRV, "calculate", root / "facilities.csv", act, "--out",
                    tmp_path / "res.csv"], check=True, capture_output=True)  # fmt: skip
    res = pd.read_csv(tmp_path / "res.csv")
    want = res[(res.methodology == "epa_hub_ghgp") & (res.year == 2025) & (res.scope == 1)
               & ~res.biogenic.astype(bool)].co2e_t.sum()  # fmt: skip
    text = html.read_text(encoding="utf-8")
    assert 'id="chart-ccus_capture"' in text
    row = re.search(r"<td>FAC-WY-COAL</td>\s*<td>2025</td>\s*<td>(\w+)</td>\s*<td>([\d,.]+)</td>"
                    r"\s*<td>([\d,.]+)</td>", text)  # fmt: skip
    assert row is not None and row.group(1) == "epa_hub_ghgp"
    assert float(row.group(2).replace(",", "")) == pytest.approx(want, abs=0.01)
    assert float(row.group(3).replace(",", "")) == pytest.approx(1_602_865.59, abs=0.01)
    c = check(html, SHOTS / f"ccus-report-{lang}.png", shots={"#chart-ccus_capture": SHOTS /
              f"ccus-report-sankey-{lang}.png"})  # fmt: skip
    assert c.charts >= 1 and not c.errors and not c.requests
