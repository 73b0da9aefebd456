"""The pages' languages: English and Simplified Chinese, from the gettext catalogue
(openmrv.i18n; the translations are in openmrv/locale, docs/translating.md).

Templates call `_("...")`, the English text, which the catalogue translates. Messages about an
uploaded file (validation problems and fixes, refused changes) carry values and come from
validation in English; `message` translates the finished text (web.problems_zh). A text the
catalogue lacks is shown in English and remembered in `MISSING`, which the tests check after
rendering every page in Chinese, so a new page cannot ship untranslated.
"""

from __future__ import annotations

from openmrv.i18n import DEFAULT, MISSING, missed, translate
from openmrv.web import problems_zh

__all__ = ["DEFAULT", "LANGUAGES", "MISSING", "message", "pick", "translate"]

LANGUAGES = {"en": "English", "zh-CN": "简体中文"}


def message(lang: str, text: str) -> str:
    """A problem, fix or refusal text of an upload in `lang`; English (and remembered in
    `MISSING`) when the catalogue has no form of it."""
    if lang == DEFAULT:
        return text
    out = problems_zh.translate(text, lang)
    if out is None:
        missed(text)
        return text
    return out


def pick(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT
