"""Writes the CCUS example folders (a year of quarterly readings, 2025): `us/` capture at
FAC-WY-COAL (PP-3b: main meter less on-site use), pipelines to a CO2-EOR site reporting under
RR with production (RR-11) and a saline site without (RR-12); `cn/` capture at FAC-SD-COAL
(PP-3a, volumetric meters) to an oilfield CO2-EOR block quantified as 40 CFR 98.483 / ISO 27916
(VV). Seeded noise so the numbers look measured; run `python examples/ccus/make_ccus.py`."""

from __future__ import annotations

import csv
import random
from pathlib import Path

D = 0.0018682  # t per standard m³ (40 CFR 98.443 RR-2)
HERE = Path(__file__).parent
rnd = random.Random(20250415)


def j(x: float, spread: float = 0.04) -> float:
    return x * (1 + rnd.uniform(-spread, spread))


def write(folder: Path, name: str, rows: list[dict]) -> None:
    folder.mkdir(exist_ok=True)
    with open(folder / name, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def meter(rows, rid, fac, mid, role, q, mtype, co2_t, frac, redelivered_t=0.0):
    scale = D * frac if mtype == "volumetric" else frac
    flow = (
        (co2_t + redelivered_t * frac) / scale
        if mtype == "volumetric"
        else co2_t / frac + redelivered_t
    )
    red = redelivered_t if mtype == "mass" else (redelivered_t / D if redelivered_t else 0)
    rows.append(
        dict(
            record_id=rid,
            facility_id=fac,
            meter_id=mid,
            role=role,
            year=2025,
            quarter=q,
            meter_type=mtype,
            flow=round(flow, 1),
            co2_fraction=frac,
            redelivered=round(red, 1) if red else "",
        )
    )


def transfer(rows, tid, sender, receiver, mid, q, sent, received):
    for side, v in (("sender", sent), ("receiver", received)):
        rows.append(
            dict(
                record_id=f"{tid}-{side[0].upper()}",
                transfer_id=tid,
                side=side,
                sender_facility=sender,
                receiver_facility=receiver,
                meter_id=mid,
                year=2025,
                quarter=q,
                co2_t=round(v, 1),
            )
        )


def us() -> None:
    cap, tr, met, loss = [], [], [], []
    for q in range(1, 5):
        main_t, onsite_t = j(402_000), j(3_150, 0.1)
        c1, c2 = round(j(0.9962, 0.002), 4), round(j(0.9951, 0.002), 4)
        cap.append(
            dict(
                record_id=f"WY-CAP-MAIN-Q{q}",
                facility_id="FAC-WY-COAL",
                meter_id="WY-CAP-MAIN",
                year=2025,
                quarter=q,
                meter_position="before_segregation",
                meter_type="mass",
                flow=round(main_t / c1, 1),
                co2_fraction=c1,
            )
        )
        cap.append(
            dict(
                record_id=f"WY-CAP-ONSITE-Q{q}",
                facility_id="FAC-WY-COAL",
                meter_id="WY-CAP-ONSITE",
                year=2025,
                quarter=q,
                meter_position="onsite_use",
                meter_type="mass",
                flow=round(onsite_t / c2, 1),
                co2_fraction=c2,
            )
        )
        captured = main_t - onsite_t
        to_eor = captured * j(0.64, 0.02)
        to_sal = (captured - to_eor) * j(0.985, 0.01)
        diff = 1 - (0.0081 if q == 3 else rnd.uniform(-0.0012, 0.0012))  # Q3: flagged
        transfer(
            tr,
            f"T-WY-EOR-2025Q{q}",
            "FAC-WY-COAL",
            "FAC-WY-EOR",
            "WY-PL-1",
            q,
            to_eor,
            to_eor * diff,
        )
        rcv_sal = to_sal * (1 + rnd.uniform(-0.001, 0.001))
        transfer(
            tr, f"T-WY-SAL-2025Q{q}", "FAC-WY-COAL", "FAC-WY-SALINE", "WY-PL-2", q, to_sal, rcv_sal
        )
        # EOR site: volumetric receiving meter, recycled CO2 injected with the fresh
        frac = round(j(0.9734, 0.003), 4)
        rcv = to_eor * diff
        redel = j(2_400, 0.3) if q == 2 else 0.0
        meter(
            met,
            f"EOR-RCV-Q{q}",
            "FAC-WY-EOR",
            "EOR-RCV",
            "receiving",
            q,
            "volumetric",
            rcv - redel,
            frac,
            redel,
        )
        x = 0.0142
        separated = j(rcv * 0.52, 0.05)
        produced = separated * (1 + x)
        fresh = (rcv - redel) * j(0.996, 0.002)
        inj = fresh + produced
        a_share = j(0.58, 0.03)
        for mid, share in (("EOR-INJ-A", a_share), ("EOR-INJ-B", 1 - a_share)):
            f = round(j(0.9712, 0.003), 4)
            meter(met, f"{mid}-Q{q}", "FAC-WY-EOR", mid, "injection", q, "mass", inj * share, f)
        s1 = j(0.47, 0.05)
        for mid, share in (("EOR-SEP-1", s1), ("EOR-SEP-2", 1 - s1)):
            f = round(j(0.9105, 0.01), 4)
            meter(
                met, f"{mid}-Q{q}", "FAC-WY-EOR", mid, "separator", q, "mass", separated * share, f
            )
        loss.append(
            dict(
                record_id=f"EOR-FI-Q{q}",
                facility_id="FAC-WY-EOR",
                year=2025,
                quarter=q,
                kind="equipment_injection",
                pathway="injection headers",
                co2_t=round(j(38.6, 0.2), 2),
            )
        )
        loss.append(
            dict(
                record_id=f"EOR-FP-Q{q}",
                facility_id="FAC-WY-EOR",
                year=2025,
                quarter=q,
                kind="equipment_production",
                pathway="production wellheads to separators",
                co2_t=round(j(61.3, 0.2), 2),
            )
        )
        if q == 3:
            loss.append(
                dict(
                    record_id="EOR-LEAK-Q3",
                    facility_id="FAC-WY-EOR",
                    year=2025,
                    quarter=q,
                    kind="surface_leakage",
                    pathway="legacy well P-17 annulus",
                    co2_t=12.37,
                )
            )
        # saline site: mass meters, no production
        f = round(j(0.9958, 0.001), 4)
        meter(met, f"SAL-RCV-Q{q}", "FAC-WY-SALINE", "SAL-RCV", "receiving", q, "mass", rcv_sal, f)
        meter(
            met,
            f"SAL-INJ-1-Q{q}",
            "FAC-WY-SALINE",
            "SAL-INJ-1",
            "injection",
            q,
            "mass",
            rcv_sal * j(0.9975, 0.001),
            round(j(0.9957, 0.001), 4),
        )
        loss.append(
            dict(
                record_id=f"SAL-FI-Q{q}",
                facility_id="FAC-WY-SALINE",
                year=2025,
                quarter=q,
                kind="equipment_injection",
                pathway="wellhead valves",
                co2_t=round(j(7.9, 0.3), 2),
            )
        )
    sites = [
        dict(
            facility_id="FAC-WY-EOR",
            name="Bighorn Flats CO2-EOR unit",
            country="US",
            subpart="RR",
            year=2025,
            entrained_ratio=0.0142,
            mrv_plan_start="2024-07-01",
            mrv_plan="MRV plan rev. 2 (2024)",
            native_t="",
            recycled_t="",
        ),
        dict(
            facility_id="FAC-WY-SALINE",
            name="Laramie Basin saline storage hub (Class VI)",
            country="US",
            subpart="RR",
            year=2025,
            entrained_ratio="",
            mrv_plan_start="2025-01-01",
            mrv_plan="MRV plan rev. 1 (2024)",
            native_t="",
            recycled_t="",
        ),
    ]
    folder = HERE / "us"
    write(folder, "capture.csv", cap)
    write(folder, "transfers.csv", tr)
    write(folder, "meters.csv", met)
    write(folder, "losses.csv", loss)
    write(folder, "sites.csv", sites)


def cn() -> None:
    cap, tr, met, loss = [], [], [], []
    recycled = 0.0
    for q in range(1, 5):
        captured = 0.0
        for mid in ("SD-CAP-1", "SD-CAP-2"):
            t = j(126_500)
            c = round(j(0.9921, 0.002), 4)
            captured += t
            cap.append(
                dict(
                    record_id=f"{mid}-Q{q}",
                    facility_id="FAC-SD-COAL",
                    meter_id=mid,
                    year=2025,
                    quarter=q,
                    meter_position="after_segregation",
                    meter_type="volumetric",
                    flow=round(t / (D * c), 1),
                    co2_fraction=c,
                    density=D,  # PP-2's D_p, as the site measured it (98.423(a)(2))
                )
            )
        sent = captured * j(0.993, 0.003)
        got = sent * (1 + rnd.uniform(-0.0015, 0.0015))
        transfer(tr, f"T-SD-EOR-2025Q{q}", "FAC-SD-COAL", "FAC-SD-EOR", "SD-PL-1", q, sent, got)
        f = round(j(0.9893, 0.002), 4)
        meter(met, f"SDE-RCV-Q{q}", "FAC-SD-EOR", "SDE-RCV", "receiving", q, "mass", got, f)
        rec_q = got * j(0.41, 0.05)
        recycled += rec_q
        meter(
            met,
            f"SDE-INJ-Q{q}",
            "FAC-SD-EOR",
            "SDE-INJ",
            "injection",
            q,
            "mass",
            got * 0.997 + rec_q,
            round(j(0.9687, 0.003), 4),
        )
        for kind, v, path in (
            ("leakage_facilities", j(54.2, 0.2), "flowlines and wellheads"),
            ("vent_flare", j(211.5, 0.2), "separator vents"),
            ("entrained", j(1_480.0, 0.1), "CO2 in sold oil"),
            ("transfer_out", 0.0, ""),
        ):
            if v:
                loss.append(
                    dict(
                        record_id=f"SDE-{kind}-Q{q}",
                        facility_id="FAC-SD-EOR",
                        year=2025,
                        quarter=q,
                        kind=kind,
                        pathway=path,
                        co2_t=round(v, 2),
                    )
                )
        loss.append(
            dict(
                record_id=f"SDE-complex-Q{q}",
                facility_id="FAC-SD-EOR",
                year=2025,
                quarter=q,
                kind="eor_complex",
                pathway="monitored reservoir",
                co2_t=round(j(96.0, 0.3), 2),
            )
        )
    sites = [
        dict(
            facility_id="FAC-SD-EOR",
            name="胜利油田 CO2-EOR 区块 (Shengli block G89)",
            country="CN",
            subpart="VV",
            year=2025,
            entrained_ratio="",
            mrv_plan_start="",
            mrv_plan="ISO 27916 quantification plan 2025",
            native_t=round(j(3_870.0, 0.05), 1),
            recycled_t=round(recycled, 1),
        )
    ]
    folder = HERE / "cn"
    write(folder, "capture.csv", cap)
    write(folder, "transfers.csv", tr)
    write(folder, "meters.csv", met)
    write(folder, "losses.csv", loss)
    write(folder, "sites.csv", sites)


if __name__ == "__main__":
    us()
    cn()
