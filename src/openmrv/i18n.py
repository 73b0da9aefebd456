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

import re
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
    "categories",
    "extract_pot",
    "keyed",
    "message",
    "method_label",
    "missed",
    "po_path",
    "reason",
    "shown",
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


# Texts with values (validation's problems, the methods' reasons for not computing a record, the
# comparison's sentences) are written in English where they arise and stored so (results are
# data); they are translated where shown, by matching the catalogue's `{name}` templates.
_FIELD = re.compile(r"\{(\w+)\}")
# Fields holding English words from a small set, translated themselves; other fields (numbers,
# units, fuel and column names as the user wrote them) are carried over unchanged.
_WORDS = {"kind", "state", "label", "doc", "held"}


def _compile(template: str) -> re.Pattern[str]:
    """An English template as a pattern: literal text, `{name}` as a group (a name used twice
    must match the same text both times)."""
    out, seen = [], set()
    for i, part in enumerate(_FIELD.split(template)):
        if i % 2 == 0:
            out.append(re.escape(part))
        elif part in seen:
            out.append(f"(?P={part})")
        else:
            seen.add(part)
            out.append(f"(?P<{part}>.+?)")
    return re.compile("".join(out), re.S)


@cache
def patterns(lang: str) -> list[tuple[re.Pattern[str], str]]:
    """The catalogue's translated templates as patterns, those with the most literal text first
    (a longer form, such as a unit error "in a parameter unit", before the plain form that would
    also match it)."""
    texts = catalogue(lang).texts
    found = [(en, text) for en, text in texts.items() if text and _FIELD.search(en)]
    found.sort(key=lambda p: -len(_FIELD.sub("", p[0])))
    return [(_compile(en), text) for en, text in found]


def _names(lang: str) -> dict[str, str]:
    """Each methodology's id, label and short label -> its label in `lang`."""
    from openmrv import plugins  # the registered methods (methods.METHODS is above this layer)

    names = {}
    for m in plugins.methods():
        shown = m.label_zh if lang == "zh-CN" else m.label
        names.update({m.id: shown, m.label: shown, m.short_label: shown})
    return names


def method_label(value: str, lang: str) -> str | None:
    """A methodology (id or label) as its label in `lang` (None: not a methodology)."""
    return _names(lang).get(value)


def _methods(value: str, lang: str) -> str | None:
    """Methodology labels or ids inside a text (a list such as "China MEE 95.1, IPCC 2006 94.6")
    replaced by their labels in `lang`."""
    exact = catalogue(lang).texts.get(value)
    if exact:
        return exact
    names = _names(lang)
    found = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    return found.sub(lambda x: names[x.group(0)], value) if names else value


def _category(value: str, lang: str) -> str | None:
    return keyed(f"category.{value}", lang) if f"category.{value}" in catalogue(lang).keys else None


def categories(value: str, lang: str) -> str:
    """A list of activity categories ("process, refrigerant") in `lang`."""
    if lang == DEFAULT:
        return value
    return "、".join(_category(c, lang) or c for c in value.split(", "))


def _value(name: str, value: str, lang: str) -> str | None:
    """A template field's value in `lang`, by the field's name."""
    if name in _WORDS:
        return message(value, lang)
    if name == "category":
        return _category(value, lang)
    if name == "categories":
        return categories(value, lang)
    if name == "method" or name.endswith("_method"):
        return method_label(value, lang)
    if name == "methods" or name.endswith("_methods"):
        return _methods(value, lang)
    return value


def message(text: str, lang: str, *, fields_hold: str = "") -> str | None:
    """A finished English text with values in `lang`: the catalogue's entry for it, else the
    first `{name}` template it matches, its fields carried over (translated when they name
    methodologies, categories or words of a small set); None when there is none. With
    `fields_hold`, no field may hold that text (`reason` joins reasons with "; ")."""
    if lang == DEFAULT:
        return text
    exact = catalogue(lang).texts.get(text)
    if exact:
        return exact
    for pattern, out in patterns(lang):
        m = pattern.fullmatch(text)
        if m is None or (fields_hold and any(fields_hold in v for v in m.groupdict().values())):
            continue
        values = {k: _value(k, v, lang) for k, v in m.groupdict().items()}
        if None in values.values():
            continue
        return out.format(**values)
    return None


def shown(text: str, lang: str) -> str:
    """`message` of `text`, else English, remembered in `MISSING`."""
    out = message(text, lang)
    if out is None:
        missed(text)
        return text
    return out


_SEP = {"zh-CN": ("；", "：")}


def reason(text: str, lang: str) -> str:
    """Why a record was not computed, in `lang`. The reports join one method's reasons (its
    gases') with "; " and a chain's with " | " as "<method>: <reasons>"; each part is translated
    (the longest run of "; "-joined parts that is one message, as a message may hold "; "
    itself). A part without a translation stays English and is remembered in `MISSING`."""
    if lang == DEFAULT or not text:
        return text
    semi, colon = _SEP.get(lang, ("; ", ": "))
    out = []
    for part in text.split(" | "):
        head, sep, rest = part.partition(": ")
        label = method_label(head, lang) if sep else None
        body = rest if label else part
        pieces, said, i = body.split("; "), [], 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):
                # a run of several reasons is one message only if no field spans a "; "
                done = message("; ".join(pieces[i:j]), lang, fields_hold="; " if j - i > 1 else "")
                if done is not None:
                    said.append(done)
                    i = j
                    break
            else:
                missed(pieces[i])
                said.append(pieces[i])
                i += 1
        out.append((f"{label}{colon}" if label else "") + semi.join(said))
    return " | ".join(out)
