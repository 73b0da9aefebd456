"""`openmrv grid ...`: check interval files, bulk-load them to a Parquet dataset, and account
hourly and annual Scope 2 and the 24/7 CFE score per facility and year."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pyarrow as pa
import typer

from openmrv.cli.console import ByOpt, DbOpt, actor, df_table, emit, opened_store, out
from openmrv.errors import InvalidInput
from openmrv.grid.schema import LOAD, SUPPLY
from openmrv.grid.stamps import Convention, Source

if TYPE_CHECKING:  # the commands import DuckDB, the store and the reports when they run
    import duckdb

    from openmrv.grid.report import GridReport
    from openmrv.ingest.readers import RawTable

grid_app = typer.Typer(
    help="Hourly Scope 2, granular certificates and 24/7 CFE.", no_args_is_help=True
)
Tz = Annotated[str, typer.Option("--tz", help="Zone of stamps without a UTC offset.")]
Conv = Annotated[
    Convention, typer.Option("--convention", help="Stamps mark the interval's start or end.")
]
Fac = Annotated[str | None, typer.Option("--facility", help="Green Button XML: its facility.")]
Mkt = Annotated[str | None, typer.Option("--market", help="Green Button XML: its market.")]
Meter = Annotated[
    str | None, typer.Option("--meter", help="Green Button XML: meter id (default file name).")
]


def _raw(file: Path, facility: str | None, market: str | None, meter: str | None) -> RawTable:
    """An interval file as read: a Green Button (ESPI) XML, or a table file."""
    from openmrv.grid.greenbutton import read_espi
    from openmrv.ingest.readers import read_table

    if file.suffix.lower() != ".xml":
        return read_table(file)
    if not (facility and market):
        raise typer.BadParameter("a Green Button file needs --facility and --market")
    return read_espi(file, meter or file.stem, facility, market)


class Fmt(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    html = "html"


_EMPTY = {
    "supply": pa.schema([("meter_id", pa.string()), ("facility_id", pa.string()),
                         ("market", pa.string()), ("kind", pa.string()),
                         ("hour", pa.timestamp("us")), ("mwh", pa.float64())]),
    "factors": pa.schema([("region", pa.string()), ("signal", pa.string()),
                          ("hour", pa.timestamp("us")), ("ef_t_per_mwh", pa.float64()),
                          ("cfe_fraction", pa.float64()),
                          ("source", pa.string()), ("edition", pa.string())]),
    "annual": pa.schema([("region", pa.string()), ("year", pa.int32()),
                         ("ef_t_per_mwh", pa.float64()), ("cfe_fraction", pa.float64()),
                         ("source", pa.string()), ("edition", pa.string())]),
}  # fmt: skip


@grid_app.command()
def check(
    file: Path,
    supply: Annotated[bool, typer.Option(help="A supply file (generation, storage).")] = False,
    tz: Tz = "UTC",
    convention: Conv = Convention.start,
    facility: Fac = None,
    market: Mkt = None,
    meter: Meter = None,
) -> None:
    """Check an interval file (CSV, XLSX, JSON, Parquet or Green Button XML: located
    problems); store nothing."""
    from openmrv.grid.intervals import read

    src = Source(convention, tz)
    hourly = read(_raw(file, facility, market, meter), SUPPLY if supply else LOAD, src)
    out.print(f"{file.name}: valid · {hourly.num_rows} meter-hours · {src.describe()}")


@grid_app.command("load")
def load_cmd(
    file: Path,
    dataset: Annotated[Path, typer.Argument(help="Parquet dataset folder (year partitions).")],
    supply: Annotated[bool, typer.Option(help="A supply file (generation, storage).")] = False,
    tz: Tz = "UTC",
    convention: Conv = Convention.start,
    facility: Fac = None,
    market: Mkt = None,
    meter: Meter = None,
) -> None:
    """Bulk-load an interval file (as `check` reads) to a Parquet dataset of UTC meter-hours,
    only when every check passes (nothing is written on any problem); the source's convention
    is kept in the files' metadata."""
    import pyarrow.parquet as pq

    from openmrv.grid.intervals import read

    src = Source(convention, tz)
    hourly = read(_raw(file, facility, market, meter), SUPPLY if supply else LOAD, src)
    meta = {
        b"openmrv.grid.source": src.describe().encode(),
        b"openmrv.grid.file": file.name.encode(),
    }
    hourly = hourly.append_column("year", pa.compute.year(hourly["hour"]))
    hourly = hourly.replace_schema_metadata(meta)
    pq.write_to_dataset(
        hourly, dataset, partition_cols=["year"], basename_template=f"{file.stem}-{{i}}.parquet"
    )
    out.print(f"{hourly.num_rows} meter-hours of {file.name} written to {dataset}")


@grid_app.command()
def eia930(
    balance: Path,
    rates: Annotated[Path, typer.Option("--rates", help="Per-fuel rates: fuel, co2e_kg_per_mwh,"
                                        " source, edition.")],
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="Write here.")] = None,
) -> None:  # fmt: skip
    """Hourly grid factors (the --factors layout) from an EIA-930 balance file: per BA and UTC
    hour, the generation-weighted rate of the per-fuel rates and the carbon-free share."""
    from openmrv.grid.eia930 import hourly_factors
    from openmrv.ingest.readers import read_table

    table = hourly_factors(read_table(balance), read_table(rates))
    emit(table.to_pandas().to_csv(index=False), out_path)


def _hourly(
    con: duckdb.DuckDBPyConnection, path: Path, supply: bool, src: Source
) -> pa.Table | duckdb.DuckDBPyRelation:
    from openmrv.grid.intervals import read
    from openmrv.ingest.readers import read_table

    if path.is_dir():  # a dataset written by `grid load`, read out of core
        return con.read_parquet(f"{path}/**/*.parquet", hive_partitioning=True)
    return read(read_table(path), SUPPLY if supply else LOAD, src)


@grid_app.command()
def scope2(
    load: Annotated[Path, typer.Option("--load", help="Load file or `grid load` dataset.")],
    supply: Annotated[Path | None, typer.Option("--supply", help="Clean supply.")] = None,
    factors: Annotated[Path | None, typer.Option("--factors", help="Hourly factors.")] = None,
    annual: Annotated[Path | None, typer.Option("--annual", help="Annual fallback.")] = None,
    gc_org: Annotated[
        str | None,
        typer.Option(
            "--certificates-of",
            help="Add this organisation's claimed certificates "
            "(beneficiary = facility) to the supply.",
        ),
    ] = None,
    db: DbOpt = "openmrv.duckdb",
    store_org: Annotated[
        str | None,
        typer.Option("--store", help="Store the hourly rows for this organisation (pages)."),
    ] = None,
    by: ByOpt = None,
    threshold: Annotated[
        float, typer.Option("--threshold-gwh", help="Exemption threshold: 5, 10 or 50 GWh/yr.")
    ] = 5.0,
    tz: Tz = "UTC",
    convention: Conv = Convention.start,
    fmt: Annotated[Fmt, typer.Option("--format", "-f")] = Fmt.table,
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="Write here.")] = None,
    facilities: Annotated[
        Path | None, typer.Option(help="With --activity: the whole report, grid sections added.")
    ] = None,
    activity: Annotated[
        Path | None, typer.Option(help="Activity file (with --facilities).")
    ] = None,
    lang: Annotated[str, typer.Option(help="Report language: en or zh-CN.")] = "en",
) -> None:
    """Location- and market-based Scope 2, annual and hourly, the 24/7 CFE score, hourly and
    annual match, residual exposure and the exemption flag, per facility and year; with
    --facilities and --activity, the whole OpenMRV report (html, json) with the grid sections."""
    import duckdb

    from openmrv.grid import calc, store
    from openmrv.grid.factors import read_annual, read_hourly
    from openmrv.grid.report import GridReport
    from openmrv.ingest.readers import read_table

    if threshold not in calc.THRESHOLDS_GWH:
        raise typer.BadParameter(
            "the draft's options are 5, 10 or 50 GWh/yr", param_hint="--threshold-gwh"
        )
    src = Source(convention, tz)
    con = duckdb.connect()
    tables = {
        "load": _hourly(con, load, False, src),
        "supply": _hourly(con, supply, True, src) if supply else _EMPTY["supply"].empty_table(),
        "factors": read_hourly(read_table(factors)) if factors else _EMPTY["factors"].empty_table(),
        "annual": read_annual(read_table(annual)) if annual else _EMPTY["annual"].empty_table(),
    }
    if gc_org:
        with opened_store(db) as s:
            claimed = store.claimed_supply(s, gc_org)
        con.register("gc_in", claimed)
        con.register("file_in", tables["supply"])
        cols = "meter_id, facility_id, market, kind, hour, mwh"
        tables["supply"] = con.sql(f"SELECT {cols} FROM file_in UNION ALL SELECT {cols} FROM gc_in")
    calc.register(con, tables)
    df = con.execute(calc.scope2_sql(threshold)).df()
    hourly = con.execute(
        f"SELECT facility_id, market, strftime(hour, '%Y-%m-%d %H:%M') AS hour, l AS load_mwh,"
        f" p AS supply_mwh, matched AS matched_mwh, grid_cfe FROM ({calc.hourly_sql()}) "
        "ORDER BY ALL"
    ).to_arrow_table()
    if facilities is not None and activity is not None:
        if out_path is None or fmt not in (Fmt.html, Fmt.json):
            raise InvalidInput("the whole report needs --out and --format html or json")
        report = GridReport(df, hourly.to_pandas())
        _whole_report(report, facilities, activity, out_path, fmt, lang)
        return
    if store_org:
        with opened_store(db) as s:
            batch = store.store_hourly(s, store_org, hourly, actor(by))
        out.print(f"{hourly.num_rows} facility-hours of {store_org} stored as batch {batch}")
    if fmt is Fmt.table:
        wide = df.set_index(["facility_id", "market", "year"]).T  # one column per facility-year
        wide.columns = [" ".join(map(str, c)) for c in wide.columns]
        shown = wide.map(lambda v: f"{v:,.4g}" if isinstance(v, float) else str(v))
        out.print(df_table(shown.reset_index(names=""), "Hourly and annual Scope 2"))
        return
    if fmt is Fmt.html:
        raise InvalidInput("--format html writes the whole report: give --facilities --activity")
    text = (
        df.to_csv(index=False)
        if fmt is Fmt.csv
        else json.dumps(json.loads(df.to_json(orient="records")), indent=1)
    )
    emit(text, out_path)


def _whole_report(
    report: GridReport, facilities: Path, activity: Path, out_path: Path, fmt: Fmt, lang: str
) -> None:
    from openmrv.cli.console import load_inputs
    from openmrv.engine import calculate
    from openmrv.ingest.columns import registered
    from openmrv.reports.bundle import assemble, write

    schema = registered("activity")
    fac, checked = load_inputs(facilities, activity, schema)
    bundle = assemble(calculate(checked.table, fac, schema=schema), checked.table, fac)
    bundle.meta = {**bundle.meta, "grid": report}
    written = write(bundle, out_path, fmt.value, lang)
    out.print(f"wrote {len(written)} file(s): {out_path}")


gc_app = typer.Typer(help="Granular certificates (EnergyTag bundles).", no_args_is_help=True)
grid_app.add_typer(gc_app, name="gc")
Org = Annotated[str, typer.Option("--org", help="Organisation.")]
Qty = Annotated[int | None, typer.Option("--quantity", "-n", help="Certificates (default all).")]


@gc_app.command("import")
def gc_import(file: Path, org: Org, db: DbOpt = "openmrv.duckdb", by: ByOpt = None) -> None:
    """Import a bundle file as one batch (all or nothing; ids already imported are refused)."""
    from openmrv.grid import store
    from openmrv.grid.certificates import read_bundles
    from openmrv.ingest.readers import read_table

    table = read_bundles(read_table(file))
    with opened_store(db) as s:
        batch = store.import_bundles(s, org, table, file.name, actor(by))
    out.print(f"{table.num_rows} bundles of {org} imported as batch {batch}")


@gc_app.command("storage")
def gc_storage(file: Path, org: Org, db: DbOpt = "openmrv.duckdb", by: ByOpt = None) -> None:
    """Store storage charge (SCR) and discharge (SDR) records as one batch: a charge stores its
    cancelled bundle, a discharge issues storage-discharge certificates within the device's
    charge less losses (all or nothing)."""
    from openmrv.grid import storage
    from openmrv.ingest.readers import read_table

    table = storage.read_records(read_table(file))
    with opened_store(db) as s:
        batch = storage.import_records(s, org, table, file.name, actor(by))
    out.print(f"{table.num_rows} storage records of {org} stored as batch {batch}")


def _act(action: str, bundle: int, org: str, db: str, by: str | None, **kw: object) -> None:
    from openmrv.grid import store

    with opened_store(db) as s:
        children = store.act(s, org, action, bundle, actor(by), **kw)  # type: ignore[arg-type]
    made = ", ".join(f"{c.bundle_id} ({c.range_start}–{c.range_end}, {c.status})" for c in children)
    out.print(f"bundle {bundle}: {action} done; now {made}")


@gc_app.command()
def transfer(
    bundle: int, to: Annotated[str, typer.Option("--to")], org: Org, quantity: Qty = None,
    db: DbOpt = "openmrv.duckdb", by: ByOpt = None,
) -> None:  # fmt: skip
    """Transfer certificates of a bundle to another account (splitting it)."""
    _act("transfer", bundle, org, db, by, quantity=quantity, account=to)


@gc_app.command()
def cancel(
    bundle: int, org: Org, beneficiary: Annotated[str | None, typer.Option()] = None,
    quantity: Qty = None, db: DbOpt = "openmrv.duckdb", by: ByOpt = None,
) -> None:  # fmt: skip
    """Cancel certificates for a beneficiary (the facility whose load they match)."""
    _act("cancel", bundle, org, db, by, quantity=quantity, beneficiary=beneficiary)


@gc_app.command()
def claim(
    bundle: int, org: Org, quantity: Qty = None, db: DbOpt = "openmrv.duckdb", by: ByOpt = None
) -> None:
    """Claim cancelled certificates (final: a certificate is claimed once)."""
    _act("claim", bundle, org, db, by, quantity=quantity)


@gc_app.command("list")
def gc_list(org: Org, db: DbOpt = "openmrv.duckdb") -> None:
    """The organisation's current bundles."""
    import pandas as pd

    from openmrv.grid import store

    with opened_store(db) as s:
        df = pd.DataFrame([vars(b) for b in store.current(s, org)])
    out.print(df_table(df, f"Current certificate bundles of {org}"))
