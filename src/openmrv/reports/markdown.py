"""A readable Markdown report of a run: totals, threshold flags, coverage and comparisons."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from openmrv.engine import RunResult
from openmrv.reports.decompose import decompose
from openmrv.reports.i18n import t
from openmrv.reports.summary import (
    COMPARED,
    LABEL,
    compare,
    coverage,
    part98_threshold,
    totals,
)


def md_table(df: pd.DataFrame, floatfmt: str = ",.2f") -> str:
    """A pipe table (no extra dependency)."""

    def cell(v: object) -> str:
        if isinstance(v, float):
            return "" if v != v else format(v, floatfmt)
        return str(v).replace("|", "\\|")

    head = "| " + " | ".join(map(str, df.columns)) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def comparison_groups(run: RunResult) -> pd.DataFrame:
    """(facility, fuel, year) groups of stationary combustion computed by 2+ compared methods."""
    df = run.results.to_pandas()
    df = df[df.methodology.isin(COMPARED) & (df.category == "stationary_combustion")]
    n = df.groupby(["facility_id", "fuel", "year"]).methodology.nunique().reset_index()
    return n[n.methodology >= 2][["facility_id", "fuel", "year"]]


def render(run: RunResult, activity: pa.Table | None = None) -> str:
    """The report; with the activity table, each comparison also gets its difference
    decomposed by cause (reports.decompose)."""
    meta = run.meta
    parts = [
        "# OpenMRV calculation report",
        "",
        f"Run `{meta['run_id']}` · {meta['records']} records · input sha256 "
        f"`{str(meta['input_hash'])[:16]}…` · result sha256 `{str(meta['result_hash'])[:16]}…`",
        "",
        "Methodologies and pinned factor editions:",
        "",
        *[f"- `{m}` v{v}: {meta['factor_editions'][m]}" for m, v in meta["methodologies"].items()],
        "",
        "## Totals (t CO2e; biogenic CO2 reported separately)",
        "",
        md_table(totals(run.results)),
        "",
        "## 40 CFR 98 Subpart C threshold (25,000 t CO2e per facility-year)",
        "",
        md_table(part98_threshold(run.results)),
        "",
        "## Coverage (rows a methodology could not compute, and why)",
        "",
        md_table(coverage(run.results, run.skipped), floatfmt=",.0f"),
        "",
        "## Why the US, Chinese and IPCC methods differ",
        "",
    ]
    for g in comparison_groups(run).itertuples(index=False):
        c = compare(run.results, {"facility_id": g.facility_id, "fuel": g.fuel, "year": g.year})
        parts += [f"### {g.facility_id} · {g.fuel} · {g.year}", "", md_table(c.table), ""]
        parts += [f"- {r}" for r in c.reasons] + [""]
        if activity is not None:
            keys = {"facility_id": g.facility_id, "fuel": g.fuel, "year": g.year}
            for other in ("cn_mee", "ipcc2006_t1"):
                d = decompose(run.results, "epa_part98_c", other, keys, activity)
                if d.other_t and d.base_t:
                    parts += [
                        f"Part 98 → {LABEL[other]}: {d.difference_t:+,.2f} t CO2e, by cause:",
                        "",
                        md_table(
                            d.effects.assign(cause=[t(f"cause.{x}") for x in d.effects.cause])
                        ),
                        "",
                    ]
    return "\n".join(parts)
