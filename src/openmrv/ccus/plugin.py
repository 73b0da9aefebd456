"""How CCUS joins OpenMRV: its commands, page and navigation link, tables and ledger
coverage, input schemas, report section and messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from openmrv.ccus.schema import FILES
from openmrv.hookspecs import Capture, NavLink, ReportSection, Translations, hookimpl
from openmrv.ingest.columns import Schema

if TYPE_CHECKING:  # the hooks import what they need: `openmrv --help` loads no store or web
    import pandas as pd
    import typer
    from fastapi import APIRouter

    from openmrv.ccus.report import CcusReport
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
    from openmrv.ccus import store

    return store.MIGRATIONS


@hookimpl
def register_ledger_coverage() -> list[Coverage]:
    from openmrv.ccus import store

    return store.COVERAGE


@hookimpl
def register_schemas() -> list[Schema]:
    return list(FILES.values())


def _report(bundle: Any) -> CcusReport | None:
    """The CCUS report a bundle carries (meta["ccus"], put there by `openmrv ccus report
    --facilities --activity`); None: the sections are left out."""
    from openmrv.ccus.report import CcusReport

    r = getattr(bundle, "meta", {}).get("ccus")
    return r if isinstance(r, CcusReport) else None


def _table(name: str) -> Callable[[Any, str], pd.DataFrame]:
    def table(bundle: Any, lang: str) -> pd.DataFrame:
        import pandas as pd

        r = _report(bundle)
        return r.tables(lang)[name] if r is not None else pd.DataFrame()

    return table


def _sankey(bundle: Any, lang: str) -> Any:
    from openmrv.ccus.report import sankey

    r = _report(bundle)
    return sankey(r.edges, lang) if r is not None and len(r.edges) else None


@hookimpl
def register_report_sections() -> list[ReportSection]:
    return [
        ReportSection("ccus_capture", "ccus.capture", _table("ccus_capture"), _sankey),
        ReportSection("ccus_sites", "ccus.rr", _table("ccus_sites")),
        ReportSection("ccus_custody", "ccus.custody", _table("ccus_custody")),
    ]


@hookimpl
def register_translations() -> list[Translations]:
    from openmrv.ccus.report import PAGES, REPORTS

    return [Translations("ccus", reports=REPORTS, pages=PAGES)]


@hookimpl
def captured_co2(db: Any, org_id: str, facility_id: str, year: int) -> list[Capture]:
    """The facility's capture of the year (Subpart PP, PP-3a/PP-3b), from the stored data."""
    from openmrv.ccus import store
    from openmrv.ccus.account import captured

    d = store.load(store.org_rows(db, org_id))
    if d is None:
        return []
    c = captured(d.capture)
    c = c[(c.facility_id == facility_id) & (c.year == year)]
    if c.empty:
        return []
    eqs = "/".join(sorted(set(c.equation)))
    return [Capture(float(c.captured_t.sum()), f"CCUS capture, 40 CFR 98 Subpart PP ({eqs})")]
