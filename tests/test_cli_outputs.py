"""The calculate command's outputs: results in each format, rows not computed, run metadata and
the Markdown report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from openmrv.cli import app
from openmrv.combustion.schema import ACTIVITY
from tests.conftest import FACILITIES, record, write_csv

ROOT = Path(__file__).resolve().parents[1]

ROWS = [
    record(record_id="coal", fuel="bituminous_coal", quantity=1000, unit="short ton"),
    record(
        record_id="cn-coal", facility_id="CN-PLANT", fuel="bituminous_coal", quantity=900, unit="t"
    ),
    record(record_id="elec", category="purchased_electricity", quantity=10, unit="MWh"),
]


@pytest.fixture
def files(tmp_path):
    fac = write_csv(tmp_path / "fac.csv", FACILITIES)
    act = write_csv(tmp_path / "act.csv", ROWS, [c.name for c in ACTIVITY.file_columns])
    return tmp_path, fac, act


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
def test_results_in_each_format(files, suffix):
    tmp, fac, act = files
    out = tmp / f"res{suffix}"
    result = CliRunner().invoke(app, ["calculate", str(fac), str(act), "--out", str(out)])
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        df = pd.read_csv(out)
    elif suffix == ".parquet":
        df = pq.read_table(out).to_pandas()
    else:
        df = pd.DataFrame(json.loads(out.read_text()))
    assert {
        "record_id",
        "methodology",
        "methodology_version",
        "equation",
        "gas",
        "mass_t",
        "gwp_set",
        "gwp",
        "co2e_t",
        "biogenic",
        "factor_ids",
    } <= set(df.columns)
    assert set(df.methodology) == {"epa_part98_c", "epa_hub_ghgp", "cn_mee", "ipcc2006_t1"}
    meta = json.loads((tmp / "res.run.json").read_text())
    assert meta["records"] == 3 and len(meta["result_hash"]) == 64
    skipped = pd.read_csv(tmp / "res.skipped.csv")
    assert "MEE grid factors apply to facilities in China" in set(skipped.reason)


def test_report_sections(files):
    tmp, fac, act = files
    report = tmp / "r.md"
    result = CliRunner().invoke(
        app, ["calculate", str(fac), str(act), "--out", str(tmp / "r.csv"), "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    text = report.read_text()
    for heading in (
        "## Totals",
        "## 40 CFR 98 Subpart C threshold",
        "## Records not computed, and why",
        "## Why the US, Chinese and IPCC methods differ",
        "### CN-PLANT · bituminous_coal · 2024",
    ):
        assert heading in text


def test_single_methodology_and_gwp_override(files):
    tmp, fac, act = files
    out = tmp / "p98.csv"
    result = CliRunner().invoke(
        app,
        ["calculate", str(fac), str(act), "-m", "epa_part98_c", "--gwp", "AR6", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    df = pd.read_csv(out)
    assert set(df.methodology) == {"epa_part98_c"} and set(df.gwp_set) == {"AR6"}
    assert df[df.gas == "CH4"].gwp.iloc[0] == pytest.approx(27.9)


def test_unknown_methodology_is_refused(files):
    tmp, fac, act = files
    result = CliRunner().invoke(
        app, ["calculate", str(fac), str(act), "-m", "nope", "--out", str(tmp / "x.csv")]
    )
    assert result.exit_code == 2
    assert not (tmp / "x.csv").exists()


def test_run_json_records_the_gwp_set_applied_per_reporting_year(tmp_path):
    """Part 98 applies Table A-1 of the reporting year: AR4 up to 2024, AR5 from 2025
    (40 CFR 98 Table A-1 as amended in 2024); run.json says so, and so does every row."""
    rows = [
        record(record_id="y2023", fuel="natural_gas", quantity=1000, unit="mmBtu",
               period_start="2023-01-01", period_end="2023-01-31"),
        record(record_id="y2025", fuel="natural_gas", quantity=1000, unit="mmBtu",
               period_start="2025-01-01", period_end="2025-01-31"),
    ]  # fmt: skip
    fac = write_csv(tmp_path / "fac.csv", FACILITIES)
    act = write_csv(tmp_path / "act.csv", rows, [c.name for c in ACTIVITY.file_columns])
    runs = {}
    for gwp in ("default", "AR6"):
        out = tmp_path / f"res-{gwp}.csv"
        result = CliRunner().invoke(
            app, ["calculate", str(fac), str(act), "-m", "epa_part98_c", "-m", "epa_hub_ghgp",
                  "--gwp", gwp, "--out", str(out)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        runs[gwp] = json.loads((tmp_path / f"res-{gwp}.run.json").read_text())
        df = pd.read_csv(out)
        for m, by_year in runs[gwp]["gwp_set"].items():
            for year, gwp_set in by_year.items():
                rows_of = df[(df.methodology == m) & (df.period_start.str[:4] == year)]
                assert set(rows_of.gwp_set) == {gwp_set}, (m, year)
    assert runs["default"]["gwp_set"] == {
        "epa_part98_c": {"2023": "AR4", "2025": "AR5"},
        "epa_hub_ghgp": {"2023": "AR5", "2025": "AR5"},
    }
    assert runs["AR6"]["gwp_set"]["epa_part98_c"] == {"2023": "AR6", "2025": "AR6"}
    assert runs["default"]["run_id"] != runs["AR6"]["run_id"]


def test_results_file_has_the_documented_columns(files):
    """docs/schemas.md documents RESULT_COLUMNS (scripts/make_docs.py): the file has them all,
    in that order."""
    from openmrv.methods.base import RESULT_COLUMNS

    tmp, fac, act = files
    out = tmp / "res.csv"
    result = CliRunner().invoke(app, ["calculate", str(fac), str(act), "--out", str(out)])
    assert result.exit_code == 0, result.output
    header = tuple(pd.read_csv(out).columns)
    assert header == RESULT_COLUMNS
    # And the page itself: the "Results file" table lists exactly the written header, in order.
    page = (ROOT / "docs" / "schemas.md").read_text(encoding="utf-8")
    section = page.split("## Results file", 1)[1].split("\n## ", 1)[0]
    documented = tuple(re.findall(r"^\| `([a-z0-9_]+)` \|", section, flags=re.M))
    assert documented == header
