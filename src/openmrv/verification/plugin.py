"""How verification cases join OpenMRV."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openmrv.hookspecs import NavLink, Permission, hookimpl
from openmrv.i18n import N_

if TYPE_CHECKING:  # the hooks import what they need: `openmrv --help` loads no store or web
    import typer

    from openmrv.store.coverage import LedgerCheck


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(
            "verify",
            "Open, review and conclude verification cases.",
            roles=("verifier",),
            scopes=("verify",),
        )
    ]


@hookimpl
def nav_links() -> list[NavLink]:
    return [NavLink("cases", "cases", N_("Verification"))]


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from openmrv.verification.cli import case_app

    cli.add_typer(case_app, name="case")


@hookimpl
def register_ledger_checks() -> list[LedgerCheck[Any]]:
    from openmrv.api import case_ledger

    return [case_ledger.LEDGER_CHECK]
