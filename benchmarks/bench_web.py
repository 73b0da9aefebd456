"""Web load test: dashboard latency under concurrent signed-in clients, over a store of 1M
records, on loopback only.

Builds a fresh DuckDB store (generated facilities and N records, one calculation run), starts
`openmrv serve` on a free 127.0.0.1 port, signs in C sessions (httpx, not timed) and has C
clients request the dashboard in a closed loop (optionally with think time) for S seconds.
Every response is checked: status 200 and the real dashboard (`id="totals"` in the body);
anything else, and any connection error or timeout, is an error. Writes
benchmarks/results/web.json.

The load generator is wrk (Debian package `wrk`: `apt-get install wrk`), C connections over
2 threads, each request carrying one of the C session cookies in turn, checked by a Lua
`response` hook, with a 30 s timeout so that no slow request falls out of the latency
histogram. `--generator httpx` runs C asyncio httpx clients in this process instead (the
earlier generator: it spends about as much CPU as the server, on the same 2 cores).

    .venv/bin/python benchmarks/bench_web.py --records 1000000 --clients 50 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import re
import shutil
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
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.datagen import FACILITIES
from benchmarks.figures import machine, save
from tests.store.helpers import generated_csv

from openmrv.api import services
from openmrv.api.tenancy import add_membership, add_user, load_principal, scope_for
from openmrv.store import open_store
from openmrv.store.ingest import ingest, load_facilities

OPENMRV = Path(sys.executable).with_name("openmrv")
WRK = shutil.which("wrk")


SERVER: psutil.Process | None = None  # the server under test, for its CPU time


def _watch() -> dict[str, float]:
    """What `_watched` compares against at the end of a phase."""
    psutil.cpu_percent()  # starts the machine-wide interval
    cpu = SERVER.cpu_times() if SERVER else None
    return {"load": os.getloadavg()[0], "server_cpu": cpu.user + cpu.system if cpu else 0.0}


def _watched(start: dict[str, float], requests: int) -> dict[str, object]:
    """The machine's load during a phase (other users' work included) and the server's CPU
    time per request."""
    cpu = SERVER.cpu_times() if SERVER else None
    used = (cpu.user + cpu.system - start["server_cpu"]) if cpu else 0.0
    return {
        "load_average_1min_before_after": [round(start["load"], 2), round(os.getloadavg()[0], 2)],
        "machine_cpu_busy_pct": psutil.cpu_percent(),  # both cores, everyone's work
        "server_cpu_seconds": round(used, 1),
        "server_cpu_ms_per_request": round(used * 1000 / max(requests, 1), 2),
    }


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


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


def built(d: Path, n: int) -> dict[str, float]:
    """The store in `d`: built now, or reused when a previous run left one of n records."""
    meta = d / "setup.json"
    if meta.exists() and (d / "web.duckdb").exists():
        setup = json.loads(meta.read_text())
        if setup.get("records") == n:
            return {k: v for k, v in setup.items() if k != "records"}
        raise SystemExit(f"{d} holds a store of {setup.get('records')} records, not {n}")
    d.mkdir(parents=True, exist_ok=True)
    setup = build(d, n)
    meta.write_text(json.dumps({"records": n, **setup}))
    return setup


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


WRK_SCRIPT = r"""
-- One of the signed-in sessions per request, in turn; every response checked; figures as one
-- JSON line at the end.
local cookies = {}
for line in io.lines(os.getenv("OPENMRV_COOKIES")) do cookies[#cookies + 1] = line end
local think = tonumber(os.getenv("OPENMRV_THINK_MS"))
local n, threads = 0, {}
bad = 0  -- a global: done() reads each thread's count with thread:get

setup = function(thread) threads[#threads + 1] = thread end

request = function()
  n = n % #cookies + 1
  return wrk.format(nil, nil, {["Cookie"] = "openmrv_session=" .. cookies[n]})
end

response = function(status, headers, body)
  if status ~= 200 or not string.find(body, 'id="totals"', 1, true) then bad = bad + 1 end
end

if think > 0 then delay = function() return think end end

done = function(summary, latency, requests)
  local wrong = 0
  for _, t in ipairs(threads) do wrong = wrong + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'OPENMRV {"requests": %d, "seconds": %.3f, "wrong_responses": %d, "connect": %d, '
      .. '"read": %d, "write": %d, "status": %d, "timeout": %d, "p50_ms": %.1f, '
      .. '"p95_ms": %.1f, "p99_ms": %.1f, "max_ms": %.1f}\n',
    summary.requests, summary.duration / 1e6, wrong, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3))
end
"""


def wrk_load(
    base: str, clients: int, seconds: float, thinks: list[float], work: Path
) -> list[dict]:
    """Sign the sessions in (httpx, not timed), then one wrk run per think time."""
    cookies = work / "cookies.txt"
    cookies.write_text("\n".join(asyncio.run(session_cookies(base, clients))) + "\n")
    script = work / "dashboard.lua"
    script.write_text(WRK_SCRIPT)
    phases = []
    for think in thinks:
        start = _watch()
        run = subprocess.run(
            [WRK, "-t2", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "30s", "-s", str(script),
             f"{base}/orgs/ORG"],
            env={**os.environ, "OPENMRV_COOKIES": str(cookies),
                 "OPENMRV_THINK_MS": str(round(think * 1000))},
            capture_output=True, text=True,
        )  # fmt: skip
        if run.returncode:
            raise SystemExit(f"wrk failed: {run.stdout}{run.stderr}")
        line = next(x for x in run.stdout.splitlines() if x.startswith("OPENMRV "))
        w = json.loads(line.removeprefix("OPENMRV "))
        errors = sum(w[k] for k in ("wrong_responses", "connect", "read", "write", "timeout"))
        phases.append(
            {
                "think_seconds": think,
                "requests": w["requests"],
                # wrk's "status" errors (>= 400) are wrong responses too, already counted.
                "errors": errors,
                "error_detail": {
                    k: w[k] for k in ("wrong_responses", "connect", "read", "write", "timeout")
                },
                "requests_per_s": round(w["requests"] / w["seconds"], 1),
                **{k: w[k] for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")},
                **_watched(start, w["requests"]),
            }
        )
    return phases


async def first_requests(base: str) -> dict[str, float]:
    """One client's first dashboard request after the server starts (nothing cached: the
    figures are read from the store and rendered) and its next one (cached), in ms."""
    c = await signed_in(base)
    try:
        out = {}
        for name in ("first_request_ms", "second_request_ms"):
            t0 = time.perf_counter()
            r = await c.get("/orgs/ORG")
            out[name] = round((time.perf_counter() - t0) * 1000, 1)
            assert r.status_code == 200 and 'id="totals"' in r.text, r.status_code
        return out
    finally:
        await c.aclose()


async def session_cookies(base: str, clients: int) -> list[str]:
    cookies = []
    for _ in range(clients):
        c = await signed_in(base)
        cookies.append(c.cookies["openmrv_session"])
        await c.aclose()
    return cookies


async def load(base: str, clients: int, seconds: float, thinks: list[float]) -> list[dict]:
    """Sign the clients in (not timed), then one timed phase per think time."""
    sessions = [await signed_in(base) for _ in range(clients)]
    phases = []
    try:
        for think in thinks:
            lat: list[float] = []
            errors: list = []
            start = _watch()
            t0 = time.perf_counter()
            deadline = t0 + seconds
            await asyncio.gather(*(client(c, deadline, think, lat, errors) for c in sessions))
            phases.append(_phase(think, lat, errors, time.perf_counter() - t0))
            phases[-1].update(_watched(start, len(lat)))
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
    ap.add_argument(
        "--generator",
        choices=("wrk", "httpx"),
        default="wrk",
        help="the load generator: wrk (Debian package wrk) or httpx clients in this process",
    )
    ap.add_argument(
        "--store",
        type=Path,
        help="keep the built store in this folder and reuse it on later runs (same --records)",
    )
    args = ap.parse_args()
    if args.generator == "wrk" and WRK is None:
        raise SystemExit("wrk not found: apt-get install wrk (or --generator httpx)")
    with tempfile.TemporaryDirectory() as tmp:
        d = args.store or Path(tmp)
        setup = built(d, args.records)
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
            global SERVER
            SERVER = psutil.Process(server.pid)
            first = asyncio.run(first_requests(base))
            if args.generator == "wrk":
                phases = wrk_load(base, args.clients, args.seconds, args.think, Path(tmp))
            else:
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
        "generator": "wrk -t2 (C connections, one session cookie per request in turn)"
        if args.generator == "wrk"
        else "httpx asyncio clients in the benchmark process",
        "server": "openmrv serve (one uvicorn process, "
        + ("uvloop, " if _has("uvloop") else "asyncio, ")
        + ("httptools)" if _has("httptools") else "h11)"),
        **setup,
        **{
            f"think_{p['think_seconds']:g}s_{k}": v
            for p in phases
            for k, v in p.items()
            if k in ("p95_ms", "errors", "requests_per_s")
        },
        "target_p95_ms": 300,
        **first,
        "phases": phases,
        "machine": machine(),
        "versions": {p: version(p) for p in ("openmrv", "duckdb", "fastapi", "uvicorn")},
    }
    # the httpx generator's figures apart: web.json holds the reference (wrk) run
    save("web" if args.generator == "wrk" else "web_httpx", figures)


if __name__ == "__main__":
    main()
