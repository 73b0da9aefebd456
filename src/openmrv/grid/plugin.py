"""How the grid domain joins OpenMRV: its commands, input schemas, certificate tables and
their ledger coverage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openmrv.hookspecs import NavLink, ReportSection, Translations, hookimpl
from openmrv.ingest.columns import Schema

if TYPE_CHECKING:  # the hooks import what they need: `openmrv --help` loads no store or web
    import typer
    from fastapi import APIRouter

    from openmrv.store.coverage import Coverage
    from openmrv.store.schema import Migration


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from openmrv.grid.cli import grid_app

    cli.add_typer(grid_app, name="grid")


@hookimpl
def register_pages() -> list[APIRouter]:
    from openmrv.grid.pages import page_router

    return [page_router]


@hookimpl
def nav_links() -> list[NavLink]:
    return [NavLink("grid", "grid", "Grid")]


@hookimpl
def register_report_sections() -> list[ReportSection]:
    from openmrv.grid.report import cfe_chart, cfe_table, heatmap_chart, scope2_table

    return [
        ReportSection("grid_scope2", "grid.scope2", scope2_table, heatmap_chart),
        ReportSection("grid_cfe", "grid.cfe", cfe_table, cfe_chart),
    ]


@hookimpl
def register_translations() -> list[Translations]:
    from openmrv.grid.i18n import PAGES, REPORTS

    return [Translations("grid", reports=REPORTS, pages=PAGES)]


@hookimpl
def register_schemas() -> list[Schema]:
    from openmrv.grid import storage
    from openmrv.grid.certificates import BUNDLES
    from openmrv.grid.schema import SCHEMAS

    return [*SCHEMAS, BUNDLES, storage.RECORDS]


@hookimpl
def register_migrations() -> list[Migration]:
    from openmrv.grid import storage, store

    return [*store.MIGRATIONS, storage.MIGRATION]


@hookimpl
def register_ledger_coverage() -> list[Coverage]:
    from openmrv.grid import storage, store

    return [*store.COVERAGE, storage.COVERAGE]
