"""Market-based Scope 2 (GHG Protocol Scope 2 Guidance, 2015, ch. 6): the consumption of each
facility and year is covered by contractual instruments in the order of the Guidance's data
hierarchy (Table 6.3): energy attribute certificates (US RECs, China GECs), then contracts
(PPAs, green-power trading), then supplier-specific emission rates; what is left takes the
residual mix of the grid region and, where none is published (China has none), the grid
average, which is disclosed. Location-based Scope 2 is the engine's grid-average result.

Instruments come from a file (one row per instrument); residual mixes from another (one row
per grid key and year, with its source). Bad rows raise located errors; instruments that claim
more MWh than a facility used in that year are refused (a claim cannot exceed consumption).
"""

from __future__ import annotations

import math

import pandas as pd

from openmrv.ingest.errors import InputError, Problem
from openmrv.reports.inputs import require_columns

RUNGS = ("certificate", "contract", "supplier", "residual", "grid_average")
INSTRUMENT_RUNG = {
    "rec": "certificate",  # US renewable energy certificate
    "gec": "certificate",  # China green electricity certificate (绿证)
    "eac": "certificate",  # any other energy attribute certificate (I-REC, GO)
    "ppa": "contract",
    "green_power": "contract",  # China green-power trading (绿电交易), certificate bundled
    "supplier": "supplier",  # utility / supplier-specific emission rate
}
INSTRUMENT_COLUMNS = ("instrument_id", "facility_id", "year", "type", "mwh", "t_co2e_per_mwh")
RESIDUAL_COLUMNS = ("grid_key", "year", "t_co2e_per_mwh", "source")


def check_instruments(df: pd.DataFrame, name: str = "instruments") -> pd.DataFrame:
    """Typed instruments, or InputError with every bad row located (row 2 = first data row).

    ``mwh`` blank means "the rest of the consumption" (a supplier rate for all remaining use);
    ``t_co2e_per_mwh`` blank means 0 for certificates and contracts (renewable attributes)."""
    require_columns(df, name, INSTRUMENT_COLUMNS)
    df = df.copy()
    problems = []
    for i, r in enumerate(df.itertuples(index=False), start=2):
        kind = str(r.type).strip().lower()
        if kind not in INSTRUMENT_RUNG:
            problems.append(
                Problem(
                    name,
                    i,
                    "type",
                    str(r.type),
                    "unknown instrument type",
                    "use one of " + ", ".join(INSTRUMENT_RUNG),
                )
            )
        for col, blank_ok in (("mwh", kind == "supplier"), ("t_co2e_per_mwh", kind != "supplier")):
            v = pd.to_numeric(getattr(r, col), errors="coerce")
            raw = getattr(r, col)
            if (raw is None or (isinstance(raw, float) and math.isnan(raw)) or raw == "") and (
                blank_ok
            ):
                continue
            if v != v or v < 0:
                problems.append(
                    Problem(
                        name,
                        i,
                        col,
                        str(raw),
                        "must be a number ≥ 0",
                        "MWh covered, and the instrument's emission rate in t CO2e/MWh",
                    )
                )
    if problems:
        raise InputError(problems)
    df["type"] = df.type.str.strip().str.lower()
    df["rung"] = df.type.map(INSTRUMENT_RUNG)
    df["year"] = df.year.astype(int)
    df["mwh"] = pd.to_numeric(df.mwh, errors="coerce")
    df["t_co2e_per_mwh"] = pd.to_numeric(df.t_co2e_per_mwh, errors="coerce").fillna(0.0)
    df["file_row"] = range(2, len(df) + 2)
    return df


def check_residual(df: pd.DataFrame, name: str = "residual mix") -> pd.DataFrame:
    require_columns(df, name, RESIDUAL_COLUMNS)
    v = pd.to_numeric(df.t_co2e_per_mwh, errors="coerce")
    bad = [i for i, x in enumerate(v, start=2) if x != x or x < 0]
    if bad:
        raise InputError(
            [
                Problem(
                    name,
                    i,
                    "t_co2e_per_mwh",
                    str(df.t_co2e_per_mwh.iloc[i - 2]),
                    "must be a number ≥ 0",
                    "the residual mix rate in t CO2e/MWh",
                )
                for i in bad
            ]
        )
    return df.assign(t_co2e_per_mwh=v, year=df.year.astype(int), grid_key=df.grid_key.astype(str))


def market_based(
    consumption: pd.DataFrame,
    instruments: pd.DataFrame | None = None,
    residual: pd.DataFrame | None = None,
    name: str = "instruments",
) -> pd.DataFrame:
    """Market-based slices: one row per facility, year and hierarchy rung used.

    `consumption` has facility_id, year, grid_key, mwh and location_t (location-based t CO2e
    of the same MWh). Returns facility_id, year, rung, mwh, t_co2e_per_mwh, co2e_t,
    instrument_ids; the slices of a facility-year add up to its consumption."""
    inst = instruments if instruments is not None else pd.DataFrame(columns=[*INSTRUMENT_COLUMNS])
    if "rung" not in inst.columns:
        inst = check_instruments(inst, name) if len(inst) else inst.assign(rung="", file_row=0)
    res = {}
    if residual is not None:
        res = {(r.grid_key, int(r.year)): float(r.t_co2e_per_mwh) for r in residual.itertuples()}
    known = set(zip(consumption.facility_id, consumption.year, strict=True))
    orphans = [
        Problem(
            name,
            int(r.file_row),
            "facility_id",
            f"{r.facility_id} {r.year}",
            "no purchased electricity for this facility and year",
            "an instrument must match a facility-year with electricity use",
        )
        for r in inst.itertuples()
        if (r.facility_id, int(r.year)) not in known
    ]
    if orphans:
        raise InputError(orphans)
    rows, problems = [], []
    for c in consumption.itertuples(index=False):
        left = float(c.mwh)
        mine = inst[(inst.facility_id == c.facility_id) & (inst.year == c.year)]
        for rung in RUNGS[:3]:
            for i in mine[mine.rung == rung].itertuples():
                want = left if i.mwh != i.mwh else float(i.mwh)
                if want > left + 1e-9:
                    problems.append(
                        Problem(
                            name,
                            int(i.file_row),
                            "mwh",
                            f"{i.mwh}",
                            f"instruments for {c.facility_id} in {c.year} exceed its consumption "
                            f"({c.mwh:,.3f} MWh) by {want - left:,.3f} MWh",
                            "claim at most the MWh consumed; retire the rest in another period",
                        )
                    )
                    want = left
                left -= want
                rows.append(
                    (
                        c.facility_id,
                        c.year,
                        rung,
                        want,
                        float(i.t_co2e_per_mwh),
                        str(i.instrument_id),
                    )
                )
        if left > 0 or float(c.mwh) == 0:
            rate = res.get((str(c.grid_key), int(c.year)))
            if rate is not None:
                rows.append((c.facility_id, c.year, "residual", left, rate, ""))
            else:
                avg = float(c.location_t) / float(c.mwh) if c.mwh else 0.0
                rows.append((c.facility_id, c.year, "grid_average", left, avg, ""))
    if problems:
        raise InputError(problems)
    out = pd.DataFrame(
        rows,
        columns=["facility_id", "year", "rung", "mwh", "t_co2e_per_mwh", "instrument_ids"],
    )
    out["co2e_t"] = out.mwh * out.t_co2e_per_mwh
    return out
