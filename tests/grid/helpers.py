"""Small interval, supply and factor files for the grid tests, and the CLI run on them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from openmrv.cli import build_app

LOAD_HEAD = "meter_id,facility_id,market,timestamp,value,unit"
SUPPLY_HEAD = "meter_id,facility_id,market,kind,timestamp,value,unit"
FACTOR_HEAD = "region,datetime_utc,signal,co2e_kg_per_mwh,cfe_fraction,source,edition"
ANNUAL_HEAD = "region,year,co2e_kg_per_mwh,cfe_fraction,source,edition"
T0 = datetime(2025, 6, 1)


def stamp(h: int, t0: datetime = T0) -> str:
    return (t0 + timedelta(hours=h)).strftime("%Y-%m-%d %H:%M")


def write(path: Path, head: str, rows: list[str]) -> Path:
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return path


def load_file(path: Path, mwh: list[float], fac: str = "dc", market: str = "PJM") -> Path:
    rows = [f"m-{fac},{fac},{market},{stamp(h)}Z,{v},MWh" for h, v in enumerate(mwh)]
    return write(path, LOAD_HEAD, rows)


def supply_file(path: Path, rows: list[tuple[str, int, float]], market: str = "PJM") -> Path:
    """rows: (kind, hour, MWh)."""
    lines = [f"dev-{k},dc,{market},{k},{stamp(h)}Z,{v},MWh" for k, h, v in rows]
    return write(path, SUPPLY_HEAD, lines)


def factor_file(path: Path, ef_kg: list[float], cfe: list[float], region: str = "PJM") -> Path:
    rows = [
        f"{region},{stamp(h)},average,{e},{c},test factors,2025"
        for h, (e, c) in enumerate(zip(ef_kg, cfe, strict=True))
    ]
    return write(path, FACTOR_HEAD, rows)


def scope2(*args: str | Path) -> list[dict[str, Any]]:
    """`openmrv grid scope2 ... -f json`, its rows."""
    r = CliRunner().invoke(build_app(), ["grid", "scope2", *map(str, args), "-f", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def grid(*args: str | Path) -> Any:
    return CliRunner().invoke(build_app(), ["grid", *map(str, args)])
