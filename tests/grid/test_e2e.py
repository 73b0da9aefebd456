"""Browser: a real `openmrv serve` on the demo store with the grid examples; Playwright on
Debian's chromium draws the four heat maps in English (Cascadia's data centre) and Chinese
(SunBridge's Arizona plant). Screenshots to docs/screenshots/grid-*.png."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import served
from tests.web.test_e2e import CHROMIUM, SHOTS  # skips without chromium

FLOWS = {
    "en": ("cascadia", "demo-cascadia-pw", "ORG-CASCADIA", "Load (MWh)"),
    "zh-CN": ("owner", "demo-owner-pw", "ORG-SUNBRIDGE", "负荷（兆瓦时）"),
}


@pytest.fixture(scope="module")
def base(grid_store):
    with served(grid_store) as url:
        yield url


@pytest.mark.parametrize("lang", list(FLOWS))
def test_heat_maps_on_the_grid_page(base, lang) -> None:
    from playwright.sync_api import sync_playwright

    from openmrv.reports.browser import ARGS

    user, password, org, title = FLOWS[lang]
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
        page.goto(f"{base}/orgs/{org}/grid")
        for key in ("load", "clean", "unmatched", "cfe"):
            page.wait_for_selector(f"#grid-{key} .main-svg")
            assert page.locator(f"#grid-{key} .heatmaplayer image, #grid-{key} .hm").count()
        titles = page.eval_on_selector_all(".gtitle", "els => els.map(e => e.textContent)")
        assert title in titles, titles
        page.screenshot(path=SHOTS / f"grid-{lang}.png", full_page=True)
        assert not errors, errors
        browser.close()
