"""Each equation against a hand computation from the regulation's text, section cited, then
through the accounting of a small folder.

Text sources (docs/ccus.md has the table): the eCFR prints most Part 98 equations as images;
what was read is the text around them — the paragraph saying what is multiplied or summed and
the "Where:" list of terms. [T] = term definitions and paragraph read as text; [F] = the
equation itself printed as text; [2] = form second-hand (EPA data-element names, public code).
- 98.443 (RR): cloudfront eCFR mirror, section-98443-calculating-co2-geologic-sequestration
  (RR-1..RR-3 terms, D; the paragraph naming RR-4..RR-12); 98.442 (what RR reports): eCFR
  markdown copy, 75 FR 75078 as amended 76 FR 73905.
- 98.473 (UU): lexbuild.dev/ecfr/title-40/chapter-I/part-98/section-98.473 (currency
  2026-04-05) and the cloudfront mirror.
- 98.423 (PP): lexbuild.dev .../section-98.423 (currency 2026-03-24) and an eCFR markdown copy
  of the section (graphics er30oc09.175/.176).
- 98.483 (VV): lexbuild.dev .../section-98.483 — Equation 1 printed as text.
EPA publishes facility RR totals (FLIGHT), but no facility's per-equation figures were found to
reproduce (docs/ccus.md lists where we looked)."""

from __future__ import annotations

import pandas as pd
import pytest

from openmrv.ccus.account import account, read_folder
from openmrv.ccus.equations import CONSTANTS, D, quarter_mass, rr9, rr11, rr12, vv_stored
from openmrv.ccus.report import build, capture_lines
from openmrv.ingest.errors import InputError
from tests.ccus.helpers import copy, rows, write


def test_density_is_the_regulation_value():
    # [T] 98.443(a)(2) RR-2 and 98.473(a)(2) UU-2: "D = Density of CO2 at standard conditions
    # (metric tons per standard cubic meter): 0.0018682."
    assert D == 0.0018682 and CONSTANTS["co2_density_std"].status == "official"


def test_rr1_uu1_mass_meter_net_of_redelivery():
    # [T] 98.443(a)(1) RR-1 / 98.473(a)(1) UU-1: "multiplying the mass flow by the CO2
    # concentration", Q_r,p less S_r,p ("redelivered to another facility without being
    # injected"), C wt. fraction, summed over the quarters p.
    q = pd.Series([1000.0, 1100.0, 900.0, 1000.0])
    s = pd.Series([0.0, 50.0, 0.0, 0.0])
    c = pd.Series([0.98, 0.97, 0.99, 0.985])
    # 980 + 1018.5 + 891 + 985
    assert quarter_mass(q, c, "mass", s).sum() == pytest.approx(3874.5)


def test_rr2_uu2_volumetric_meter():
    # [T] 98.443(a)(2) RR-2 / 98.473(a)(2) UU-2: volumetric flow at standard conditions × C ×
    # D; (1,000,000 − 20,000) sm³ × 0.0018682 × 0.95
    assert quarter_mass(1_000_000.0, 0.95, "volumetric", 20_000.0) == pytest.approx(1739.2942)


def test_pp1_and_pp3b():
    # [T] 98.423(a)(1) PP-1: "multiplying the mass flow by the composition data", quarterly;
    # [2] PP-3b: main meter less the on-site-use meter (98.423(a)(3)(ii); meters placed as
    # [T] 98.424(a)(1)(i)(B) says): 410,000 × 0.995 − 3,000 × 0.99
    main = quarter_mass(410_000.0, 0.995, "mass")
    onsite = quarter_mass(3_000.0, 0.99, "mass")
    assert main == pytest.approx(407_950.0) and main - onsite == pytest.approx(404_980.0)


def test_pp2_takes_the_measured_density():
    # [T] 98.423(a)(2) PP-2: "multiplying the volumetric flow by the concentration and density
    # data"; "D_p = Density of CO2 in quarter p (metric tons CO2 per standard cubic meter) for
    # flow meter u if C_CO2,p is measured as volume % CO2". A measured 0.001976 t/sm³:
    # 1,000,000 sm³ × 0.001976 × 0.95 = 1,877.2 t (RR's constant would give 1,774.79 t).
    assert quarter_mass(1_000_000.0, 0.95, "volumetric", density=0.001976) == pytest.approx(1877.2)


def test_pp2_in_a_folder_and_a_volumetric_meter_without_its_density(tmp_path):
    folder = copy("cn", tmp_path)
    cap = rows(folder, "capture.csv")
    cap[0]["density"] = "0.001976"
    write(folder, "capture.csv", cap)
    a = account(read_folder(folder))
    q1 = a.capture[a.capture.quarter == 1].captured_t.iloc[0]
    # meter 1 with its D_p, meter 2 with the example's 0.0018682
    want = float(cap[0]["flow"]) * 0.001976 * float(cap[0]["co2_fraction"]) + float(
        cap[1]["flow"]
    ) * 0.0018682 * float(cap[1]["co2_fraction"])
    assert q1 == pytest.approx(want)
    cap[1]["density"] = ""
    write(folder, "capture.csv", cap)
    with pytest.raises(InputError) as exc:
        read_folder(folder)
    got = {(p.file, p.row, p.column) for p in exc.value.problems}
    assert ("capture.csv", 3, "density") in got


def test_rr9_rr11_rr12():
    # [2] RR-9: (1 + X) × Σ separated, X = 0.0142 ([T] X's definition: EPA data element);
    # [2] RR-11: I − P − E − FI − FP; RR-12: I − E − FI, every term one of [T] 98.442(b)-(f).
    assert rr9(500_000.0, 0.0142) == pytest.approx(507_100.0)
    assert rr11(1_500_000.0, 507_100.0, 12.37, 142.44, 233.09) == pytest.approx(992_512.10)
    assert rr12(573_080.82, 0.0, 30.18) == pytest.approx(573_050.64)


def test_vv_equation_1():
    # [F] 98.483(a) Equation 1: "m_stored = m_input − m_loss operations − m_loss EOR complex",
    # m_input = m_received + m_native; losses [T] 98.486(e)(1)-(4): 54.2 + 211.5 + 1,480 + 0
    assert vv_stored(1_017_036.0, 3_973.5, 1_745.7, 96.0) == pytest.approx(1_019_167.8)


def test_mee_recovered_co2_is_its_own_provisional_line(tmp_path):
    # MEE's "CO2 recovered and utilised" term (provisional, docs/ccus.md): the CO2 the
    # enterprise supplied to others — the CN example's four sender records, 251,927.6 +
    # 251,872.7 + 254,607.1 + 258,422.2 = 1,016,829.6 t — on its own line, for a chemical
    # enterprise (GB/T 4754 2614) only; a power plant (4411) has no such term.
    d = read_folder(copy("cn", tmp_path))
    gross = pd.DataFrame(
        dict(facility_id=["FAC-SD-COAL"], year=[2025], methodology=["cn_mee"], gross_t=[3e6])
    )
    chem = build(d, gross, sectors={"FAC-SD-COAL": "2614"}).capture.iloc[0]
    assert chem.mee_recovered_t == pytest.approx(1_016_829.6)
    assert chem.mee_net_t == pytest.approx(3e6 - 1_016_829.6)
    assert chem.net_t == pytest.approx(3e6 - chem.captured_t)  # the capture view stays apart
    power = build(d, gross, sectors={"FAC-SD-COAL": "4411"}).capture.iloc[0]
    assert pd.isna(power.mee_recovered_t) and pd.isna(power.mee_net_t)
    us = capture_lines(account(d), gross.assign(methodology="epa_hub_ghgp"))
    assert us.mee_recovered_t.isna().all()  # not an MEE inventory: no line


SITES = (
    "facility_id,name,country,subpart,year,entrained_ratio,mrv_plan_start,mrv_plan,native_t,"
    "recycled_t"
)


def _folder(tmp_path, sites: list[dict], meters: list[dict], losses: list[dict]):
    cap = [
        dict(
            record_id="C1",
            facility_id="F",
            meter_id="M",
            year="2025",
            quarter="1",
            meter_position="after_segregation",
            meter_type="mass",
            flow="1000",
            co2_fraction="1",
        )
    ]
    tr = [
        dict(
            record_id=f"T-{s}",
            transfer_id="T",
            side=s,
            sender_facility="F",
            receiver_facility="S",
            meter_id="P",
            year="2025",
            quarter="1",
            co2_t="1000",
        )
        for s in ("sender", "receiver")
    ]
    write(tmp_path, "capture.csv", cap)
    write(tmp_path, "transfers.csv", tr)
    write(tmp_path, "meters.csv", meters)
    write(tmp_path, "losses.csv", losses)
    write(tmp_path, "sites.csv", sites)
    return read_folder(tmp_path)


def _m(q, role, flow, frac="1", red=""):
    return dict(
        record_id=f"{role}{q}",
        facility_id="S",
        meter_id=role,
        role=role,
        year="2025",
        quarter=str(q),
        meter_type="mass",
        flow=flow,
        co2_fraction=frac,
        redelivered=red,
    )


def _site(subpart="RR", x="", start="", native="", recycled=""):
    return dict(
        zip(
            SITES.split(","),
            ["S", "Site", "US", subpart, "2025", x, start, "v1", native, recycled],
            strict=True,
        )
    )


def test_rr_site_year_through_the_accounting(tmp_path):
    meters = [
        _m(1, "receiving", "1000", "0.98", "20"),
        _m(1, "injection", "1500", "0.97"),
        _m(1, "separator", "600", "0.9"),
        _m(2, "receiving", "900", "0.98"),
        _m(2, "injection", "1400", "0.97"),
        _m(2, "separator", "550", "0.9"),
    ]
    losses = [
        dict(
            record_id="L1",
            facility_id="S",
            year="2025",
            quarter="2",
            kind="surface_leakage",
            pathway="well 7",
            co2_t="1.5",
        ),
        dict(
            record_id="L2",
            facility_id="S",
            year="2025",
            quarter="1",
            kind="equipment_injection",
            pathway="",
            co2_t="2",
        ),
        dict(
            record_id="L3",
            facility_id="S",
            year="2025",
            quarter="1",
            kind="equipment_production",
            pathway="",
            co2_t="3",
        ),
    ]
    a = account(_folder(tmp_path, [_site(x="0.02")], meters, losses))
    y = a.site_years.iloc[0]
    assert y.equation == "RR-11"
    assert y.received_t == pytest.approx((1000 - 20) * 0.98 + 900 * 0.98)  # RR-1, RR-3
    assert y.injected_t == pytest.approx((1500 + 1400) * 0.97)  # RR-4, RR-6: 2813
    assert y.produced_t == pytest.approx(1.02 * (600 + 550) * 0.9)  # RR-7, RR-9: 1055.7
    # RR-11: 2813 − 1055.7 − 1.5 − 2 − 3
    assert y.stored_t == pytest.approx(1750.8) and y.cumulative_t == pytest.approx(1750.8)


def test_first_year_starts_at_the_mrv_plan_date(tmp_path):
    # 98.443: "For your first year of reporting, you must calculate CO2 sequestered starting
    # from the date set forth in your approved MRV plan": Q1 ends before 2025-04-01.
    meters = [
        _m(1, "injection", "100"),
        _m(2, "injection", "70"),
        _m(1, "receiving", "100"),
        _m(2, "receiving", "70"),
    ]
    a = account(_folder(tmp_path, [_site(start="2025-04-01")], meters, []))
    assert a.site_years.iloc[0].equation == "RR-12"
    assert a.site_years.iloc[0].stored_t == pytest.approx(70.0)
    assert list(a.excluded.quarter) == [1]


def test_uu_reports_received_only_and_vv_never_stores_recycled(tmp_path):
    meters = [_m(1, "receiving", "500", "0.99", "10"), _m(1, "injection", "900")]
    a = account(_folder(tmp_path, [_site("UU")], meters, []))
    y = a.site_years.iloc[0]
    assert y.received_t == pytest.approx(490 * 0.99) and pd.isna(y.stored_t)  # 98.472: received
    stored = []
    for recycled in ("0", "425000"):  # 98.483(b): recycled CO2 is not associated storage
        (tmp_path / "vv").mkdir(exist_ok=True)
        d = _folder(
            tmp_path / "vv",
            [_site("VV", native="40", recycled=recycled)],
            meters,
            [
                dict(
                    record_id="L",
                    facility_id="S",
                    year="2025",
                    quarter="1",
                    kind="vent_flare",
                    pathway="",
                    co2_t="5",
                )
            ],
        )
        stored.append(account(d).site_years.iloc[0].stored_t)
    assert stored[0] == stored[1] == pytest.approx(490 * 0.99 + 40 - 5)
