"""Chinese for validation's problem and fix texts (web.problems_zh): every rule's texts have a
Chinese form, and bad files of every kind produce problems that all read in Chinese."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from openmrv.combustion.schema import ACTIVITY, CATEGORIES
from openmrv.ingest import schema
from openmrv.ingest.errors import InputError, Problem
from openmrv.ingest.readers import RawTable, read_table
from openmrv.ingest.validate import (
    Sql,
    _activity_rules,
    _facility_rules,
    _header,
    _text_rules,
    validate_activity,
    validate_facilities,
)
from openmrv.store import periods
from openmrv.store.db import Busy
from openmrv.units import UnitError, parse, parse_ratio
from openmrv.web.problems_zh import translate
from tests.conftest import FACILITIES, record, write_csv
from tests.test_bad_input import CASES, COLS

_LITERAL = re.compile(r"'(?:[^']|'')*'")
_MARK = re.compile(r"§(\d+)§")
# Values for the non-literal parts of problem expressions that are English words
SAMPLES = {"qkind": "volume", "fstate": "solid"}
UNIT_ERRORS = {"uerr", "hhv_err", "ncv_err", "cc_err"}


def texts_of(expr: str) -> tuple[list[str], list[str]]:
    """The texts a rule's SQL problem expression can produce (each branch of a CASE, with a
    sample for every value), and the columns it passes through as they are."""
    literals: list[str] = []

    def mark(m: re.Match[str]) -> str:
        literals.append(m.group()[1:-1].replace("''", "'"))
        return f"§{len(literals) - 1}§"

    masked = _LITERAL.sub(mark, expr)
    branches = (
        re.findall(r"\b(?:THEN|ELSE)\b(.*?)(?=\b(?:WHEN|ELSE|END)\b)", masked, re.S)
        if masked.strip().startswith("CASE")
        else [masked]
    )
    texts, passed = [], []
    for branch in branches:
        parts = [p.strip() for p in branch.split("||")]
        if len(parts) == 1 and not _MARK.fullmatch(parts[0]):
            passed.append(parts[0])
            continue
        texts.append(
            "".join(
                literals[int(m.group(1))] if (m := _MARK.fullmatch(p)) else SAMPLES.get(p, "7")
                for p in parts
            )
        )
    return texts, passed


def all_rules():
    activity = [c.name for c in ACTIVITY.file_columns]
    facilities = schema.FACILITIES + schema.FACILITY_BOUNDARY
    return [
        *_activity_rules(True, CATEGORIES),
        *_text_rules(ACTIVITY.file_columns, activity),
        *_facility_rules(facilities, [c.name for c in facilities]),
    ]


def test_every_rule_text_has_a_chinese_form():
    problems, passed = [], []
    for _, _, problem, _ in all_rules():
        texts, through = texts_of(problem)
        problems += texts
        passed += through
    fixes = []
    for *_, fix in all_rules():  # a fix given as SQL (Sql) can produce each of its literals
        literals = [m[1:-1].replace("''", "'") for m in _LITERAL.findall(fix)]
        fixes += literals if isinstance(fix, Sql) else [fix]
    fixes.append("did you mean 'Bituminous coal'?")  # the fuel_hint branch
    assert len(set(problems)) > 50 and len(set(fixes)) > 50  # the rules were found
    assert set(passed) == UNIT_ERRORS  # only unit errors pass through (tested below)
    missing = sorted({t for t in problems + fixes if translate(t) is None})
    assert not missing, missing


def test_header_and_unit_errors_have_chinese_forms():
    for columns in (ACTIVITY.file_columns, schema.FACILITIES):
        empty = RawTable("x.csv", pa.table({"_row": pa.array([], pa.int64())}), "row")
        problems, _ = _header(empty, columns)
        assert len(problems) == sum(c.required for c in columns)
        for p in problems:
            assert translate(p.problem) is not None, p.problem
            assert translate(p.fix) is not None, p.fix
    errors = []
    for bad in ("kgg", "zzqqxx", "ftx3"):
        errors.append(_unit_error(parse, bad))
    for bad in ("kg", "furlong/t", "kgg/t", "GJ/zzqqxx"):
        errors.append(_unit_error(parse_ratio, bad))
    errors.append("unit 'x' is not a mass, volume, gas volume or energy")
    missing = [e for e in errors if translate(e) is None]
    assert not missing, missing
    assert translate(errors[1]) == "未知单位 'zzqqxx'。可接受的单位见 docs/units.md"
    assert translate("unit 'kg' is not a mass, volume, gas volume or energy") == (
        "单位 'kg' 不是质量、体积、气体体积或能量单位"
    )


def _unit_error(fn, text: str) -> str:
    with pytest.raises(UnitError) as exc:
        fn(text)
    return str(exc.value)


def _problems_of(make, tmp_path: Path, facilities: bool = False) -> list[Problem]:
    try:
        raw = read_table(make(tmp_path))
        if facilities:
            validate_facilities(raw)
        else:
            validate_activity(raw, {f["facility_id"] for f in FACILITIES})
    except InputError as exc:
        return exc.problems
    raise AssertionError("the file was accepted")


R = record
# Rules the bad-input corpus (tests/test_bad_input.py) does not reach, one row each.
MORE_ROWS = [
    R(record_id="", fuel="lignite", quantity=1, unit="t"),
    R(record_id="a1", facility_id="", fuel="lignite", quantity=1, unit="t"),
    R(record_id="a2", period_start="", period_end="", fuel="lignite", quantity=1, unit="t"),
    R(record_id="a3", category="", quantity=1, unit="t"),
    R(record_id="a4", fuel="lignite", quantity="", unit=""),
    R(record_id="a5", fuel="", quantity=1, unit="t"),
    R(record_id="a6", category="refrigerant", fuel="", quantity=1, unit="kg"),
    R(record_id="a7", category="refrigerant", fuel="R-999Z", quantity=1, unit="kg"),
    R(record_id="a8", fuel="lignite", quantity=1, unit="t", tier=7),
    R(record_id="a9", fuel="lignite", quantity=1, unit="t", tier=2),
    R(record_id="b1", fuel="lignite", quantity=1, unit="t", tier=4),
    R(record_id="b2", fuel="lignite", quantity=1, unit="t", hhv="x", hhv_unit="GJ/t"),
    R(record_id="b3", fuel="lignite", quantity=1, unit="t", hhv=-1, hhv_unit="kg"),
    R(record_id="b4", fuel="lignite", quantity=1, unit="t", ncv=20, ncv_unit="GJ/gal"),
    R(record_id="b5", fuel="lignite", quantity=1, unit="t", carbon_content=1,
      carbon_content_unit="GJ/t"),
    R(record_id="b6", fuel="lignite", quantity=1, unit="t", carbon_content=150,
      carbon_content_unit="%"),
    R(record_id="b7", fuel="lignite", quantity=1, unit="t", carbon_content=0.7),
    R(record_id="b8", fuel="natural_gas", quantity=1, unit="scf", molecular_weight=500),
    R(record_id="b9", fuel="lignite", quantity=1, unit="t", measured_co2_t=-1),
    R(record_id="c1", fuel="lignite", quantity=1, unit="GJ", energy_basis="NCV", boiler_ratio_b=0),
    R(record_id="c2", category="purchased_heat", quantity=1, unit="t"),
    R(record_id="c3", category="stationary_combustion", fuel="lignite", quantity="kg", unit="5"),
    R(record_id="c4", fuel="lignite", quantity=1, unit="7"),
    R(record_id="c5", fuel="lignite", quantity=1, unit="t", ncv=20, ncv_unit="furlong/t"),
]  # fmt: skip


def file_of(name: str, data: bytes):
    def make(d: Path) -> Path:
        (d / name).write_bytes(data)
        return d / name

    return make


def empty_sheet(d: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.save(d / "a.xlsx")
    return d / "a.xlsx"


FILE_PROBLEMS = [
    lambda d: d / "missing.csv",
    file_of("a.csv", b"\n\n"),
    file_of("a.csv", b"record_id,,unit\n1,2,3\n"),
    file_of("a.csv", b"record_id,unit,unit\n1,2,3\n"),
    file_of("a.csv", b"record_id,unit\n1,\x00\n"),
    file_of("a.xlsx", b"not a workbook"),
    empty_sheet,
    file_of("a.json", b"\xff\xfe"),
    file_of("a.json", json.dumps({"rows": []}).encode()),
    lambda d: write_csv(d / "a.csv", [{"record_id": "x", "quantitiy": "1"}]),
]


def test_bad_files_of_every_kind_read_in_chinese(tmp_path):
    problems: list[Problem] = []
    for i, (_, make, _) in enumerate(CASES):
        folder = tmp_path / f"case{i}"
        folder.mkdir()
        problems += _problems_of(make, folder)
    for i, make in enumerate(FILE_PROBLEMS):
        folder = tmp_path / f"file{i}"
        folder.mkdir()
        problems += _problems_of(make, folder)
    more = _problems_of(lambda d: write_csv(d / "more.csv", MORE_ROWS, COLS), tmp_path)
    bad_facilities = [
        FACILITIES[0] | {"facility_id": ""},
        FACILITIES[1] | {"organization_id": "", "name": "", "ipcc_sector": "x"},
        FACILITIES[2] | {"country": "XX", "equity_share": "2", "operational_control": "maybe"},
        FACILITIES[2],
    ]
    facilities = _problems_of(
        lambda d: write_csv(d / "fac.csv", bad_facilities), tmp_path, facilities=True
    )
    problems += more + facilities
    size = tmp_path / "big.csv"
    size.write_text("a,b\n1,2\n")
    with pytest.raises(InputError) as exc:
        read_table(size, max_bytes=4)
    problems += exc.value.problems

    assert len(problems) > 80
    untranslated = sorted({t for p in problems for t in (p.problem, p.fix) if not translate(t)})
    assert not untranslated, untranslated
    shown = {(p.file, p.row, p.column): (translate(p.problem), translate(p.fix)) for p in problems}
    by_problem = {p.problem: translate(p.problem) for p in problems}
    assert by_problem["duplicate record id (first used in row 2)"] == (
        "记录编号重复（首次出现在第 2 行）"
    )
    assert by_problem["period ends (2024-04-30) before it starts (2024-05-01)"] == (
        "期间结束日期（2024-04-30）早于起始日期（2024-05-01）"
    )
    assert by_problem["a volume unit does not fit a solid fuel"] == "体积单位不适用于固体燃料"
    assert by_problem["a mass unit for energy purchased"] == "外购能源不能使用质量单位"
    assert by_problem["field is 5000 characters, over the 100 limit"] == (
        "字段长 5000 个字符，超过 100 个字符的上限"
    )
    assert by_problem["required column 'unit' is missing"] == "缺少必需的列 'unit'"
    assert by_problem["file is empty"] == "文件为空"
    assert by_problem["facility not in the facilities file"] == "设施不在设施文件中"
    assert by_problem["duplicate facility id (first used in row 4)"] == (
        "设施编号重复（首次出现在第 4 行）"
    )
    assert by_problem["file is 8 bytes, over the 4-byte limit"] == (
        "文件大小为 8 字节，超过 4 字节的上限"
    )
    unit = next(p for p in problems if p.problem.startswith("unknown unit 'kgg'."))
    assert translate(unit.problem).startswith(
        "未知单位 'kgg'。可接受的单位见 docs/units.md。是否应为 'kg'"
    )
    assert translate(unit.fix) == "使用可接受的单位之一（见 docs/units.md）"
    assert shown[("more.csv", 2, "record_id")] == ("记录编号为空", "为每条记录指定唯一的编号")
    assert shown[("more.csv", 12, "measured_co2_t")] == (
        "层级 4 需要 CEMS 实测的二氧化碳",
        "填写 measured_co2_t（吨）",
    )
    assert shown[("more.csv", 13, "hhv")] == ("不是数字", "将实测的高位发热量写成普通数字")
    assert shown[("more.csv", 14, "hhv_unit")][0] == (
        "参数单位 'kg' 必须是比值，例如 'GJ/t' 或 'kg C/kg'"
    )
    assert shown[("more.csv", 18, "carbon_content_unit")] == (
        "填写了 carbon_content，但没有填写其单位",
        "填写 carbon_content_unit，例如 'tC/GJ'",
    )
    assert shown[("more.csv", 25, "ncv_unit")][0] == (
        "参数单位中有未知单位 'furlong'。可接受的单位见 docs/units.md"
    )
    missing_unit = next(p for p in problems if p.problem == "required column 'unit' is missing")
    assert translate(missing_unit.fix) == (
        "添加列 'unit'：数量的单位，须为可接受的单位之一（见 docs/units.md）。"
    )
    # values are carried over as written, whatever they contain
    assert translate("unknown column 'a. b'") == "未知列 'a. b'"
    assert translate("not a number at all") is None


def test_refusals_of_an_upload_read_in_chinese():
    locked = periods._refusal("FAC-1", 2024, "locked by verifier at 2026-01-02 (verified (ok))")
    assert translate(str(locked)) == (
        "期间 FAC-1 2024 已由 verifier 于 2026-01-02 锁定（verified (ok)），其数据不能更改。"
        '如需更正，请重述该期间：openmrv period restate FAC-1 2024 FILE --reason "..."。'
        "未存储任何数据。"
    )
    assert translate(str(periods._refusal("FAC-1", 2024, "locked"))).startswith(
        "期间 FAC-1 2024 已锁定，"
    )
    # the same facility and year must appear twice to be this message
    other = str(locked).replace("restate FAC-1 2024", "restate FAC-2 2024")
    assert translate(other) is None
    assert translate(str(Busy("x.duckdb"))) == (
        "数据库 x.duckdb 正忙：另一个进程正在写入。未做任何更改，请稍后重试。"
    )
