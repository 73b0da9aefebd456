"""The gettext catalogue (openmrv/locale): every message has a valid Chinese translation, and
it holds exactly the messages the code, the templates and locale/extra.pot name, so `make i18n`
would add or retire nothing."""

from __future__ import annotations

import shutil
import string
import subprocess
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from openmrv import i18n

ROOT = Path(__file__).resolve().parents[1]
PO = i18n.po_path("zh-CN")


def _po():
    with PO.open("rb") as f:
        return read_po(f)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def extracted() -> set[tuple[str, str | None]]:
    """(msgid, msgctxt) of every message Babel's extractors find, as `make i18n` runs them."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    return {
        (msg if isinstance(msg, str) else msg[0], ctx)
        for _, _, msg, _, ctx in extract_from_dir(
            str(ROOT / "src"), method_map, options_map, keywords=DEFAULT_KEYWORDS
        )
    }


def test_every_message_has_a_chinese_translation():
    po = _po()
    messages = [m for m in po if m.id]
    assert len(messages) > 400
    untranslated = [(m.context, m.id) for m in messages if not m.string or m.fuzzy]
    assert not untranslated, f"no zh-CN translation: {untranslated}"
    assert not po.obsolete, f"obsolete entries (#~): {list(po.obsolete)}"


def test_placeholders_and_formats_match():
    """Babel's checks (python-format), the same `{name}` fields on both sides, and msgfmt -c
    (the check a translator's tools run) when gettext is installed."""
    po = _po()
    problems = [(m.id, [str(e) for e in errors]) for m, errors in po.check()]
    assert not problems, problems
    wrong = [m.id for m in po if m.id and _fields(m.id) != _fields(str(m.string))]
    assert not wrong, f"placeholders differ: {wrong}"
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (gettext) not installed; Babel's checks passed")
    done = subprocess.run(
        ["msgfmt", "-c", "-o", "/dev/null", str(PO)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_the_checks_catch_a_broken_translation(tmp_path):
    """The placeholder check and msgfmt -c fail on a translation that drops a value."""
    text = PO.read_text(encoding="utf-8")
    broken = text.replace('"缺少必需的列 {name}"', '"缺少必需的列 {nom}"')
    assert broken != text
    bad = tmp_path / "messages.po"
    bad.write_text(broken, encoding="utf-8")
    with bad.open("rb") as f:
        po = read_po(f)
    assert [m.id for m in po if m.id and _fields(m.id) != _fields(str(m.string))] == [
        "required column {name} is missing"
    ]
    if shutil.which("msgfmt"):
        done = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(bad)], capture_output=True)
        assert done.returncode != 0


def test_catalogue_holds_exactly_what_the_code_names():
    """Extraction (babel.cfg: Python `_()`/`N_()`, templates' `_()`, locale/extra.pot) finds no
    message the catalogue lacks, and the catalogue has no message extraction does not find."""
    found = extracted()
    have = {(m.id, m.context) for m in _po() if m.id}
    assert ("Dashboard", None) in found and ("OpenMRV emissions report", "report.title") in found
    assert not found - have, f"not in messages.po (run make i18n): {sorted(found - have)}"
    assert not have - found, f"named nowhere (stale): {sorted(have - found)}"


def test_english_report_texts_come_from_the_template():
    cat = i18n.catalogue("en")
    assert cat.keys["report.title"] == ("OpenMRV emissions report",) * 2
    zh = i18n.catalogue("zh-CN")
    assert zh.keys["report.title"] == ("OpenMRV emissions report", "OpenMRV 温室气体排放报告")
    assert set(zh.keys) == set(cat.keys)
