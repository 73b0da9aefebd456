"""How period locks join OpenMRV."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openmrv.hookspecs import hookimpl

if TYPE_CHECKING:  # the hooks import what they need: `openmrv --help` loads no store
    import typer

    from openmrv.store.coverage import LedgerCheck


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from openmrv.periods.cli import period_app

    cli.add_typer(period_app, name="period")


@hookimpl
def register_ledger_checks() -> list[LedgerCheck[Any]]:
    from openmrv.store import periods

    return [periods.LEDGER_CHECK]
