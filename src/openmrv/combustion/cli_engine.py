"""CLI commands for data that outgrow one file: write a validated dataset, and calculate a
Parquet dataset of any size on DuckDB or Spark."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from openmrv.cli.console import Grid, Gwp, err, fail, load_inputs, out
from openmrv.combustion.schema import ACTIVITY
from openmrv.ingest.errors import InputError

commands = typer.Typer()


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


@commands.command()
def validate(
    facilities: Annotated[Path, typer.Argument(help="Facilities file.")],
    activity: Annotated[Path, typer.Argument(help="Activity file (CSV, XLSX, JSON, Parquet).")],
    out_path: Annotated[
        Path, typer.Option("--out", "-o", help="Validated activity as Parquet (a dataset part).")
    ],
) -> None:
    """Validate an activity file and write its typed records as Parquet, for `calculate-dataset`
    (files of one dataset can be validated one by one into one folder)."""
    from openmrv.engine.dataset import write_part

    try:
        _, checked = load_inputs(facilities, activity, ACTIVITY)
    except InputError as exc:
        raise fail(exc) from None
    table = write_part(checked.table, out_path)
    first, last = table["source_row"][0].as_py(), table["source_row"][-1].as_py()
    out.print(f"{table.num_rows:,} records valid · wrote {out_path} (record keys {first}–{last})")


@commands.command("calculate-dataset")
def calculate_dataset(
    facilities: Annotated[Path, typer.Argument(help="Facilities file.")],
    dataset: Annotated[
        Path, typer.Argument(help="Validated activity: a Parquet file or folder (hive included).")
    ],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Results folder (replaced).")],
    methodology: Annotated[
        list[str], typer.Option("--methodology", "-m", help="Methodology id, repeatable, or 'all'.")
    ] = ["all"],  # noqa: B006
    engine: Annotated[Engine, typer.Option(help="Where the plan runs.")] = Engine.duckdb,
    spark_master: Annotated[
        str | None,
        typer.Option(
            help="Spark master: local[N] or a cluster URL (default local[2]).",
            envvar="OPENMRV_SPARK_MASTER",
        ),
    ] = None,
    gwp: Annotated[Gwp, typer.Option(help="GWP set; 'default' uses each method's own.")] = (
        Gwp.default
    ),
    cn_grid: Annotated[Grid, typer.Option(help="China grid factor level (MEE).")] = Grid.national,
) -> None:
    """Calculate a validated Parquet dataset of any size, out of core, on DuckDB or Spark."""
    from openmrv.engine.dataset import calculate_dataset as run
    from openmrv.engine.run import resolve_methods
    from openmrv.ingest.readers import read_table
    from openmrv.ingest.validate import validate_facilities
    from openmrv.methods import Options
    from openmrv.methods.mee import grid_options

    try:
        methods = resolve_methods(methodology)
        fac = validate_facilities(read_table(facilities))
    except ValueError as exc:
        raise fail(exc) from None
    except InputError as exc:
        raise fail(exc) from None
    options = Options(
        gwp_set=None if gwp is Gwp.default else gwp.value, methods=grid_options(cn_grid.value)
    )
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} steps"),
        TimeElapsedColumn(),
        console=err,
    ) as bar:
        task = bar.add_task("starting", total=3)

        def step(name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=name or "hashing")

        try:
            args = (dataset, fac, out_dir, methods, options, engine.value, spark_master, step)
            meta = run(*args, schema=ACTIVITY)
        except InputError as exc:
            bar.stop()
            raise fail(exc) from None
    out.print(
        f"{meta['records']:,} records → {meta['result_rows']:,} result rows "
        f"({meta['skipped_rows']:,} not computed) in {meta['seconds']['calculate']} s on "
        f"{meta['engine']['backend']} · run {meta['run_id']} · wrote {out_dir}"
    )
