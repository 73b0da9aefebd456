"""Store commands: ingest into the versioned store, record history and deletion, the ledger,
and reporting-period locks. Registered on the main `openmrv` app."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from openmrv.cli import EXIT_INPUT, _show_problems, app, err, out
from openmrv.ingest.errors import InputError

EXIT_BUSY = 75  # EX_TEMPFAIL: try again later

DbOpt = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="OPENMRV_DB",
        help="Store: a DuckDB file (default openmrv.duckdb) or a postgresql:// URL.",
    ),
]
ByOpt = Annotated[
    str | None, typer.Option("--by", help="Who makes the change (default: the login name).")
]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why (needed for corrections).")]
OrgOpt = Annotated[
    str | None,
    typer.Option(
        "--org",
        help="Organisation whose records these are (needed when several use the record ids).",
    ),
]

ledger_app = typer.Typer(help="The tamper-evident ledger.", no_args_is_help=True)
period_app = typer.Typer(help="Lock and restate reporting periods.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")
app.add_typer(period_app, name="period")


def _actor(by: str | None) -> str:
    return by or getpass.getuser()


@contextmanager
def _store(db: str, recovering: bool = True) -> Iterator:
    """Open the store; turn refusals and bad input into clear messages and exit codes."""
    from openmrv.store import Busy, StoreError, open_store

    try:
        store = open_store(db, recovering=recovering)
    except Busy as exc:
        err.print(f"[red]{exc}[/red]", soft_wrap=True, highlight=False)
        raise typer.Exit(EXIT_BUSY) from None
    try:
        yield store
    except InputError as exc:
        _show_problems(exc)
        raise typer.Exit(EXIT_INPUT) from None
    except StoreError as exc:
        err.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(EXIT_INPUT) from None
    finally:
        store.close()


def _report(report) -> None:
    for w in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {w}", soft_wrap=True, highlight=False)
    out.print(report.summary(), soft_wrap=True, highlight=False)


@app.command()
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

    with _store(db) as store:
        if facilities is not None:
            batch, n = load_facilities(store, facilities, _actor(by))
            out.print(
                f"{facilities.name}: {n} facilities registered or updated"
                if batch
                else f"{facilities.name}: facilities unchanged"
            )
        for f in files:
            _report(run(store, f, _actor(by), reason, org=org))


@app.command()
def history(
    record_id: Annotated[str, typer.Argument(help="Record id.")],
    db: DbOpt = "openmrv.duckdb",
    org: OrgOpt = None,
) -> None:
    """Every version of a record: who, when, why, and from which file and row. Without --org,
    the one organisation using the id; refused, naming them, when several do."""
    from openmrv.store.ingest import history as versions

    with _store(db) as store:
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


@app.command()
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

    with _store(db) as store:
        batch = run(store, record_ids, _actor(by), reason, org)
    out.print(f"{len(record_ids)} record(s) deleted as batch {batch}")


@ledger_app.command("verify")
def ledger_verify(
    db: DbOpt = "openmrv.duckdb",
    head: Annotated[
        str | None, typer.Option(help="Also require this head hash (kept from an earlier run).")
    ] = None,
) -> None:
    """Recompute the hash chain and every batch digest; exit 1 naming the first broken event."""
    from openmrv.ledger_checks import ledger_checks, ledger_coverage
    from openmrv.store.ledger import verify

    with _store(db, recovering=False) as store:
        v = verify(store, checks=ledger_checks(), coverage=ledger_coverage(), expect_head=head)
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

    with _store(db) as store:
        lines = list(export(store))
    text = "".join(line + "\n" for line in lines)
    if out_path is None:
        sys.stdout.write(text)
    else:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(text, encoding="utf-8")
        err.print(f"{len(lines)} events written to {out_path}")


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

    with _store(db) as store:
        event = lock(store, facility_id, year, _actor(by), reason)
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

    with _store(db) as store:
        report = run(store, file, _actor(by), reason, restating=(facility_id, year))
    _report(report)
    if report.restatement:
        out.print(json.dumps(report.restatement, indent=2, ensure_ascii=False, default=str))
