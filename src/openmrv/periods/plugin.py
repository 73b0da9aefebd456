"""How period locks join OpenMRV."""

from __future__ import annotations

import typer

from openmrv.hookspecs import hookimpl


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from openmrv.periods.cli import period_app

    cli.add_typer(period_app, name="period")
