"""Benchmark: how long the command line takes to start — `openmrv --help` and a one-record
`openmrv calculate` — and which imports cost most, with the machine's load beside the figures.

    python benchmarks/bench_startup.py [--runs 5]

Each command runs `--runs` times in a fresh process (the wall time of the whole process, as a
user waits for it); `python -X importtime` of `--help` gives the heaviest imports. Prints the
figures and writes benchmarks/results/startup.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
# The console script beside this interpreter, run by it (so `-X importtime` can be added).
OPENMRV = [sys.executable, str(Path(sys.executable).parent / "openmrv")]
ONE_RECORD = (
    "record_id,facility_id,period_start,period_end,category,fuel,quantity,unit\n"
    "r1,FAC-AZ-PV,2024-01-01,2024-01-31,stationary_combustion,natural_gas,1000,mmBtu\n"
)


def timed(cmd: list[str], runs: int) -> dict[str, object]:
    """Wall seconds of `runs` fresh processes running `cmd`."""
    seconds = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        seconds.append(round(time.perf_counter() - t0, 3))
    return {"min": min(seconds), "median": statistics.median(seconds), "runs": seconds}


def heaviest_imports(cmd: list[str], n: int = 12) -> list[dict[str, object]]:
    """The top-level packages that cost most to import (cumulative µs, -X importtime)."""
    res = subprocess.run(
        [cmd[0], "-X", "importtime", *cmd[1:]], capture_output=True, text=True, cwd=ROOT
    )
    cost: dict[str, int] = {}
    for line in res.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (p.strip() for p in line.split(":", 1)[1].split("|"))
        if cumulative.isdigit() and "." not in name:
            cost[name] = max(cost.get(name, 0), int(cumulative))
    top = sorted(cost.items(), key=lambda kv: -kv[1])[:n]
    return [{"module": m, "ms": round(us / 1000, 1)} for m, us in top]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from figures import machine, save

    with tempfile.TemporaryDirectory() as tmp:
        act = Path(tmp) / "one.csv"
        act.write_text(ONE_RECORD)
        fac = ROOT / "examples" / "facilities.csv"
        calc = [*OPENMRV, "calculate", str(fac), str(act), "--out", str(Path(tmp) / "r.csv")]
        load_before = [round(x, 2) for x in os.getloadavg()]
        figures = {
            "benchmark": "command-line start-up: --help and a one-record calculate",
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_before": load_before,  # 1, 5, 15 min; on 2 cores, above 1 is not quiet
            "quiet_machine": load_before[0] < 1.0,
            "help_seconds": timed([*OPENMRV, "--help"], args.runs),
            "calculate_one_record_seconds": timed(calc, args.runs),
            "help_heaviest_imports": heaviest_imports([*OPENMRV, "--help"]),
            "load_after": [round(x, 2) for x in os.getloadavg()],
            "machine": machine(),
        }
    for k in ("help_seconds", "calculate_one_record_seconds"):
        print(f"{k:<30} min {figures[k]['min']:.2f} s  median {figures[k]['median']:.2f} s")
    for imp in figures["help_heaviest_imports"]:
        print(f"  import {imp['module']:<20} {imp['ms']:>8.1f} ms")
    save("startup", figures)


if __name__ == "__main__":
    main()
