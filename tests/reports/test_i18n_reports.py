"""Every report format in Chinese asks the catalogue for no message it lacks (openmrv.i18n
remembers each in MISSING), and the check fails when one is untranslated."""

from __future__ import annotations

import pytest

from openmrv import i18n
from openmrv.reports.bundle import FORMATS, write
from openmrv.reports.markdown import render


def untranslated() -> list[str]:
    return sorted(i18n.MISSING)


def write_every_format(bundle, example, tmp_path, lang: str) -> tuple[str, str]:
    """Every format of the report in `lang`; the HTML's text and the Markdown report."""
    for fmt in FORMATS:
        out = tmp_path / fmt
        out.mkdir()
        write(bundle, {"xlsx": out / "r.xlsx", "html": out / "r.html"}.get(fmt, out), fmt, lang)
    md = render(example.run, example.activity, example.facilities, lang)
    return (tmp_path / "html" / "r.html").read_text(encoding="utf-8"), md


def test_every_report_format_is_translated(bundle, example, tmp_path):
    i18n.MISSING.clear()
    text, md = write_every_format(bundle, example, tmp_path, "zh-CN")
    assert "OpenMRV 温室气体排放报告" in text
    assert md.startswith("# OpenMRV 排放计算报告") and "## 美国、中国与 IPCC 方法为何不同" in md
    assert not untranslated(), f"untranslated: {untranslated()}"


def test_an_untranslated_message_fails_the_check(bundle, example, tmp_path, monkeypatch):
    """A catalogue entry without a translation: the report shows English and the check names it."""
    keys = i18n.catalogue("zh-CN").keys
    monkeypatch.setitem(keys, "report.title", (keys["report.title"][0], ""))
    monkeypatch.setitem(keys, "col.fuel", (keys["col.fuel"][0], ""))
    i18n.MISSING.clear()
    text, _ = write_every_format(bundle, example, tmp_path, "zh-CN")
    assert "OpenMRV emissions report" in text
    assert untranslated() == ["col.fuel", "report.title"]
    with pytest.raises(AssertionError):
        assert not untranslated()
    i18n.MISSING.clear()
