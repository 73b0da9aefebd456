"""A dataset validated file by file into one folder: every result row traces to its record id and
its source file (name, SHA-256, row), and parts whose record keys clash are refused."""

from __future__ import annotations

import hashlib
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from openmrv.cli import app
from openmrv.combustion.schema import ACTIVITY
from openmrv.engine.dataset import check_dataset, compact_view
from openmrv.ingest.errors import InputError
from tests.conftest import FACILITIES, record, write_csv

PARTS = 20
PER_PART = 4


def _part(i: int) -> list[dict[str, object]]:
    fuels = [("natural_gas", "mmBtu"), ("diesel", "gallon"), ("bituminous_coal", "short ton")]
    rows = []
    for j in range(PER_PART):
        fuel, unit = fuels[(i + j) % len(fuels)]
        rows.append(record(record_id=f"p{i:02d}-r{j}", fuel=fuel, quantity=10 + i + j, unit=unit))
    # a measured record too (evaluated directly, not through the shapes)
    rows[-1] |= {"fuel": "bituminous_coal", "unit": "short ton", "hhv": "25.1",
                 "hhv_unit": "mmBtu/short ton"}  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("parts")
    fac = write_csv(tmp / "fac.csv", FACILITIES)
    folder = tmp / "validated"
    files = {}
    for i in range(PARTS):
        path = write_csv(
            tmp / f"site-{i:02d}.csv", _part(i), [c.name for c in ACTIVITY.file_columns]
        )
        files[path.name] = (path, hashlib.sha256(path.read_bytes()).hexdigest())
        run = CliRunner().invoke(
            app, ["validate", str(fac), str(path), "--out", str(folder / f"part-{i:02d}.parquet")]
        )
        assert run.exit_code == 0, run.output
    out = tmp / "results"
    run = CliRunner().invoke(
        app, ["calculate-dataset", str(fac), str(folder), "--out", str(out), "-m", "epa_part98_c"]
    )
    assert run.exit_code == 0, run.output
    return folder, out, files


def test_every_result_row_traces_to_its_record_and_file(dataset):
    folder, out, files = dataset
    rows = compact_view(out, folder, ACTIVITY).to_pandas()
    assert len(rows) == PARTS * PER_PART * 3  # every record × CO2, CH4, N2O
    assert rows.reason.isna().all()
    assert rows.record_id.notna().all() and rows.source_file.notna().all()
    assert set(rows.source_file) == set(files)
    for (name, row), got in rows.groupby(["source_file", "file_row"]):
        path, sha = files[name]
        original = pd.read_csv(path, dtype=str)
        # CSV rows are numbered with the header as row 1
        assert set(got.record_id) == {original.record_id[row - 2]}
        assert set(got.source_sha256) == {sha}
    # one key per record across the parts: no two records share a source_row
    per_key = rows.groupby("source_row").record_id.nunique()
    assert (per_key == 1).all() and len(per_key) == PARTS * PER_PART


def test_parts_with_clashing_keys_are_refused(dataset, tmp_path):
    folder, _, _ = dataset
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    # the same part under another name, not renumbered by `openmrv validate`
    shutil.copy(copy / "part-03.parquet", copy / "part-99.parquet")
    with pytest.raises(InputError) as exc:
        check_dataset(copy, ACTIVITY)
    text = str(exc.value)
    assert "part-03.parquet" in text and "part-99.parquet" in text
    assert "share record keys" in text
