"""The example dataset, validated and calculated once for all report tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from openmrv.engine import RunResult, calculate
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import validate_activity, validate_facilities

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass
class Example:
    facilities: pd.DataFrame
    activity: pa.Table
    run: RunResult


@pytest.fixture(scope="session")
def example() -> Example:
    fac = validate_facilities(read_table(EXAMPLES / "facilities.csv"))
    act = validate_activity(read_table(EXAMPLES / "activity.csv"), set(fac.facility_id)).table
    return Example(fac, act, calculate(act, fac))


def csv(name: str) -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / name, dtype=str, keep_default_na=False)
