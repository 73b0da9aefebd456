"""The `openmrv` command line: the core's commands (store, ledger, web), then every domain's,
added through the `register_commands` hook (combustion's calculate and reports, periods'
locks, and any installed domain's)."""

from __future__ import annotations

import sys

import typer

from openmrv import plugins
from openmrv.cli import store, web
from openmrv.cli.console import Handled

__all__ = ["app", "build_app", "main"]


def build_app() -> typer.Typer:
    """The command line with the core's commands and those of every registered domain."""
    cli = typer.Typer(
        cls=Handled,
        help="OpenMRV: greenhouse-gas measurement, reporting and verification.",
        no_args_is_help=True,
        add_completion=False,
    )
    cli.add_typer(store.commands)
    cli.add_typer(web.commands)
    plugins.commands(cli)
    return cli


app = build_app()


def main() -> None:  # pragma: no cover - console entry
    sys.exit(app())
