"""One report, many formats: the tables of a run's reports assembled once (obligations,
inventory, Scope 2 slices, Part 98, MEE, IPCC, comparison, targets, restatement, and the records
each total leaves out) and written as XLSX (one sheet per table), CSV / JSON / Parquet (one file
per table) or a self-contained HTML page (reports.html). Column labels follow the chosen
language; regulator tables stay bilingual. Every total carries its coverage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa

from openmrv.engine import RunResult
from openmrv.files import atomic_write
from openmrv.methods import COMPARISONS
from openmrv.methods.epa_part98_c import Part98SubpartC
from openmrv.reports import coverage, regulatory
from openmrv.reports.decompose import decompose
from openmrv.reports.export import write_table
from openmrv.reports.html import render
from openmrv.reports.i18n import LANGS
from openmrv.reports.inventory import COUNTRY_METHOD, FALLBACK, Inventory, build
from openmrv.reports.model import Bundle
from openmrv.reports.obligations import obligations
from openmrv.reports.restate import Restatement
from openmrv.reports.summary import scope_totals
from openmrv.reports.targets import Target, progress

FORMATS = ("xlsx", "csv", "json", "parquet", "html")


def comparison_keys(results: pa.Table) -> list[tuple[str, int]]:
    """Facility-years with stationary combustion under both methods of a comparison (Part 98
    and MEE or IPCC: methods.COMPARISONS)."""
    df = results.select(["facility_id", "year", "methodology", "category"]).to_pandas()
    df = df[df.category == "stationary_combustion"]
    n = df.groupby(["facility_id", "year"]).methodology.agg(set)
    return [
        (f, int(y)) for (f, y), ms in n.items() if any(b in ms and o in ms for b, o in COMPARISONS)
    ]


def assemble(
    run: RunResult,
    activity: pa.Table,
    facilities: pd.DataFrame,
    boundary: str = "operational_control",
    instruments: pd.DataFrame | None = None,
    residual: pd.DataFrame | None = None,
    compare: list[tuple[str, int]] | None = None,
    targets: list[Target] | None = None,
    output: pd.DataFrame | None = None,
    restatement: Restatement | None = None,
    scope3: pd.Series | None = None,
    fallback: tuple[str, ...] = FALLBACK,
    status: dict[tuple[str, int, str], dict[str, bool]] | None = None,
) -> Bundle:
    """Every table of the report; `status` (facility, year, programme) -> submitted /
    verified flags, from the store when there is one."""
    inv = build(
        run, activity, facilities, boundary, instruments, residual, scope3=scope3, fallback=fallback
    )
    prog = progress(inv.totals, targets, output) if targets else None
    if targets and prog is not None and restatement is not None and restatement.run is not None:
        prog = with_restated(
            prog,
            inv,
            restatement,
            activity,
            facilities,
            boundary,
            instruments,
            residual,
            targets,
            output,
        )
    keys = comparison_keys(run.results) if compare is None else compare
    comps = [
        (
            f,
            y,
            decompose(
                run.results,
                base,
                other,
                {"facility_id": f, "year": y},
                activity,
                skipped=run.skipped,
            ),
        )
        for f, y in keys
        for base, other in COMPARISONS
    ]
    methods = tuple(run.meta.get("methodologies", {}))
    led = coverage.by_methodology(run.results, run.skipped, activity, methods)
    obl = {
        lang: obligations(facilities, run.results, run.skipped, activity, status, lang)
        for lang in LANGS
    }
    p98 = {
        lang: regulatory.part98(run.results, activity, facilities, run.skipped, lang)
        for lang in LANGS
    }
    return Bundle(
        meta=run.meta,
        inventory=inv,
        part98=p98["en"],
        mee=regulatory.mee_tables(run.results, activity, facilities, skipped=run.skipped),
        ipcc=regulatory.ipcc_categories(run.results, facilities, COUNTRY_METHOD, "state", fallback),
        comparisons=comps,
        targets=prog,
        restatement=restatement,
        obligations=obl["en"],
        by_methodology=scope_totals(run.results, run.skipped, activity, methods),
        not_computed=coverage.reasons(led, ["methodology", "facility_id", "year"]),
        part98_not_computed=coverage.of_method(
            run.results, run.skipped, activity, Part98SubpartC.id
        )[1],
        obligations_by_lang=obl,
        part98_by_lang=p98,
    )


def with_restated(
    prog: pd.DataFrame,
    inv: Inventory,
    r: Restatement,
    activity: pa.Table,
    facilities: pd.DataFrame,
    boundary: str,
    instruments: pd.DataFrame | None,
    residual: pd.DataFrame | None,
    targets: list[Target],
    output: pd.DataFrame | None,
) -> pd.DataFrame:
    """Progress with an `actual_restated` column: the restated year's figure under the newer
    editions beside the pinned one (other years are not restated: left blank)."""
    assert r.run is not None
    used = {m for chain in (inv.chains or {}).values() for m in chain}
    have = set(r.run.meta.get("methodologies", {}))
    if used - have:  # else the restated year would draw on other fallbacks than the pinned one
        raise ValueError(
            "the restatement must recalculate every methodology the inventory draws from; "
            f"missing: {', '.join(sorted(used - have))}"
        )
    again = build(
        r.run, activity, facilities, boundary, instruments, residual, fallback=inv.fallback
    ).totals
    totals = pd.concat([inv.totals[inv.totals.year != r.year], again[again.year == r.year]])
    restated = progress(totals, targets, output)
    restated = restated[restated.year == r.year][["target_id", "year", "actual"]]
    return prog.merge(
        restated.rename(columns={"actual": "actual_restated"}),
        on=["target_id", "year"],
        how="left",
    )


def _sheet(name: str, used: set[str]) -> str:
    s = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    while s in used:
        s = s[:28] + f"_{len(used)}"
    used.add(s)
    return s


def write(bundle: Bundle, out: Path, fmt: str, lang: str = "en") -> list[Path]:
    """Write the bundle: `out` is a file for xlsx and html, a folder for csv, json, parquet."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "html":
        text = render(bundle, lang)
        atomic_write(out, lambda p: p.write_text(text, encoding="utf-8"))
        return [out]
    tables = bundle.tables(lang)
    if fmt == "xlsx":

        def xlsx(p: Path) -> None:
            used: set[str] = set()
            with pd.ExcelWriter(p, engine="openpyxl") as w:
                for name, df in tables.items():
                    df.to_excel(w, sheet_name=_sheet(name, used), index=False)

        atomic_write(out, xlsx)
        return [out]
    written = []
    for name, df in tables.items():
        path = out / f"{name}.{fmt}"
        write_table(pa.Table.from_pandas(plain_columns(df), preserve_index=False), path)
        written.append(path)
    return written


def plain_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns of mixed types as text, so Arrow can type them."""
    fix: dict[str, Callable] = {
        c: (lambda s: s.astype("string")) for c in df.columns if df[c].dtype == object
    }
    return df.assign(**{c: f(df[c]) for c, f in fix.items()})
