"""Validation's problem and fix texts, and the store's refusals, in another language.

Validation writes its messages in English (the CLI and the API show them as they are), many
with values in them. Rather than a second copy of every rule, the finished text is translated:
a fixed text by the catalogue's entry for it, a text with values through the catalogue's
entries with `{name}` placeholders (flagged python-brace-format), which match the values and
carry them into the translation unchanged (column names, numbers, units, file names stay as
the user wrote them). Placeholders named in `_TRANSLATED` hold English words from a small fixed
set (unit kinds, fuel states, column descriptions), translated themselves.
"""

from __future__ import annotations

import re
from functools import cache

from openmrv.i18n import catalogue

_TRANSLATED = {"kind", "state", "label", "doc", "held"}
_FIELD = re.compile(r"\{(\w+)\}")


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


def translate(text: str, lang: str = "zh-CN") -> str | None:
    """The translation of a problem, fix or refusal text; None when there is none."""
    exact = catalogue(lang).texts.get(text)
    if exact:
        return exact
    for pattern, out in patterns(lang):
        m = pattern.fullmatch(text)
        if m is None:
            continue
        values = m.groupdict()
        for name in _TRANSLATED & values.keys():
            values[name] = translate(values[name], lang)
            if values[name] is None:
                return None
        return out.format(**values)
    return None
