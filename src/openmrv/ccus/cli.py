"""`openmrv ccus ...`: validate a CCUS folder, store it (custody checks; all or nothing),
report (table, JSON or HTML with the Sankey diagram), trace the path of captured CO2."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from openmrv.cli.console import ByOpt, DbOpt, actor, df_table, emit, opened_store, out
from openmrv.errors import InvalidInput

if TYPE_CHECKING:  # the commands import the domain (pandas, the store…) when they run
    from openmrv.ccus.account import Data
    from openmrv.ccus.report import CcusReport

ccus_app = typer.Typer(help="CCUS: capture, transfer, injection and storage.", no_args_is_help=True)
Folder = Annotated[
    Path, typer.Argument(help="Folder of capture/transfers/meters/losses/sites.csv.")
]
Org = Annotated[str, typer.Option("--org", help="Organisation.")]
FromDb = Annotated[bool, typer.Option("--from-db", help="Report the stored data of --org.")]


class Fmt(StrEnum):
    table = "table"
    json = "json"
    html = "html"


def _data(folder: Path | None, from_db: bool, org: str | None, db: str) -> Data:
    from openmrv.ccus import store
    from openmrv.ccus.account import read_folder

    if folder is not None and not from_db:
        return read_folder(folder)
    if not org:
        raise InvalidInput("--from-db needs --org")
    with opened_store(db) as s:
        data = store.load(store.org_rows(s, org))
    if data is None:
        raise InvalidInput(f"no CCUS data stored for {org}")
    return data


@ccus_app.command()
def validate(folder: Folder) -> None:
    """Check a folder (located problems, custody double claims); store nothing."""
    from openmrv.ccus.account import account, read_folder
    from openmrv.ccus.custody import double_claims, reconcile
    from openmrv.ingest.errors import InputError

    d = read_folder(folder)
    problems = double_claims(d, account(d))
    if problems:
        raise InputError(problems)
    rec = reconcile(d.transfers)
    out.print(
        f"{folder}: valid · {len(d.capture)} capture, {len(d.transfers)} transfer, "
        f"{len(d.meters)} meter, {len(d.losses)} loss rows · {int(rec.flagged.sum())} "
        "transfer(s) flagged for verification"
    )


@ccus_app.command()
def ingest(folder: Folder, org: Org, db: DbOpt = "openmrv.duckdb", by: ByOpt = None) -> None:
    """Store a folder as one batch: refused whole, with located problems, on a double claim."""
    from openmrv.ccus import store
    from openmrv.ccus.account import read_folder

    d = read_folder(folder)
    with opened_store(db) as s:
        batch, a = store.ingest(s, org, d, actor(by))
    stored = a.site_years.stored_t.sum()
    out.print(f"CCUS data of {org} stored as batch {batch}: {stored:,.1f} t CO2 stored")


def _report(
    folder: Path | None, from_db: bool, org: str | None, db: str, emissions: Path | None
) -> CcusReport:
    from openmrv.ccus.report import build, gross_emissions

    gross = gross_emissions(emissions) if emissions else None
    return build(_data(folder, from_db, org, db), gross)


@ccus_app.command()
def report(
    folder: Annotated[Path | None, typer.Argument(help="A CCUS folder (or --from-db).")] = None,
    org: Annotated[str | None, typer.Option("--org")] = None,
    db: DbOpt = "openmrv.duckdb",
    from_db: FromDb = False,
    fmt: Annotated[Fmt, typer.Option("--format", "-f")] = Fmt.table,
    lang: Annotated[str, typer.Option(help="en or zh-CN.")] = "en",
    emissions: Annotated[
        Path | None, typer.Option(help="`openmrv calculate` results: gross source emissions.")
    ] = None,
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="Write here.")] = None,
    facilities: Annotated[
        Path | None, typer.Option(help="With --activity: the whole report, CCUS sections added.")
    ] = None,
    activity: Annotated[
        Path | None, typer.Option(help="Activity file (with --facilities).")
    ] = None,
) -> None:
    """Capture beside gross emissions, the sites' annual figures, the custody reconciliation;
    with --facilities and --activity, the whole OpenMRV report (every format of `report all`)
    with the CCUS sections and the Sankey diagram, gross emissions from that calculation."""
    if facilities is not None and activity is not None:
        if out_path is None or fmt is Fmt.table:
            raise InvalidInput("the whole report needs --out and --format html or json")
        _whole_report(_data(folder, from_db, org, db), facilities, activity, out_path, fmt, lang)
        return
    r: CcusReport = _report(folder, from_db, org, db, emissions)
    tables = r.tables(lang)
    if fmt is Fmt.table:
        for name, df in tables.items():
            out.print(df_table(df.dropna(axis=1, how="all"), name))
        return
    if fmt is Fmt.json:
        text = json.dumps(
            {n: json.loads(df.to_json(orient="records")) for n, df in tables.items()},
            ensure_ascii=False, indent=1,
        )  # fmt: skip
    else:
        from openmrv.ccus.report import to_html

        text = to_html(r, lang)
    emit(text, out_path)


def _whole_report(
    data: Data, facilities: Path, activity: Path, out_path: Path, fmt: Fmt, lang: str
) -> None:
    from openmrv.ccus.report import build, gross_of_results, primary_only
    from openmrv.cli.console import load_inputs
    from openmrv.engine import calculate
    from openmrv.ingest.columns import registered
    from openmrv.reports.bundle import assemble, write

    schema = registered("activity")
    fac, checked = load_inputs(facilities, activity, schema)
    run = calculate(checked.table, fac, schema=schema)
    bundle = assemble(run, checked.table, fac)
    countries = dict(zip(fac.facility_id, fac.country, strict=True))
    gross = primary_only(gross_of_results(run.results.to_pandas()), countries)
    sectors = dict(zip(fac.facility_id, fac.sector, strict=True))
    bundle.meta = {**bundle.meta, "ccus": build(data, gross, sectors=sectors)}
    written = write(bundle, out_path, "html" if fmt is Fmt.html else "json", lang)
    out.print(f"wrote {len(written)} file(s): {out_path}")


@ccus_app.command("trace")
def trace_cmd(
    facility: Annotated[str, typer.Argument(help="Capture facility.")],
    folder: Annotated[Path | None, typer.Argument()] = None,
    org: Annotated[str | None, typer.Option("--org")] = None,
    db: DbOpt = "openmrv.duckdb",
    from_db: FromDb = False,
) -> None:
    """The path of the CO2 captured at a facility: transport, injection, stored or lost."""
    from openmrv.ccus.custody import trace

    r = _report(folder, from_db, org, db, None)
    path = trace(r.edges, "capture", facility)
    if not len(path):
        raise InvalidInput(f"no CO2 captured at {facility} in these data")
    out.print(df_table(path.reset_index(drop=True), f"Path of the CO2 captured at {facility}"))


@ccus_app.command("counterparts")
def counterparts_cmd(org: Org, db: DbOpt = "openmrv.duckdb") -> None:
    """Transfers with another organisation: per own record, matched / differs by x t / no
    counterpart / claimed by N organisations (the other side's records are never shown)."""
    from openmrv.ccus import store

    with opened_store(db) as s:
        r = store.counterparts(s, org)
    if not len(r):
        raise InvalidInput(f"{org} stored no transfer whose other side is another organisation")
    cols = ["transfer_id", "side", "year", "quarter", "co2_t", "difference_t", "status"]
    out.print(df_table(r[cols], f"Transfers of {org} reconciled with their counterparts"))
