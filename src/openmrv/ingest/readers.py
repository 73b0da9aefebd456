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
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from openmrv.ingest.errors import InputError, Problem

MAX_FILE_BYTES = 4 * 1024**3  # 4 GiB per file; larger data belong in partitioned Parquet
ROW = "_row"


@dataclass(frozen=True)
class Limits:
    """What a compressed file may unpack to or claim, checked before it is unpacked: a small
    XLSX (a zip of XML) or Parquet file must not become a large job. The defaults suit the
    command line; the web application passes tighter ones (api.services.UPLOAD_LIMITS)."""

    unpacked_bytes: int = 16 * 1024**3  # XLSX members unpacked; Parquet text decoded
    ratio: int = 100  # a zip member's unpacked / packed size (spreadsheets: about 5-20)
    ratio_from: int = 10 * 1024**2  # members smaller than this may compress better
    cells: int = 500_000_000  # rows x columns a sheet's dimension or a Parquet file claims
    columns: int = 1_000
    rows: int = 1_048_576 * 16  # XLSX sheets stop at 1,048,576 rows; Parquet may hold more


DEFAULT_LIMITS = Limits()


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


def read_table(
    path: Path | str, max_bytes: int = MAX_FILE_BYTES, limits: Limits = DEFAULT_LIMITS
) -> RawTable:
    """Read a file by its extension; raise InputError with a located problem when unreadable
    or over `limits`."""
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
    readers: dict[str, Callable[..., RawTable]] = {
        ".csv": _csv,
        ".txt": _csv,
        ".xlsx": _xlsx,
        ".json": _json,
        ".parquet": _parquet,
    }
    if ext not in readers:
        raise _fail(
            name, f"unsupported file type {ext or '(none)'!r}", "use .csv, .xlsx, .json or .parquet"
        )
    raw = readers[ext](path, limits) if ext in (".xlsx", ".parquet") else readers[ext](path)
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


def _too_big(name: str, what: str) -> InputError:
    return _fail(name, what, "split the data into smaller files, or save it again as CSV")


def _check_zip(path: Path, limits: Limits) -> None:
    """Refuse a zip (an XLSX) whose members would unpack past the limits, from the sizes its
    directory declares (Python's zip reader never inflates a member past its declared size)."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the workbook reader says so in its own words
    total = sum(m.file_size for m in members)
    if len(members) > 10_000 or total > limits.unpacked_bytes:
        raise _too_big(
            path.name,
            f"the workbook unpacks to {total:,} bytes in {len(members):,} parts, over the "
            f"{limits.unpacked_bytes:,}-byte limit",
        )
    for m in members:
        ratio = m.file_size // max(m.compress_size, 1)
        if m.file_size > limits.ratio_from and ratio > limits.ratio:
            raise _too_big(
                path.name,
                f"part {m.filename!r} of the workbook unpacks to {ratio:,} "
                f"times its packed size ({m.file_size:,} bytes), over the {limits.ratio}x "
                "limit for a spreadsheet",
            )


def _xlsx(path: Path, limits: Limits = DEFAULT_LIMITS) -> RawTable:
    from openpyxl import load_workbook  # imported lazily: only spreadsheet users pay for it

    _check_zip(path, limits)
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise _fail(
            path.name,
            f"not a readable .xlsx workbook ({type(exc).__name__})",
            "save it again from the spreadsheet program as .xlsx",
        ) from None
    ws = wb.worksheets[0]
    # The sheet's own claim of its size: refused when over the limits; then set aside, so
    # that rows and columns are read as far as the sheet holds them, never padded to it.
    rows_claimed, cols_claimed = ws.max_row or 0, ws.max_column or 0
    if cols_claimed > limits.columns or rows_claimed * cols_claimed > limits.cells:
        raise _too_big(
            path.name,
            f"the first sheet claims {rows_claimed:,} rows x {cols_claimed:,} columns, over "
            f"the limit of {limits.cells:,} cells and {limits.columns:,} columns",
        )
    ws.reset_dimensions()
    header_row = next(ws.iter_rows(max_row=1, values_only=True), None)
    if header_row is None:
        raise _fail(path.name, "the first sheet is empty", "put the header in row 1")
    header = [_cell(c).strip() for c in header_row[: limits.columns + 1]]
    while header and not header[-1]:
        header.pop()
    if len(header) > limits.columns:
        raise _too_big(path.name, f"over {limits.columns:,} columns")
    _header_problems(path.name, header)
    cols: list[list[str]] = [[] for _ in header]
    numbers: list[int] = []
    rows = ws.iter_rows(min_row=2, max_col=len(header), values_only=True)
    for i, r in enumerate(rows, start=2):
        if i > limits.rows:
            raise _too_big(path.name, f"over {limits.rows:,} rows")
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
    except RecursionError:
        raise _fail(
            path.name, "JSON nested too deeply", "write one flat object per record"
        ) from None
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


# Parquet encodings whose decoded size is bounded by the stored pages or the row count (not
# DELTA_BYTE_ARRAY, whose shared prefixes can repeat a long value in a few bytes each).
_BOUNDED_ENCODINGS = {
    "PLAIN",
    "PLAIN_DICTIONARY",
    "RLE_DICTIONARY",
    "RLE",
    "BIT_PACKED",
    "DELTA_BINARY_PACKED",
    "DELTA_LENGTH_BYTE_ARRAY",
    "BYTE_STREAM_SPLIT",
}


def _check_parquet(path: Path, limits: Limits) -> list[str]:
    """Refuse a Parquet file whose metadata claims more than the limits; return its text
    columns (read as dictionaries, so that their decoded size is known before decoding)."""
    with pq.ParquetFile(path) as pf:
        meta = pf.metadata
    rows, ncols = meta.num_rows, meta.num_columns
    if ncols > limits.columns or rows > limits.rows or rows * ncols > limits.cells:
        raise _too_big(
            path.name,
            f"the file holds {rows:,} rows x {ncols:,} columns, over the limit of "
            f"{limits.rows:,} rows, {limits.columns:,} columns and {limits.cells:,} cells",
        )
    unpacked = sum(meta.row_group(g).total_byte_size for g in range(meta.num_row_groups))
    if unpacked > limits.unpacked_bytes:
        raise _too_big(
            path.name,
            f"the file unpacks to {unpacked:,} bytes, over the "
            f"{limits.unpacked_bytes:,}-byte limit",
        )
    for g in range(meta.num_row_groups):
        for c in range(ncols):
            odd = set(meta.row_group(g).column(c).encodings) - _BOUNDED_ENCODINGS
            if odd:
                raise _fail(
                    path.name,
                    f"column {meta.schema.column(c).name!r} uses the {sorted(odd)[0]} encoding",
                    "write the file again with a Parquet writer's default encodings",
                )
    return [f.name for f in meta.schema.to_arrow_schema() if _is_text(f.type)]


_TEXT = (pa.types.is_string, pa.types.is_large_string, pa.types.is_binary, pa.types.is_large_binary)


def _is_text(t: pa.DataType) -> bool:
    """Text or bytes, or a dictionary of them (as a file written from pandas categories)."""
    return any(k(t.value_type if pa.types.is_dictionary(t) else t) for k in _TEXT)


def _decoded_bytes(col: pa.ChunkedArray) -> int:
    """Bytes a dictionary-encoded text column takes once decoded (each index's value length)."""
    total = 0
    for chunk in col.chunks:
        lengths = pc.binary_length(chunk.dictionary)
        total += pc.sum(pc.take(lengths, chunk.indices)).as_py() or 0
    return total


def _named(detail: str, path: Path) -> str:
    """A reader's message naming the file by its name only (an upload's path is the server's
    temporary folder), and naming it when the reader did not."""
    detail = detail.replace(str(path), path.name)
    return detail if path.name in detail else f"'{path.name}': {detail}"


def _parquet(path: Path, limits: Limits = DEFAULT_LIMITS) -> RawTable:
    try:
        text = _check_parquet(path, limits)
        table = pq.read_table(path, read_dictionary=text)
        decoded = sum(
            _decoded_bytes(c)
            for c in table.columns
            if pa.types.is_dictionary(c.type) and _is_text(c.type)
        )
        if decoded > limits.unpacked_bytes:
            raise _too_big(
                path.name,
                f"the text columns decode to {decoded:,} bytes, over the "
                f"{limits.unpacked_bytes:,}-byte limit",
            )
        table = table.cast(
            pa.schema(
                [
                    f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f
                    for f in table.schema
                ]
            )
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise _fail(
            path.name,
            f"not a readable Parquet file ({_named(str(exc), path)[:100]})",
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
