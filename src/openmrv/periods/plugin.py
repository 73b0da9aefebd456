"""How period locks join OpenMRV."""

from __future__ import annotations

from typing import Any

import typer

from openmrv.hookspecs import hookimpl
from openmrv.store import periods
from openmrv.store.coverage import LedgerCheck


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from openmrv.periods.cli import period_app

    cli.add_typer(period_app, name="period")


@hookimpl
def register_ledger_checks() -> list[LedgerCheck[Any]]:
    return [periods.LEDGER_CHECK]
