"""Open a report in headless Chromium (Debian's package, driven by Playwright): collect console
errors and page errors, count the rendered charts, optionally save a screenshot. Used by the
tests and by `openmrv report screenshot`; never downloads a browser."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class PageCheck:
    errors: list[str] = field(default_factory=list)
    charts: int = 0  # rendered Plotly charts (divs with an SVG inside)
    requests: list[str] = field(default_factory=list)  # anything fetched besides the file


def check(
    path: Path,
    screenshot: Path | None = None,
    width: int = 1280,
    shots: dict[str, Path] | None = None,
) -> PageCheck:
    """Open `path`; `screenshot` is of the top of the page, `shots` of chosen elements
    (CSS selector -> PNG path)."""
    from playwright.sync_api import sync_playwright

    result = PageCheck()
    url = path.resolve().as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on(
                "console",
                lambda m: (
                    result.errors.append(f"console {m.type}: {m.text}")
                    if m.type == "error"
                    else None
                ),
            )
            page.on("pageerror", lambda e: result.errors.append(f"page error: {e}"))
            page.on("request", lambda r: result.requests.append(r.url) if r.url != url else None)
            page.goto(url, wait_until="load")
            page.wait_for_selector(".plotly .main-svg", timeout=30_000)
            result.charts = page.evaluate(
                "document.querySelectorAll('.js-plotly-plot').length"
                " && [...document.querySelectorAll('.js-plotly-plot')]"
                ".filter(d => d.querySelector('svg.main-svg')).length"
            )
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=False)
            for selector, png in (shots or {}).items():
                png.parent.mkdir(parents=True, exist_ok=True)
                page.locator(selector).first.screenshot(path=str(png))
        finally:
            browser.close()
    return result


def pdf(path: Path, out: Path) -> None:
    """Print the page at `path` to a PDF (A4)."""
    from playwright.sync_api import sync_playwright

    out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(path.resolve().as_uri(), wait_until="load")
            page.pdf(path=str(out), format="A4")
        finally:
            browser.close()
