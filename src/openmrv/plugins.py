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
from openmrv.hookspecs import Capture, NavLink, Permission, ReportSection, Translations

if TYPE_CHECKING:
    from pathlib import Path

    import typer
    from fastapi import APIRouter

__all__ = [
    "DEFAULT_DOMAINS",
    "Manager",
    "captured_co2",
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
    "seed_demo",
    "translations",
]

DEFAULT_DOMAINS = (
    "openmrv.combustion.plugin",
    "openmrv.periods.plugin",
    "openmrv.verification.plugin",
    "openmrv.ccus.plugin",
    "openmrv.grid.plugin",
    "openmrv.pact.plugin",
)


class Manager(pluggy.PluginManager):
    """pluggy's manager, counting (un)registrations so that what the domains contribute is
    collected once per set of domains, not on every request that draws a page."""

    def __init__(self) -> None:
        super().__init__("openmrv")
        self.generation = 0
        self.cache: dict[str, tuple[int, list[Any]]] = {}

    def register(self, plugin: object, name: str | None = None) -> str | None:
        self.generation += 1
        return super().register(plugin, name)

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any:
        self.generation += 1
        return super().unregister(plugin, name)


_pm: Manager | None = None


def manager() -> Manager:
    """The plugin manager, with the default domains and installed ones registered (once)."""
    global _pm
    if _pm is None:
        pm = Manager()
        pm.add_hookspecs(hookspecs)
        for name in DEFAULT_DOMAINS:
            pm.register(importlib.import_module(name), name=name)
        pm.load_setuptools_entrypoints("openmrv")
        _pm = pm
    return _pm


def _flat(hook: str) -> list[Any]:
    """What every domain's `hook` returns, as one list in registration order (core domains
    first; pluggy calls the newest registration first), collected once per set of domains."""
    pm = manager()
    held = pm.cache.get(hook)
    if held is None or held[0] != pm.generation:
        results = getattr(pm.hook, hook)()
        held = (pm.generation, [item for r in reversed(results) for item in (r or [])])
        pm.cache[hook] = held
    return list(held[1])


def commands(cli: typer.Typer) -> None:
    """Let every domain add its commands, in registration order (the order of `--help`)."""
    for impl in manager().hook.register_commands.get_hookimpls():
        impl.function(cli=cli)


def routers() -> list[APIRouter]:
    return _flat("register_routers")


def pages() -> list[APIRouter]:
    return _flat("register_pages")


def nav_links() -> list[NavLink]:
    return _flat("nav_links")


def permissions() -> list[Permission]:
    return _flat("register_permissions")


def migrations() -> list[Any]:
    return _flat("register_migrations")


def ledger_coverage() -> list[Any]:
    return _flat("register_ledger_coverage")


def ledger_checks() -> list[Any]:
    return _flat("register_ledger_checks")


def methods() -> list[Any]:
    return _flat("register_methods")


def schemas() -> list[Any]:
    return _flat("register_schemas")


def report_sections() -> list[ReportSection]:
    return _flat("register_report_sections")


def translations() -> list[Translations]:
    return _flat("register_translations")


def captured_co2(db: Any, org_id: str, facility_id: str, year: int) -> list[Capture]:
    """What every domain accounts as captured at the facility in the year."""
    results = manager().hook.captured_co2(db=db, org_id=org_id, facility_id=facility_id, year=year)
    return [c for r in reversed(results) for c in (r or [])]


def seed_demo(db: Any, examples: Path) -> None:
    """Let every domain add its demo data, in registration order (`openmrv demo-seed`)."""
    for impl in manager().hook.seed_demo.get_hookimpls():
        impl.function(db=db, examples=examples)
