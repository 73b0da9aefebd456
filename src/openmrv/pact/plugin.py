"""How PACT joins OpenMRV: its tables and what the ledger covers (footprints issued and
received), its commands, and the host's routes at the site root (PACT paths are absolute:
/3/footprints, /3/events, /auth/token, /.well-known/openid-configuration)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from openmrv.hookspecs import NavLink, Translations, hookimpl
from openmrv.ingest.columns import Schema

if TYPE_CHECKING:  # the hooks import what they need: `openmrv --help` loads no store or web
    import typer
    from fastapi import APIRouter

    from openmrv.store.coverage import Coverage
    from openmrv.store.schema import Migration


@hookimpl
def register_migrations() -> list[Migration]:
    from openmrv.pact import store

    return store.MIGRATIONS


@hookimpl
def register_ledger_coverage() -> list[Coverage]:
    from openmrv.pact import store

    return store.COVERAGE


@hookimpl
def register_pages() -> list[APIRouter]:
    from openmrv.pact.footprint_pages import footprint_router
    from openmrv.pact.host import host_router
    from openmrv.pact.pages import page_router

    return [host_router, page_router, footprint_router]


@hookimpl
def nav_links() -> list[NavLink]:
    return [
        NavLink("pact", "pact", "PACT", permission="admin"),
        NavLink("pcf", "pact/footprints", "Product footprints"),
    ]


@hookimpl
def register_schemas() -> list[Schema]:
    from openmrv.pact.schema import FILES

    return list(FILES.values())


@hookimpl
def register_translations() -> list[Translations]:
    from openmrv.pact.footprint_pages import FOOTPRINT_PAGES
    from openmrv.pact.pages import PAGES

    return [Translations("pact", pages=PAGES), Translations("pcf", pages=FOOTPRINT_PAGES)]


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from openmrv.pact.cli import pact_app
    from openmrv.pact.compute_cli import compute

    pact_app.command("compute")(compute)
    cli.add_typer(pact_app, name="pact")


@hookimpl
def seed_demo(db: Any, examples: Path) -> None:
    from openmrv.pact.demo import seed

    seed(db, examples)
