"""How CCUS joins OpenMRV: its commands, page and navigation link, tables and ledger
coverage, input schemas, report section and messages."""

from __future__ import annotations

from typing import Any

import pandas as pd
import typer
from fastapi import APIRouter

from openmrv.ccus import store
from openmrv.ccus.report import PAGES, REPORTS
from openmrv.ccus.schema import FILES
from openmrv.hookspecs import NavLink, ReportSection, Translations, hookimpl
from openmrv.ingest.columns import Schema
from openmrv.store.coverage import Coverage
from openmrv.store.schema import Migration


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from openmrv.ccus.cli import ccus_app

    cli.add_typer(ccus_app, name="ccus")


@hookimpl
def register_pages() -> list[APIRouter]:
    from openmrv.ccus.pages import page_router

    return [page_router]


@hookimpl
def nav_links() -> list[NavLink]:
    return [NavLink("ccus", "ccus", "CCUS")]


@hookimpl
def register_migrations() -> list[Migration]:
    return store.MIGRATIONS


@hookimpl
def register_ledger_coverage() -> list[Coverage]:
    return store.COVERAGE


@hookimpl
def register_schemas() -> list[Schema]:
    return list(FILES.values())


def _section(bundle: Any, lang: str) -> pd.DataFrame:
    """The sites' annual figures when the bundle carries a CCUS report (meta["ccus"], set by
    `openmrv ccus report`); otherwise empty, and the section is left out."""
    r = getattr(bundle, "meta", {}).get("ccus")
    return r.tables(lang)["ccus_sites"] if r is not None else pd.DataFrame()


@hookimpl
def register_report_sections() -> list[ReportSection]:
    return [ReportSection("ccus_sites", "ccus.rr", _section)]


@hookimpl
def register_translations() -> list[Translations]:
    return [Translations("ccus", reports=REPORTS, pages=PAGES)]
