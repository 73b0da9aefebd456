"""The context a methodology's plan runs in (`methods.base.Ctx`: factor library, facilities,
options), built in one place below the engine modules that need it (run, shapes, dataset)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from openmrv.factors import Library
from openmrv.methods import Options
from openmrv.methods.base import Ctx

__all__ = ["FACILITY_COLUMNS", "context", "facility_table"]

FACILITY_COLUMNS = [
    "facility_id", "country", "state_province", "grid_region", "ipcc_sector", "programmes",
]  # fmt: skip


def facility_table(facilities: pd.DataFrame) -> ir.Table:
    """The facility columns the plans join on, as text (an absent optional column, such as
    `programmes` in a frame built by hand, is null)."""
    return ibis.memtable(facilities.reindex(columns=FACILITY_COLUMNS).astype("string"))


def context(facilities: pd.DataFrame, options: Options, lib: Library) -> Ctx:
    return Ctx(lib=lib, facilities=facility_table(facilities), options=options)
