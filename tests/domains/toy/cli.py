"""`openmrv toy ...`: load a readings file (validated by ingest's one mechanism against the
toy schema), record a permit, and total the readings with the toy method."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import ibis
import typer

from openmrv.cli.console import ByOpt, DbOpt, actor, opened_store, out
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import validate_table
from tests.domains.toy import store
from tests.domains.toy.method import ToyFlare
from tests.domains.toy.schema import READINGS

toy_app = typer.Typer(help="Toy flare meters (a test domain).", no_args_is_help=True)
Org = Annotated[str, typer.Option("--org", help="Organisation.")]


@toy_app.command("load")
def load(file: Path, org: Org, db: DbOpt = "openmrv.duckdb", by: ByOpt = None) -> None:
    """Store a readings file as one batch (all or nothing; located errors)."""
    typed = validate_table(read_table(file), READINGS)
    rows = typed.select(["record_id", "facility_id", "flared_m3"]).to_pylist()
    with opened_store(db) as s:
        batch = store.add_readings(s, org, rows, actor(by))
    out.print(f"{len(rows)} toy readings stored as batch {batch}")


@toy_app.command("permit")
def permit(
    facility_id: str, limit_m3: float, org: Org, db: DbOpt = "openmrv.duckdb", by: ByOpt = None
) -> None:
    """Record a flaring permit (its own ledger event)."""
    with opened_store(db) as s:
        seq = store.add_permit(s, org, facility_id, limit_m3, actor(by))
    out.print(f"permit recorded (ledger event {seq})")


@toy_app.command("total")
def total(org: Org, db: DbOpt = "openmrv.duckdb") -> None:
    """The organisation's CO2 from flaring, by the toy method."""
    with opened_store(db) as s:
        rows = store.readings(s, org)
    table = ibis.memtable([{"source_row": i, "qty": r["flared_m3"]} for i, r in enumerate(rows)])
    result = ibis.duckdb.connect().to_pyarrow(ToyFlare().plan(table, None))  # type: ignore[arg-type]
    out.print(f"{org}: {sum(result['mass_t'].to_pylist()):.3f} t CO2 from {len(rows)} readings")
