"""Make the grid examples: a year (2025, UTC hours) for two facilities of the demo, generated
by a documented, seeded model (numpy, seed 19) — not measured data.

- FAC-WA-DC (ORG-CASCADIA, Quincy WA, eGRID NWPP): two 15-minute feeds (kWh) of a data centre,
  18 MW IT load plus cooling that grows 1 %/°C above 15 °C of a modelled outdoor temperature
  (10 °C ± 10 °C over the year, ± 6 °C over the day, local time UTC−8); a 40 MW solar PPA
  (clear-sky sine of the day × season × a daily cloud factor) and a 30 MW wind PPA (an AR(1)
  capacity factor around 0.32) in the same market; a 10 MWh battery charged from midday solar
  and discharged in the evening (90 % round trip).
- FAC-AZ-PV (ORG-SUNBRIDGE, module plant, eGRID AZNM): one hourly meter (MWh), 2 MW base and
  6 MW more on weekday shifts 06-22 local (UTC−7, Arizona keeps no DST); an 8 MW rooftop PV.
- Hourly average factors per region: the eGRID2023 subregion annual output rate (EPA GHG
  Emission Factors Hub 2025, Table 6: NWPP 631.705 lb CO2, 0.054 lb CH4, 0.008 lb N2O per MWh;
  AZNM 740.81, 0.041, 0.006; CO2e with AR5 GWPs 28 and 265, as the Hub) shaped by a modelled
  daily and seasonal swing (NWPP: spring hydro lowers it; AZNM: midday solar lowers it), and a
  grid CFE share moving against it. The annual file holds the eGRID rates unshaped.

    python examples/grid/make_grid.py     # writes the CSV files beside this script
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
LB = 0.45359237
EGRID = {  # lb/MWh CO2, CH4, N2O (Hub 2025 Table 6, eGRID2023)
    "NWPP": (631.705, 0.054, 0.008),
    "AZNM": (740.81, 0.041, 0.006),
}
SOURCE = "eGRID2023 subregion output rate via EPA GHG Emission Factors Hub 2025, Table 6"


def co2e_kg(region: str) -> float:
    co2, ch4, n2o = EGRID[region]
    return (co2 + 28 * ch4 + 265 * n2o) * LB


def main() -> None:
    rng = np.random.default_rng(19)
    hours = pd.date_range("2025-01-01", periods=8760, freq="h")
    doy = hours.day_of_year.to_numpy()
    hod = hours.hour.to_numpy()
    season = np.sin(2 * np.pi * (doy - 80) / 365)  # +1 at midsummer

    def daylight(offset: int, peak: float) -> np.ndarray:
        local = (hod + offset) % 24
        length = 12 + 3.5 * season  # hours of daylight
        x = (local - (12 - length / 2)) / length
        return np.clip(np.sin(np.pi * x), 0, None) * peak * (0.75 + 0.25 * season)

    cloud = np.repeat(rng.beta(5, 2, 365), 24)

    # Data centre, Quincy WA (UTC-8): 15-minute feeds A and B.
    temp = 10 + 10 * season + 6 * np.sin(2 * np.pi * ((hod - 8) % 24 - 9) / 24)
    dc = 18 * (1 + 0.15 + 0.01 * np.clip(temp - 15, 0, None)) + rng.normal(0, 0.3, 8760)
    quarters = pd.date_range("2025-01-01", periods=8760 * 4, freq="15min")
    q = np.repeat(dc, 4) / 4 * 1000 / 2  # kWh per feed and quarter
    rows = []
    for feed in ("A", "B"):
        rows.append(pd.DataFrame({
            "meter_id": f"WA-DC-feed-{feed}", "facility_id": "FAC-WA-DC", "market": "NWPP",
            "timestamp": quarters.strftime("%Y-%m-%d %H:%MZ"),
            "value": np.round(q * rng.normal(1, 0.01, q.size), 1), "unit": "kWh",
            "interval_minutes": 15,
        }))  # fmt: skip
    pd.concat(rows).to_csv(HERE / "load_wa_dc.csv", index=False)

    solar = daylight(-8, 40) * cloud
    cf = np.empty(8760)
    cf[0] = 0.3
    shocks = rng.normal(0, 0.08, 8760)
    for i in range(1, 8760):  # AR(1): the model's recurrence, generated once, not accounting
        cf[i] = np.clip(0.32 + 0.93 * (cf[i - 1] - 0.32) + shocks[i], 0, 1)
    wind = 30 * cf
    local = (hod - 8) % 24
    charge = np.where((local >= 11) & (local < 14), np.minimum(solar, 10 / 3), 0)
    daily = np.repeat(charge.reshape(365, 24).sum(axis=1), 24)
    discharge = np.where((local >= 18) & (local < 21), daily * 0.9 / 3, 0)
    stamp = hours.strftime("%Y-%m-%d %H:%MZ")
    supply = pd.concat([
        pd.DataFrame({"meter_id": m, "facility_id": "FAC-WA-DC", "market": "NWPP", "kind": k,
                      "timestamp": stamp, "value": np.round(v, 4), "unit": "MWh"})
        for m, k, v in (("pv-quincy-ppa", "generation", solar),
                        ("wind-columbia-ppa", "generation", wind),
                        ("battery-quincy", "storage_charge", charge),
                        ("battery-quincy", "storage_discharge", discharge))
    ])  # fmt: skip
    # One meter reports charge and discharge: keep them as two meters of the device.
    supply.loc[supply.kind == "storage_discharge", "meter_id"] = "battery-quincy-out"
    supply.to_csv(HERE / "supply_wa_dc.csv", index=False)

    # SunBridge Arizona module plant (UTC-7 all year), hourly MWh, rooftop PV.
    az_local = (hod - 7) % 24
    weekday = np.asarray((hours - pd.Timedelta(hours=7)).day_of_week < 5)
    az = 2 + 6 * (weekday & (az_local >= 6) & (az_local < 22)) + rng.normal(0, 0.1, 8760)
    pd.DataFrame({"meter_id": "AZ-PV-main", "facility_id": "FAC-AZ-PV", "market": "AZNM",
                  "timestamp": stamp, "value": np.round(az, 4), "unit": "MWh"}).to_csv(
        HERE / "load_az_pv.csv", index=False)  # fmt: skip
    pd.DataFrame({"meter_id": "az-rooftop-pv", "facility_id": "FAC-AZ-PV", "market": "AZNM",
                  "kind": "generation", "timestamp": stamp,
                  "value": np.round(daylight(-7, 8) * np.repeat(rng.beta(8, 1.5, 365), 24), 4),
                  "unit": "MWh"}).to_csv(HERE / "supply_az_pv.csv", index=False)  # fmt: skip

    # Hourly factors (synthetic shape around the eGRID annual rate) and the annual fallback.
    fac = []
    for region, swing, cfe0 in (("NWPP", -0.25 * season, 0.62), ("AZNM", 0.05 * season, 0.30)):
        base = co2e_kg(region)
        mid = daylight(-7 if region == "AZNM" else -8, 1)
        ef = base * (1 + swing - 0.2 * mid + rng.normal(0, 0.03, 8760))
        cfe = np.clip(cfe0 + (1 - ef / base) * 0.8, 0, 1)
        fac.append(pd.DataFrame({
            "region": region, "datetime_utc": hours.strftime("%Y-%m-%d %H:%M"),
            "signal": "average", "co2e_kg_per_mwh": np.round(ef, 2),
            "cfe_fraction": np.round(cfe, 4),
            "source": "synthetic shape around eGRID2023 (make_grid.py)",
            "edition": "example 2025",
        }))  # fmt: skip
    pd.concat(fac).to_csv(HERE / "factors_hourly.csv", index=False)
    pd.DataFrame({
        "region": list(EGRID), "year": 2025,
        "co2e_kg_per_mwh": [round(co2e_kg(r), 3) for r in EGRID], "cfe_fraction": "",
        "source": SOURCE, "edition": "eGRID2023 (January 2025)",
    }).to_csv(HERE / "factors_annual.csv", index=False)  # fmt: skip


if __name__ == "__main__":
    main()
