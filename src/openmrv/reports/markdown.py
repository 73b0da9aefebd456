"""A readable Markdown report of a run: reporting obligations first, then totals by scope with
their coverage, the records not computed and why, threshold flags and like-for-like
comparisons."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from openmrv.engine import RunResult
from openmrv.methods import COMPARISONS, labels
from openmrv.reports import coverage
from openmrv.reports.decompose import decompose, only_by_reason
from openmrv.reports.i18n import label, t
from openmrv.reports.inputs import editions_text
from openmrv.reports.obligations import obligations
from openmrv.reports.summary import COMPARED, LABEL, compare, part98_threshold, scope_totals


def md_table(df: pd.DataFrame, floatfmt: str = ",.2f", lang: str = "en") -> str:
    """A pipe table (no extra dependency); in another language than English, the columns
    carry the catalogue's labels (`col.<name>`)."""

    def cell(v: object) -> str:
        if isinstance(v, float):
            return "" if v != v else format(v, floatfmt)
        return str(v).replace("|", "\\|")

    names = [str(c) if lang == "en" else label(str(c), lang) for c in df.columns]
    head = "| " + " | ".join(names) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def comparison_groups(run: RunResult) -> pd.DataFrame:
    """(facility, fuel, year) groups of stationary combustion computed by 2+ compared methods."""
    df = run.results.to_pandas()
    df = df[df.methodology.isin(COMPARED) & (df.category == "stationary_combustion")]
    n = df.groupby(["facility_id", "fuel", "year"]).methodology.nunique().reset_index()
    return n[n.methodology >= 2][["facility_id", "fuel", "year"]]


def render(
    run: RunResult,
    activity: pa.Table | None = None,
    facilities: pd.DataFrame | None = None,
    lang: str = "en",
) -> str:
    """The report. With the activity table, every total carries its coverage and each
    comparison its difference decomposed by cause (reports.decompose); with the facilities
    too, the reporting obligations come first."""
    meta = run.meta

    def table(df: pd.DataFrame, floatfmt: str = ",.2f") -> str:
        return md_table(df, floatfmt, lang)

    parts = [
        f"# {t('md.title', lang)}",
        "",
        t("md.run", lang).format(
            run=meta["run_id"],
            records=meta["records"],
            input=str(meta["input_hash"])[:16],
            result=str(meta["result_hash"])[:16],
        ),
        "",
        t("md.editions", lang),
        "",
        *[
            f"- `{m}` v{v}: {editions_text(meta['factor_editions'][m])}"
            for m, v in meta["methodologies"].items()
        ],
        "",
    ]
    if activity is not None and facilities is not None:
        obl = obligations(facilities, run.results, run.skipped, activity, lang=lang)
        obl = obl[obl.applies].drop(columns=["programme_name", "applies", "rule"])
        parts += [f"## {t('section.obligations', lang)}", "", table(obl), ""]
    if activity is not None:
        methods = tuple(meta["methodologies"])
        tot = scope_totals(run.results, run.skipped, activity, methods)
        tot["coverage"] = coverage.label(tot, lang)
        led = coverage.by_methodology(run.results, run.skipped, activity, methods)
        why = coverage.reasons(led, ["methodology", "facility_id", "year"])
        parts += [
            f"## {t('md.totals', lang)}",
            "",
            t("md.totals_note", lang),
            "",
            table(tot.drop(columns=["missing_share", "outside_categories"])),
            "",
            f"## {t('section.coverage', lang)}",
            "",
            table(why, floatfmt=",.6g"),
            "",
        ]
    parts += [
        f"## {t('md.threshold', lang)}",
        "",
        table(part98_threshold(run.results)),
        "",
        f"## {t('md.differ', lang)}",
        "",
        t("compare.like_for_like", lang),
        "",
    ]
    for g in comparison_groups(run).itertuples(index=False):
        keys = {"facility_id": g.facility_id, "fuel": g.fuel, "year": g.year}
        c = compare(run.results, keys, skipped=run.skipped)
        parts += [f"### {g.facility_id} · {g.fuel} · {g.year}", "", table(c.table), ""]
        parts += [f"- {r}" for r in c.reasons] + [""]
        if len(c.only):
            parts += [table(only_by_reason(c.only)), ""]
        if activity is not None:
            for base, other in COMPARISONS:
                d = decompose(run.results, base, other, keys, activity, None, run.skipped)
                if d.other_t and d.base_t:
                    names = LABEL if lang == "en" else labels(lang)
                    parts += [
                        t("md.by_cause", lang).format(
                            base=names[base],
                            other=names[other],
                            difference=f"{d.difference_t:+,.2f}",
                        ),
                        "",
                        table(
                            d.effects.assign(cause=[t(f"cause.{x}", lang) for x in d.effects.cause])
                        ),
                        "",
                    ]
    return "\n".join(parts)
