"""What every command shares: the consoles, exit codes, option types, located input problems as
a table, data frames as tables, reading the two input files, and opening the store with its
refusals turned into clear messages. Public, so the core's and the domains' commands use one
copy."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from openmrv.ingest.errors import InputError

if TYPE_CHECKING:  # pandas costs about a second to import: only the commands that use it do
    import pandas as pd

    from openmrv.store import Database

__all__ = [
    "EXIT_BUSY",
    "EXIT_INPUT",
    "ByOpt",
    "DbOpt",
    "Grid",
    "Gwp",
    "OrgOpt",
    "ReasonOpt",
    "actor",
    "df_table",
    "err",
    "load_inputs",
    "opened_store",
    "out",
    "show_problems",
]

out = Console()
err = Console(stderr=True)
EXIT_INPUT = 2
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


class Gwp(StrEnum):
    default = "default"
    AR4 = "AR4"
    AR5 = "AR5"
    AR6 = "AR6"


class Grid(StrEnum):
    national = "national"
    regional = "regional"
    provincial = "provincial"


def show_problems(exc: InputError) -> None:
    """A table on a terminal; one plain located line per problem in logs and pipes."""
    title = f"Input rejected: {exc.total} problem(s); nothing was written"
    if not err.is_terminal:
        err.print(title, markup=False, highlight=False, soft_wrap=True)
        for p in exc.problems:
            err.print(f"  {p}", markup=False, highlight=False, soft_wrap=True)
    else:
        t = Table(title=title, title_style="bold red")
        for col in ("where", "value", "problem", "how to fix"):
            t.add_column(col, overflow="fold")
        for p in exc.problems:
            v = "" if p.value is None else (p.value if len(p.value) <= 40 else p.value[:37] + "…")
            t.add_row(p.location(), v, p.problem, p.fix)
        err.print(t)
    if exc.total > len(exc.problems):
        err.print(f"… and {exc.total - len(exc.problems)} more.")


def df_table(df: pd.DataFrame, title: str) -> Table:
    """A data frame as a terminal table: numbers right-aligned and never cut."""
    t = Table(title=title)
    for c in df.columns:
        numeric = df[c].dtype.kind in "fi"  # numbers are never cut: text columns fold instead
        t.add_column(str(c), justify="right" if numeric else "left", no_wrap=numeric)
    for row in df.itertuples(index=False):
        t.add_row(*[f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row])
    return t


def load_inputs(facilities: Path, activity: Path) -> tuple[Any, Any]:
    """The facilities file and the activity file, read and validated (InputError if not)."""
    from openmrv.ingest.readers import read_table
    from openmrv.ingest.validate import validate_activity, validate_facilities

    fac = validate_facilities(read_table(facilities))
    checked = validate_activity(read_table(activity), set(fac.facility_id))
    return fac, checked


def actor(by: str | None) -> str:
    """Who makes a change: `--by`, or the login name."""
    return by or getpass.getuser()


@contextmanager
def opened_store(db: str, recovering: bool = True) -> Iterator[Database]:
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
        show_problems(exc)
        raise typer.Exit(EXIT_INPUT) from None
    except StoreError as exc:
        err.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(EXIT_INPUT) from None
    finally:
        store.close()
