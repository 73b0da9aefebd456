"""The `openmrv` command line: the core's commands (store, ledger, web), then every domain's,
added through the `register_commands` hook (combustion's calculate and reports, periods'
locks, and any installed domain's)."""

from __future__ import annotations

import sys

import typer

from openmrv import plugins
from openmrv.cli import store, web

__all__ = ["app", "main"]

app = typer.Typer(
    help="OpenMRV: greenhouse-gas measurement, reporting and verification.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(store.commands)
app.add_typer(web.commands)
plugins.commands(app)


def main() -> None:  # pragma: no cover - console entry
    sys.exit(app())
