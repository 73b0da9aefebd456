"""Render the example reports in English and Chinese, check them in headless Chromium, and
save the screenshots used in docs/reports.md.

Run: .venv/bin/python scripts/report_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

from openmrv.combustion.schema import ACTIVITY
from openmrv.engine import calculate
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import validate_activity, validate_facilities
from openmrv.reports.browser import check
from openmrv.reports.bundle import assemble, write
from openmrv.reports.scope2 import check_instruments, check_residual
from openmrv.reports.targets import check_targets

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"
SHOTS = ROOT / "docs" / "screenshots"


def csv(name: str) -> pd.DataFrame:
    return pd.read_csv(EX / name, dtype=str, keep_default_na=False)


def main() -> int:
    fac = validate_facilities(read_table(EX / "facilities.csv"))
    act = validate_activity(
        read_table(EX / "activity.csv"), set(fac.facility_id), schema=ACTIVITY
    ).table
    run = calculate(act, fac, schema=ACTIVITY)
    bundle = assemble(
        run,
        act,
        fac,
        "operational_control",
        check_instruments(csv("instruments.csv")),
        check_residual(csv("residual_mix.csv")),
        targets=check_targets(csv("targets.csv")),
        output=csv("output.csv"),
    )
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for lang, tag in (("en", "en"), ("zh-CN", "zh")):
            page = Path(tmp) / f"report-{tag}.html"
            write(bundle, page, "html", lang)
            shots = {
                "#chart-waterfall-0": SHOTS / f"waterfall-{tag}.png",
                "#chart-targets": SHOTS / f"targets-{tag}.png",
            }
            c = check(page, SHOTS / f"report-{tag}.png", shots=shots)
            print(f"{lang}: {c.charts} charts, {len(c.errors)} errors, {len(c.requests)} requests")
            failed += bool(c.errors or c.requests)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
