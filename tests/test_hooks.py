"""The extension points are documented, and the core's own domains register through them."""

from __future__ import annotations

import inspect
from pathlib import Path

from openmrv import hookspecs, plugins

ROOT = Path(__file__).resolve().parents[1]


def hook_names() -> list[str]:
    return [
        name
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(fn, "openmrv_spec")
    ]


def test_every_hook_is_documented():
    names = hook_names()
    assert len(names) == 14, names
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name in names:
        fn = getattr(hookspecs, name)
        assert (fn.__doc__ or "").strip(), f"hook {name} has no docstring"
        assert f"`{name}(" in doc, f"hook {name} is not in docs/architecture.md"


def test_core_domains_register_through_the_hooks():
    pm = plugins.manager()
    names = {name for name, _ in pm.list_name_plugin()}
    assert set(plugins.DEFAULT_DOMAINS) <= names
    # Every implementation names a declared hook (pluggy refuses unknown ones when asked).
    pm.check_pending()
    # Commands and navigation come from the domains, not from the core.
    links = {link.key for link in plugins.nav_links()}
    assert {"compare", "targets", "cases"} <= links
    assert "verify" in {p.name for p in plugins.permissions()}
