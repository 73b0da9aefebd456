"""Validation's problem and fix texts, and the store's refusals, in another language.

Validation writes its messages in English (the CLI and the API show them as they are), many
with values in them. Rather than a second copy of every rule, the finished text is translated
by the catalogue's `{name}` templates (`openmrv.i18n.message`, which the reports use too for
the reasons a record was not computed): column names, numbers, units and file names stay as the
user wrote them.
"""

from __future__ import annotations

from openmrv.i18n import message, patterns

__all__ = ["patterns", "translate"]


def translate(text: str, lang: str = "zh-CN") -> str | None:
    """The translation of a problem, fix or refusal text; None when there is none."""
    return message(text, lang)
