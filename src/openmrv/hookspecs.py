# mypy: disable-error-code="empty-body"
# (hook specifications have no body: pluggy calls the implementations)
"""The extension points: every way a domain adds to OpenMRV, one documented hook each.

A domain (stationary combustion, period locks, verification cases, and the ones to come: PACT,
hourly grid accounting, CCUS, ...) is a module of ``@hookimpl`` functions named after these
specs, listed in ``plugins.DEFAULT_DOMAINS`` or installed under the ``openmrv`` entry-point
group. The core calls the hooks through ``openmrv.plugins`` and never imports a domain, so a new
domain is added without editing a core file. Hooks that contribute return a list; the manager
flattens them in registration order. This module imports nothing of OpenMRV at run time: it is
the bottom of the layers. The small value types that hooks return and that belong to no layer
(navigation links, permissions, report sections, translations) are declared here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

__all__ = [
    "NavLink",
    "Permission",
    "ReportSection",
    "Translations",
    "hookimpl",
    "hookspec",
]

hookspec = pluggy.HookspecMarker("openmrv")
hookimpl = pluggy.HookimplMarker("openmrv")


@dataclass(frozen=True)
class NavLink:
    """A link in the organisation pages' navigation bar: `path` below /orgs/{org}, shown to
    principals holding `permission` (None: everyone who may read), `label` in English (the key
    of the pages' translation catalogue)."""

    key: str
    path: str
    label: str
    permission: str | None = None


@dataclass(frozen=True)
class Capture:
    """CO2 captured at a facility in a year, t, as a domain accounts it (`source`: how, e.g.
    the equation), offered to other domains through the `captured_co2` hook."""

    captured_t: float
    source: str


@dataclass(frozen=True)
class Permission:
    """An organisation permission: which roles hold it and which API token scopes carry it."""

    name: str
    doc: str
    roles: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportSection:
    """A table a domain adds to the report bundle (every format), after the core's tables.
    `table(bundle, lang)` returns a DataFrame (empty: the section is left out); `title` is a
    key of the report translations; `chart(bundle, lang)`, when given, a Plotly figure the HTML
    report draws above the table (None: no chart)."""

    name: str
    title: str
    table: Callable[[Any, str], Any]
    chart: Callable[[Any, str], Any] | None = None


@dataclass(frozen=True)
class Translations:
    """A domain's messages: language -> (key or English text -> translation), consulted after
    the core's gettext catalogue (openmrv.i18n, docs/translating.md). `reports` keys are report
    keys (reports.i18n.t; give "en" too), `pages` keys the English texts of pages and commands."""

    domain: str
    reports: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    pages: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@hookspec
def register_commands(cli: typer.Typer) -> None:
    """Add this domain's commands or sub-apps (``cli.add_typer``) to the command line."""


@hookspec
def register_routers() -> list[APIRouter]:
    """API routers (paths under /api/v1; every route declares its ``x-permission``)."""


@hookspec
def register_pages() -> list[APIRouter]:
    """Routers of server-rendered pages (templates through ``web.pages.render``)."""


@hookspec
def nav_links() -> list[NavLink]:
    """Links this domain adds to the organisation pages' navigation bar."""


@hookspec
def register_permissions() -> list[Permission]:
    """Organisation permissions this domain introduces, with the roles that hold them."""


@hookspec
def register_migrations() -> list[Any]:
    """``store.schema.Migration`` values of this domain, numbered from 1 within the domain."""


@hookspec
def register_ledger_coverage() -> list[Any]:
    """``store.coverage.Coverage`` values: the tables whose rows batch digests cover."""


@hookspec
def register_ledger_checks() -> list[Any]:
    """``store.coverage.LedgerCheck`` values: how ``ledger verify`` checks this domain's events
    and finds its rows that no event records."""


@hookspec
def register_methods() -> list[Any]:
    """``methods.Method`` instances this domain calculates with."""


@hookspec
def register_schemas() -> list[Any]:
    """``ingest.columns.Schema`` values: the input files this domain reads."""


@hookspec
def register_report_sections() -> list[ReportSection]:
    """Tables this domain adds to reports."""


@hookspec
def register_translations() -> list[Translations]:
    """This domain's messages in every language OpenMRV speaks."""


@hookspec
def captured_co2(db: Any, org_id: str, facility_id: str, year: int) -> list[Capture]:
    """CO2 this domain accounts as captured at the facility in the year (e.g. CCUS capture),
    for other domains to use (product footprints' CCS fields); [] when it has none."""


@hookspec
def seed_demo(db: Any, examples: Path) -> None:
    """Add this domain's demo data from the `examples` folder to a store `openmrv demo-seed`
    has filled with the example facilities, users, activity and calculation runs."""
