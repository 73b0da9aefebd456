"""`openmrv period ...`: lock a facility's reporting year, and restate a locked one (registered
by the periods domain's plugin)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from openmrv.cli.console import ByOpt, DbOpt, actor, opened_store, out
from openmrv.cli.store import show_report

period_app = typer.Typer(help="Lock and restate reporting periods.", no_args_is_help=True)


@period_app.command("lock")
def period_lock(
    facility_id: Annotated[str, typer.Argument(help="Facility id.")],
    year: Annotated[int, typer.Argument(help="Reporting year.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, e.g. 'verified by ...'.")],
    db: DbOpt = "openmrv.duckdb",
    by: ByOpt = None,
) -> None:
    """Lock a facility's reporting year: later changes need a restatement."""
    from openmrv.store.periods import lock

    with opened_store(db) as store:
        event = lock(store, facility_id, year, actor(by), reason)
    out.print(f"{facility_id} {year} locked (ledger event {event.seq})")


@period_app.command("restate")
def period_restate(
    facility_id: Annotated[str, typer.Argument(help="Facility id.")],
    year: Annotated[int, typer.Argument(help="Reporting year.")],
    file: Annotated[Path, typer.Argument(help="Activity file with the corrected records.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the period is restated.")],
    db: DbOpt = "openmrv.duckdb",
    by: ByOpt = None,
) -> None:
    """Change a locked period: the ledger event records the diff and the reason."""
    from openmrv.store.ingest import ingest as run

    with opened_store(db) as store:
        report = run(store, file, actor(by), reason, restating=(facility_id, year))
    show_report(report)
    if report.restatement:
        out.print(json.dumps(report.restatement, indent=2, ensure_ascii=False, default=str))
