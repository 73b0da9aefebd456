"""No English left on zh-CN reports (issue 15): over the example data plus records that are not
computed (refrigerant, process, biomass, CEMS: tests/reports/test_coverage.py) and the
comparisons, every report format in Chinese asks the catalogue for nothing it lacks, and no
run of English words is left in the visible text but proper names, units, formulas and codes.
The reasons a record was not computed and the comparison's sentences are generated English
(stored so: results are data) and translated where shown (openmrv.i18n.reason, .message)."""

from __future__ import annotations

import html
import re

import openpyxl
import pytest

from openmrv import i18n
from openmrv.reports.bundle import FORMATS, assemble, write
from openmrv.reports.markdown import render
from tests.reports.test_coverage import augmented  # noqa: F401  (the fixture)

# Two or more English words in a row; a word is letters, lower case after the first (codes,
# formulas and record ids such as HHV, CH4, N2O, FAC-BJ-ENG, AZ-PV-EL-2024-01 are no words).
WORD = r"(?<![\w\-])[A-Za-z][a-z_'\-]*[a-z](?![\w\-])"
ENGLISH = re.compile(rf"{WORD}(?:(?:[ ,/()]|[:;] )+{WORD})+")
CJK = "\u4e00-\u9fff"
# A regulator table's cell or header is bilingual by design (reports.i18n.bilingual): English,
# then " " or " / " and the same in Chinese. Its English half is allowed; an untranslated
# reason never has this shape (its parts are joined by "；" and it is in MISSING).
BILINGUAL = re.compile(rf"^[^{CJK}\n|]*[A-Za-z][^{CJK}\n|]*?(?: / | )(?=⚠? ?[{CJK}])", re.M)
# Proper names and codes that stay English in Chinese text: regulations and their tables,
# units, factor-table editions, the rules cited for each programme (sources, quoted) and the
# equations in the records' lineage (XLSX inventory_records: data, as stored).
ALLOWED = re.compile(
    r"EPA Part|US Part|EPA Hub|Hub Tables?|mmBtu|kg/GJ|t CO|short ton|XLSX/CSV|"
    r"mee_fuel_defaults gbt|mee_heat provisional|mass released × GWP|\(carbon market, national\)|"
    r"MEE enterprise GHG reporting \(declared\); 26,000 t CO2e criterion as for CN_ETS|"
    r"\(via municipal notice\)"
)


def visible(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "\n", page))


def english(text: str, names: set[str]) -> set[str]:
    """The runs of English words in `text` that are no allowed name."""
    for n in sorted(names, key=len, reverse=True):
        text = text.replace(n, " ")
    text = BILINGUAL.sub(" ", ALLOWED.sub(" ", text).replace("|", "\n"))
    return {m.group(0) for m in ENGLISH.finditer(text)}


def names(fac, act) -> set[str]:
    """Proper names from the data: facility and organisation names, fuels, record ids."""
    out = set(fac["name"]) | set(fac.get("organization_name", []))
    return {str(n) for n in out if n} | set(act.column("fuel").to_pylist()) - {None, ""}


def cells(path) -> str:
    """Every text cell of a workbook, one a line."""
    book = openpyxl.load_workbook(path, read_only=True)
    return "\n".join(
        v
        for ws in book
        for row in ws.iter_rows(values_only=True)
        for v in row
        if isinstance(v, str)
    )


@pytest.fixture
def zh(augmented, tmp_path):  # noqa: F811
    """The report in Chinese: the HTML's and the XLSX's text and the Markdown report (the CSV,
    JSON and Parquet tables are the XLSX's sheets)."""
    _, fac, act, run = augmented
    i18n.MISSING.clear()
    b = assemble(run, act, fac)
    for fmt in FORMATS:
        write(b, tmp_path / {"html": "r.html", "xlsx": "r.xlsx"}.get(fmt, fmt), fmt, "zh-CN")
    page = visible((tmp_path / "r.html").read_text(encoding="utf-8"))
    sheets = cells(tmp_path / "r.xlsx")
    return page, render(run, act, fac, "zh-CN"), names(fac, act), sheets


def test_zh_reports_hold_no_english_but_names(zh):
    page, md, known, sheets = zh
    for text in (page, md, sheets):
        assert "不涵盖类别" in text  # the reasons are shown translated
    assert "合计从" in md and "热值基准：Part 98" in md  # the comparison's sentences too
    assert not i18n.MISSING, sorted(i18n.MISSING)
    assert not english(page, known), sorted(english(page, known))
    assert not english(md, known), sorted(english(md, known))
    assert not english(sheets, known), sorted(english(sheets, known))


def test_every_reason_of_the_run_is_translated(augmented):  # noqa: F811
    run = augmented[3]
    reasons = set(run.skipped.column("reason").to_pylist())
    i18n.MISSING.clear()
    for r in reasons:
        shown = i18n.reason(r, "zh-CN")
        assert not english(shown, set()), (r, shown)
    assert not i18n.MISSING, sorted(i18n.MISSING)


def test_an_untranslated_reason_fails_the_check(augmented, monkeypatch):  # noqa: F811
    """A reason template without its translation: it is shown in English, remembered in MISSING,
    and the English-run check names it."""
    _, fac, act, run = augmented
    texts = i18n.catalogue("zh-CN").texts
    monkeypatch.setitem(texts, "{method} does not cover category {category}", "")
    i18n.patterns.cache_clear()
    try:
        i18n.MISSING.clear()
        shown = i18n.reason("cn_mee does not cover category refrigerant", "zh-CN")
        assert shown == "cn_mee does not cover category refrigerant"
        assert {"cn_mee does not cover category refrigerant"} == i18n.MISSING
        assert english(shown, set()) == {"cn_mee does not cover category refrigerant"}
        i18n.MISSING.clear()
        md = render(run, act, fac, "zh-CN")
        assert "cn_mee does not cover category refrigerant" in i18n.MISSING
        assert any("does not cover category" in e for e in english(md, names(fac, act)))
    finally:
        i18n.patterns.cache_clear()
        i18n.MISSING.clear()
