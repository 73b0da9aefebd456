"""The grid sections of the whole OpenMRV report, in English and Chinese: the worked
example's figures and the CFE by month and hour table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.grid.helpers import grid

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data" / "worked"


@pytest.mark.parametrize(
    ("lang", "title"),
    [("en", "Hourly and annual Scope 2 electricity, 24/7 CFE"),
     ("zh-CN", "逐时与年度范围二电力排放、24/7 无碳电力")],
)  # fmt: skip
def test_whole_report_has_the_grid_sections(tmp_path: Path, lang: str, title: str) -> None:
    args = ["scope2", "--load", DATA / "load.csv", "--supply", DATA / "supply.csv",
            "--factors", DATA / "factors.csv", "--facilities", ROOT / "examples/facilities.csv",
            "--activity", ROOT / "examples/activity.csv", "--lang", lang]  # fmt: skip
    r = grid(*args, "-f", "html", "-o", tmp_path / "r.html")
    assert r.exit_code == 0, r.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert title in html and "<td>11.50</td>" in html and "<td>16.00</td>" in html
    r = grid(*args, "-f", "json", "-o", tmp_path / "j")
    assert r.exit_code == 0, r.output
    [row] = json.loads((tmp_path / "j" / "grid_scope2.json").read_text())
    assert row["cfe_score"] == pytest.approx(0.5375)
    [cfe] = json.loads((tmp_path / "j" / "grid_cfe.json").read_text())
    # June, hours 00-03 UTC: (2)/10, (10)/10, (7.5)/10, (2)/10 — the worked example per hour.
    assert [cfe[f"h{h:02d}"] for h in range(4)] == [0.2, 1.0, 0.75, 0.2]


@pytest.mark.parametrize(
    ("lang", "titles"),
    [("en", ["dc · Load (MWh)", "dc · Clean supply (MWh)", "dc · Unmatched load (MWh)",
             "dc · 24/7 CFE score by month and hour"]),
     ("zh-CN", ["dc · 负荷（兆瓦时）", "dc · 清洁电力供应（兆瓦时）", "dc · 未匹配负荷（兆瓦时）",
                "dc · 按月份和小时的 24/7 无碳电力得分"])],
)  # fmt: skip
def test_report_draws_the_heat_maps(tmp_path: Path, lang: str, titles: list[str]) -> None:
    """Chromium (Playwright) draws the three heat maps above the accounting table and the CFE
    by month and hour above its table, titled in the report's language."""
    from playwright.sync_api import sync_playwright

    from openmrv.reports.browser import ARGS
    from tests.web.test_e2e import CHROMIUM  # skips without chromium

    html = tmp_path / "r.html"
    r = grid("scope2", "--load", DATA / "load.csv", "--supply", DATA / "supply.csv",
             "--factors", DATA / "factors.csv", "--facilities", ROOT / "examples/facilities.csv",
             "--activity", ROOT / "examples/activity.csv", "--lang", lang, "-f", "html",
             "-o", html)  # fmt: skip
    assert r.exit_code == 0, r.output
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html.resolve().as_uri())
        drawn = {}
        for div in ("chart-grid_scope2", "chart-grid_cfe"):
            page.wait_for_selector(f"#{div} .main-svg")
            drawn[div] = page.locator(f"#{div} .hm").count()
        shown = page.eval_on_selector_all(
            "#chart-grid_scope2 .annotation-text, #chart-grid_cfe .annotation-text",
            "els => els.map(e => e.textContent)",
        )
        browser.close()
    assert drawn == {"chart-grid_scope2": 3, "chart-grid_cfe": 1}
    assert shown == titles and not errors, (shown, errors)
