"""The self-contained HTML report: tables and Plotly charts in one file, with plotly.js embedded
from the installed Python package (no CDN, works offline), in English or Simplified Chinese."""

from __future__ import annotations

import html
from functools import cache

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from openmrv.i18n import method_label
from openmrv.reports.coverage import PARTIAL_MARK
from openmrv.reports.decompose import Decomposition, only_by_reason
from openmrv.reports.i18n import label, localize, t
from openmrv.reports.inputs import editions_text
from openmrv.reports.model import Bundle
from openmrv.reports.summary import LABEL

STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif;
margin:2rem auto;max-width:1200px;color:#1d2733;padding:0 1rem}
h1{font-size:1.7rem}h2{margin-top:2.2rem;border-bottom:2px solid #2a6f97;padding-bottom:.2rem}
table{border-collapse:collapse;font-size:.82rem;margin:.6rem 0;display:block;overflow-x:auto}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:right;white-space:nowrap}
th{background:#eef3f7}td:first-child,th:first-child{text-align:left}
.meta{color:#57606a;font-size:.85rem}.chart{height:420px;margin:1rem 0}
td.partial{background:#fff3cd;color:#7a4b00;font-weight:600;white-space:normal;min-width:16rem}
"""


@cache
def plotly_js() -> str:
    return get_plotlyjs()


def _table(df: pd.DataFrame, lang: str, max_rows: int = 60) -> str:
    shown = localize(df.head(max_rows), lang)
    yes_no = {True: t("yes", lang), False: t("no", lang)}
    shown = shown.assign(**{c: shown[c].map(yes_no) for c in shown if shown[c].dtype == bool})
    shown = shown.rename(columns=lambda c: label(str(c), lang))
    text = shown.to_html(index=False, float_format=lambda v: f"{v:,.2f}", na_rep="", border=0)
    # a partial total is marked in its own cell, not only in a footnote
    text = text.replace(f"<td>{PARTIAL_MARK}", f'<td class="partial">{PARTIAL_MARK}')
    more = len(df) - len(shown)
    note = t("table.more", lang).format(n=f"{more:,}")
    return text + (f'<p class="meta">{note}</p>' if more else "")


def _chart(fig: go.Figure, div_id: str) -> str:
    fig.update_layout(margin={"l": 60, "r": 20, "t": 50, "b": 60}, template="plotly_white")
    return fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id, config={"displaylogo": False}
    ).replace('<div style="height:100%; width:100%;">', '<div class="chart">', 1)


def scopes_chart(b: Bundle, lang: str) -> go.Figure:
    tot = b.inventory.totals
    x = [f"{o} {y}" for o, y in zip(tot.organization_id, tot.year, strict=True)]
    fig = go.Figure()
    for col, key in (
        ("scope1_t", "scope.1"),
        ("scope2_location_t", "scope.2_location"),
        ("scope2_market_t", "scope.2_market"),
    ):
        fig.add_bar(name=t(key, lang), x=x, y=tot[col])
    fig.update_layout(title=t("chart.scopes", lang), barmode="group", yaxis_type="log")
    return fig


def ipcc_chart(b: Bundle, lang: str) -> go.Figure:
    df = b.ipcc[b.ipcc.ipcc_category != "memo"]
    fig = go.Figure()
    for (country, year), g in df.groupby(["country", "year"]):
        s = g.groupby("ipcc_category").co2e_t.sum()
        fig.add_bar(name=f"{country} {year}", x=list(s.index), y=list(s.values))
    fig.update_layout(title=t("chart.ipcc", lang), barmode="group", yaxis_type="log")
    return fig


def _short(method_id: str, lang: str) -> str:
    """A methodology's short name in English, its label in another language."""
    if lang == "en":
        return LABEL.get(method_id, method_id)
    return method_label(method_id, lang) or method_id


def waterfall(fac: str, year: int | str, d: Decomposition, lang: str) -> go.Figure:
    """Base method's total, one bar per cause, the other method's total; the y axis spans the
    bars' range so small effects stay visible next to large totals."""
    # effects below a billionth of the totals are float residue of exact cancellations (a pure
    # HHV/NCV conversion): not drawn as bars
    scale = max(abs(d.base_t), abs(d.other_t), 1.0)
    eff = d.effects[d.effects.effect_t.abs() > 1e-9 * scale]
    x = [_short(d.base, lang), *[t(f"cause.{c}", lang) for c in eff.cause]]
    x.append(_short(d.other, lang))
    y = [d.base_t, *eff.effect_t, d.other_t]
    levels = [d.base_t, *(d.base_t + eff.effect_t.cumsum()), d.other_t]
    lo, hi = min(levels), max(levels)
    pad = (hi - lo) * 0.15 or abs(hi) * 0.05 or 1.0
    fig = go.Figure(
        go.Waterfall(
            x=x,
            y=y,
            measure=["absolute", *["relative"] * len(eff), "total"],
            text=[f"{v:+,.1f}" if 0 < i < len(y) - 1 else f"{v:,.1f}" for i, v in enumerate(y)],
            textposition="outside",
            connector={"line": {"width": 1}},
        )
    )
    fig.update_layout(
        title=f"{t('chart.waterfall', lang)} · {fac} {year}",
        showlegend=False,
        yaxis={"range": [max(lo - pad, 0), hi + pad]},
    )
    return fig


def targets_chart(df: pd.DataFrame, lang: str) -> go.Figure:
    """Actual against the target path; intensity targets on the right-hand axis (their unit
    is t CO2e per unit of output)."""
    fig = go.Figure()
    for tid, g in df.groupby("target_id"):
        axis = "y2" if (g.kind == "intensity").any() else "y"
        name = f"{tid} ({t('target.' + g.kind.iloc[0], lang)})"
        fig.add_scatter(
            x=g.year,
            y=g.actual,
            mode="lines+markers",
            name=f"{name} {t('col.actual', lang)}",
            yaxis=axis,
        )
        fig.add_scatter(
            x=g.year,
            y=g.target,
            mode="lines",
            line={"dash": "dash"},
            yaxis=axis,
            name=f"{name} {t('col.target', lang)}",
        )
        if "actual_restated" in g and g.actual_restated.notna().any():
            fig.add_scatter(
                x=g.year,
                y=g.actual_restated,
                mode="markers",
                yaxis=axis,
                marker={"symbol": "diamond-open", "size": 12},
                name=f"{name} {t('target.restated', lang)}",
            )
    fig.update_layout(
        title=t("chart.targets", lang),
        xaxis={"dtick": 1},
        yaxis2={"overlaying": "y", "side": "right", "title": t("chart.intensity_axis", lang)},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def page(title: str, body: list[str], lang: str) -> str:
    """A standalone HTML document with plotly.js inline."""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
        f'<script type="text/javascript">{plotly_js()}</script></head><body>'
        + "\n".join(body)
        + "</body></html>"
    )


def waterfall_page(where: str, decs: list[Decomposition], lang: str = "en") -> str:
    """The comparison's waterfall charts alone (openmrv compare --html)."""
    body = [f"<h1>{t('section.compare', lang)} · {html.escape(where)}</h1>"]
    for i, d in enumerate(decs):
        body += [
            _chart(waterfall(where, "", d, lang), f"chart-waterfall-{i}"),
            _table(d.effects.assign(cause=[t(f"cause.{c}", lang) for c in d.effects.cause]), lang),
        ]
    return page(where, body, lang)


def _categories(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table's activity categories in the report's language."""
    return df.assign(category=[t(f"category.{c}", lang) for c in df.category])


def render(b: Bundle, lang: str = "en") -> str:
    """The whole report as one HTML document."""
    meta = b.meta
    editions = "".join(
        f"<li><code>{html.escape(m)}</code>: {html.escape(editions_text(e))}</li>"
        for m, e in meta.get("factor_editions", {}).items()
    )
    inv = b.inventory
    obl = b.obligations_by_lang.get(lang, b.obligations)
    parts = [
        f"<h1>{t('report.title', lang)}</h1>",
        f'<p class="meta">{t("report.generated", lang)} <code>{meta.get("run_id", "")}</code> · '
        f"{meta.get('records', 0):,} {t('report.records', lang)} · "
        f"{t('boundary.' + inv.boundary, lang)}</p>",
        f"<details><summary>{t('report.editions', lang)}</summary><ul>{editions}</ul>"
        f"<p>{t('report.provisional', lang)}</p></details>",
        f"<h2>{t('section.obligations', lang)}</h2>",
        _table(obl.sort_values("applies", ascending=False, kind="stable"), lang),
        f"<h2>{t('section.inventory', lang)}</h2>",
        f"<p>{html.escape(inv.method_note(lang))}</p>",
        _chart(scopes_chart(b, lang), "chart-scopes"),
        _table(inv.totals_with_coverage(lang), lang),
        _table(
            inv.by_category.assign(
                category=[t(f"category.{c}", lang) for c in inv.by_category.category]
            ),
            lang,
        ),
        f"<h3>{t('section.coverage', lang)}</h3>",
        _table(_categories(inv.not_computed(), lang), lang),
        f"<h2>{t('section.by_methodology', lang)}</h2>",
        _table(b.methodology_totals(lang), lang),
        f"<h3>{t('section.coverage', lang)}</h3>",
        _table(_categories(b.not_computed, lang), lang),
        f"<h2>{t('section.scope2', lang)}</h2>",
        _table(inv.scope2.assign(rung=[t(f"rung.{r}", lang) for r in inv.scope2.rung]), lang),
        f"<h2>{t('section.part98', lang)}</h2>",
        _table(b.part98_table(lang), lang),
        _table(_categories(b.part98_not_computed, lang), lang),
        f"<h2>{t('section.mee', lang)}</h2>",
    ]
    for name, table in b.mee.items():
        parts += [
            f"<h3>{html.escape(name)}</h3>",
            _table(table, lang) if len(table) else f"<p>{t('mee.no_process', lang)}</p>",
        ]
    parts += [
        f"<h2>{t('section.ipcc', lang)}</h2>",
        f"<p>{t('ipcc.methods', lang)}</p>",
        _chart(ipcc_chart(b, lang), "chart-ipcc"),
        _table(b.ipcc, lang),
        f"<h2>{t('section.compare', lang)}</h2>",
        f"<p>{t('compare.like_for_like', lang)}</p>",
    ]
    for i, (fac, year, d) in enumerate(b.comparisons):
        parts.append(_chart(waterfall(fac, year, d, lang), f"chart-waterfall-{i}"))
        if len(d.only):
            parts += [
                f"<h3>{t('compare.only', lang)} · {html.escape(fac)} {year} · "
                f"{_short(d.base, lang)} / {_short(d.other, lang)}</h3>",
                _table(_categories(only_by_reason(d.only), lang), lang),
            ]
    if b.targets is not None and len(b.targets):
        parts += [
            f"<h2>{t('section.targets', lang)}</h2>",
            _chart(targets_chart(b.targets, lang), "chart-targets"),
            _table(b.targets, lang),
        ]
    if b.restatement is not None:
        parts += [
            f"<h2>{t('section.restatement', lang)} {b.restatement.year}</h2>",
            _table(b.restatement.summary, lang),
            _table(b.restatement.changed, lang),
        ]
    charts = b.domain_charts(lang)
    for name, title, table in b.domain_sections(lang):
        parts.append(f"<h2>{html.escape(title)}</h2>")
        if name in charts:
            parts.append(_chart(charts[name], f"chart-{name}"))
        parts.append(_table(table, lang))
    return page(t("report.title", lang), parts, lang)
