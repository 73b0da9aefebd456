"""`openmrv report ...`: the inventory, regulator reports, IPCC totals, targets and restatements,
printed as tables or written as XLSX, CSV, JSON, Parquet or a self-contained HTML report."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from openmrv.cli.console import Grid, df_table, err, fail, lang, load_inputs, out
from openmrv.cli.console import gettext as _
from openmrv.combustion.schema import ACTIVITY
from openmrv.ingest.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

report_app = typer.Typer(help="Reports: inventory, Part 98, MEE, IPCC, targets, restatement.")

Facilities = Annotated[Path, typer.Argument(help="Facilities file.")]
Activity = Annotated[Path, typer.Argument(help="Activity file.")]


class Format(StrEnum):
    html = "html"
    xlsx = "xlsx"
    csv = "csv"
    json = "json"
    parquet = "parquet"


class Lang(StrEnum):
    en = "en"
    zh = "zh-CN"


class Boundary(StrEnum):
    equity_share = "equity_share"
    operational_control = "operational_control"
    financial_control = "financial_control"


def _run(facilities: Path, activity: Path, cn_grid: Grid = Grid.national) -> tuple[Any, Any, Any]:
    from openmrv.engine import calculate
    from openmrv.methods import Options
    from openmrv.methods.mee import grid_options

    fac, checked = load_inputs(facilities, activity, ACTIVITY)
    with err.status(_("Calculating {n} records…").format(n=f"{checked.table.num_rows:,}")):
        options = Options(methods=grid_options(cn_grid.value))
        run = calculate(checked.table, fac, None, options, schema=ACTIVITY)
    return fac, checked.table, run


def _csv(path: Path | None) -> pd.DataFrame | None:
    from openmrv.reports.inputs import read_csv

    return None if path is None else read_csv(path)


def _scope2_inputs(instruments: Path | None, residual: Path | None) -> Any:
    from openmrv.reports.scope2 import check_instruments, check_residual

    inst = _csv(instruments)
    res = _csv(residual)
    return (
        None if inst is None else check_instruments(inst, str(instruments)),
        None if res is None else check_residual(res, str(residual)),
    )


def _emit(df: pd.DataFrame, title: str, path: Path | None) -> None:
    import pyarrow as pa

    from openmrv.reports.bundle import plain_columns
    from openmrv.reports.export import write_table

    if path is None:
        out.print(df_table(df, title))
        return
    if path.suffix.lower() == ".xlsx":
        df.to_excel(path, index=False)
    else:
        write_table(pa.Table.from_pandas(plain_columns(df), preserve_index=False), path)
    out.print(_("{n} rows · wrote {path}").format(n=f"{len(df):,}", path=path))


Out = Annotated[
    Path | None, typer.Option("--out", "-o", help="Write here (.csv, .json, .parquet, .xlsx).")
]
Instruments = Annotated[
    Path | None, typer.Option(help="Contractual instruments CSV (RECs, GECs, PPAs, supplier).")
]
Residual = Annotated[Path | None, typer.Option(help="Residual mix CSV (grid_key, year, rate).")]
BoundaryOpt = Annotated[Boundary, typer.Option(help="GHG Protocol organisational boundary.")]
Scope3 = Annotated[
    Path | None, typer.Option(help="Scope 3 tags CSV (record_id, scope3_category 1-15).")
]


Fallback = Annotated[
    list[str] | None,
    typer.Option(
        help="Methodology tried, in order, where a facility's primary one does not compute a "
        "record or gas (repeatable; default: IPCC 2006 Tier 1, then GHG Protocol / EPA Hub; "
        "'none' for no fallback)."
    ),
]


def _fallback(given: list[str] | None) -> tuple[str, ...]:
    from openmrv.reports.inventory import FALLBACK

    return FALLBACK if given is None else tuple(m for m in given if m != "none")


def _not_computed(df: pd.DataFrame, title: str) -> None:
    """Print the records a total leaves out, by reason (none: say so)."""
    if df.empty:
        out.print(_("{title}: none").format(title=title))
        return
    out.print(df_table(df.drop(columns=["record_ids"]), title))


def _scope3(path: Path | None, act: Any) -> Any:
    from openmrv.reports.inventory import check_scope3

    return None if path is None else check_scope3(_csv(path), act, str(path))


@report_app.command()
def inventory(
    facilities: Facilities,
    activity: Activity,
    boundary: BoundaryOpt = Boundary.operational_control,
    instruments: Instruments = None,
    residual_mix: Residual = None,
    scope3: Scope3 = None,
    fallback: Fallback = None,
    out_path: Out = None,
) -> None:
    """GHG Protocol inventory per organisation and year: Scope 1, Scope 2 location- and
    market-based, biogenic CO2, each scope's coverage and the records not computed."""
    from openmrv.reports.inventory import build

    try:
        fac, act, run = _run(facilities, activity)
        inst, res = _scope2_inputs(instruments, residual_mix)
        inv = build(
            run,
            act,
            fac,
            boundary.value,
            inst,
            res,
            scope3=_scope3(scope3, act),
            fallback=_fallback(fallback),
        )
    except (InputError, ValueError) as exc:
        raise fail(exc) from None
    out.print(inv.method_note(lang()))
    title = _("Inventory ({boundary}), t CO2e").format(boundary=boundary.value)
    _emit(inv.totals_with_coverage(lang()), title, out_path)
    if out_path is None:
        scope2 = inv.scope2.drop(columns=["organization_id"])
        out.print(df_table(scope2, _("Scope 2 market-based")))
    _not_computed(inv.not_computed(), _("Records not in the inventory, by reason"))


@report_app.command()
def part98(facilities: Facilities, activity: Activity, out_path: Out = None) -> None:
    """EPA Part 98 Subpart C fuel-level report (per unit, fuel and tier)."""
    from openmrv.methods.epa_part98_c import Part98SubpartC
    from openmrv.reports.coverage import of_method
    from openmrv.reports.regulatory import part98 as build

    try:
        fac, act, run = _run(facilities, activity)
    except InputError as exc:
        raise fail(exc) from None
    _emit(build(run.results, act, fac, run.skipped), _("40 CFR 98 Subpart C"), out_path)
    summ, missing = of_method(run.results, run.skipped, act, Part98SubpartC.id, lang())
    cols = ["facility_id", "year", "records", "not_computed", "coverage"]
    out.print(df_table(summ[cols], _("Subpart C coverage per facility-year")))
    _not_computed(missing, _("Records Part 98 Subpart C did not compute, by reason"))


@report_app.command()
def mee(
    facilities: Facilities,
    activity: Activity,
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="XLSX workbook.")] = None,
    cn_grid: Annotated[Grid, typer.Option(help="China grid factor level.")] = Grid.national,
) -> None:
    """China MEE enterprise report tables, bilingual headers."""
    from openmrv.reports.regulatory import mee_tables

    try:
        fac, act, run = _run(facilities, activity, cn_grid)
    except InputError as exc:
        raise fail(exc) from None
    tables = mee_tables(run.results, act, fac, skipped=run.skipped)
    if out_path is None:
        for name, df in tables.items():
            out.print(df_table(df.head(40), name))
        return
    import pandas as pd

    with pd.ExcelWriter(out_path, engine="openpyxl") as w:
        for i, (name, df) in enumerate(tables.items(), start=1):
            df.to_excel(w, sheet_name=f"Table {i}", index=False, startrow=1)
            w.sheets[f"Table {i}"].cell(row=1, column=1, value=name)
    out.print(_("wrote {path}").format(path=out_path))


@report_app.command()
def ipcc(
    facilities: Facilities,
    activity: Activity,
    level: Annotated[str, typer.Option(help="facility, state, sector or national.")] = "national",
    methodology: Annotated[
        str | None,
        typer.Option(
            "--methodology",
            "-m",
            help="One methodology for every facility (e.g. IPCC 2006 Tier 1's id for pure IPCC; "
            "`openmrv methods` lists them); default: "
            "each country's own, with the inventory's fallbacks.",
        ),
    ] = None,
    fallback: Fallback = None,
    out_path: Out = None,
) -> None:
    """Totals in IPCC 2006 categories, by facility, state/province, sector or country; each
    row names the methodology it comes from."""
    from openmrv.reports.inventory import COUNTRY_METHOD
    from openmrv.reports.regulatory import ipcc_categories

    try:
        fac, act, run = _run(facilities, activity)
        if methodology is not None and methodology not in run.meta["methodologies"]:
            raise ValueError(f"unknown methodology {methodology!r}")
        methods = COUNTRY_METHOD if methodology is None else dict.fromkeys(fac.country, methodology)
        chain = _fallback(fallback) if methodology is None else ()
        df = ipcc_categories(run.results, fac, methods, level, chain)
    except (InputError, ValueError) as exc:
        raise fail(exc) from None
    _emit(df, _("IPCC 2006 categories ({level}), t CO2e").format(level=level), out_path)
    from openmrv.reports import coverage
    from openmrv.reports.inventory import chains_for, choose

    chains = chains_for(fac, methods, chain)
    used = choose(run.results.to_pandas(), chains).record_id
    led = coverage.ledger(act, used, run.skipped.to_pandas(), chains, "ipcc")
    led["country"] = led.facility_id.map(fac.set_index("facility_id").country)
    summ = coverage.summary(led, ["country", "year"])
    summ["coverage"] = coverage.label(summ, lang())
    out.print(df_table(summ.drop(columns="missing_share"), _("Coverage per country and year")))
    _not_computed(coverage.reasons(led, ["country", "year"]), _("Records not in these totals"))


@report_app.command()
def targets(
    facilities: Facilities,
    activity: Activity,
    targets_file: Annotated[Path, typer.Option("--targets", help="Targets CSV.")],
    output: Annotated[Path | None, typer.Option(help="Output CSV for intensity targets.")] = None,
    boundary: BoundaryOpt = Boundary.operational_control,
    instruments: Instruments = None,
    residual_mix: Residual = None,
    out_path: Out = None,
) -> None:
    """Progress towards absolute, intensity and peak targets."""
    from openmrv.reports.inventory import build
    from openmrv.reports.targets import check_targets, progress

    try:
        fac, act, run = _run(facilities, activity)
        inst, res = _scope2_inputs(instruments, residual_mix)
        inv = build(run, act, fac, boundary.value, inst, res)
        tg = check_targets(_csv(targets_file), str(targets_file))
        df = progress(inv.totals, tg, _csv(output))
    except (InputError, ValueError) as exc:
        raise fail(exc) from None
    _emit(df, "Targets", out_path)


def _restate(
    fac: Any, act: Any, year: int, edition: list[str], factors: Path | None, methodology: Any
) -> Any:
    """The restatement of `year` under TABLE=EDITION pairs (from `factors` if given)."""
    from openmrv.engine.run import resolve_methods
    from openmrv.factors.library import load_library, load_library_from
    from openmrv.methods import Options
    from openmrv.reports.restate import restate as run_restate

    try:
        pairs = dict(e.split("=", 1) for e in edition)
    except ValueError:
        raise ValueError("--edition must be TABLE=EDITION, e.g. epa_hub_t1=2026") from None
    lib = load_library_from(factors) if factors else load_library()
    methods = resolve_methods(methodology)
    newer = Options(editions=pairs)
    return run_restate(act, fac, year, methods, Options(), newer, lib, schema=ACTIVITY)


@report_app.command()
def restate(
    facilities: Facilities,
    activity: Activity,
    year: Annotated[int, typer.Option(help="The past year to recalculate.")],
    edition: Annotated[list[str], typer.Option(help="Newer edition, TABLE=EDITION (repeatable).")],
    factors: Annotated[
        Path | None, typer.Option(help="Factor library folder holding the newer editions.")
    ] = None,
    methodology: Annotated[
        list[str], typer.Option("--methodology", "-m", help="Methodology id, repeatable.")
    ] = ["all"],  # noqa: B006
    base_year: Annotated[
        int | None, typer.Option(help="Inventory base year: say whether to recalculate it.")
    ] = None,
    threshold: Annotated[float, typer.Option(help="Significance threshold (fraction).")] = 0.05,
    out_path: Out = None,
) -> None:
    """Recalculate a past year under newer factor editions; show the per-record diff."""
    try:
        fac, checked = load_inputs(facilities, activity, ACTIVITY)
        r = _restate(fac, checked.table, year, edition, factors, methodology)
    except (InputError, ValueError, KeyError) as exc:
        raise fail(exc) from None
    out.print(df_table(r.summary, f"Restatement of {year}: pinned vs {', '.join(edition)}"))
    if base_year is not None:
        from openmrv.reports.restate import RecalculationPolicy, base_year_triggers

        cols = checked.table.select(["year", "facility_id"]).to_pandas()
        by_year = {int(y): set(g.facility_id) for y, g in cols.groupby("year")}
        why = base_year_triggers(RecalculationPolicy(base_year, threshold), by_year, r)
        out.print(
            f"Base year {base_year}: "
            + ("recalculate — " + "; ".join(why) if why else "no recalculation needed")
        )
    _emit(r.changed, f"Records changed in {year}", out_path)


@report_app.command("all")
def report_all(
    facilities: Facilities,
    activity: Activity,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="File (html, xlsx) or folder.")],
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.html,
    lang: Annotated[Lang, typer.Option(help="Report language.")] = Lang.en,
    boundary: BoundaryOpt = Boundary.operational_control,
    instruments: Instruments = None,
    residual_mix: Residual = None,
    scope3: Scope3 = None,
    fallback: Fallback = None,
    targets_file: Annotated[Path | None, typer.Option("--targets", help="Targets CSV.")] = None,
    output: Annotated[Path | None, typer.Option(help="Output CSV for intensity targets.")] = None,
    restate_year: Annotated[
        int | None, typer.Option(help="Also restate this past year under --edition.")
    ] = None,
    edition: Annotated[
        list[str] | None, typer.Option(help="Newer edition for the restatement, TABLE=EDITION.")
    ] = None,
    factors: Annotated[
        Path | None, typer.Option(help="Factor library folder holding the newer editions.")
    ] = None,
) -> None:
    """Every report in one document: HTML with charts, an XLSX workbook, or a folder of
    CSV / JSON / Parquet files."""
    from openmrv.reports.bundle import assemble, write
    from openmrv.reports.targets import check_targets

    try:
        fac, act, run = _run(facilities, activity)
        inst, res = _scope2_inputs(instruments, residual_mix)
        tg = None
        if targets_file is not None:
            tg = check_targets(_csv(targets_file), str(targets_file))
        restated = None
        if restate_year is not None:
            restated = _restate(fac, act, restate_year, edition or [], factors, ["all"])
        bundle = assemble(
            run,
            act,
            fac,
            boundary.value,
            inst,
            res,
            targets=tg,
            output=_csv(output),
            restatement=restated,
            scope3=_scope3(scope3, act),
            fallback=_fallback(fallback),
        )
        written = write(bundle, out_path, fmt.value, lang.value)
    except (InputError, ValueError) as exc:
        raise fail(exc) from None
    out.print(_("wrote {n} file(s): {path}").format(n=len(written), path=out_path))


@report_app.command()
def check(
    html: Annotated[Path, typer.Argument(help="An HTML report.")],
    screenshot: Annotated[Path | None, typer.Option(help="Save a PNG screenshot here.")] = None,
) -> None:
    """Open an HTML report in headless Chromium: fail on console errors or missing charts."""
    from openmrv.reports.browser import check as open_page

    c = open_page(html, screenshot)
    for e in c.errors:
        err.print(f"[red]{e}[/red]")
    if c.requests:
        err.print(f"[red]the report fetched {len(c.requests)} resource(s): {c.requests[:3]}[/red]")
    out.print(f"{c.charts} charts rendered, {len(c.errors)} errors")
    if c.errors or c.requests or not c.charts:
        raise typer.Exit(1)
