"""Green Button (NAESB REQ.21 ESPI) usage files, the XML US utilities export, into the load
file's columns, so the interval checks of grid.intervals apply unchanged.

An ESPI Atom feed holds a ReadingType (uom, powerOfTenMultiplier) and IntervalBlocks of
IntervalReadings, each a timePeriod (start: seconds since 1970 UTC; duration: seconds) and a
value in uom × 10^powerOfTenMultiplier. Only uom 72 (Wh) is electricity energy here. Rows are
the IntervalReadings in document order ("IntervalReading N" in every problem). The XML is
parsed by defusedxml: a DTD, entity or external reference is refused, not expanded."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import pyarrow as pa
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse

from openmrv.ingest.errors import InputError, Problem
from openmrv.ingest.readers import MAX_FILE_BYTES, RawTable

__all__ = ["ESPI", "WH", "read_espi"]

ESPI = "{http://naesb.org/espi}"
WH = 72  # ESPI UnitSymbolKind: Wh
ROW = "IntervalReading"


def _refuse(name: str, column: str | None, value: object, problem: str, fix: str) -> InputError:
    shown = None if value is None else str(value)
    return InputError([Problem(name, None, column, shown, problem, fix)])


def _int(el: Element | None, path: str) -> int | None:
    node = None if el is None else el.find(path)
    text = None if node is None or node.text is None else node.text.strip()
    try:
        return None if text is None else int(text)
    except ValueError:
        return None


def _reading_type(root: Element, name: str) -> int:
    """powerOfTenMultiplier of the file's one ReadingType, refused unless its uom is Wh."""
    types = list(root.iter(f"{ESPI}ReadingType"))
    if len(types) != 1:
        raise _refuse(
            name,
            "ReadingType",
            len(types),
            "a file needs exactly one ReadingType",
            "export one meter reading (one usage point) per file",
        )
    uom = _int(types[0], f"{ESPI}uom")
    if uom != WH:
        raise _refuse(
            name,
            "ReadingType/uom",
            uom,
            "not electricity energy in Wh (uom 72)",
            "export the kWh or Wh interval data",
        )
    return _int(types[0], f"{ESPI}powerOfTenMultiplier") or 0


def read_espi(
    path: Path, meter_id: str, facility_id: str, market: str, max_bytes: int = MAX_FILE_BYTES
) -> RawTable:
    """The IntervalReadings of a Green Button file as load-file rows (timestamp: the UTC
    start; value in Wh; interval_minutes from the duration); located problems for hostile or
    broken XML, a missing or non-integer start, duration or value, a ReadingType not in Wh."""
    name = path.name
    if path.stat().st_size > max_bytes:
        raise _refuse(name, None, None, "file over the size limit", "split the export")
    try:
        root = parse(str(path), forbid_dtd=True).getroot()
    except DefusedXmlException as e:
        raise _refuse(
            name,
            None,
            None,
            f"refused XML: {type(e).__name__}",
            "export the file again without a DTD or entities",
        ) from None
    except ParseError as e:
        line, col = e.position
        raise InputError([Problem(name, line, None, None, f"not XML ({e.msg}, column {col})",
                                  "export the file again", "line")]) from None  # fmt: skip
    scale = Decimal(10) ** _reading_type(root, name)
    rows: dict[str, list[str | None]] = {c: [] for c in ("timestamp", "value", "interval_minutes")}
    problems = []
    for i, reading in enumerate(root.iter(f"{ESPI}IntervalReading"), start=1):
        got = {c: _int(reading, f"{ESPI}{p}") for c, p in (
            ("start", "timePeriod/" + ESPI + "start"), ("duration", "timePeriod/" + ESPI +
            "duration"), ("value", "value"))}  # fmt: skip
        bad = [c for c, v in got.items() if v is None or (c != "value" and v < 0)]
        problems += [Problem(name, i, c, None, "missing or not a whole number",
                             f"the {c} of the reading in whole units (ESPI)", ROW)
                     for c in bad]  # fmt: skip
        if bad:
            continue
        start, duration, value = (int(got[c] or 0) for c in ("start", "duration", "value"))
        rows["timestamp"].append(
            datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%d %H:%M:%S+00:00")
        )
        rows["value"].append(str(value * scale))
        rows["interval_minutes"].append(str(Decimal(duration) / 60))
    if problems:
        raise InputError(problems)
    if not rows["value"]:
        raise _refuse(
            name,
            ROW,
            None,
            "no IntervalReading in the file",
            "export the interval data (IntervalBlock)",
        )
    n = len(rows["value"])
    table = pa.table({"meter_id": [meter_id] * n, "facility_id": [facility_id] * n,
                      "market": [market] * n, **rows, "unit": ["Wh"] * n,
                      "_row": pa.array(range(1, n + 1), pa.int64())})  # fmt: skip
    return RawTable(name, table, ROW, path)
