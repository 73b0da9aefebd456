"""A CCUS data folder read, checked and accounted: capture per facility and quarter (PP), the
site figures per quarter and year (RR, UU, VV), cumulative sequestration. All column-wise
(pandas), the equations from `equations`; the custody checks are in `custody`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from openmrv.ccus.equations import quarter_mass, rr9, rr11, rr12, vv_stored
from openmrv.ccus.schema import FILES
from openmrv.ingest.errors import InputError, Problem
from openmrv.ingest.validate import validate_folder

__all__ = ["Account", "Data", "account", "problem", "read_folder"]

OPS_LOSSES = ("leakage_facilities", "vent_flare", "entrained", "transfer_out")  # 98.486(e)
RR_LOSSES = ("surface_leakage", "equipment_injection", "equipment_production")
RENAME = {
    "receiving": "received_t", "injection": "injected_t", "separator": "separated_t",
    "produced": "produced_t", "surface_leakage": "leakage_t", "equipment_injection": "fi_t",
    "equipment_production": "fp_t",
}  # fmt: skip


# A year without leakage or losses has no losses file; an emitter that only captures and sends
# (its receiver another organisation) has no site files, a storage site no capture file.
OPTIONAL = ("capture.csv", "meters.csv", "losses.csv", "sites.csv")


@dataclass
class Data:
    """The five validated tables of one folder (source_row: the file's row)."""

    capture: pd.DataFrame
    transfers: pd.DataFrame
    meters: pd.DataFrame
    losses: pd.DataFrame
    sites: pd.DataFrame

    @classmethod
    def of(cls, tables: dict[str, pd.DataFrame]) -> Data:
        return cls(*(tables[n] for n in FILES))


def problem(file: str, row: Any, column: str | None, value: object, text: str, fix: str) -> Problem:
    """A located problem (`row`: the file's row number, as pandas gives it)."""
    return Problem(file, int(row) if row is not None else None, column, str(value), text, fix)


def read_folder(folder: Path) -> Data:
    """Every file of the folder validated (losses.csv may be absent); all their problems
    together, or the tables."""
    data = Data.of(validate_folder(Path(folder), FILES, OPTIONAL))
    problems = consistency(data)
    if problems:
        raise InputError(problems)
    return data


def _dupes(df: pd.DataFrame, key: list[str], file: str, what: str) -> list[Problem]:
    d = df[df.duplicated(key, keep="first")]
    return [
        problem(file, r.source_row, key[-1], "/".join(str(getattr(r, k)) for k in key),
                f"a second {what} for the same {', '.join(key)}: it would be counted twice",
                "keep one row per meter and quarter")
        for r in d.itertuples()
    ]  # fmt: skip


def consistency(d: Data) -> list[Problem]:
    """Checks across rows: one reading per meter and quarter, PP-3a and PP-3b meters not mixed,
    every site's rows have a sites.csv row for their year."""
    out = _dupes(d.capture, ["facility_id", "meter_id", "year", "quarter"], "capture.csv",
                 "reading")  # fmt: skip
    out += _dupes(d.meters, ["facility_id", "meter_id", "year", "quarter"], "meters.csv", "reading")
    out += _dupes(d.sites, ["facility_id", "year"], "sites.csv", "site row")
    pos = d.capture.groupby(["facility_id", "year"]).meter_position.agg(set)
    for (fac, year), p in pos.items():
        bad = ("after_segregation" in p and len(p) > 1) or p == {"onsite_use"}
        if bad:
            rows = d.capture[(d.capture.facility_id == fac) & (d.capture.year == year)]
            out.append(
                problem("capture.csv", rows.source_row.min(), "meter_position", sorted(p),
                        f"{fac} {year} mixes meter positions: PP-3a sums meters after the point "
                        "of segregation; PP-3b subtracts on-site-use meters from main meters "
                        "before it (98.423(a)(3), 98.424(a)(1)(i))",
                        "use after_segregation alone, or before_segregation with onsite_use")
            )  # fmt: skip
    known = d.sites[["facility_id", "year"]].drop_duplicates()
    for file, df in (("meters.csv", d.meters), ("losses.csv", d.losses)):
        m = df.merge(known, on=["facility_id", "year"], how="left", indicator=True)
        for r in m[m._merge == "left_only"].itertuples():
            out.append(
                problem(file, r.source_row, "facility_id", r.facility_id,
                        f"no row in sites.csv for {r.facility_id} {r.year}",
                        "add the site's row (subpart, MRV plan) for that year")
            )  # fmt: skip
    return out


def quarter_end(year: pd.Series, quarter: pd.Series) -> pd.Series:
    return pd.to_datetime(
        pd.DataFrame({"year": year, "month": quarter * 3, "day": 1})
    ) + pd.offsets.MonthEnd(0)


@dataclass
class Account:
    capture: pd.DataFrame  # facility_id, year, quarter, captured_t, equation
    site_quarters: pd.DataFrame  # facility_id, year, quarter, subpart, figures, stored_t
    site_years: pd.DataFrame  # the annual report's figures, cumulative sequestered
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)  # before the MRV plan start


def captured(cap: pd.DataFrame) -> pd.DataFrame:
    """Capture per facility and quarter: PP-1/PP-2 per meter (PP-2 with the measured D_p),
    then PP-3a (meters after the
    point of segregation, summed) or PP-3b (main meters before it minus on-site use)."""
    co2 = quarter_mass(cap.flow, cap.co2_fraction, cap.meter_type, density=cap.density)
    c = cap.assign(signed_t=np.where(cap.meter_position == "onsite_use", -co2, co2))
    c = c.assign(b=c.meter_position == "before_segregation")
    c["equation"] = np.where(
        c.groupby(["facility_id", "year"]).b.transform("any"), "PP-3b", "PP-3a"
    )
    out = c.groupby(["facility_id", "year", "quarter", "equation"], as_index=False).signed_t.sum()
    return out.rename(columns={"signed_t": "captured_t"})


def _pivot(df: pd.DataFrame, col: str, names: tuple[str, ...], value: str) -> pd.DataFrame:
    keys = ["facility_id", "year", "quarter"]
    p = df.pivot_table(index=keys, columns=col, values=value, aggfunc="sum", fill_value=0.0)
    return p.reindex(columns=list(names), fill_value=0.0).reset_index().rename_axis(columns=None)


def account(d: Data, prior: dict[str, float] | None = None) -> Account:
    """The figures of every site and quarter and year. `prior`: site -> sequestered before
    the first year of this data (from the store), for the cumulative total."""
    m = d.meters.assign(
        co2_t=quarter_mass(d.meters.flow, d.meters.co2_fraction, d.meters.meter_type,
                           d.meters.redelivered)
    )  # fmt: skip
    roles = _pivot(m, "role", ("receiving", "injection", "separator"), "co2_t")
    kinds = ("surface_leakage", "equipment_injection", "equipment_production", *OPS_LOSSES,
             "eor_complex")  # fmt: skip
    loss = _pivot(d.losses, "kind", kinds, "co2_t")
    q = roles.merge(loss, on=["facility_id", "year", "quarter"], how="outer").fillna(0.0)
    sites = d.sites[["facility_id", "year", "subpart", "entrained_ratio", "mrv_plan_start"]]
    q = q.merge(sites, on=["facility_id", "year"], how="left")
    start = pd.to_datetime(q.mrv_plan_start)
    before = start.notna() & (quarter_end(q.year, q.quarter) < start)
    excluded, q = q[before], q[~before].copy()
    production = m[m.role == "separator"].groupby(["facility_id", "year"]).size()
    q["has_production"] = [
        (f, y) in production.index for f, y in zip(q.facility_id, q.year, strict=True)
    ]
    q["produced"] = rr9(q.separator, q.entrained_ratio)
    seq = np.where(
        q.has_production,
        rr11(q.injection, q.produced, q.surface_leakage, q.equipment_injection,
             q.equipment_production),
        rr12(q.injection, q.surface_leakage, q.equipment_injection),
    )  # fmt: skip
    q["loss_operations"] = q[list(OPS_LOSSES)].sum(axis=1)
    q["sequestered_t"] = np.where(q.subpart == "RR", seq, np.nan)
    q["equation"] = np.where(
        q.subpart == "RR", np.where(q.has_production, "RR-11", "RR-12"),
        np.where(q.subpart == "VV", "98.483 Eq. 1", "UU-3"),
    )  # fmt: skip
    q = q.sort_values(["facility_id", "year", "quarter"], ignore_index=True)
    years = site_years(q, d.sites, prior or {})
    return Account(captured(d.capture), q.rename(columns=RENAME), years, excluded)


def site_years(q: pd.DataFrame, sites: pd.DataFrame, prior: dict[str, float]) -> pd.DataFrame:
    """The annual figures in the structure of EPA's RR data (RR-3 received, RR-6 injected,
    RR-9 produced with X, RR-10 leakage, CO2_FI, CO2_FP, annual and cumulative sequestered),
    VV's (m_received, m_native, m_input, recycled, losses, m_stored) and UU's received."""
    sums = ["receiving", "injection", "separator", "produced", *RR_LOSSES, *OPS_LOSSES,
            "eor_complex", "loss_operations", "sequestered_t"]  # fmt: skip
    y = q.groupby(["facility_id", "year", "subpart", "equation"], as_index=False)[sums].sum(
        min_count=1
    )
    y = y.merge(
        sites[["facility_id", "year", "name", "country", "entrained_ratio", "mrv_plan",
               "native_t", "recycled_t"]], on=["facility_id", "year"], how="left",
    )  # fmt: skip
    vv = y.subpart == "VV"
    y["m_input_t"] = np.where(vv, y.receiving + y.native_t, np.nan)
    stored_vv = vv_stored(y.receiving, y.native_t, y.loss_operations, y.eor_complex)
    y["stored_t"] = np.where(vv, stored_vv, y.sequestered_t)
    y = y.sort_values(["facility_id", "year"], ignore_index=True)
    base = y.facility_id.map(lambda f: prior.get(f, 0.0)).astype(float)
    y["cumulative_t"] = y.groupby("facility_id").stored_t.cumsum() + base
    y.loc[y.subpart == "UU", ["stored_t", "cumulative_t"]] = np.nan
    return y.rename(columns=RENAME)
