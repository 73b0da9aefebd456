"""Shared test helpers: run records through the public path (files -> validate -> calculate)."""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from openmrv.combustion.schema import ACTIVITY
from openmrv.engine import calculate
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import validate_activity, validate_facilities
from openmrv.methods import Options

# Compiled plans (engine.plans) are cached in a folder of this test session, not the user's.
os.environ["OPENMRV_PLAN_CACHE"] = tempfile.mkdtemp(prefix="openmrv-plans-")

FACILITIES = [
    {
        "facility_id": "US-PLANT",
        "organization_id": "ORG",
        "name": "US plant",
        "country": "US",
        "state_province": "US-AZ",
        "grid_region": "AZNM",
        "ipcc_sector": "energy_industries",
    },
    {
        "facility_id": "US-AVG",
        "organization_id": "ORG",
        "name": "US average grid",
        "country": "US",
        "state_province": "US-TX",
        "grid_region": "US",
        "ipcc_sector": "commercial_institutional",
    },
    {
        "facility_id": "CN-PLANT",
        "organization_id": "ORG",
        "name": "CN plant",
        "country": "CN",
        "state_province": "CN-SD",
        "grid_region": "",
        "ipcc_sector": "energy_industries",
    },
    {
        "facility_id": "CN-FACTORY",
        "organization_id": "ORG",
        "name": "CN factory",
        "country": "CN",
        "state_province": "CN-JS",
        "grid_region": "",
        "ipcc_sector": "manufacturing_construction",
    },
]


def write_csv(path: Path, rows: list[dict[str, object]], columns: list[str] | None = None) -> Path:
    columns = columns or list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


def newer_hub_library(tmp_path: Path):
    """A copy of the factor library with a second edition of Hub Table 1, '2099', whose CO2
    factors are all 1 % higher: for tests of pinned editions and restatements."""
    from openmrv.factors.library import DATA, load_library_from

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    with open(DATA / "epa_hub_t1__2025.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["factor_id"] = r["factor_id"].replace(":2025:", ":2099:")
        r["edition"] = "2099"
        r["status"] = "provisional"
        if r["gas"] == "CO2":
            r["value"] = str(float(r["value"]) * 1.01)
    write_csv(data / "epa_hub_t1__2099.csv", rows)
    return load_library_from(data)


def record(**kw: object) -> dict[str, object]:
    """An activity row with sensible defaults (January 2024, US plant, stationary)."""
    base = {
        "record_id": "r1",
        "facility_id": "US-PLANT",
        "period_start": "2024-01-01",
        "period_end": "2024-01-31",
        "category": "stationary_combustion",
    }
    return base | kw


def run_records(
    tmp_path: Path,
    rows: list[dict[str, object]],
    methods: list[str] | None = None,
    options: Options | None = None,
    facilities: list[dict[str, object]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write files, validate and calculate exactly as the CLI does; return (results, skipped)."""
    fac = write_csv(tmp_path / "facilities.csv", facilities or FACILITIES)
    act = write_csv(tmp_path / "activity.csv", rows, [c.name for c in ACTIVITY.file_columns])
    f = validate_facilities(read_table(fac))
    checked = validate_activity(read_table(act), set(f.facility_id))
    run = calculate(checked.table, f, methods, options, schema=ACTIVITY)
    return run.results.to_pandas(), run.skipped.to_pandas()


def mass(results: pd.DataFrame, method: str, gas: str, record_id: str = "r1") -> float:
    hit = results[
        (results.methodology == method) & (results.gas == gas) & (results.record_id == record_id)
    ]
    assert len(hit) == 1, f"expected one {method} {gas} row for {record_id}, got {len(hit)}"
    return float(hit.mass_t.iloc[0])


@pytest.fixture
def run(tmp_path: Path):
    def _run(rows, methods=None, options=None, facilities=None):
        return run_records(tmp_path, rows, methods, options, facilities)

    return _run
