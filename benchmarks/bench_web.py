"""Web load test: dashboard latency under concurrent signed-in clients, over a store of 1M
records, on loopback only.

Builds a fresh store (generated facilities and N records, one calculation run) — a DuckDB
file, or with `--backend postgresql` a database on a throw-away PostgreSQL server started from
the Debian binaries as the tests do —, starts `openmrv serve` on a free 127.0.0.1 port (with
`--workers W` worker processes on PostgreSQL), signs in C sessions (httpx, not timed) and has C
clients request the dashboard in a closed loop (optionally with think time) for S seconds.
With `--ingest-during`, `openmrv ingest` of fresh 100,000-record files runs back to back in
another process for the whole of every load phase (their times are recorded too).
Every response is checked: status 200 and the real dashboard (`id="totals"` in the body);
anything else, and any connection error or timeout, is an error. Writes
benchmarks/results/web.json.

The load generator is wrk (Debian package `wrk`: `apt-get install wrk`), C connections over
2 threads, each request carrying one of the C session cookies in turn, checked by a Lua
`response` hook, with a 30 s timeout so that no slow request falls out of the latency
histogram. `--generator httpx` runs C asyncio httpx clients in this process instead (the
earlier generator: it spends about as much CPU as the server, on the same 2 cores).

    .venv/bin/python benchmarks/bench_web.py --records 1000000 --clients 50 --seconds 60
    .venv/bin/python benchmarks/bench_web.py --backend postgresql --workers 2 --ingest-during \
        --think 0
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
import threading
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
from openmrv.combustion.schema import ACTIVITY
from openmrv.store import open_store
from openmrv.store.ingest import ingest, load_facilities

OPENMRV = Path(sys.executable).with_name("openmrv")
WRK = shutil.which("wrk")


SERVER: psutil.Process | None = None  # the server under test, for its CPU time


def _server_cpu() -> float:
    """CPU seconds of the server and its worker processes (uvicorn --workers runs them as
    children)."""
    if SERVER is None:
        return 0.0
    total = 0.0
    for p in (SERVER, *SERVER.children(recursive=True)):
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


def _watch() -> dict[str, float]:
    """What `_watched` compares against at the end of a phase."""
    psutil.cpu_percent()  # starts the machine-wide interval
    return {"load": os.getloadavg()[0], "server_cpu": _server_cpu()}


def _watched(start: dict[str, float], requests: int) -> dict[str, object]:
    """The machine's load during a phase (other users' work included) and the server's CPU
    time per request."""
    used = _server_cpu() - start["server_cpu"]
    return {
        "load_average_1min_before_after": [round(start["load"], 2), round(os.getloadavg()[0], 2)],
        "machine_cpu_busy_pct": psutil.cpu_percent(),  # both cores, everyone's work
        "server_cpu_seconds": round(used, 1),
        "server_cpu_ms_per_request": round(used * 1000 / max(requests, 1), 2),
    }


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


PASSWORD = "bench-password-1"


def build(d: Path, n: int, url: str) -> dict[str, float]:
    fac = d / "facilities.csv"
    FACILITIES.to_csv(fac, index=False)
    csv = generated_csv(d / "activity.csv", n)
    db = open_store(url)
    try:
        load_facilities(db, fac, "bench")
        with db.write():
            add_user(db, "bench", "Bench", PASSWORD)
            add_membership(db, "bench", "ORG", "owner", "bench")
        t0 = time.perf_counter()
        report = ingest(db, csv, "bench", schema=ACTIVITY)
        t1 = time.perf_counter()
        p = load_principal(db, "bench")
        assert p is not None and report.new == n
        services.calculate(scope_for(db, p, "ORG", "write"))
        t2 = time.perf_counter()
    finally:
        db.close()
    return {"ingest_seconds": round(t1 - t0, 1), "calculate_seconds": round(t2 - t1, 1)}


def built(d: Path, n: int, url: str | None = None) -> dict[str, float]:
    """The store in `d` (or at `url`, built now): built now, or reused when a previous run left
    one of n records in `d`."""
    if url is not None:
        return build(d, n, url)
    meta = d / "setup.json"
    if meta.exists() and (d / "web.duckdb").exists():
        setup = json.loads(meta.read_text())
        if setup.get("records") == n:
            return {k: v for k, v in setup.items() if k != "records"}
        raise SystemExit(f"{d} holds a store of {setup.get('records')} records, not {n}")
    d.mkdir(parents=True, exist_ok=True)
    setup = build(d, n, str(d / "web.duckdb"))
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


class Ingests:
    """`openmrv ingest` of fresh 100,000-record files, one after another in another process,
    from `start()` to `stop()`: the writes a busy server sees while people read."""

    ROWS = 100_000

    def __init__(self, url: str, d: Path) -> None:
        self.url, self.d = url, d
        self.files = [generated_csv(d / f"during{i}.csv", self.ROWS, f"D{i}-") for i in range(2)]
        self.done: list[dict[str, object]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            f = self.files[n % len(self.files)]
            if n >= len(self.files):  # a new file each time: same rows, new record ids
                f = generated_csv(self.d / f"during{n}.csv", self.ROWS, f"D{n}-")
            t0 = time.perf_counter()
            run = subprocess.run(
                [OPENMRV, "ingest", str(f), "--db", self.url, "--by", "bench"],
                capture_output=True,
                text=True,
            )
            self.done.append(
                {"seconds": round(time.perf_counter() - t0, 2), "exit": run.returncode}
            )
            n += 1

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def figures(self) -> dict[str, object]:
        return {
            "rows_per_file": self.ROWS,
            "completed": sum(1 for r in self.done if r["exit"] == 0),
            "failed": sum(1 for r in self.done if r["exit"] != 0),
            "seconds_each": [r["seconds"] for r in self.done],
        }


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
    ap.add_argument("--backend", choices=("duckdb", "postgresql"), default="duckdb")
    ap.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL)")
    ap.add_argument(
        "--ingest-during",
        action="store_true",
        help="ingest fresh 100,000-record files back to back while the load runs",
    )
    args = ap.parse_args()
    if args.generator == "wrk" and WRK is None:
        raise SystemExit("wrk not found: apt-get install wrk (or --generator httpx)")
    if args.backend == "postgresql" and args.store:
        raise SystemExit("--store keeps DuckDB stores only (the PostgreSQL server is temporary)")
    pg = None
    with tempfile.TemporaryDirectory() as tmp:
        d = args.store or Path(tmp)
        if args.backend == "postgresql":
            from tests.store import pg_server

            pg = pg_server.start()
            url = pg.url
            setup = built(d, args.records, url)
        else:
            url = str(d / "web.duckdb")
            setup = built(d, args.records)
        ingests = Ingests(url, d) if args.ingest_during else None
        port = free_port()
        log = open(d / "server.log", "wb")  # noqa: SIM115
        server = subprocess.Popen(
            [OPENMRV, "serve", "--db", url, "--port", str(port), "--workers", str(args.workers)],
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
            if ingests:
                ingests.start()
            if args.generator == "wrk":
                phases = wrk_load(base, args.clients, args.seconds, args.think, Path(tmp))
            else:
                phases = asyncio.run(load(base, args.clients, args.seconds, args.think))
        finally:
            if ingests:
                ingests.stop()
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
            if pg is not None:
                pg.stop()
    figures = {
        "benchmark": "dashboard page under concurrent signed-in clients (loopback, closed loop)",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": args.records,
        "clients": args.clients,
        "seconds_per_phase": args.seconds,
        "generator": "wrk -t2 (C connections, one session cookie per request in turn)"
        if args.generator == "wrk"
        else "httpx asyncio clients in the benchmark process",
        "server": f"openmrv serve ({args.workers} uvicorn process(es), "
        + ("uvloop, " if _has("uvloop") else "asyncio, ")
        + ("httptools)" if _has("httptools") else "h11)"),
        "backend": args.backend,
        "workers": args.workers,
        **setup,
        "ingests_during_load": ingests.figures() if ingests else None,
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
    # web.json holds the reference run (wrk, DuckDB); the others beside it
    name = "web" if args.generator == "wrk" else "web_httpx"
    if args.backend == "postgresql":
        name = f"web_postgresql_{args.workers}w" + ("_ingesting" if ingests else "")
    save(name, figures)


if __name__ == "__main__":
    main()
