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


KeyOpt = Annotated[
    Path, typer.Option("--key", help="Private key file (from `openmrv ledger keygen`, mode 0600).")
]
TrustOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--trust",
        help="A public key (name+id+key) to check signatures against; repeatable. Default: "
        "the keys the store lists (only as good as the store: pass the keys you hold).",
    ),
]


def _trusted(store, trust: list[str] | None):
    from openmrv.store import tlog

    keys = trust or [k["verifier_key"] for k in tlog.public_keys(store)]
    return tlog.verifiers(keys)


@ledger_app.command("verify")
def ledger_verify(
    db: DbOpt = "openmrv.duckdb",
    head: Annotated[
        str | None, typer.Option(help="Also require this head hash (kept from an earlier run).")
    ] = None,
    since: Annotated[
        Path | None,
        typer.Option(
            "--since",
            help="A signed checkpoint kept from earlier: the log must extend it (consistency "
            "proof), and its events up to it must be the ones it signed.",
        ),
    ] = None,
    trust: TrustOpt = None,
) -> None:
    """Recompute the hash chain, every digest and recorded state, in Python, over a read-only
    connection (nothing is migrated or written); exit 1 naming the first broken event."""
    from openmrv.store import tlog
    from openmrv.store.coverage import Finding
    from openmrv.store.db import connect
    from openmrv.store.ledger import verify

    # Read-only and without migrations or recovery: verify checks the store as it finds it.
    store = connect(db, read_only=True)
    try:
        v = verify(store, expect_head=head)
        checked = None
        if since is not None:
            checked = tlog.check_since(store, tlog.load_note(since), _trusted(store, trust))
            found = [Finding(s, p) for s, p in checked.problems] + v.findings
            v.findings = sorted(found, key=lambda f: (f.seq is None, f.seq or 0))
    finally:
        store.close()
    if v.ok:
        out.print(f"ledger OK: {v.events} events, head {v.head}", soft_wrap=True)
        if checked is not None:
            out.print(
                f"extends the checkpoint of {checked.old_size} events signed by "
                f"{', '.join(checked.signers)} (consistency proof to {checked.size} verified)",
                soft_wrap=True,
            )
        return
    first = v.findings[0]
    err.print(f"[red]ledger BROKEN: first broken {first}[/red]", soft_wrap=True, highlight=False)
    for f in v.findings[1:]:
        err.print(f"  {f}", soft_wrap=True, highlight=False)
    raise typer.Exit(1)


@ledger_app.command("keygen")
def ledger_keygen(
    name: Annotated[str, typer.Argument(help="Key name, e.g. org-ACME or a user id.")],
    key_file: Annotated[Path, typer.Option("--out", help="Where to write the private key.")],
    org: Annotated[str | None, typer.Option("--org", help="An organisation's key.")] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="A verifier's or regulator's key (user id).")
    ] = None,
    db: DbOpt = "openmrv.duckdb",
    by: ByOpt = None,
) -> None:
    """Create an Ed25519 signing key: the private key to a file (0600, never in the store), the
    public key in the store (a ledger event), listed by the API."""
    from openmrv.store import tlog

    if (org is None) == (user is None):
        err.print("[red]give exactly one of --org ORG or --user USER[/red]")
        raise typer.Exit(EXIT_INPUT)
    with opened_store(db) as store:
        if org is not None:
            kind, owner = "organisation", org
        else:
            owner = user or ""
            regulator = store.scalar("SELECT is_regulator FROM users WHERE user_id = ?", [owner])
            kind = "regulator" if regulator else "verifier"
        public = tlog.keygen(store, name, kind, owner, key_file, actor(by))
    out.print(f"{kind} key {public.encode()}", soft_wrap=True, highlight=False)
    err.print(f"private key written to {key_file} (mode 0600): keep it out of the database")


@ledger_app.command("checkpoint")
def ledger_checkpoint(
    key: KeyOpt,
    db: DbOpt = "openmrv.duckdb",
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="Note file.")] = None,
) -> None:
    """Sign the ledger's Merkle tree (size, root, time) as a checkpoint note (c2sp.org
    tlog-checkpoint); printed, stored, and written to --out."""
    from openmrv.store import tlog

    signer = tlog.read_private(key)
    with opened_store(db) as store:
        signed = tlog.checkpoint(store, signer)
    _emit(signed, out_path)


@ledger_app.command("cosign")
def ledger_cosign(
    checkpoint: Annotated[Path, typer.Argument(help="A checkpoint note of this store.")],
    key: KeyOpt,
    db: DbOpt = "openmrv.duckdb",
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="Note file.")] = None,
) -> None:
    """Witness a checkpoint: check it against the store's log and add this key's signature."""
    from openmrv.store import tlog

    signer = tlog.read_private(key)
    with opened_store(db) as store:
        signed = tlog.cosign(store, tlog.load_note(checkpoint), signer)
    _emit(signed, out_path)


def _emit(text: str, path: Path | None, what: str = "") -> None:
    """`text` to stdout, or to `path` (saying so, with `what` it holds)."""
    if path is None:
        sys.stdout.write(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    err.print(f"{what} written to {path}".lstrip())


@ledger_app.command("prove")
def ledger_prove(
    record_id: Annotated[str, typer.Argument(help="Record id.")],
    version: Annotated[int | None, typer.Option(help="Version (default: the latest).")] = None,
    db: DbOpt = "openmrv.duckdb",
    org: OrgOpt = None,
) -> None:
    """An inclusion proof (RFC 9162) that the event which wrote a record version is in the
    ledger's tree, against the latest checkpoint when there is one (JSON)."""
    from openmrv.store import tlog

    with opened_store(db) as store:
        seq = tlog.record_event(store, record_id, version, org)
        cps = [c for c in tlog.checkpoints(store) if c["size"] >= seq]
        size = cps[0]["size"] if cps else None
        proof = tlog.prove(store, seq, size)
    doc = {"record_id": record_id, "version": version, **proof.as_dict()}
    if cps:
        doc["checkpoint"] = cps[0]["note"]
    out.print_json(tlog.dumps(doc))


@ledger_app.command("adopt")
def ledger_adopt(
    reason: ReasonOpt = None,
    db: DbOpt = "openmrv.duckdb",
    by: ByOpt = None,
) -> None:
    """Record the current state of the tables vouched for by recorded states (users, roles,
    tokens, runs, targets, uploads, keys) as one event: once, for rows written before their
    writes were recorded."""
    from openmrv.store import ledger, state

    if not reason:
        err.print('[red]adopting needs --reason "..." (who checked the tables, and how)[/red]')
        raise typer.Exit(EXIT_INPUT)
    with opened_store(db) as store, store.write():
        e = ledger.append(store, actor(by), "adopt", "recorded states", reason,
                          {"state": state.everything(store)})  # fmt: skip
    out.print(f"event {e.seq}: the tables' current state recorded")


@ledger_app.command("export")
def ledger_export(
    out_path: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (default: stdout).")
    ] = None,
    bundle: Annotated[
        bool,
        typer.Option(
            "--bundle",
            help="A bundle for offline checking (events, checkpoints, public keys, the rows' "
            "canonical encodings; JSON), instead of the events as JSON lines.",
        ),
    ] = False,
    db: DbOpt = "openmrv.duckdb",
) -> None:
    """Write the ledger as JSON lines, one event per line, in chain order; or, with --bundle,
    everything `openmrv ledger verify-bundle` (or scripts/verify_bundle.py) checks offline."""
    import json

    from openmrv.store.bundle import export as bundled
    from openmrv.store.ledger import export

    with opened_store(db) as store:
        if bundle:
            doc = bundled(store)
            text, n = json.dumps(doc, sort_keys=True) + "\n", len(doc["events"])
        else:
            lines = list(export(store))
            text, n = "".join(line + "\n" for line in lines), len(lines)
    _emit(text, out_path, f"{n} events")


@ledger_app.command("verify-bundle")
def ledger_verify_bundle(
    bundle: Annotated[Path, typer.Argument(help="A bundle from `openmrv ledger export --bundle`.")],
    trust: TrustOpt = None,
    proof: Annotated[
        Path | None, typer.Option(help="An inclusion proof from `openmrv ledger prove`.")
    ] = None,
) -> None:
    """Check a bundle without the database: the chain, the Merkle tree against every signed
    checkpoint, every v3 row digest and recorded state (store/offline.py, which
    scripts/verify_bundle.py runs stand-alone)."""
    from openmrv.store import offline

    args = [str(bundle), *(f"--trust={t}" for t in trust or ())]
    code = offline.main([*args, *([f"--proof={proof}"] if proof else [])])
    raise typer.Exit(code)
