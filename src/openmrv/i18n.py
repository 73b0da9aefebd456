"""The message catalogue of the pages, the reports and the command line: gettext files (Babel).

English is the source language: every message's msgid is its English text, and
``locale/<lang>/LC_MESSAGES/messages.po`` holds its translation, edited with the usual tools
(Poedit, ``msgfmt -c``; docs/translating.md). Report texts are named by a key (``report.title``),
which is their msgctxt; their English is the msgid in ``locale/extra.pot``, the template of the
messages no ``_()`` call names (report keys, validation's texts, which are written in SQL, and
values such as statuses). ``make i18n`` extracts the rest from the code and templates
(``babel.cfg``) and updates the .po files. The .po files are read once per process (no compiled
.mo to keep in step). A message asked for in a language that lacks it is shown in English and
remembered in `MISSING`, which the tests check after rendering every page and report.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from babel.messages.pofile import read_po

from openmrv import plugins

__all__ = [
    "DEFAULT",
    "EXTRA",
    "LANGS",
    "LOCALE",
    "MISSING",
    "N_",
    "Catalogue",
    "catalogue",
    "extract_pot",
    "keyed",
    "missed",
    "po_path",
    "translate",
]

LOCALE = Path(__file__).parent / "locale"
EXTRA = LOCALE / "extra.pot"
LANGS = ("en", "zh-CN")
DEFAULT = "en"
MISSING: set[str] = set()
MISSING_MAX = 1000  # problem texts come from users' files: keep the set small


def N_(text: str) -> str:
    """Mark `text` for extraction where it is written; it is translated where it is shown."""
    return text


@dataclass(frozen=True)
class Catalogue:
    """One language's translations: `texts` by English text, `keys` (report keys, the msgctxt)
    to (English, translation). An untranslated or fuzzy entry has an empty translation."""

    texts: dict[str, str]
    keys: dict[str, tuple[str, str]]


def po_path(lang: str) -> Path:
    return LOCALE / lang.replace("-", "_") / "LC_MESSAGES" / "messages.po"


def _read(path: Path) -> Catalogue:
    with path.open("rb") as f:
        po = read_po(f)
    texts: dict[str, str] = {}
    keys: dict[str, tuple[str, str]] = {}
    for m in po:
        if not m.id or not isinstance(m.id, str):
            continue  # the header (no plural forms here)
        text = "" if m.fuzzy else str(m.string or "")
        if m.context:
            keys[m.context] = (m.id, text)
        else:
            texts[m.id] = text
    return Catalogue(texts, keys)


@cache
def catalogue(lang: str) -> Catalogue:
    """The catalogue of `lang` (English: the template's keyed messages, texts as themselves)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    if lang == DEFAULT:
        extra = _read(EXTRA)
        return Catalogue({}, {k: (en, en) for k, (en, _) in extra.keys.items()})
    return _read(po_path(lang))


def missed(text: str) -> None:
    if len(MISSING) < MISSING_MAX:
        MISSING.add(text)


def translate(lang: str, text: str) -> str:
    """`text` (English) in `lang`: the catalogue's, else a domain's (`register_translations`),
    else English, remembered in `MISSING`."""
    if lang == DEFAULT:
        return text
    out = catalogue(lang).texts.get(text) or _domains("pages", lang, text)
    if not out:
        missed(text)
        return text
    return out


def _domains(kind: str, lang: str, key: str) -> str:
    """A domain's translation (`hookspecs.Translations`), or ''."""
    for tr in plugins.translations():
        if text := getattr(tr, kind).get(lang, {}).get(key):
            return str(text)
    return ""


def keyed(key: str, lang: str) -> str | None:
    """The text of a report key in `lang` (None: no such key); English, remembered in
    `MISSING`, when `lang` lacks it."""
    found = catalogue(lang).keys.get(key)
    if found is not None:
        en, text = found
    else:  # a domain's report keys
        en, text = _domains("reports", DEFAULT, key), _domains("reports", lang, key)
        if not en and not text:
            return None
    if not text:
        missed(key)
        return en or key
    return text


def extract_pot(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str | tuple[str, str], list[str]]]:
    """A Babel extraction method (babel.cfg) for a .pot file: its messages as they are, so the
    messages no `_()` call names join those extracted from the code."""
    for m in read_po(fileobj):
        if m.id and isinstance(m.id, str):
            line = m.lineno or 0
            if m.context:
                yield line, "pgettext", (m.context, m.id), list(m.auto_comments)
            else:
                yield line, "gettext", m.id, list(m.auto_comments)
