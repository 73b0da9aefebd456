"""The Part 98 CCUS equations, vectorised over pandas columns (a Series or a scalar each).

Checked against the regulation's text (eCFR transcriptions; docs/ccus.md lists each equation,
the page it was read on and what the page shows). The eCFR prints most Part 98 equations as
images (er30oc09.175.gif, er01de10.184.gif, ...): the text around them — the paragraph saying
what is multiplied or summed and the "Where:" list of terms — is what was read.
- 98.443 / 98.473: RR-1/UU-1 (Q − S) × C per quarter, RR-2/UU-2 (Q − S) × D × C with
  D = 0.0018682 t/sm³, RR-3/UU-3 the sum over meters (terms and paragraphs read).
- 98.423(a)(1)-(2): PP-1 Q × C; PP-2 Q × D_p × C with D_p the density measured in the quarter
  (not a constant: the earlier build used RR's 0.0018682 here — fixed).
- 98.483(a)-(b): VV Equation 1, printed as text: m_stored = m_input − m_loss operations −
  m_loss EOR complex; recycled CO2 is never associated storage.
- 98.442(a)-(h) lists the mass-balance terms (received, injected, produced, surface leakage,
  CO2_FI, CO2_FP, sequestered, cumulative); 98.443's preamble groups RR-4..RR-12.
Not seen as text anywhere searched (forms from EPA data elements and public code; docs/ccus.md):
PP-3a/3b's algebra, RR-4..RR-12's (RR-9 (1 + X) × Σ separated; RR-11 I − P − E − FI − FP;
RR-12 I − E − FI).
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


def quarter_mass(
    flow: Any, fraction: Any, meter_type: Any, redelivered: Any = 0.0, density: Any = D
) -> Any:
    """CO2 through one meter in one quarter, t: (Q − S) × C, times the density when the meter
    is volumetric. With S = 0 this is PP-1 (98.423(a)(1)), RR-4/RR-5 and RR-7/RR-8; with S it
    is RR-1/RR-2 (98.443) and UU-1/UU-2 (98.473), whose D is the constant 0.0018682. PP-2
    (98.423(a)(2)) takes instead D_p, the density measured for the meter in the quarter
    (`density`): "Density of CO2 in quarter p ... if C is measured as volume % CO2, or density
    of the whole CO2 stream ... if C is measured as weight % CO2". Summing over quarters and
    meters gives the annual per-meter and total equations (RR-3, RR-6, UU-3, PP-3a)."""
    d = np.where(np.asarray(meter_type) == "volumetric", density, 1.0)
    return (flow - redelivered) * d * fraction


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
