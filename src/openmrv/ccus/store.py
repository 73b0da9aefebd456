"""The CCUS tables (one per input file, plus the storage claims), their migrations and what
the ledger covers: a folder is stored as one batch, every row carrying its batch_id, so the
batch event's digests vouch for all six tables. A storage claim (site, year) is made once:
a second claim of the same tonnes is refused with a located problem, nothing stored."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from openmrv.ccus.account import Account, Data, account, problem
from openmrv.ccus.custody import TOLERANCE, double_claims
from openmrv.ccus.schema import CAPTURE, FILES
from openmrv.ingest.columns import Schema
from openmrv.ingest.errors import InputError, Problem
from openmrv.store import ledger
from openmrv.store.coverage import Coverage, RowCheck, Scheme
from openmrv.store.db import Database
from openmrv.store.schema import Migration

__all__ = ["COVERAGE", "MIGRATIONS", "STORED", "counterparts", "ingest", "load", "org_rows"]

STORED = ("facility_id", "year", "subpart", "equation", "stored_t", "cumulative_t")
# What makes a row the same claim as a stored one: file -> key columns.
CLAIM_KEYS = {
    "capture.csv": ("facility_id", "meter_id", "year", "quarter"),
    "transfers.csv": ("transfer_id", "side"),
    "meters.csv": ("facility_id", "meter_id", "year", "quarter"),
    "sites.csv": ("facility_id", "year"),
}


def _cols(schema: Schema) -> tuple[str, ...]:
    return tuple(n for n, _ in schema.store_columns)


def _ddl(table: str, cols: list[tuple[str, str]]) -> str:
    body = ", ".join(f"{n} {t}" for n, t in cols)
    return f"CREATE TABLE {table} (organization_id TEXT NOT NULL, {body}, batch_id BIGINT NOT NULL)"


_STORED_DDL = [
    ("facility_id", "TEXT NOT NULL"), ("year", "INTEGER NOT NULL"), ("subpart", "TEXT NOT NULL"),
    ("equation", "TEXT NOT NULL"), ("stored_t", "DOUBLE PRECISION NOT NULL"),
    ("cumulative_t", "DOUBLE PRECISION NOT NULL"),
]  # fmt: skip
ADDED = {"ccus_capture": ("density",)}  # columns later migrations add (migration 1 stays)
MIGRATIONS = [
    Migration(
        "ccus",
        1,
        "CCUS inputs (capture, transfers, site meters, losses, sites) and storage claims",
        (
            *(
                _ddl(s.name, [c for c in s.store_columns if c[0] not in ADDED.get(s.name, ())])
                for s in FILES.values()
            ),
            _ddl("ccus_stored", _STORED_DDL),
            "CREATE UNIQUE INDEX ccus_stored_claim ON ccus_stored "
            "(organization_id, facility_id, year)",
        ),
    ),
    Migration(
        "ccus",
        2,
        "PP-2's measured density D_p on capture readings (98.423(a)(2))",
        ("ALTER TABLE ccus_capture ADD COLUMN density DOUBLE PRECISION",),
    ),
]
# The capture digests cover D_p from migration 2 on, as scheme "pp2"; those recorded before
# ("rows:hex") cover the columns of migration 1, written out here as the digests need them.
CAPTURE_V1 = (
    "organization_id",
    "record_id",
    "facility_id",
    "meter_id",
    "year",
    "quarter",
    "meter_position",
    "meter_type",
    "flow",
    "co2_fraction",
    "source_row",
    "batch_id",
)
CAPTURE_PP2 = Scheme("pp2", (*CAPTURE_V1[:-1], "density", "batch_id"), canonical=True)
COVERAGE = [
    Coverage(s.name, ("organization_id", *_cols(s), "batch_id"), "organization_id, source_row")
    for s in FILES.values()
    if s is not CAPTURE
] + [
    Coverage(CAPTURE.name, CAPTURE_V1, "organization_id, source_row",
             scheme={"duckdb": "pp2", "postgresql": "pp2"}, schemes=(CAPTURE_PP2,),
             v1_check=RowCheck(("density",), lambda values, dialect: values[0] is not None,
                               "have a density, which their digest (v1) does not cover")),
]  # fmt: skip
COVERAGE += [
    Coverage(
        "ccus_stored",
        ("organization_id", *STORED, "batch_id"),
        "organization_id, facility_id, year",
    )
]


def _stored_keys(
    db: Database, org: str, table: str, key: tuple[str, ...]
) -> dict[tuple[Any, ...], int]:
    rows = db.execute(
        f"SELECT {', '.join(key)}, batch_id FROM {table} WHERE organization_id = ?", [org]
    )
    return {tuple(r[:-1]): r[-1] for r in rows}


def already_stored(db: Database, org: str, d: Data) -> list[Problem]:
    """Rows whose claim (a reading, a transfer side, a site's year) the store already holds."""
    out = []
    for file, key in CLAIM_KEYS.items():
        table = FILES[file].name
        held = _stored_keys(db, org, table, key)
        df: pd.DataFrame = getattr(d, file.removesuffix(".csv"))
        for r in df.itertuples():
            k = tuple(getattr(r, c) for c in key)
            if k in held:
                out.append(
                    problem(file, r.source_row, key[0], "/".join(map(str, k)),
                            f"already stored in batch {held[k]}: a tonne is claimed once",
                            "store only new readings; correct a stored one through its batch")
                )  # fmt: skip
    return out


def prior_stored(db: Database, org: str, first_year: int) -> dict[str, float]:
    """Per site, the CO2 stored before `first_year` (for the cumulative total)."""
    rows = db.execute(
        "SELECT facility_id, sum(stored_t) FROM ccus_stored WHERE organization_id = ? "
        "AND year < ? GROUP BY facility_id",
        [org, first_year],
    )
    return {f: float(v) for f, v in rows}


def ingest(db: Database, org: str, d: Data, actor: str) -> tuple[int, Account]:
    """Account the data, refuse double claims (located; nothing stored), then store every
    table and the storage claims as one batch with its ledger event. Returns the batch id."""
    first = int(d.sites.year.min()) if len(d.sites) else 0
    a = account(d, prior_stored(db, org, first))
    problems = already_stored(db, org, d) + double_claims(d, a)
    if problems:
        raise InputError(problems)
    claims = a.site_years[a.site_years.subpart != "UU"]
    with db.write():
        batch = db.next_id("batches", "batch_id")
        n = sum(len(getattr(d, f.removesuffix(".csv"))) for f in FILES)
        db.execute(
            "INSERT INTO batches (batch_id, kind, submitted_by, submitted_at, row_count, "
            "organization_id) VALUES (?, 'ccus', ?, ?, ?, ?)",
            [batch, actor, ledger.now(), n, org],
        )
        for file, schema in FILES.items():
            cols = _cols(schema)
            df = getattr(d, file.removesuffix(".csv"))
            rows = [(org, *(_plain(v) for v in r), batch) for r in df[list(cols)].itertuples(False)]
            names = ", ".join(("organization_id", *cols, "batch_id"))
            marks = ", ".join("?" * (len(cols) + 2))
            db.executemany(f"INSERT INTO {schema.name} ({names}) VALUES ({marks})", rows)
        db.executemany(
            "INSERT INTO ccus_stored VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(org, *(_plain(v) for v in r), batch) for r in claims[list(STORED)].itertuples(False)],
        )
        ledger.record_batch(db, actor, "ccus-ingest", org, None, {"batch_id": batch})
    return batch, a


# Each of the organisation's transfer rows with what the other organisations stored for its
# other side, reduced in the database to a count and a difference: the other side's rows never
# leave it. A counterpart names the same transfer id, sender, receiver, year and quarter.
_COUNTERPARTS = """
SELECT a.source_row, a.transfer_id, a.side, a.sender_facility, a.receiver_facility, a.meter_id,
       a.year, a.quarter, a.co2_t, count(b.co2_t),
       sum(CASE WHEN a.side = 'receiver' THEN a.co2_t - b.co2_t ELSE b.co2_t - a.co2_t END),
       sum(CASE WHEN a.side = 'sender' THEN a.co2_t ELSE b.co2_t END)
FROM ccus_transfers a
LEFT JOIN ccus_transfers b
  ON b.transfer_id = a.transfer_id AND b.side <> a.side
 AND b.organization_id <> a.organization_id
 AND b.sender_facility = a.sender_facility AND b.receiver_facility = a.receiver_facility
 AND b.year = a.year AND b.quarter = a.quarter
WHERE a.organization_id = ?
  AND NOT EXISTS (SELECT 1 FROM ccus_transfers o WHERE o.organization_id = a.organization_id
                  AND o.transfer_id = a.transfer_id AND o.side <> a.side)
GROUP BY a.source_row, a.transfer_id, a.side, a.sender_facility, a.receiver_facility,
         a.meter_id, a.year, a.quarter, a.co2_t
ORDER BY a.year, a.quarter, a.transfer_id
"""


def counterparts(db: Database, org: str, tolerance: float = TOLERANCE) -> pd.DataFrame:
    """Transfers between organisations, reconciled without either seeing the other's data:
    for each transfer row `org` stored whose other side it did not record itself, "matched",
    "differs by x t" (receiver − sender, beyond `tolerance` × sent), "no counterpart recorded"
    or "claimed by N organisations" (a tonne received twice). Only `org`'s own rows come back,
    with the status and the difference; the other organisation's rows stay in the store."""
    cols = ["source_row", "transfer_id", "side", "sender_facility", "receiver_facility",
            "meter_id", "year", "quarter", "co2_t", "n", "difference_t", "sent_t"]  # fmt: skip
    r = pd.DataFrame(db.execute(_COUNTERPARTS, [org]), columns=cols)
    for c in ("co2_t", "difference_t", "sent_t"):
        r[c] = r[c].astype(float)
    beyond = r.difference_t.abs() > tolerance * r.sent_t
    r["status"] = [
        "no counterpart recorded" if n == 0
        else f"claimed by {n} organisations" if n > 1
        else f"differs by {d:,.1f} t" if b else "matched"
        for n, d, b in zip(r.n, r.difference_t, beyond, strict=True)
    ]  # fmt: skip
    r["flagged"] = r.status != "matched"
    r.loc[r.n != 1, "difference_t"] = float("nan")
    return r.drop(columns=["n", "sent_t"])


def _plain(v: Any) -> Any:
    """A numpy / pandas scalar as the plain Python value the drivers take (NaT/NaN: None)."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v.item() if hasattr(v, "item") else v


Rows = Callable[..., list[dict[str, Any]]]


def org_rows(db: Database, org: str) -> Rows:
    """The organisation's rows of a table, for `load` where no OrgScope is at hand (the CLI:
    the same filter as api.tenancy.OrgScope.rows, which the pages pass)."""

    def rows(table: str, columns: Sequence[str], order: str | None = None) -> list[dict[str, Any]]:
        got = db.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE organization_id = ?"
            + (f" ORDER BY {order}" if order else ""),
            [org],
        )
        return [dict(zip(columns, r, strict=True)) for r in got]

    return rows


def load(rows: Rows) -> Data | None:
    """An organisation's stored CCUS data through its tenancy filter `rows` (OrgScope.rows);
    None when it has none."""
    tables = {}
    for file, schema in FILES.items():
        cols = _cols(schema)
        df = pd.DataFrame(rows(schema.name, cols, order="batch_id, source_row"), columns=cols)
        for c in schema.typed_columns:
            if c.dtype is not None and c.dtype.sql == "DOUBLE":
                df[c.name] = df[c.name].astype(float)
        tables[file] = df
    if not any(len(t) for t in tables.values()):
        return None
    return Data.of(tables)
