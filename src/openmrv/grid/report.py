"""The grid sections of the OpenMRV report (every format of reports.bundle): the per
facility-year accounting and the CFE score by month and hour of day, each with its pictures in
the HTML report (the heat maps of grid.charts, one panel per facility). `openmrv grid scope2
--facilities --activity` puts a GridReport in the bundle's meta["grid"]."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from openmrv.grid.charts import cfe_by_month_hour, heatmaps

__all__ = ["GridReport", "cfe_chart", "cfe_table", "heatmap_chart", "scope2_table"]


@dataclass(frozen=True)
class GridReport:
    results: pd.DataFrame  # grid.calc.RESULT_COLUMNS
    hourly: pd.DataFrame  # grid.store.HOURLY columns


def _report(bundle: Any) -> GridReport | None:
    r = getattr(bundle, "meta", {}).get("grid")
    return r if isinstance(r, GridReport) else None


def scope2_table(bundle: Any, lang: str) -> pd.DataFrame:
    r = _report(bundle)
    return r.results if r is not None else pd.DataFrame()


def cfe_table(bundle: Any, lang: str) -> pd.DataFrame:
    """Per facility, one row per month: the CFE score at each UTC hour of day (h00-h23)."""
    r = _report(bundle)
    if r is None or not len(r.hourly):
        return pd.DataFrame()
    parts = []
    for fac, rows in r.hourly.groupby("facility_id"):
        t = cfe_by_month_hour(rows.to_dict("records"))
        t.columns = [f"h{int(c):02d}" for c in t.columns]
        parts.append(t.reset_index().assign(facility_id=fac))
    out = pd.concat(parts)
    return out[["facility_id", *[c for c in out.columns if c != "facility_id"]]]


def _panels(bundle: Any, lang: str, keys: tuple[str, ...]) -> go.Figure | None:
    """The `keys` figures of grid.charts.heatmaps for every facility, stacked in one figure
    (a colour bar beside each panel)."""
    r = _report(bundle)
    if r is None or not len(r.hourly):
        return None
    figs = [(fac, heatmaps(rows.to_dict("records"), lang)) for fac, rows in
            r.hourly.groupby("facility_id")]  # fmt: skip
    panels = [(fac, f[k]) for fac, f in figs for k in keys]
    n = len(panels)
    titles = [f"{fac} · {f['layout']['title']['text']}" for fac, f in panels]
    fig = make_subplots(rows=n, cols=1, subplot_titles=titles, vertical_spacing=0.3 / n)
    for i, (_, f) in enumerate(panels, start=1):
        bar = {"len": 0.7 / n, "y": 1 - (i - 0.5) / n, "thickness": 12}
        fig.add_trace(go.Heatmap(**f["data"][0], colorbar=bar), row=i, col=1)
        fig.update_xaxes(title_text=f["layout"]["xaxis"]["title"]["text"], row=i, col=1)
        fig.update_yaxes(title_text=f["layout"]["yaxis"]["title"]["text"], row=i, col=1)
    fig.update_layout(height=320 * n)
    return fig


def heatmap_chart(bundle: Any, lang: str) -> go.Figure | None:
    """Hour of day × day of year: load, clean supply and unmatched load, per facility."""
    return _panels(bundle, lang, ("load", "clean", "unmatched"))


def cfe_chart(bundle: Any, lang: str) -> go.Figure | None:
    """The CFE score by month and hour of day, per facility."""
    return _panels(bundle, lang, ("cfe",))
