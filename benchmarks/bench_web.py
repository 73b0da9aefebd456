"""Web load test: dashboard latency under concurrent signed-in clients, over a store of 1M
records, on loopback only.

Builds a fresh DuckDB store (generated facilities and N records, one calculation run), starts
`openmrv serve` on a free 127.0.0.1 port, signs in C clients and has each request the
dashboard in a closed loop (optionally with think time) for S seconds; every loop is bounded
by that deadline. Writes benchmarks/results/web.json.

    .venv/bin/python benchmarks/bench_web.py --records 1000000 --clients 50 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.datagen import FACILITIES
from benchmarks.figures import machine, save
from tests.store.helpers import generated_csv

from openmrv.api import services
from openmrv.api.tenancy import add_membership, add_user, load_principal, scope_for
from openmrv.store import open_store
from openmrv.store.ingest import ingest, load_facilities

OPENMRV = Path(sys.executable).with_name("openmrv")
PASSWORD = "bench-password-1"


def build(d: Path, n: int) -> dict[str, float]:
    fac = d / "facilities.csv"
    FACILITIES.to_csv(fac, index=False)
    csv = generated_csv(d / "activity.csv", n)
    db = open_store(str(d / "web.duckdb"))
    try:
        load_facilities(db, fac, "bench")
        with db.write():
            add_user(db, "bench", "Bench", PASSWORD)
            add_membership(db, "bench", "ORG", "owner", "bench")
        t0 = time.perf_counter()
        report = ingest(db, csv, "bench")
        t1 = time.perf_counter()
        p = load_principal(db, "bench")
        assert p is not None and report.new == n
        services.calculate(scope_for(db, p, "ORG", "write"))
        t2 = time.perf_counter()
    finally:
        db.close()
    return {"ingest_seconds": round(t1 - t0, 1), "calculate_seconds": round(t2 - t1, 1)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def signed_in(base: str) -> httpx.AsyncClient:
    c = httpx.AsyncClient(base_url=base, timeout=30)
    page = await c.get("/signin")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    r = await c.post(
        "/signin", data={"username": "bench", "password": PASSWORD, "csrf_token": csrf[1]}
    )
    assert r.status_code in (200, 303), r.status_code
    return c


async def client(c: httpx.AsyncClient, deadline: float, think: float, out: list, errors: list):
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        try:
            r = await c.get("/orgs/ORG")
            if r.status_code != 200 or 'id="totals"' not in r.text:
                errors.append(r.status_code)
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
        out.append(time.perf_counter() - t0)
        if think:
            await asyncio.sleep(think)


async def load(base: str, clients: int, seconds: float, thinks: list[float]) -> list[dict]:
    """Sign the clients in (not timed), then one timed phase per think time."""
    sessions = [await signed_in(base) for _ in range(clients)]
    phases = []
    try:
        for think in thinks:
            lat: list[float] = []
            errors: list = []
            t0 = time.perf_counter()
            deadline = t0 + seconds
            await asyncio.gather(*(client(c, deadline, think, lat, errors) for c in sessions))
            phases.append(_phase(think, lat, errors, time.perf_counter() - t0))
    finally:
        for c in sessions:
            await c.aclose()
    return phases


def _phase(think: float, lat: list[float], errors: list, elapsed: float) -> dict[str, object]:
    ms = np.array(lat) * 1000
    return {
        "think_seconds": think,
        "requests": len(lat),
        "errors": len(errors),
        "requests_per_s": round(len(lat) / elapsed, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "max_ms": round(float(ms.max()), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument(
        "--think",
        type=float,
        nargs="+",
        default=[1.0, 0.0],
        help="seconds between a client's requests; one load phase per value",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        setup = build(d, args.records)
        port = free_port()
        log = open(d / "server.log", "wb")  # noqa: SIM115
        server = subprocess.Popen(
            [OPENMRV, "serve", "--db", str(d / "web.duckdb"), "--port", str(port)],
            stdout=log,
            stderr=log,
        )
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), 0.5).close()
                    break
                except OSError:
                    time.sleep(0.3)
            base = f"http://127.0.0.1:{port}"
            phases = asyncio.run(load(base, args.clients, args.seconds, args.think))
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
    figures = {
        "benchmark": "dashboard page under concurrent signed-in clients (loopback, closed loop)",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": args.records,
        "clients": args.clients,
        "seconds_per_phase": args.seconds,
        **setup,
        **{
            f"think_{p['think_seconds']:g}s_{k}": v
            for p in phases
            for k, v in p.items()
            if k in ("p95_ms", "errors", "requests_per_s")
        },
        "target_p95_ms": 300,
        "phases": phases,
        "machine": machine(),
        "versions": {p: version(p) for p in ("openmrv", "duckdb", "fastapi", "uvicorn")},
    }
    save("web", figures)


if __name__ == "__main__":
    main()
