"""The command line speaks the language of OPENMRV_LANG (settings.lang): titles, column
headers, coverage, and located input problems, through the same catalogue as the pages."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from openmrv import i18n
from openmrv.cli import app
from tests.conftest import FACILITIES, record, write_csv
from tests.reports.conftest import EXAMPLES

FAC, ACT = str(EXAMPLES / "facilities.csv"), str(EXAMPLES / "activity.csv")


def run(monkeypatch: pytest.MonkeyPatch, lang: str, *args: str):
    monkeypatch.setenv("OPENMRV_LANG", lang)
    monkeypatch.setenv("COLUMNS", "250")  # a wide table: no title or cell folded
    return CliRunner().invoke(app, list(args))


def test_report_in_chinese(monkeypatch):
    i18n.MISSING.clear()
    r = run(monkeypatch, "zh-CN", "report", "part98", FAC, ACT)
    assert r.exit_code == 0, r.output
    for text in ("C 部分各设施年度的完整性", "设施", "完整；另有", "Part 98 C 部分未计算的记录"):
        assert text in r.output, text
    assert "Subpart C coverage per facility-year" not in r.output
    assert not i18n.MISSING, sorted(i18n.MISSING)
    r = run(monkeypatch, "en", "report", "part98", FAC, ACT)
    assert "Subpart C coverage per facility-year" in r.output and "complete; " in r.output
    assert "完整" not in r.output


def test_calculate_in_chinese(monkeypatch, tmp_path):
    i18n.MISSING.clear()
    out = tmp_path / "results.csv"
    r = run(monkeypatch, "zh-CN", "calculate", FAC, ACT, "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "按范围汇总，吨二氧化碳当量" in r.output and "已写入" in r.output
    assert not i18n.MISSING, sorted(i18n.MISSING)


def test_rejected_input_in_chinese(monkeypatch, tmp_path):
    fac = write_csv(tmp_path / "f.csv", FACILITIES)
    act = write_csv(tmp_path / "a.csv", [{k: v for k, v in record().items() if k != "unit"}])
    r = run(monkeypatch, "zh-CN", "calculate", str(fac), str(act), "--out", str(tmp_path / "r.csv"))
    assert r.exit_code != 0
    assert "输入被拒绝：2 个问题；未写入任何数据" in r.output, r.output
    assert "缺少必需的列 'unit'" in r.output and "添加列 'unit'：数量的单位" in r.output


def test_compare_causes_in_chinese(monkeypatch):
    r = run(monkeypatch, "zh-CN", "compare", FAC, ACT, "--facility", "FAC-BJ-ENG", "--year", "2024")
    assert r.exit_code == 0, r.output
    assert "碳氧化率" in r.output and "原因" in r.output
