"""Upload files for the web tests, cut from the example activity file: SunBridge's records,
and the same file with three located errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openmrv.cli.web import EXAMPLES

SUNBRIDGE = ("FAC-JS-PV", "FAC-AZ-PV")


def rows(facilities=SUNBRIDGE) -> tuple[list[str], list[list[str]]]:
    with open(EXAMPLES / "activity.csv", newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        return header, [r for r in reader if r[1] in facilities]


def text(header: list[str], body: list[list[str]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(body)
    return out.getvalue()


def good(facilities=SUNBRIDGE) -> str:
    return text(*rows(facilities))


def bad(facilities=SUNBRIDGE, foreign: str = "FAC-BJ-ENG") -> str:
    """Row 3: unknown unit; row 5: impossible date; row 7: another organisation's facility
    (CSV rows count the header as row 1)."""
    header, body = rows(facilities)
    body = [list(r) for r in body]
    body[1][header.index("unit")] = "furlongs"
    body[3][header.index("period_end")] = "2024-13-01"
    body[5][header.index("facility_id")] = foreign
    return text(header, body)


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def changed(facility_id: str, year: int, facilities=SUNBRIDGE) -> str:
    """The good file with the first record of a facility-year changed (quantity + 1)."""
    header, body = rows(facilities)
    body = [list(r) for r in body]
    q, f, start = (
        header.index("quantity"),
        header.index("facility_id"),
        header.index("period_start"),
    )
    row = next(r for r in body if r[f] == facility_id and r[start].startswith(str(year)))
    row[q] = str(float(row[q]) + 1)
    return text(header, body)
