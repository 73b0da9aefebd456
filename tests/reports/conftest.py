"""The example dataset, validated and calculated once for all report tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from openmrv.combustion.schema import ACTIVITY
from openmrv.engine import RunResult, calculate
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import validate_activity, validate_facilities

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass
class Example:
    facilities: pd.DataFrame
    activity: pa.Table
    run: RunResult


def load_example() -> Example:
    fac = validate_facilities(read_table(EXAMPLES / "facilities.csv"))
    act = validate_activity(read_table(EXAMPLES / "activity.csv"), set(fac.facility_id)).table
    return Example(fac, act, calculate(act, fac, schema=ACTIVITY))


@pytest.fixture(scope="session")
def example() -> Example:
    return load_example()


@pytest.fixture(scope="session")
def bundle(example):
    """The report bundle of the example dataset with every optional input."""
    from openmrv.reports.bundle import assemble
    from openmrv.reports.scope2 import check_instruments, check_residual
    from openmrv.reports.targets import check_targets

    return assemble(
        example.run,
        example.activity,
        example.facilities,
        "operational_control",
        check_instruments(csv("instruments.csv")),
        check_residual(csv("residual_mix.csv")),
        targets=check_targets(csv("targets.csv")),
        output=csv("output.csv"),
    )


def calc(tmp_path: Path, rows: list[dict[str, object]], methods: list[str] | None = None):
    """Records through the public path (files -> validate -> calculate), with the test
    facilities of tests/conftest.py: (facilities, activity table, run)."""
    from tests.conftest import FACILITIES, write_csv

    fac = validate_facilities(read_table(write_csv(tmp_path / "f.csv", FACILITIES)))
    path = write_csv(tmp_path / "a.csv", rows, [c.name for c in ACTIVITY.file_columns])
    act = validate_activity(read_table(path), set(fac.facility_id)).table
    return fac, act, calculate(act, fac, methods, schema=ACTIVITY)


def csv(name: str) -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / name, dtype=str, keep_default_na=False)
