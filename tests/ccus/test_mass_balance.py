"""Hypothesis: the mass balance closes for any data. Captured = transferred + what stayed
(the custody flows), received = sent + reconciliation differences; per quarter and per year
injected − produced − leaked − FI − FP = sequestered (RR-11), years add up to the cumulative."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openmrv.ccus.account import Data, account
from openmrv.ccus.custody import flows, reconcile

t = st.floats(min_value=0, max_value=1e6, allow_nan=False)
frac = st.floats(min_value=0.5, max_value=1.0)


@st.composite
def datasets(draw):
    years = draw(st.lists(st.integers(2024, 2027), min_size=1, max_size=3, unique=True))
    cap, tr, met, loss, sites = [], [], [], [], []
    row = iter(range(2, 10_000))
    for y in years:
        sites.append(
            dict(
                facility_id="S",
                name="",
                country="US",
                subpart="RR",
                year=y,
                entrained_ratio=draw(st.floats(0, 0.1)),
                mrv_plan_start=None,
                mrv_plan="",
                native_t=0.0,
                recycled_t=0.0,
                source_row=next(row),
            )
        )
        for q in range(1, 5):
            c = draw(t)
            cap.append(
                dict(
                    record_id="",
                    facility_id="F",
                    meter_id="M",
                    year=y,
                    quarter=q,
                    meter_position="after_segregation",
                    meter_type="mass",
                    flow=c,
                    co2_fraction=1.0,
                    density=0.0,  # mass meter: PP-1 takes no density
                    source_row=next(row),
                )
            )
            sent = c * draw(st.floats(0, 1))
            got = sent * (1 + draw(st.floats(-0.01, 0.01)))
            for side, v in (("sender", sent), ("receiver", got)):
                tr.append(
                    dict(
                        record_id="",
                        transfer_id=f"T{y}{q}",
                        side=side,
                        sender_facility="F",
                        receiver_facility="S",
                        meter_id="P",
                        year=y,
                        quarter=q,
                        co2_t=v,
                        source_row=next(row),
                    )
                )
            for role in ("receiving", "injection", "separator"):
                met.append(
                    dict(
                        record_id="",
                        facility_id="S",
                        meter_id=role,
                        role=role,
                        year=y,
                        quarter=q,
                        meter_type=draw(st.sampled_from(["mass", "volumetric"])),
                        flow=draw(t),
                        co2_fraction=draw(frac),
                        redelivered=0.0,
                        source_row=next(row),
                    )
                )
            for kind in ("surface_leakage", "equipment_injection", "equipment_production"):
                loss.append(
                    dict(
                        record_id="",
                        facility_id="S",
                        year=y,
                        quarter=q,
                        kind=kind,
                        pathway="",
                        co2_t=draw(st.floats(0, 100)),
                        source_row=next(row),
                    )
                )
    return Data(*(pd.DataFrame(x) for x in (cap, tr, met, loss, sites)))


@settings(max_examples=60, deadline=None)
@given(datasets())
def test_mass_balance_closes(d):
    a = account(d)
    rec = reconcile(d.transfers)
    # received = sent ± the reconciliation differences
    assert rec.received_t.sum() == pytest.approx(rec.sent_t.sum() + rec.difference_t.sum())
    # captured = transferred + captured-not-transferred (the custody flows out of capture)
    e = flows(a, rec)
    out_of_capture = e[e.source_kind == "capture"].co2_t.sum()
    assert out_of_capture == pytest.approx(a.capture.captured_t.sum(), rel=1e-9, abs=1e-6)
    # per quarter: injected − produced − leaked − FI − FP = sequestered
    q = a.site_quarters
    lhs = q.injected_t - q.produced_t - q.leakage_t - q.fi_t - q.fp_t
    assert (lhs - q.sequestered_t).abs().max() < 1e-6
    # per year: the quarters add up, and the cumulative is the running total of the years
    y = a.site_years
    by_year = q.groupby("year").sequestered_t.sum()
    assert list(y.stored_t) == pytest.approx(list(by_year.loc[y.year]))
    assert list(y.cumulative_t) == pytest.approx(list(y.stored_t.cumsum()))
