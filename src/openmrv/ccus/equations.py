"""The Part 98 CCUS equations, vectorised over pandas columns (a Series or a scalar each).

Verified against the regulation text (eCFR transcriptions; docs/ccus.md lists the pages):
- 40 CFR 98.443 (RR) and 98.473 (UU): RR-1/UU-1 (Q − S) × C per quarter (mass meter),
  RR-2/UU-2 (Q − S) × D × C (volumetric, D = 0.0018682 t/sm³), RR-3/UU-3 the sum over meters;
  98.443 groups injection (RR-4 to RR-6), production/recycling (RR-7 to RR-9), surface leakage
  (RR-10) and sequestration (RR-11, RR-12) and says the first year starts at the MRV plan's date.
- 40 CFR 98.423(a)(1) (PP): PP-1 Q × C per quarter and meter.
- 40 CFR 98.483(a)-(b) (VV): m_stored = m_input − m_loss operations − m_loss EOR complex,
  m_input = m_received + m_native; recycled CO2 is never associated storage.
Second-hand (the text of the equation itself not seen, only its terms in EPA's data elements and
public code; marked so in docs/ccus.md): the forms of PP-2 (PP's own D not seen: RR's is used),
PP-3a/3b, RR-4 to RR-12 (RR-9 (1 + X) × Σ separated; RR-11 I − P − E − FI − FP; RR-12 I − E − FI).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["CONSTANTS", "Constant", "D", "quarter_mass", "rr9", "rr11", "rr12", "vv_stored"]


@dataclass(frozen=True)
class Constant:
    value: float
    unit: str
    status: str  # official | provisional
    source: str


def _load() -> dict[str, Constant]:
    with open(Path(__file__).with_name("constants.csv"), newline="", encoding="utf-8") as fh:
        return {
            r["key"]: Constant(float(r["value"]), r["unit"], r["status"], r["source"])
            for r in csv.DictReader(fh)
        }


CONSTANTS = _load()
D = CONSTANTS["co2_density_std"].value  # t CO2 per standard m³, 98.443 / 98.473


def quarter_mass(flow: Any, fraction: Any, meter_type: Any, redelivered: Any = 0.0) -> Any:
    """CO2 through one meter in one quarter, t: (Q − S) × C, times D when the meter is
    volumetric. With S = 0 this is PP-1/PP-2 (98.423(a)), RR-4/RR-5 and RR-7/RR-8; with S it is
    RR-1/RR-2 (98.443) and UU-1/UU-2 (98.473). Summing over quarters and meters gives the
    annual per-meter and total equations (RR-3, RR-6, UU-3, PP-3a)."""
    density = np.where(np.asarray(meter_type) == "volumetric", D, 1.0)
    return (flow - redelivered) * density * fraction


def rr9(separated_t: Any, x: Any) -> Any:
    """RR-9: CO2 produced = (1 + X) × Σ_w CO2 separated (X = entrained CO2 in produced oil or
    other fluid ÷ CO2 separated through all separators in the year)."""
    return (1 + x) * separated_t


def rr11(injected: Any, produced: Any, leaked: Any, fi: Any, fp: Any) -> Any:
    """RR-11 (CO2 produced): sequestered = CO2_I − CO2_P − CO2_E − CO2_FI − CO2_FP."""
    return injected - produced - leaked - fi - fp


def rr12(injected: Any, leaked: Any, fi: Any) -> Any:
    """RR-12 (no CO2 produced): sequestered = CO2_I − CO2_E − CO2_FI."""
    return injected - leaked - fi


def vv_stored(received: Any, native: Any, loss_operations: Any, loss_complex: Any) -> Any:
    """98.483(a) Equation 1: m_stored = (m_received + m_native) − m_loss operations −
    m_loss EOR complex. Recycled CO2 takes no part (98.483(b))."""
    return received + native - loss_operations - loss_complex
