"""`openmrv grid ...`: check interval files, bulk-load them to a Parquet dataset, and account
hourly and annual Scope 2 and the 24/7 CFE score per facility and year."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import typer

from openmrv.cli.console import df_table, out
from openmrv.grid import calc
from openmrv.grid.factors import read_annual, read_hourly
from openmrv.grid.intervals import Convention, Source, read
from openmrv.grid.schema import LOAD, SUPPLY
from openmrv.ingest.readers import read_table

grid_app = typer.Typer(
    help="Hourly Scope 2, granular certificates and 24/7 CFE.", no_args_is_help=True
)
Tz = Annotated[str, typer.Option("--tz", help="Zone of stamps without a UTC offset.")]
Conv = Annotated[
    Convention, typer.Option("--convention", help="Stamps mark the interval's start or end.")
]


class Fmt(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


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
) -> None:
    """Check an interval file (located problems); store nothing."""
    src = Source(convention, tz)
    hourly = read(read_table(file), SUPPLY if supply else LOAD, src)
    out.print(f"{file.name}: valid · {hourly.num_rows} meter-hours · {src.describe()}")


@grid_app.command("load")
def load_cmd(
    file: Path,
    dataset: Annotated[Path, typer.Argument(help="Parquet dataset folder (year partitions).")],
    supply: Annotated[bool, typer.Option(help="A supply file (generation, storage).")] = False,
    tz: Tz = "UTC",
    convention: Conv = Convention.start,
) -> None:
    """Bulk-load an interval file to a Parquet dataset of UTC meter-hours, only when every
    check passes (nothing is written on any problem); the source's convention is kept in the
    files' metadata."""
    src = Source(convention, tz)
    hourly = read(read_table(file), SUPPLY if supply else LOAD, src)
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


def _hourly(
    con: duckdb.DuckDBPyConnection, path: Path, supply: bool, src: Source
) -> pa.Table | duckdb.DuckDBPyRelation:
    if path.is_dir():  # a dataset written by `grid load`, read out of core
        return con.read_parquet(f"{path}/**/*.parquet", hive_partitioning=True)
    return read(read_table(path), SUPPLY if supply else LOAD, src)


@grid_app.command()
def scope2(
    load: Annotated[Path, typer.Option("--load", help="Load file or `grid load` dataset.")],
    supply: Annotated[Path | None, typer.Option("--supply", help="Clean supply.")] = None,
    factors: Annotated[Path | None, typer.Option("--factors", help="Hourly factors.")] = None,
    annual: Annotated[Path | None, typer.Option("--annual", help="Annual fallback.")] = None,
    threshold: Annotated[
        float, typer.Option("--threshold-gwh", help="Exemption threshold: 5, 10 or 50 GWh/yr.")
    ] = 5.0,
    tz: Tz = "UTC",
    convention: Conv = Convention.start,
    fmt: Annotated[Fmt, typer.Option("--format", "-f")] = Fmt.table,
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="Write here.")] = None,
) -> None:
    """Location- and market-based Scope 2, annual and hourly, the 24/7 CFE score, hourly and
    annual match, residual exposure and the exemption flag, per facility and year."""
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
    calc.register(con, tables)
    df = con.execute(calc.scope2_sql(threshold)).df()
    if fmt is Fmt.table:
        wide = df.set_index(["facility_id", "market", "year"]).T  # one column per facility-year
        wide.columns = [" ".join(map(str, c)) for c in wide.columns]
        out.print(df_table(wide.astype(str).reset_index(names=""), "Hourly and annual Scope 2"))
        return
    text = (
        df.to_csv(index=False)
        if fmt is Fmt.csv
        else json.dumps(json.loads(df.to_json(orient="records")), indent=1)
    )
    if out_path is None:
        typer.echo(text)
    else:
        out_path.write_text(text, encoding="utf-8")
        out.print(f"wrote {out_path}")
