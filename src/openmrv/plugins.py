"""The one plugin manager: which domains are loaded, and what they contribute.

The core's own domains are listed by module *name* in ``DEFAULT_DOMAINS`` and imported here on
first use, like domains installed from other packages (entry-point group ``openmrv``), so no
core module imports a domain (import-linter holds it). Callers ask through the functions below,
which flatten the hooks' lists in registration order (core domains first).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import pluggy

from openmrv import hookspecs
from openmrv.hookspecs import NavLink, Permission, ReportSection, Translations

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

__all__ = [
    "DEFAULT_DOMAINS",
    "commands",
    "ledger_checks",
    "ledger_coverage",
    "manager",
    "methods",
    "migrations",
    "nav_links",
    "pages",
    "permissions",
    "report_sections",
    "routers",
    "schemas",
    "translations",
]

DEFAULT_DOMAINS = (
    "openmrv.combustion.plugin",
    "openmrv.periods.plugin",
    "openmrv.verification.plugin",
)

_pm: pluggy.PluginManager | None = None


def manager() -> pluggy.PluginManager:
    """The plugin manager, with the default domains and installed ones registered (once)."""
    global _pm
    if _pm is None:
        pm = pluggy.PluginManager("openmrv")
        pm.add_hookspecs(hookspecs)
        for name in DEFAULT_DOMAINS:
            pm.register(importlib.import_module(name), name=name)
        pm.load_setuptools_entrypoints("openmrv")
        _pm = pm
    return _pm


def _flat(results: list[list[Any]]) -> list[Any]:
    # pluggy calls the newest registration first: reversed, the core domains come first.
    return [item for result in reversed(results) for item in (result or [])]


def commands(cli: typer.Typer) -> None:
    """Let every domain add its commands, in registration order (the order of `--help`)."""
    for impl in manager().hook.register_commands.get_hookimpls():
        impl.function(cli=cli)


def routers() -> list[APIRouter]:
    return _flat(manager().hook.register_routers())


def pages() -> list[APIRouter]:
    return _flat(manager().hook.register_pages())


def nav_links() -> list[NavLink]:
    return _flat(manager().hook.nav_links())


def permissions() -> list[Permission]:
    return _flat(manager().hook.register_permissions())


def migrations() -> list[Any]:
    return _flat(manager().hook.register_migrations())


def ledger_coverage() -> list[Any]:
    return _flat(manager().hook.register_ledger_coverage())


def ledger_checks() -> list[Any]:
    return _flat(manager().hook.register_ledger_checks())


def methods() -> list[Any]:
    return _flat(manager().hook.register_methods())


def schemas() -> list[Any]:
    return _flat(manager().hook.register_schemas())


def report_sections() -> list[ReportSection]:
    return _flat(manager().hook.register_report_sections())


def translations() -> list[Translations]:
    return _flat(manager().hook.register_translations())
