"""Hostile files at the edge: XLSX and Parquet bombs are refused in under a second with a
located, plain error while another user's requests keep answering (their latency measured
during the upload); request bodies are capped as they stream in, before they are spooled."""

from __future__ import annotations

import asyncio
import io
import time
import zipfile
from pathlib import Path

import httpx
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from openmrv.api import services
from openmrv.ingest.errors import InputError
from openmrv.ingest.readers import read_table
from openmrv.web.problems_zh import translate
from tests.web import data
from tests.web.conftest import token_for

ORG = "ORG-SUNBRIDGE"
UPLOADS = f"/api/v1/organisations/{ORG}/uploads"


def _workbook() -> bytes:
    header, body = data.rows()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in body[:3]:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rewrite(xlsx: bytes, member: str, change) -> bytes:
    """The workbook with one member's XML changed (by `change(old) -> iterable of chunks`)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            old = src.read(info.filename)
            if info.filename != member:
                dst.writestr(info.filename, old)
                continue
            with dst.open(info.filename, "w", force_zip64=True) as fh:
                for chunk in change(old):
                    fh.write(chunk)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def xlsx_unpacking_bomb() -> bytes:
    """Under 1 MB that unpacks to 200 MB (a sheet padded with whitespace between its tags)."""

    def pad(old: bytes):
        head, tail = old.split(b"<sheetData>", 1)
        yield head + b"<sheetData>"
        for _ in range(200):
            yield b" " * 1024**2
        yield tail

    return _rewrite(_workbook(), SHEET, pad)


def xlsx_dimension_bomb() -> bytes:
    """A small sheet whose dimension claims a million rows by every column Excel has."""

    def claim(old: bytes):
        start = old.index(b"<dimension ref=")
        end = old.index(b"/>", start)
        yield old[:start] + b'<dimension ref="A1:XFD1000000"' + old[end:]

    return _rewrite(_workbook(), SHEET, claim)


def parquet_text_bomb() -> bytes:
    """1.5 million rows of one 1,000-character value: a few kB, 1.5 GB once decoded."""
    header, body = data.rows()
    n = 1_500_000
    cols = {
        h: pa.DictionaryArray.from_arrays(
            pa.array([0] * n, pa.int32()), pa.array([(body[0][i] + " " * 1000)[:1000]])
        )
        for i, h in enumerate(header[:2])
    }
    out = io.BytesIO()
    pq.write_table(pa.table(cols), out, compression="zstd")
    return out.getvalue()


def parquet_rows_bomb() -> bytes:
    """Thirty million rows of zeros in a few kB."""
    out = io.BytesIO()
    pq.write_table(pa.table({"record_id": pa.array([0] * 30_000_000, pa.int8())}), out)
    return out.getvalue()


BOMBS = {
    "unpacks.xlsx": (xlsx_unpacking_bomb, "unpacks to"),
    "claims.xlsx": (xlsx_dimension_bomb, "claims 1,000,000 rows x 16,384 columns"),
    "decodes.parquet": (parquet_text_bomb, "decode to"),
    "rows.parquet": (parquet_rows_bomb, "30,000,000 rows"),
}


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {name: make() for name, (make, _) in BOMBS.items()}


def test_bombs_are_small(bombs):
    for name, body in bombs.items():
        assert len(body) < 1024**2, name


@pytest.mark.parametrize("name", BOMBS)
def test_bombs_are_refused_while_others_are_answered(app, bombs, name):
    editor = {"Authorization": f"Bearer {token_for(app, 'editor')}"}
    viewer = {"Authorization": f"Bearer {token_for(app, 'viewer', ['read'])}"}
    db = app.state.store.db
    batches = db.scalar("SELECT count(*) FROM batches")

    async def run() -> tuple[httpx.Response, float, list[float]]:
        # A lock of this event loop (as the server has one loop for its lifetime; the other
        # tests' clients each ran their own).
        app.state.store.lock = asyncio.Lock()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            latencies: list[float] = []
            done = asyncio.Event()

            async def other_user() -> None:
                while not done.is_set() or len(latencies) < 5:
                    t0 = time.perf_counter()
                    r = await c.get(f"/api/v1/organisations/{ORG}/runs", headers=viewer)
                    assert r.status_code == 200
                    latencies.append(time.perf_counter() - t0)
                    await asyncio.sleep(0.01)

            pinger = asyncio.create_task(other_user())
            await asyncio.sleep(0.05)
            t0 = time.perf_counter()
            r = await c.post(UPLOADS, headers=editor, files={"file": (name, bombs[name])})
            elapsed = time.perf_counter() - t0
            done.set()
            await pinger
            return r, elapsed, latencies

    r, elapsed, latencies = asyncio.run(run())
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "rejected" and out["total_problems"] == 1
    problem = out["problems"][0]
    assert problem["file"] == name and BOMBS[name][1] in problem["problem"], problem
    assert "limit" in problem["problem"] and problem["fix"]
    assert translate(problem["problem"]) is not None  # the page shows it in Chinese too
    assert elapsed < 1.0, f"{name} took {elapsed:.2f} s to refuse"
    assert max(latencies) < 1.0, f"another user waited {max(latencies):.2f} s"
    assert db.scalar("SELECT count(*) FROM batches") == batches  # nothing stored


def test_command_line_limits_still_refuse_a_dimension_bomb(tmp_path, bombs):
    path = tmp_path / "claims.xlsx"
    path.write_bytes(bombs["claims.xlsx"])
    with pytest.raises(InputError, match="claims 1,000,000 rows"):
        read_table(path)


def test_a_sheet_is_read_as_far_as_it_holds_rows(tmp_path):
    """A modest dimension claim (inside the limits) is not padded to: three rows are read."""

    def claim(old: bytes):
        start = old.index(b"<dimension ref=")
        yield old[:start] + b'<dimension ref="A1:Z900000"' + old[old.index(b"/>", start) :]

    path = tmp_path / "a.xlsx"
    path.write_bytes(_rewrite(_workbook(), SHEET, claim))
    t0 = time.perf_counter()
    raw = read_table(path)
    assert raw.table.num_rows == 3 and time.perf_counter() - t0 < 1.0
    assert raw.table.column_names[:-1] == data.rows()[0]


def _asgi_post(app, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """POST with the given headers straight to the ASGI app: (status, body bytes it read)."""
    sent = {"status": 0, "read": 0}

    head = (
        b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )

    async def receive():
        body = b"x" * 1024**2 if sent["read"] else head + b"x" * (1024**2 - len(head))
        sent["read"] += len(body)
        return {"type": "http.request", "body": body, "more_body": True}

    async def send(message):
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 1), "server": ("t", 80)}  # fmt: skip

    async def call() -> None:
        app.state.store.lock = asyncio.Lock()  # see test_bombs_are_refused_...
        await app(scope, receive, send)

    asyncio.run(call())
    return sent["status"], sent["read"]


def test_request_bodies_are_capped_as_they_stream(app):
    token = token_for(app, "editor").encode()
    auth = (b"authorization", b"Bearer " + token)
    multipart = (b"content-type", b"multipart/form-data; boundary=x")
    # A declared length over the cap: refused before a byte of the body is read.
    big = str(services.MAX_UPLOAD_BODY + 1).encode()
    status, read = _asgi_post(app, UPLOADS, [auth, multipart, (b"content-length", big)])
    assert (status, read) == (413, 0)
    # No declared length: refused once the cap is passed, not after the whole body.
    status, read = _asgi_post(app, UPLOADS, [auth, multipart])
    assert status == 413 and read <= services.MAX_UPLOAD_BODY + 1024**2
    # Other routes take small bodies only.
    status, read = _asgi_post(app, "/api/v1/tokens", [auth, (b"content-type", b"application/json")])
    assert status == 413 and read <= services.MAX_BODY_BYTES + 1024**2


def test_upload_limits_are_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    for figure in ("50 MB", "512 MB", "20,000,000 cells", "200 columns", "100x"):
        assert figure in doc, figure
