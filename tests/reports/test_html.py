"""The HTML report of the example dataset, in both languages, opened in headless Chromium
(Debian's package, driven by Playwright): no console or page errors, no network requests (no
CDN), and every chart rendered."""

from __future__ import annotations

import re

import pytest

from openmrv.reports.browser import check
from openmrv.reports.bundle import write


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Corporate inventory", "Methodology comparison"]),
        ("zh-CN", ["企业温室气体清单", "核算方法比较"]),
    ],
)
def test_html_report_opens_without_errors_with_its_charts(tmp_path, bundle, lang, words):
    path = tmp_path / f"report-{lang}.html"
    write(bundle, path, "html", lang)
    text = path.read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in text
    for w in words:
        assert w in text
    assert not re.search(r"<script[^>]+src=", text)  # plotly.js is inline, no CDN
    expected = 2 + len(bundle.comparisons) + 1  # scopes, IPCC, waterfalls, targets
    c = check(path)
    assert c.errors == []
    assert c.requests == []
    assert c.charts == expected


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json", "parquet"])
def test_flat_formats_hold_every_table(tmp_path, bundle, fmt):
    import pandas as pd

    out = tmp_path / ("report.xlsx" if fmt == "xlsx" else "tables")
    written = write(bundle, out, fmt, "zh-CN")
    names = set(bundle.tables("zh-CN"))
    if fmt == "xlsx":
        sheets = pd.read_excel(out, sheet_name=None)
        assert len(sheets) == len(names) and "inventory_totals" in sheets
        assert sheets["inventory_totals"].scope1_t.sum() == pytest.approx(
            bundle.inventory.totals.scope1_t.sum()
        )
    else:
        assert {p.stem for p in written} == names
