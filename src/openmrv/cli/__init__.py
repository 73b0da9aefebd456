"""The command line: `app` (the `openmrv` command), built by `cli.app` from the core's commands
and every domain's; `cli.console` holds what all commands share."""

from openmrv.cli.app import app, build_app, main

__all__ = ["app", "build_app", "console", "main", "store", "web"]
