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
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from openmrv.errors import EXIT_INPUT, OpenMRVError
from openmrv.i18n import translate
from openmrv.ingest.errors import InputError, Problem
from openmrv.settings import get_settings

if TYPE_CHECKING:  # pandas costs about a second to import: only the commands that use it do
    import pandas as pd

    from openmrv.ingest.columns import Schema
    from openmrv.store import Database

__all__ = [
    "EXIT_INPUT",
    "ByOpt",
    "DbOpt",
    "Grid",
    "Gwp",
    "Handled",
    "OrgOpt",
    "ReasonOpt",
    "actor",
    "df_table",
    "emit",
    "err",
    "fail",
    "gettext",
    "lang",
    "load_inputs",
    "opened_store",
    "out",
    "show_problems",
]

out = Console()
err = Console(stderr=True)

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


def lang() -> str:
    """The command line's language (`OPENMRV_LANG`, docs/settings.md)."""
    return get_settings().lang


def gettext(text: str) -> str:
    """`text` (English, its msgid in the catalogue, openmrv.i18n) in the command line's
    language; a text with `{name}` fields is formatted after. Commands import it as `_`, the
    name `make i18n` extracts: `_("wrote {path}").format(path=p)`."""
    return translate(lang(), text)


_ = gettext


def _message(text: str) -> str:
    """A validation problem or fix, or a refusal, in the command line's language."""
    from openmrv.web.i18n import message

    return message(lang(), text)


def _where(p: Problem) -> str:
    """A problem's location in the command line's language (`Problem.location` in English)."""
    parts = [p.file]
    if p.row is not None:
        row = _("row {n}") if p.row_word == "row" else _("record {n}")
        parts.append(row.format(n=p.row))
    if p.column:
        parts.append(_("column {name}").format(name=repr(p.column)))
    return ", ".join(parts)


def _line(p: Problem) -> str:
    """One located problem as a line, in the command line's language (`str(Problem)` in
    English)."""
    where = _where(p)
    if p.value is not None:
        v = p.value if len(p.value) <= 60 else p.value[:57] + "..."
        where = _("{where} (value {value})").format(where=where, value=repr(v))
    return _("{where}: {problem}. Fix: {fix}").format(
        where=where, problem=_message(p.problem), fix=_message(p.fix)
    )


def show_problems(exc: InputError) -> None:
    """A table on a terminal; one plain located line per problem in logs and pipes."""
    title = _("Input rejected: {n} problem(s); nothing was written").format(n=exc.total)
    if not err.is_terminal:
        err.print(title, markup=False, highlight=False, soft_wrap=True)
        for p in exc.problems:
            err.print(f"  {_line(p)}", markup=False, highlight=False, soft_wrap=True)
    else:
        t = Table(title=title, title_style="bold red")
        for col in (_("Where"), _("Value"), _("Problem"), _("How to fix")):
            t.add_column(col, overflow="fold")
        for p in exc.problems:
            v = "" if p.value is None else (p.value if len(p.value) <= 40 else p.value[:37] + "…")
            t.add_row(_where(p), v, _message(p.problem), _message(p.fix))
        err.print(t)
    if exc.total > len(exc.problems):
        err.print(_("… and {n} more.").format(n=exc.total - len(exc.problems)))


def df_table(df: pd.DataFrame, title: str) -> Table:
    """A data frame as a terminal table: numbers right-aligned and never cut; column headers in
    the command line's language where the report catalogue names them (`col.<name>`), and the
    reasons a record was not computed translated too."""
    from openmrv.reports.i18n import label, localize

    df = localize(df, lang())
    t = Table(title=title)
    for c in df.columns:
        numeric = df[c].dtype.kind in "fi"  # numbers are never cut: text columns fold instead
        head = str(c) if lang() == "en" else label(str(c), lang())
        t.add_column(head, justify="right" if numeric else "left", no_wrap=numeric)
    for row in df.itertuples(index=False):
        t.add_row(*[f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row])
    return t


def load_inputs(facilities: Path, activity: Path, schema: Schema | None = None) -> tuple[Any, Any]:
    """The facilities file and the activity file (of `schema`; default: the registered activity
    schema), read and validated (InputError if not)."""
    from openmrv.ingest.readers import read_table
    from openmrv.ingest.validate import validate_activity, validate_facilities

    fac = validate_facilities(read_table(facilities))
    checked = validate_activity(read_table(activity), set(fac.facility_id), schema=schema)
    return fac, checked


def emit(text: str, path: Path | None) -> None:
    """A domain report's text: on standard output, or written to `path` (and said so)."""
    if path is None:
        typer.echo(text)
    else:
        path.write_text(text, encoding="utf-8")
        out.print(f"wrote {path}")


def actor(by: str | None) -> str:
    """Who makes a change: `--by`, or the login name."""
    return by or getpass.getuser()


def fail(exc: Exception) -> typer.Exit:
    """Show why a command failed (located problems as a table) and return the exit to raise:
    the error's `exit_code` (`openmrv.errors`); another exception met where input is read (a
    ValueError) is bad input."""
    if isinstance(exc, InputError):
        show_problems(exc)
    else:
        err.print(f"[red]{escape(_message(str(exc)))}[/red]", soft_wrap=True, highlight=False)
    return typer.Exit(exc.exit_code if isinstance(exc, OpenMRVError) else EXIT_INPUT)


class Handled(TyperGroup):
    """The root command: an `OpenMRVError` out of any command, a sub-app's included, is shown
    and ends it with the error's own `exit_code` (one handler: a new error needs no edit)."""

    def invoke(self, ctx: Any) -> Any:  # ctx: a click Context (typer vendors click)
        try:
            return super().invoke(ctx)
        except OpenMRVError as exc:
            raise fail(exc) from None


@contextmanager
def opened_store(db: str, recovering: bool = True) -> Iterator[Database]:
    """Open the store and close it (refusals, bad input and a busy store end the command
    through the root handler, `Handled`, with their own exit codes)."""
    from openmrv.store import open_store

    store = open_store(db, recovering=recovering)
    try:
        yield store
    finally:
        store.close()
