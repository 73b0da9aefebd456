"""Pictures of hourly accounting: hour-of-day × day-of-year heat maps of load, clean supply
and unmatched load, and the 24/7 CFE score by month and hour of day — from the stored hourly
rows of one facility (hours in UTC), as Plotly figures for the page and a table for reports."""

from __future__ import annotations

from typing import Any

import pandas as pd

from openmrv.grid.i18n import tr

__all__ = ["cfe_by_month_hour", "heatmaps", "scores"]


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    t = pd.to_datetime(df["hour"])
    return df.assign(doy=t.dt.dayofyear, hod=t.dt.hour, month=t.dt.month,
                     unmatched=df.load_mwh - df.matched_mwh)  # fmt: skip


def cfe_by_month_hour(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """CFE score per month (rows) and hour of day (columns 0-23): Σ[matched + (L − matched) ×
    gridCFE] / ΣL over the hours of that month at that hour."""
    df = _frame(rows)
    clean = df.matched_mwh + df.unmatched * df.grid_cfe
    g = df.assign(clean=clean).groupby(["month", "hod"])[["clean", "load_mwh"]].sum()
    return (g.clean / g.load_mwh).unstack("hod").round(3)


def scores(rows: list[dict[str, Any]]) -> tuple[float, float]:
    """The annual CFE score and hourly-matched share of the rows (grid.calc's definitions)."""
    df = _frame(rows)
    load = df.load_mwh.sum()
    return (
        float((df.matched_mwh + df.unmatched * df.grid_cfe).sum() / load),
        float(df.matched_mwh.sum() / load),
    )


def _heat(z: pd.DataFrame, title: str, lang: str, scale: str) -> dict[str, Any]:
    return {
        "data": [{"type": "heatmap", "z": z.values.tolist(), "x": [int(c) for c in z.columns],
                  "y": [int(i) for i in z.index], "colorscale": scale}],
        "layout": {"title": {"text": title}, "height": 320, "margin": {"t": 40, "b": 40},
                   "xaxis": {"title": {"text": tr("Day of year", lang)}},
                   "yaxis": {"title": {"text": tr("Hour of day (UTC)", lang)}}},
    }  # fmt: skip


def heatmaps(rows: list[dict[str, Any]], lang: str) -> dict[str, dict[str, Any]]:
    """The page's figures: id -> Plotly figure (data, layout)."""
    df = _frame(rows)
    out = {}
    for key, col, title, scale in (
        ("load", "load_mwh", "Load (MWh)", "Blues"),
        ("clean", "supply_mwh", "Clean supply (MWh)", "Greens"),
        ("unmatched", "unmatched", "Unmatched load (MWh)", "Reds"),
    ):
        z = df.pivot_table(index="hod", columns="doy", values=col, aggfunc="sum")
        out[key] = _heat(z, tr(title, lang), lang, scale)
    cfe = cfe_by_month_hour(rows).T  # hours as rows, months as columns
    fig = _heat(cfe, tr("24/7 CFE score by month and hour", lang), lang, "Viridis")
    fig["layout"]["xaxis"]["title"]["text"] = tr("Month", lang)
    out["cfe"] = fig
    return out
