"""How stationary combustion joins OpenMRV: its commands (and, through the hooks, whatever
else it contributes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openmrv.combustion.schema import ACTIVITY
from openmrv.hookspecs import NavLink, hookimpl
from openmrv.i18n import N_
from openmrv.ingest.columns import Schema

if TYPE_CHECKING:  # the hooks import what they need: `openmrv --help` loads no engine
    import typer

    from openmrv.methods import Method


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from openmrv.combustion import cli as calculate_cli
    from openmrv.combustion import cli_engine, cli_reports

    cli.add_typer(calculate_cli.commands)
    cli.add_typer(cli_engine.commands)
    cli.add_typer(cli_reports.report_app, name="report")


@hookimpl
def nav_links() -> list[NavLink]:
    return [
        NavLink("compare", "compare", N_("Comparison")),
        NavLink("targets", "targets", N_("Targets")),
    ]


@hookimpl
def register_schemas() -> list[Schema]:
    return [ACTIVITY]


@hookimpl
def register_methods() -> list[Method]:
    from openmrv.methods import METHODS

    return list(METHODS.values())
