"""Stationary combustion's commands: calculate, compare, factors and methods (registered on
the `openmrv` command line by the combustion domain's plugin)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from openmrv.cli.console import (
    EXIT_INPUT,
    Grid,
    Gwp,
    df_table,
    err,
    fail,
    lang,
    load_inputs,
    out,
)
from openmrv.cli.console import gettext as _
from openmrv.combustion.schema import ACTIVITY
from openmrv.ingest.errors import InputError

if TYPE_CHECKING:  # pandas costs about a second to import: only the commands that use it do
    import pandas as pd

commands = typer.Typer()


@commands.command()
def calculate(
    facilities: Annotated[Path, typer.Argument(help="Facilities file (CSV, XLSX, JSON, Parquet).")],
    activity: Annotated[Path, typer.Argument(help="Activity file (CSV, XLSX, JSON, Parquet).")],
    methodology: Annotated[
        list[str], typer.Option("--methodology", "-m", help="Methodology id, repeatable, or 'all'.")
    ] = ["all"],  # noqa: B006
    gwp: Annotated[Gwp, typer.Option(help="GWP set; 'default' uses each method's own.")] = (
        Gwp.default
    ),
    cn_grid: Annotated[Grid, typer.Option(help="China grid factor level (MEE).")] = Grid.national,
    out_path: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Results file: .csv, .parquet or "
            ".json; rows not computed and run metadata go beside "
            "it.",
        ),
    ] = Path("results.csv"),
    report: Annotated[Path | None, typer.Option(help="Also write a Markdown report here.")] = None,
) -> None:
    """Calculate emissions for every record under the chosen methodologies."""
    from openmrv.engine import calculate as run_calculation
    from openmrv.engine.run import resolve_methods
    from openmrv.methods import Options
    from openmrv.methods.mee import grid_options
    from openmrv.reports.export import FORMATS, write_run
    from openmrv.reports.markdown import render
    from openmrv.reports.summary import part98_threshold

    if out_path.suffix.lower() not in FORMATS:
        text = _("--out must end in {formats}").format(formats=", ".join(FORMATS))
        err.print(f"[red]{text}[/red]")
        raise typer.Exit(EXIT_INPUT)
    try:
        methods = resolve_methods(methodology)
    except ValueError as exc:
        raise fail(exc) from None
    with err.status(_("Reading and validating input…")):
        try:
            fac, checked = load_inputs(facilities, activity, ACTIVITY)
        except InputError as exc:
            raise fail(exc) from None
    warning = _("warning:")
    for w in checked.warnings:
        err.print(f"[yellow]{warning}[/yellow] {w}")
    options = Options(
        gwp_set=None if gwp is Gwp.default else gwp.value, methods=grid_options(cn_grid.value)
    )
    with err.status(
        _("Calculating {n} records under {m} methodologies…").format(
            n=f"{checked.table.num_rows:,}", m=len(methods)
        )
    ):
        run = run_calculation(checked.table, fac, methods, options, schema=ACTIVITY)
    written = write_run(run, out_path, checked.table)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(render(run, checked.table, fac, lang()), encoding="utf-8")
        written.append(report)
    _show_totals(run, checked.table)
    flags = part98_threshold(run.results)
    if not flags.empty:
        out.print(df_table(flags, _("40 CFR 98 Subpart C: 25,000 t CO2e threshold")))
    if run.skipped.num_rows:
        text = _(
            "{n} result rows could not be computed; reasons in {reasons}; every record not "
            "computed, per methodology, in {records}"
        )
        n = f"{run.skipped.num_rows:,}"
        out.print(f"[yellow]{text.format(n=n, reasons=written[1], records=written[3])}[/yellow]")
    done = _("{n} result rows in {seconds} s · run {run} · wrote {files}")
    out.print(
        done.format(
            n=f"{run.results.num_rows:,}",
            seconds=run.meta["seconds"],
            run=run.meta["run_id"],
            files=", ".join(str(p) for p in written),
        )
    )


def _show_totals(run: Any, activity: Any) -> None:
    """Totals per methodology, facility and year by scope, each with its coverage; then every
    record not computed, by reason (so no record is in neither)."""
    from openmrv.reports import coverage
    from openmrv.reports.summary import scope_totals

    tot = scope_totals(run.results, run.skipped, activity, tuple(run.meta["methodologies"]))
    # Short on a terminal: "n of m records not computed"; which and why follow in the next
    # table (the counts and shares are in the reports and the not_computed file).
    short = coverage.label(tot, lang()).str.replace(r" ?\(.*?\)|[;；].*$", "", regex=True)
    tot["coverage"] = short
    shown = tot.drop(columns=["missing_share", "outside_categories", "records", "not_computed"])
    out.print(
        df_table(
            shown,
            _(
                "Totals by scope, t CO2e (Scope 2 location-based; biogenic CO2 separate; "
                "'categories' = what each total holds)"
            ),
        )
    )
    led = coverage.by_methodology(
        run.results, run.skipped, activity, tuple(run.meta["methodologies"])
    )
    keys = ["methodology", "facility_id", "year", "category", "reason"]
    why = coverage.reasons(led, keys[:3]).groupby(keys, as_index=False).records.sum()
    if len(why):
        out.print(
            df_table(
                why,
                _("Records not computed ({n} record-methodology pairs), by reason").format(
                    n=f"{int(why.records.sum()):,}"
                ),
            )
        )


class CompareFormat(StrEnum):
    table = "table"
    json = "json"


@commands.command()
def compare(
    facilities: Annotated[Path, typer.Argument(help="Facilities file.")],
    activity: Annotated[Path, typer.Argument(help="Activity file.")],
    record: Annotated[
        str | None, typer.Option(help="Record id of a stationary combustion record.")
    ] = None,
    facility: Annotated[str | None, typer.Option(help="Facility id (with --year).")] = None,
    year: Annotated[int | None, typer.Option(help="Reporting year (with --facility).")] = None,
    base: Annotated[
        str | None,
        typer.Option(
            help="Base methodology of the decomposition (default: the registry's comparison "
            "base, US Part 98)."
        ),
    ] = None,
    other: Annotated[
        list[str] | None,
        typer.Option(
            help="Methodology compared with the base, repeatable (default: those the "
            "registry compares with Part 98, China MEE and IPCC 2006)."
        ),
    ] = None,
    html: Annotated[
        Path | None, typer.Option(help="Also write the waterfall charts as an HTML page.")
    ] = None,
    page_lang: Annotated[
        str | None, typer.Option("--lang", help="en or zh-CN (for --html; default OPENMRV_LANG).")
    ] = None,
    fmt: Annotated[CompareFormat, typer.Option("--format", "-f", help="table or json.")] = (
        CompareFormat.table
    ),
) -> None:
    """Compare a record, or a facility-year, under the base and each other methodology, like
    for like: the records both computed, why they differ, the difference split into causes,
    and (apart) the records only one of them computed, with the reason."""
    import json

    from openmrv.engine import calculate as run_calculation
    from openmrv.methods import COMPARISONS
    from openmrv.reports.decompose import decompose, only_by_reason
    from openmrv.reports.i18n import t
    from openmrv.reports.summary import compare as compare_rows

    if (record is None) == (facility is None or year is None):
        err.print("[red]give --record, or --facility and --year[/red]")
        raise typer.Exit(EXIT_INPUT)
    try:
        fac, checked = load_inputs(facilities, activity, ACTIVITY)
    except InputError as exc:
        raise fail(exc) from None
    base = base or COMPARISONS[0][0]
    other = other or [o for _, o in COMPARISONS]
    methods = list(dict.fromkeys([base, *other]))
    try:
        run = run_calculation(checked.table, fac, methods, schema=ACTIVITY)
    except ValueError as exc:
        raise fail(exc) from None
    keys: dict[str, object] = (
        {"record_id": record} if record else {"facility_id": facility, "year": year}
    )
    where = f"Record {record}" if record else f"{facility} {year}"
    pairs, decs = [], []
    for o in other:
        c = compare_rows(run.results, keys, skipped=run.skipped, methods=(base, o))
        d = decompose(run.results, base, o, keys, checked.table, skipped=run.skipped)
        pairs.append((o, c, d))
        decs.append(d)
    if all(c.table.empty and c.only.empty for _, c, _ in pairs):
        err.print(f"[red]{where} has no stationary combustion result[/red]")
        raise typer.Exit(EXIT_INPUT)
    if fmt is CompareFormat.json:
        out.print_json(json.dumps(_compare_json(where, base, pairs), default=str))
    for o, c, d in pairs if fmt is CompareFormat.table else ():
        both = int(c.table.records.max()) if len(c.table) else 0
        out.print(df_table(c.table, f"{where}: {base} vs {o}, the {both} records both computed"))
        for r in c.reasons:
            out.print(f"• {r}")
        rows = d.effects.assign(cause=[t(f"cause.{x}", lang()) for x in d.effects.cause])
        out.print(
            df_table(
                rows,
                f"{d.base} {d.base_t:,.2f} → {d.other} {d.other_t:,.2f} t CO2e: "
                f"difference {d.difference_t:,.2f} by cause (records both computed)",
            )
        )
        out.print(df_table(d.by_scope, f"{d.base} and {d.other} by scope, records both computed"))
        if len(d.only):
            out.print(df_table(only_by_reason(d.only), f"Computed by one method only ({o})"))
    if html is not None:
        from openmrv.reports.html import waterfall_page

        html.write_text(waterfall_page(where, decs, page_lang or lang()), encoding="utf-8")
        err.print(_("wrote {path}").format(path=html))


def _compare_json(where: str, base: str, pairs: list[Any]) -> dict[str, object]:
    """The comparison as data: per other method, the side-by-side figures, the causes and
    the records only one method computed (full precision)."""

    def rows(df: pd.DataFrame) -> list[dict[str, object]]:
        return [
            {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
            for r in df.to_dict("records")
        ]

    return {
        "where": where,
        "base": base,
        "comparisons": [
            {
                "other": o,
                "base_t": d.base_t,
                "other_t": d.other_t,
                "difference_t": d.difference_t,
                "by_scope": rows(d.by_scope),
                "methods": rows(c.table),
                "reasons": c.reasons,
                "causes": rows(d.effects),
                "computed_by_one_method_only": rows(d.only),
            }
            for o, c, d in pairs
        ],
    }


@commands.command()
def factors(
    check: Annotated[
        bool, typer.Option(help="Validate the library; exit 1 on any problem.")
    ] = False,
) -> None:
    """List the factor tables, their editions and status counts."""
    from openmrv.factors import load_library

    lib = load_library()
    summary = (
        lib.factors.groupby(["file", "publisher", "status"])
        .size()
        .unstack(fill_value=0)
        .reset_index()
    )
    out.print(df_table(summary, "Factor library"))
    if lib.problems:
        for p in lib.problems:
            err.print(f"[red]{p}[/red]")
        if check:
            raise typer.Exit(1)
    elif check:
        out.print(f"[green]{len(lib.factors)} factor rows valid[/green]")


@commands.command()
def methods() -> None:
    """List the methodologies."""
    from openmrv.methods import METHODS

    t = Table(title="Methodologies")
    for c in ("id", "version", "title", "categories"):
        t.add_column(c)
    for m in METHODS.values():
        t.add_row(m.id, m.version, m.title, ", ".join(m.categories))
    out.print(t)
