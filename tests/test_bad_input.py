"""Bad-input corpus: every case gets a located error, exit code 2, and no output file.

Each case is a valid facilities file and an activity file with one defect, run through the real
CLI (`openmrv calculate`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from openmrv.cli import app
from openmrv.combustion.schema import ACTIVITY
from tests.conftest import FACILITIES, record, write_csv

COLS = [c.name for c in ACTIVITY.file_columns]
GOOD = record(fuel="bituminous_coal", quantity=100, unit="short ton")


def rows_csv(*rows: dict[str, object]) -> Callable[[Path], Path]:
    return lambda d: write_csv(d / "activity.csv", [GOOD, *rows], COLS)


def raw(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        (d / name).write_bytes(data)
        return d / name

    return make


def header() -> bytes:
    return (",".join(COLS) + "\n").encode()


def line(**kw: object) -> bytes:
    r = record(**kw)
    return (",".join(str(r.get(c, "")) for c in COLS) + "\n").encode()


def xlsx_formula(d: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(COLS)
    r = record(fuel="bituminous_coal", quantity=5, unit="t")
    ws.append([r.get(c, "") for c in COLS])
    ws.cell(row=2, column=COLS.index("quantity") + 1, value="=2+3")
    wb.save(d / "activity.xlsx")
    return d / "activity.xlsx"


def missing_column(d: Path) -> Path:
    cols = [c for c in COLS if c != "unit"]
    return write_csv(d / "activity.csv", [{k: v for k, v in GOOD.items() if k != "unit"}], cols)


def misspelled_column(d: Path) -> Path:
    cols = ["quantitiy" if c == "quantity" else c for c in COLS]
    row = {("quantitiy" if k == "quantity" else k): v for k, v in GOOD.items()}
    return write_csv(d / "activity.csv", [row], cols)


R = record  # brevity in the table below
CASES: list[tuple[str, Callable[[Path], Path], list[str]]] = [
    (
        "unknown fuel",
        rows_csv(R(record_id="x", fuel="unobtainium", quantity=1, unit="t")),
        ["row 3", "fuel", "unknown fuel"],
    ),
    (
        "unknown unit",
        rows_csv(R(record_id="x", fuel="lignite", quantity=1, unit="kgg")),
        ["row 3", "unit", "unknown unit", "Did you mean"],
    ),
    (
        "mass unit for electricity",
        rows_csv(R(record_id="x", category="purchased_electricity", quantity=1, unit="kg")),
        ["row 3", "unit", "energy purchased"],
    ),
    (
        "volume unit for coal",
        rows_csv(R(record_id="x", fuel="lignite", quantity=1, unit="gal")),
        ["row 3", "unit", "does not fit a solid fuel"],
    ),
    (
        "gas volume without reference conditions",
        rows_csv(R(record_id="x", fuel="natural_gas", quantity=1, unit="m3")),
        ["row 3", "unit", "reference conditions"],
    ),
    (
        "energy unit for refrigerant",
        rows_csv(R(record_id="x", category="refrigerant", fuel="R-410A", quantity=1, unit="MWh")),
        ["row 3", "unit", "where a mass is needed"],
    ),
    (
        "negative quantity",
        rows_csv(R(record_id="x", fuel="lignite", quantity=-5, unit="t")),
        ["row 3", "quantity", "negative quantity"],
    ),
    (
        "comma decimal",
        rows_csv(R(record_id="x", fuel="lignite", quantity="12,5", unit="t")),
        ["row 3", "quantity", "not a number"],
    ),
    (
        "text quantity",
        rows_csv(R(record_id="x", fuel="lignite", quantity="abc", unit="t")),
        ["row 3", "quantity", "not a number"],
    ),
    (
        "NaN quantity",
        rows_csv(R(record_id="x", fuel="lignite", quantity="NaN", unit="t")),
        ["row 3", "quantity", "not a number"],
    ),
    (
        "infinite quantity",
        rows_csv(R(record_id="x", fuel="lignite", quantity="inf", unit="t")),
        ["row 3", "quantity", "not a number"],
    ),
    ("missing column", missing_column, ["column 'unit'", "required column 'unit' is missing"]),
    ("misspelled column", misspelled_column, ["quantity", "rename column 'quantitiy'"]),
    (
        "month 13",
        rows_csv(R(record_id="x", period_start="2024-13-01", fuel="lignite", quantity=1, unit="t")),
        ["row 3", "period_start", "not a date"],
    ),
    (
        "US date format",
        rows_csv(R(record_id="x", period_start="01/02/2024", fuel="lignite", quantity=1, unit="t")),
        ["row 3", "period_start", "YYYY-MM-DD"],
    ),
    (
        "30 February",
        rows_csv(R(record_id="x", period_end="2024-02-30", fuel="lignite", quantity=1, unit="t")),
        ["row 3", "period_end", "not a date"],
    ),
    (
        "end before start",
        rows_csv(
            R(
                record_id="x",
                period_start="2024-05-01",
                period_end="2024-04-30",
                fuel="lignite",
                quantity=1,
                unit="t",
            )
        ),
        ["row 3", "period_end", "before it starts"],
    ),
    (
        "period over a year",
        rows_csv(
            R(
                record_id="x",
                period_start="2022-01-01",
                period_end="2024-01-31",
                fuel="lignite",
                quantity=1,
                unit="t",
            )
        ),
        ["row 3", "period_end", "longer than a year"],
    ),
    (
        "duplicate record id",
        rows_csv(R(fuel="lignite", quantity=1, unit="t")),
        ["row 3", "record_id", "duplicate record id (first used in row 2)"],
    ),
    (
        "GBK-encoded file",
        raw(
            "activity.csv",
            header() + line(fuel="烟煤", quantity=1, unit="t").decode().encode("gbk"),
        ),
        ["activity.csv", "row 2", "not UTF-8"],
    ),
    (
        "UTF-16 file",
        raw("activity.csv", (",".join(COLS) + "\n").encode("utf-16")),
        ["activity.csv", "UTF-8"],
    ),
    (
        "formula injection",
        rows_csv(
            R(
                record_id="x",
                fuel="lignite",
                quantity=1,
                unit="t",
                notes='=HYPERLINK("http://x","y")',
            )
        ),
        ["row 3", "notes", "formula"],
    ),
    (
        "at-sign injection",
        rows_csv(R(record_id="@SUM(1)", fuel="lignite", quantity=1, unit="t")),
        ["row 3", "record_id", "formula"],
    ),
    (
        "plus-command injection",
        rows_csv(R(record_id="x", source_id="+cmd", fuel="lignite", quantity=1, unit="t")),
        ["row 3", "source_id", "formula"],
    ),
    ("formula cell in xlsx", xlsx_formula, ["activity.xlsx", "row 2", "quantity", "formula"]),
    ("empty file", raw("activity.csv", b""), ["activity.csv", "file is empty"]),
    ("header only", raw("activity.csv", header()), ["activity.csv", "no data rows"]),
    (
        "huge id",
        rows_csv(R(record_id="x" * 5000, fuel="lignite", quantity=1, unit="t")),
        ["row 3", "record_id", "over the 100 limit"],
    ),
    (
        "huge notes",
        rows_csv(R(record_id="x", notes="n" * 100_000, fuel="lignite", quantity=1, unit="t")),
        ["row 3", "notes", "over the 1000 limit"],
    ),
    (
        "quantity and unit swapped",
        rows_csv(R(record_id="x", fuel="lignite", quantity="t", unit="100")),
        ["row 3", "quantity", "swapped"],
    ),
    (
        "fuel and category swapped",
        rows_csv(
            R(record_id="x", category="lignite", fuel="stationary_combustion", quantity=1, unit="t")
        ),
        ["row 3", "category", "swapped"],
    ),
    (
        "unknown facility",
        rows_csv(R(record_id="x", facility_id="NOPE", fuel="lignite", quantity=1, unit="t")),
        ["row 3", "facility_id", "not in the facilities file"],
    ),
    (
        "unknown category",
        rows_csv(R(record_id="x", category="magic", quantity=1, unit="t")),
        ["row 3", "category", "unknown category"],
    ),
    (
        "energy without basis",
        rows_csv(R(record_id="x", fuel="natural_gas", quantity=1, unit="GJ")),
        ["row 3", "energy_basis", "heating-value"],
    ),
    (
        "invalid energy basis",
        rows_csv(R(record_id="x", fuel="natural_gas", quantity=1, unit="GJ", energy_basis="LHV")),
        ["row 3", "energy_basis", "must be HHV or NCV"],
    ),
    (
        "hhv without unit",
        rows_csv(R(record_id="x", fuel="lignite", quantity=1, unit="t", hhv=14)),
        ["row 3", "hhv_unit", "without its unit"],
    ),
    (
        "hhv per mass for a volume",
        rows_csv(
            R(record_id="x", fuel="natural_gas", quantity=1, unit="scf", hhv=0.05, hhv_unit="GJ/t")
        ),
        ["row 3", "hhv_unit", "does not match"],
    ),
    (
        "tier 3 without carbon",
        rows_csv(R(record_id="x", fuel="lignite", quantity=1, unit="t", tier=3)),
        ["row 3", "carbon_content", "tier 3"],
    ),
    (
        "oxidation above 1",
        rows_csv(R(record_id="x", fuel="lignite", quantity=1, unit="t", oxidation_factor=1.5)),
        ["row 3", "oxidation_factor", "fraction"],
    ),
    (
        "unclosed quote",
        raw(
            "activity.csv",
            header() + line(fuel="lignite", quantity=1, unit="t") + b'"r2,US-PLANT\n',
        ),
        ["activity.csv", "malformed CSV"],
    ),
    (
        "too many fields",
        raw(
            "activity.csv",
            header() + line(fuel="lignite", quantity=1, unit="t").rstrip(b"\n") + b",extra,extra\n",
        ),
        ["activity.csv", "malformed CSV"],
    ),
    ("unsupported extension", raw("activity.doc", b"hello"), ["activity.doc", "unsupported"]),
    (
        "invalid JSON",
        raw("activity.json", b'[{"record_id": "a",]'),
        ["activity.json", "invalid JSON", "line 1"],
    ),
    (
        "nested JSON",
        raw("activity.json", b'[{"record_id": {"a": 1}}]'),
        ["activity.json", "record 1", "nested value"],
    ),
    (
        "corrupt parquet",
        raw("activity.parquet", b"PAR1" + bytes(range(200)) + b"PAR1"),
        ["activity.parquet", "not a readable Parquet file"],
    ),
]


def run_cli(tmp_path: Path, make_activity, facilities=None):
    fac = write_csv(tmp_path / "facilities.csv", facilities or FACILITIES)
    act = make_activity(tmp_path)
    out = tmp_path / "out" / "results.csv"
    result = CliRunner().invoke(app, ["calculate", str(fac), str(act), "--out", str(out)])
    return result, out


def assert_rejected(result, out: Path, expected: list[str]) -> None:
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    flat = " ".join(text.split()).replace("│", " ")
    flat = " ".join(flat.split())
    assert result.exit_code == 2, text
    for phrase in expected:
        assert phrase in flat, f"{phrase!r} not in output:\n{text}"
    assert not out.parent.exists() or not any(out.parent.iterdir())


@pytest.mark.parametrize(("name", "make", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_activity_is_rejected_with_location(tmp_path, name, make, expected):
    result, out = run_cli(tmp_path, make)
    assert_rejected(result, out, expected)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"country": "XX"}, ["facilities.csv", "row 2", "country", "unsupported country"]),
        (
            {"country": "CN", "state_province": "US-AZ"},
            ["facilities.csv", "row 2", "state_province", "ISO 3166-2"],
        ),
    ],
)
def test_bad_facilities_file(tmp_path, change, expected):
    facilities = [FACILITIES[0] | change, *FACILITIES[1:]]
    result, out = run_cli(tmp_path, rows_csv(), facilities)
    assert_rejected(result, out, expected)


def test_a_file_is_named_in_messages_without_its_folder(tmp_path):
    """An upload is read from the server's temporary folder: messages show the file's name."""
    from openmrv.ingest.errors import InputError
    from openmrv.ingest.readers import read_table

    path = tmp_path / "activity.parquet"
    path.write_bytes(b"PAR1" + bytes(range(200)) + b"PAR1")
    with pytest.raises(InputError) as err:
        read_table(path)
    text = str(err.value)
    assert "'activity.parquet'" in text and str(tmp_path) not in text


def test_corpus_is_large_enough():
    assert len(CASES) >= 20


def test_valid_file_is_accepted(tmp_path):
    result, out = run_cli(tmp_path, rows_csv())
    assert result.exit_code == 0, result.output
    assert out.exists()
    assert (out.parent / "results.skipped.csv").exists()
    assert (out.parent / "results.run.json").exists()
