"""The API documentation at /api/v1/docs renders its operations in Debian's chromium under
the application's own CSP, from files the server itself serves (no CDN)."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from openmrv.reports.browser import ARGS, CHROMIUM
from tests.web.conftest import served

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


def test_api_docs_render_every_operation_from_local_files(seeded_store, tmp_path):
    from playwright.sync_api import sync_playwright

    db = tmp_path / "s.duckdb"
    shutil.copy(seeded_store, db)
    with served(db) as base, sync_playwright() as p:
        spec = httpx.get(f"{base}/api/v1/openapi.json").json()
        operations = sum(len(ops) for ops in spec["paths"].values())
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        requested: list[str] = []
        problems: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
        r = page.goto(f"{base}/api/v1/docs")
        assert r is not None and "script-src 'self'" in r.headers["content-security-policy"]
        page.wait_for_selector(".opblock", timeout=30_000)
        assert page.locator(".opblock").count() == operations
        assert "OpenMRV" in page.locator(".info .title").inner_text()
        assert page.locator(".opblock-summary-path", has_text="/api/v1/me").count() == 1
        browser.close()
    assert all(u.startswith(base) or u.startswith("data:") for u in requested), requested
    assert not problems, problems
