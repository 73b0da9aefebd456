"""Chain of custody: every transfer is recorded by its sender and its receiver; the two are
reconciled per transfer (meter, quarter) and differences beyond a tolerance flagged for
verification. A tonne claimed twice is refused with located problems before anything is
stored: two receivers for one transfer, a facility sending more than it captured, a site
injecting (net of recycled CO2) more than it received. `flows` gives the CO2's path (captured
at → transferred → injected → stored or lost) for the Sankey diagram and `trace`."""

from __future__ import annotations

from collections import deque

import numpy as np
import pandas as pd

from openmrv.ccus.account import Account, Data, problem
from openmrv.ccus.equations import CONSTANTS
from openmrv.ingest.errors import Problem

__all__ = ["TOLERANCE", "double_claims", "flows", "reconcile", "trace"]

TOLERANCE = CONSTANTS["transfer_tolerance"].value
KEY = ["transfer_id", "sender_facility", "receiver_facility", "meter_id", "year", "quarter"]


def reconcile(t: pd.DataFrame, tolerance: float = TOLERANCE) -> pd.DataFrame:
    """One row per transfer: what the sender and the receiver recorded, the difference
    (receiver − sender) and whether it is beyond `tolerance` × sent (or one side is missing)."""
    first = t.groupby("transfer_id", as_index=False)[KEY[1:]].first()
    sides = t.pivot_table(index="transfer_id", columns="side", values="co2_t", aggfunc="sum")
    sides = sides.reindex(columns=["sender", "receiver"]).rename_axis(columns=None)
    r = first.merge(sides.reset_index(), on="transfer_id")
    r = r.rename(columns={"sender": "sent_t", "receiver": "received_t"})
    missing = r.sent_t.isna() | r.received_t.isna()
    r["difference_t"] = r.received_t.fillna(0.0) - r.sent_t.fillna(0.0)
    r["flagged"] = missing | (r.difference_t.abs() > tolerance * r.sent_t.fillna(0.0))
    r["note"] = np.where(
        r.sent_t.isna(), "no sender record",
        np.where(r.received_t.isna(), "no receiver record",
                 np.where(r.flagged, "beyond tolerance", "")),
    )  # fmt: skip
    return r.sort_values(["year", "quarter", "transfer_id"], ignore_index=True)


def _two_receivers(t: pd.DataFrame) -> list[Problem]:
    out = []
    for tid, g in t.groupby("transfer_id"):
        rec = g[g.side == "receiver"]
        names = sorted(set(g.receiver_facility))
        if len(names) > 1 or len(rec) > 1:
            where = "; ".join(
                f"{r.receiver_facility} (row {r.source_row})" for r in rec.itertuples()
            )
            for r in rec.itertuples():
                out.append(
                    problem("transfers.csv", r.source_row, "receiver_facility",
                            r.receiver_facility,
                            f"transfer {tid} is claimed by more than one receiver ({where}): a "
                            "tonne is received once", "one receiver row per transfer; a second "
                            "delivery is a transfer of its own")
                )  # fmt: skip
    return out


def _exceeding_capture(t: pd.DataFrame, a: Account, tolerance: float) -> list[Problem]:
    sent = t[t.side == "sender"]
    by = sent.groupby(["sender_facility", "year", "quarter"], as_index=False).co2_t.sum()
    cap = a.capture.rename(columns={"facility_id": "sender_facility"})
    m = by.merge(cap, on=["sender_facility", "year", "quarter"], how="inner")
    over = m[m.co2_t > m.captured_t * (1 + tolerance)]
    out = []
    for o in over.itertuples():
        rows = sent[(sent.sender_facility == o.sender_facility) & (sent.year == o.year)
                    & (sent.quarter == o.quarter)]  # fmt: skip
        for r in rows.itertuples():
            out.append(
                problem("transfers.csv", r.source_row, "co2_t", r.co2_t,
                        f"{o.sender_facility} sends {o.co2_t:,.1f} t in {o.year} Q{o.quarter} "
                        f"but captured {o.captured_t:,.1f} t ({o.equation}): tonnes not captured "
                        "would be claimed", "check the transfer and capture meter records")
            )  # fmt: skip
    return out


def _exceeding_receipt(d: Data, a: Account, tolerance: float) -> list[Problem]:
    """RR: injected − produced (the fresh CO2 a site stores, leaks or loses) above what it
    received (RR-3) stores tonnes nobody delivered."""
    y = a.site_years[a.site_years.subpart == "RR"]
    over = y[(y.injected_t - y.produced_t) > y.received_t * (1 + tolerance)]
    out = []
    for o in over.itertuples():
        rows = d.meters[(d.meters.facility_id == o.facility_id) & (d.meters.year == o.year)
                        & (d.meters.role == "injection")]  # fmt: skip
        for r in rows.itertuples():
            out.append(
                problem("meters.csv", r.source_row, "flow", r.flow,
                        f"{o.facility_id} {o.year}: injected {o.injected_t:,.1f} t less produced "
                        f"{o.produced_t:,.1f} t exceeds the {o.received_t:,.1f} t received "
                        "(RR-3): storage would exceed what was delivered",
                        "check the injection and receiving meters")
            )  # fmt: skip
    return out


def double_claims(d: Data, a: Account, tolerance: float = TOLERANCE) -> list[Problem]:
    """Every way the data would count a tonne twice, located in its file and row."""
    t = d.transfers
    return (
        _two_receivers(t)
        + _exceeding_capture(t, a, tolerance)
        + _exceeding_receipt(d, a, tolerance)
    )


Edge = tuple[str, str, str, str, float]  # (source kind, source id, target kind, target id, t)


def flows(a: Account, rec: pd.DataFrame) -> pd.DataFrame:
    """The year's CO2 flows as edges (source_kind, source_id, target_kind, target_id, year,
    co2_t): capture → transport (meter) → site → stored / leaked / produced. Both ends of every
    edge are measured figures; "retained" and "transit difference" close the balances."""
    edges: list[dict[str, object]] = []

    def add(sk: str, si: str, tk: str, ti: str, year: int, v: float) -> None:
        if v > 1e-9:
            edges.append(dict(source_kind=sk, source_id=si, target_kind=tk, target_id=ti,
                              year=int(year), co2_t=float(v)))  # fmt: skip

    cap = a.capture.groupby(["facility_id", "year"]).captured_t.sum()
    sent = rec.groupby(["sender_facility", "year"]).sent_t.sum()
    for (f, y), v in cap.items():
        add("capture", f, "retained", f, y, v - sent.get((f, y), 0.0))
    for r in rec.itertuples():
        sent_t, got = (0.0 if np.isnan(x) else x for x in (r.sent_t, r.received_t))
        add("capture", r.sender_facility, "transport", r.meter_id, r.year, sent_t)
        add("transport", r.meter_id, "site", r.receiver_facility, r.year, got)
        add("transport", r.meter_id, "transit_loss", r.meter_id, r.year, sent_t - got)
        add("transit_gain", r.meter_id, "transport", r.meter_id, r.year, got - sent_t)
    for s in a.site_years.itertuples():
        f, y = s.facility_id, s.year
        if s.subpart == "RR":
            add("recycled", f, "site", f, y, s.produced_t)
            add("site", f, "stored", f, y, s.stored_t)
            add("site", f, "leaked", f, y, s.leakage_t)
            add("site", f, "equipment", f, y, s.fi_t + s.fp_t)
            add("site", f, "produced", f, y, s.produced_t)
            inflow = rec[(rec.receiver_facility == f) & (rec.year == y)].received_t.sum()
            add("site", f, "not_injected", f, y, inflow - (s.injected_t - s.produced_t))
        elif s.subpart == "VV":
            add("native", f, "site", f, y, s.native_t)
            add("site", f, "stored", f, y, s.stored_t)
            add("site", f, "leaked", f, y, s.loss_operations + s.eor_complex)
        else:
            add("site", f, "injected_uu", f, y, s.received_t)
    return pd.DataFrame(
        edges, columns=["source_kind", "source_id", "target_kind", "target_id", "year", "co2_t"]
    )


def trace(edges: pd.DataFrame, kind: str, node: str) -> pd.DataFrame:
    """The path of the tonnes leaving one node (e.g. capture at a facility): every edge
    reachable downstream (a site's outflows are
    shared by every source that feeds it: the path, not a proportional split)."""
    seen: set[int] = set()
    todo = deque([(kind, node)])
    while todo:
        k, n = todo.popleft()
        out = edges[(edges.source_kind == k) & (edges.source_id == n)]
        for i, e in out.iterrows():
            if i not in seen:
                seen.add(int(i))
                todo.append((e.target_kind, e.target_id))
    return edges.loc[sorted(seen)]
