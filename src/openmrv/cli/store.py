"""Store commands: ingest into the versioned store, record history and deletion, and the
ledger. Part of the core command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from openmrv.cli.console import (
    EXIT_INPUT,
    ByOpt,
    DbOpt,
    OrgOpt,
    ReasonOpt,
    actor,
    err,
    opened_store,
    out,
)

ledger_app = typer.Typer(help="The tamper-evident ledger.", no_args_is_help=True)
commands = typer.Typer()
commands.add_typer(ledger_app, name="ledger")


def show_report(report) -> None:
    """An ingest's warnings, then its summary."""
    for w in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {w}", soft_wrap=True, highlight=False)
    out.print(report.summary(), soft_wrap=True, highlight=False)


@commands.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="Activity files (CSV, XLSX, JSON, Parquet).")],
    db: DbOpt = "openmrv.duckdb",
    facilities: Annotated[
        Path | None, typer.Option(help="Register or update facilities from this file first.")
    ] = None,
    by: ByOpt = None,
    reason: ReasonOpt = None,
    org: Annotated[
        str | None,
        typer.Option(
            "--org",
            help="Store as this organisation: only its facilities are accepted. Default: each "
            "row is its facility's organisation's.",
        ),
    ] = None,
) -> None:
    """Store activity files, one batch each: all or nothing, idempotent, versioned. A record is
    an organisation's record id: two organisations may use the same ids."""
    from openmrv.store.ingest import ingest as run
    from openmrv.store.ingest import load_facilities

    with opened_store(db) as store:
        if facilities is not None:
            batch, n = load_facilities(store, facilities, actor(by))
            out.print(
                f"{facilities.name}: {n} facilities registered or updated"
                if batch
                else f"{facilities.name}: facilities unchanged"
            )
        for f in files:
            show_report(run(store, f, actor(by), reason, org=org))


@commands.command()
def history(
    record_id: Annotated[str, typer.Argument(help="Record id.")],
    db: DbOpt = "openmrv.duckdb",
    org: OrgOpt = None,
) -> None:
    """Every version of a record: who, when, why, and from which file and row. Without --org,
    the one organisation using the id; refused, naming them, when several do."""
    from openmrv.store.ingest import history as versions

    with opened_store(db) as store:
        rows = versions(store, record_id, org)
    if not rows:
        where = f"of {org}" if org else "in the store"
        err.print(f"[red]no record {record_id!r} {where}[/red]")
        raise typer.Exit(EXIT_INPUT)
    t = Table(title=f"History of {record_id}" + (f" ({org})" if org else ""))
    for c in ("version", "when", "who", "why", "batch", "from", "period", "quantity", "quality"):
        t.add_column(c, overflow="fold")
    for r in rows:
        what = "deleted" if r["deleted"] else f"{r['quantity']:g} {r['unit']}"
        where = f"{r['file_name']} row {r['source_row']}" if r["file_name"] else r["kind"]
        t.add_row(
            str(r["version"]),
            r["submitted_at"][:19].replace("T", " "),
            r["submitted_by"],
            r["reason"] or "",
            f"{r['batch_id']} ({r['kind']})",
            where,
            f"{r['period_start']} – {r['period_end']}",
            what,
            r["data_quality"] or "",
        )
    out.print(t)


@commands.command()
def delete(
    record_ids: Annotated[list[str], typer.Argument(help="Record ids.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the records are withdrawn.")],
    db: DbOpt = "openmrv.duckdb",
    by: ByOpt = None,
    org: OrgOpt = None,
) -> None:
    """Withdraw records: a tombstone version with the reason (nothing is erased). Without
    --org, the one organisation using the ids; refused, naming them, when several do."""
    from openmrv.store.ingest import delete as run

    with opened_store(db) as store:
        batch = run(store, record_ids, actor(by), reason, org)
    out.print(f"{len(record_ids)} record(s) deleted as batch {batch}")


@ledger_app.command("verify")
def ledger_verify(
    db: DbOpt = "openmrv.duckdb",
    head: Annotated[
        str | None, typer.Option(help="Also require this head hash (kept from an earlier run).")
    ] = None,
) -> None:
    """Recompute the hash chain and every batch digest; exit 1 naming the first broken event."""
    from openmrv.store.ledger import verify

    with opened_store(db, recovering=False) as store:
        v = verify(store, expect_head=head)
    if v.ok:
        out.print(f"ledger OK: {v.events} events, head {v.head}", soft_wrap=True)
        return
    first = v.findings[0]
    err.print(f"[red]ledger BROKEN: first broken {first}[/red]", soft_wrap=True, highlight=False)
    for f in v.findings[1:]:
        err.print(f"  {f}", soft_wrap=True, highlight=False)
    raise typer.Exit(1)


@ledger_app.command("export")
def ledger_export(
    out_path: Annotated[
        Path | None, typer.Option("--out", "-o", help="JSON-lines file (default: stdout).")
    ] = None,
    db: DbOpt = "openmrv.duckdb",
) -> None:
    """Write the ledger as JSON lines, one event per line, in chain order."""
    from openmrv.store.ledger import export

    with opened_store(db) as store:
        lines = list(export(store))
    text = "".join(line + "\n" for line in lines)
    if out_path is None:
        sys.stdout.write(text)
    else:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(text, encoding="utf-8")
        err.print(f"{len(lines)} events written to {out_path}")
