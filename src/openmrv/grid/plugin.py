"""How the grid domain joins OpenMRV: its commands and input schemas."""

from __future__ import annotations

import typer

from openmrv.grid.schema import SCHEMAS
from openmrv.hookspecs import hookimpl
from openmrv.ingest.columns import Schema


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from openmrv.grid.cli import grid_app

    cli.add_typer(grid_app, name="grid")


@hookimpl
def register_schemas() -> list[Schema]:
    return list(SCHEMAS)
