"""The toy domain's hooks: every hook OpenMRV declares, each contributing one thing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from fastapi import APIRouter

from openmrv.hookspecs import (
    Capture,
    NavLink,
    Permission,
    ReportSection,
    Translations,
    hookimpl,
)
from openmrv.ingest.columns import Schema
from openmrv.methods import Method
from openmrv.store.coverage import Coverage, LedgerCheck
from openmrv.store.schema import Migration
from tests.domains.toy import store
from tests.domains.toy.method import ToyFlare
from tests.domains.toy.schema import READINGS


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from tests.domains.toy.cli import toy_app

    cli.add_typer(toy_app, name="toy")


@hookimpl
def register_routers() -> list[APIRouter]:
    from tests.domains.toy.api import router

    return [router]


@hookimpl
def register_pages() -> list[APIRouter]:
    from tests.domains.toy.api import page_router

    return [page_router]


@hookimpl
def nav_links() -> list[NavLink]:
    return [NavLink("toy", "toy", "Toy flaring")]


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission("toy:permit", "Record flaring permits.", roles=("owner",), scopes=("write",))
    ]


@hookimpl
def register_migrations() -> list[Migration]:
    return store.MIGRATIONS


@hookimpl
def register_ledger_coverage() -> list[Coverage]:
    return [store.READINGS]


@hookimpl
def register_ledger_checks() -> list[LedgerCheck[Any]]:
    return [store.PERMITS]


@hookimpl
def register_methods() -> list[Method]:
    return [ToyFlare()]


@hookimpl
def register_schemas() -> list[Schema]:
    return [READINGS]


def _section(bundle: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({"method": [ToyFlare.id], "kg_co2_per_m3": [2.0]})


@hookimpl
def register_report_sections() -> list[ReportSection]:
    return [ReportSection("toy_flaring", "toy.section", _section)]


@hookimpl
def register_translations() -> list[Translations]:
    return [
        Translations(
            "toy",
            reports={"en": {"toy.section": "Toy flaring"}, "zh-CN": {"toy.section": "玩具火炬"}},
            pages={"zh-CN": {"Toy flaring": "玩具火炬"}},
        )
    ]


@hookimpl
def seed_demo(db: Any, examples: Path) -> None:
    """The toy has no demo data; a domain with none may leave this hook out."""


@hookimpl
def captured_co2(db: Any, org_id: str, facility_id: str, year: int) -> list[Capture]:
    """Flares capture nothing."""
    return []
