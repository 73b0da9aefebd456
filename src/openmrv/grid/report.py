"""The grid sections of the OpenMRV report (every format of reports.bundle): the per
facility-year accounting and the CFE score by month and hour of day. `openmrv grid scope2
--facilities --activity` puts a GridReport in the bundle's meta["grid"]."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from openmrv.grid.charts import cfe_by_month_hour

__all__ = ["GridReport", "cfe_table", "scope2_table"]


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
