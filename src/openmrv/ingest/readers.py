"""Read CSV, XLSX, JSON and Parquet into an all-text Arrow table with a display row number.

Everything is read as text so that validation sees exactly what the user wrote and can say where
it is wrong; typing happens in validation, vectorised.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from openmrv.ingest.errors import InputError, Problem

MAX_FILE_BYTES = 4 * 1024**3  # 4 GiB per file; larger data belong in partitioned Parquet
ROW = "_row"


@dataclass
class RawTable:
    """A file read as text: the table (with a `_row` column) and how to name its rows."""

    name: str
    table: pa.Table
    row_word: str  # "row" for CSV/XLSX (header is row 1), "record" for JSON/Parquet
    path: Path | None = None  # the file read, for its SHA-256 (lineage of validated records)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _fail(name: str, problem: str, fix: str) -> InputError:
    return InputError([Problem(name, None, None, None, problem, fix)])


def read_table(path: Path | str, max_bytes: int = MAX_FILE_BYTES) -> RawTable:
    """Read a file by its extension; raise InputError with a located problem when unreadable."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise _fail(name, "file not found", "check the path")
    size = path.stat().st_size
    if size > max_bytes:
        raise _fail(
            name,
            f"file is {size:,} bytes, over the {max_bytes:,}-byte limit",
            "split the file, or use a partitioned Parquet dataset",
        )
    if size == 0:
        raise _fail(name, "file is empty", "export the data again with a header row and data rows")
    ext = path.suffix.lower()
    readers = {".csv": _csv, ".txt": _csv, ".xlsx": _xlsx, ".json": _json, ".parquet": _parquet}
    if ext not in readers:
        raise _fail(
            name, f"unsupported file type {ext or '(none)'!r}", "use .csv, .xlsx, .json or .parquet"
        )
    raw = readers[ext](path)
    raw.path = path
    if raw.table.num_rows == 0:
        raise _fail(name, "file has a header but no data rows", "add the data rows")
    return raw


def _header_problems(name: str, header: list[str]) -> None:
    seen: set[str] = set()
    for col in header:
        if not col:
            raise _fail(name, "a column has an empty name", "name every column in the header row")
        if col in seen:
            raise _fail(name, f"column {col!r} appears twice", "keep one column of each name")
        seen.add(col)


def _csv(path: Path) -> RawTable:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")  # proves the bytes are UTF-8; the parser reads the bytes
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            [
                Problem(
                    path.name,
                    line,
                    None,
                    None,
                    f"not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line})",
                    "save the file as UTF-8 (Excel: 'CSV UTF-8'); GBK/GB18030 and "
                    "UTF-16 files must be converted",
                )
            ]
        ) from None
    if b"\x00" in data:
        raise _fail(
            path.name,
            "file contains NUL bytes (binary or UTF-16 data)",
            "save the file as UTF-8 CSV",
        )
    # The header row, parsed from the first MiB (not a copy of the whole file).
    first = next(csv.reader(io.StringIO(data[: 1 << 20].decode("utf-8", "ignore"))), None)
    if not first or not any(c.strip() for c in first):
        raise _fail(path.name, "no header row", "the first line must name the columns")
    header = [c.strip() for c in first]
    _header_problems(path.name, header)
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        msg = str(exc).splitlines()[0]
        raise _fail(
            path.name,
            f"malformed CSV: {msg}",
            "check quoting and that every row has as many fields as the header",
        ) from None
    rows = pa.array(range(2, table.num_rows + 2), pa.int64())
    return RawTable(path.name, table.append_column(ROW, rows), "row")


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _xlsx(path: Path) -> RawTable:
    from openpyxl import load_workbook  # imported lazily: only spreadsheet users pay for it

    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise _fail(
            path.name,
            f"not a readable .xlsx workbook ({type(exc).__name__})",
            "save it again from the spreadsheet program as .xlsx",
        ) from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None:
        raise _fail(path.name, "the first sheet is empty", "put the header in row 1")
    header = [_cell(c).strip() for c in header_row]
    while header and not header[-1]:
        header.pop()
    _header_problems(path.name, header)
    cols: list[list[str]] = [[] for _ in header]
    numbers: list[int] = []
    for i, r in enumerate(rows, start=2):
        cells = [_cell(c) for c in r[: len(header)]]
        if not any(cells):
            continue
        cells += [""] * (len(header) - len(cells))
        for j, c in enumerate(cells):
            cols[j].append(c)
        numbers.append(i)
    wb.close()
    arrays = [pa.array(c, pa.string()) for c in cols] + [pa.array(numbers, pa.int64())]
    return RawTable(path.name, pa.table(arrays, names=[*header, ROW]), "row")


def _json(path: Path) -> RawTable:
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise _fail(path.name, "not UTF-8 text", "save the file as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            [
                Problem(
                    path.name,
                    exc.lineno,
                    None,
                    None,
                    f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                    "fix the JSON syntax",
                )
            ]
        ) from None
    records = doc.get("records") if isinstance(doc, dict) else doc
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise _fail(
            path.name,
            "JSON must be a list of objects, or an object with a 'records' list",
            "write one object per record",
        )
    header: list[str] = []
    for r in records:
        header += [k for k in r if k not in header]
    cols: dict[str, list[str]] = {h: [] for h in header}
    for i, r in enumerate(records, start=1):
        for h in header:
            v = r.get(h)
            if isinstance(v, dict | list):
                raise InputError(
                    [
                        Problem(
                            path.name,
                            i,
                            h,
                            None,
                            "nested value",
                            "use plain strings and numbers",
                            "record",
                        )
                    ]
                )
            cols[h].append("" if v is None else (str(v).lower() if isinstance(v, bool) else str(v)))
    arrays = [pa.array(cols[h], pa.string()) for h in header]
    arrays.append(pa.array(range(1, len(records) + 1), pa.int64()))
    return RawTable(path.name, pa.table(arrays, names=[*header, ROW]), "record")


def _parquet(path: Path) -> RawTable:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise _fail(
            path.name,
            # pyarrow names the file by its path: show only its name (an upload's path is
            # the server's temporary folder)
            f"not a readable Parquet file ({str(exc).replace(str(path), path.name)[:80]})",
            "write the file again with a Parquet writer",
        ) from None
    arrays = []
    for col in table.columns:
        if pa.types.is_floating(col.type):
            arrays.append(pa.array([_cell(v) for v in col.to_pylist()], pa.string()))
        else:
            arrays.append(col.cast(pa.string()).fill_null(""))
    names = [*table.column_names, ROW]
    rows = pa.array(range(1, table.num_rows + 1), pa.int64())
    return RawTable(path.name, pa.table([*arrays, rows], names=names), "record")
