"""Every report string in English and Simplified Chinese, from the gettext catalogue.

Report texts are named by a key (``report.title``, ``col.<column>``): the msgctxt of their entry
in openmrv/locale (English in locale/extra.pot, translations in the .po files;
docs/translating.md). Column headers of the regulator tables are bilingual by design
("English 中文").
"""

from __future__ import annotations

from openmrv.i18n import LANGS, catalogue, keyed

__all__ = ["LANGS", "bilingual", "header", "label", "t"]


def t(key: str, lang: str = "en") -> str:
    """The text of `key` in `lang` ('en' or 'zh-CN')."""
    text = keyed(key, lang)
    if text is None:
        raise KeyError(f"no message {key!r} in the report catalogue")
    return text


def bilingual(key: str) -> str:
    """A header in both languages, for regulator tables: 'English 中文'."""
    return f"{t(key, 'en')} {t(key, 'zh-CN')}"


def label(column: str, lang: str) -> str:
    """A table column's label: the catalogue's 'col.<name>' when there is one, else the name."""
    if f"col.{column}" in catalogue("en").keys:
        return t(f"col.{column}", lang)
    return column


def header(key: str, lang: str, both: bool = False) -> str:
    return bilingual(key) if both else t(key, lang)
