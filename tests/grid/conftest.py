"""A demo store with the grid examples accounted and stored: the Washington data centre for
ORG-CASCADIA, the Arizona module plant for ORG-SUNBRIDGE (pages and browser tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "grid"
OPENMRV = Path(sys.executable).with_name("openmrv")


@pytest.fixture(scope="session")
def grid_store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("grid-web") / "web.duckdb"
    subprocess.run(
        [OPENMRV, "demo-seed", "--db", db, "--no-activity"], check=True, capture_output=True
    )
    for site, org in (("wa_dc", "ORG-CASCADIA"), ("az_pv", "ORG-SUNBRIDGE")):
        subprocess.run(
            [OPENMRV, "grid", "scope2", "--load", EXAMPLES / f"load_{site}.csv",
             "--supply", EXAMPLES / f"supply_{site}.csv",
             "--factors", EXAMPLES / "factors_hourly.csv",
             "--annual", EXAMPLES / "factors_annual.csv", "--store", org, "--db", db],
            check=True, capture_output=True,
        )  # fmt: skip
    return db
