"""What the API and the pages do with an organisation's data: uploads, calculation runs,
methodology comparison and target progress. Both front ends call these, so a figure on a
page and the same figure from the API come from one function.

Totals are those of `reports.summary.totals` (the function `openmrv calculate` prints),
computed once per run and stored, so the dashboard reads a few pre-aggregated rows.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar

import anyio
import pandas as pd

from openmrv.api import queries
from openmrv.api.tenancy import OrgScope, Refused
from openmrv.errors import TooLargeError
from openmrv.ingest.columns import registered
from openmrv.ingest.errors import InputError
from openmrv.ingest.readers import Limits, RawTable, read_table
from openmrv.ingest.validate import validate_activity
from openmrv.store import ledger, state
from openmrv.store.db import StoreError
from openmrv.store.ingest import ingest

UPLOAD_TYPES = (".csv", ".xlsx", ".json", ".parquet")
MAX_UPLOAD_BYTES = 50 * 1024**2  # a browser upload; larger data go through the CLI
# The request body of an upload route (the file and the form's overhead), capped as it
# streams in (Starlette's body limit: 413 before more is spooled to disk); other routes
# take at most `MAX_BODY_BYTES`.
MAX_UPLOAD_BODY = MAX_UPLOAD_BYTES + 64 * 1024
MAX_BODY_BYTES = 1024**2
# What an upload may unpack to or claim (a 50 MB file at most; see ingest.readers.Limits).
UPLOAD_LIMITS = Limits(unpacked_bytes=512 * 1024**2, cells=20_000_000, columns=200, rows=2_000_000)

T = TypeVar("T")


class Locked(Protocol):
    """The store, used by one request at a time (api.deps.Store)."""

    async def locked(self, fn: Callable[[], T]) -> T: ...


class TooLarge(TooLargeError):
    """Raised when an upload grows past `MAX_UPLOAD_BYTES` as it is copied."""


@dataclass
class UploadOutcome:
    upload_id: int
    status: str  # stored | unchanged | rejected | refused
    file_name: str
    batch_id: int | None = None
    message: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)
    total_problems: int = 0
    warnings: list[str] = field(default_factory=list)


def safe_name(name: str) -> str:
    """A file name for messages and temp files: no directories, no odd characters."""
    base = Path(name.replace("\\", "/")).name or "upload"
    stem, suffix = Path(base).stem, Path(base).suffix  # a long name keeps its extension
    return re.sub(r"[^\w.\- ]", "_", stem[:110] + suffix[:10])


@dataclass
class Received:
    """An upload copied and read, outside the store lock: its rows, or why they are bad."""

    path: Path
    raw: RawTable | None = None
    error: InputError | None = None


def receive(path: Path, stream: BinaryIO, facility_ids: set[str]) -> Received:
    """Copy the upload to `path` (at most `MAX_UPLOAD_BYTES`), read it once under
    `UPLOAD_LIMITS` and validate it against this organisation's facilities only: the store
    knows every organisation's facilities, and an upload may touch just its own (a row naming
    another's is reported like an unknown one, located, with the rest)."""
    with open(path, "wb") as fh:
        copied = 0
        while chunk := stream.read(1 << 20):
            copied += len(chunk)
            if copied > MAX_UPLOAD_BYTES:
                raise TooLarge(f"uploads are limited to {MAX_UPLOAD_BYTES // 1024**2} MB")
            fh.write(chunk)
    try:
        raw = read_table(path, MAX_UPLOAD_BYTES, UPLOAD_LIMITS)
        validate_activity(raw, facility_ids)
    except InputError as exc:
        return Received(path, error=exc)
    return Received(path, raw)


def record(scope: OrgScope, got: Received, reason: str | None) -> UploadOutcome:
    """Store a received upload as one batch, or record why not (under the store lock)."""
    name = got.path.name
    try:
        if got.error is not None:
            raise got.error
        report = ingest(
            scope.db, got.path, scope.actor, reason or None, org=scope.org_id, raw=got.raw
        )
    except InputError as exc:
        problems = [p.as_dict() for p in exc.problems]
        n = queries.uploads.add(scope, None, name, "rejected", exc.total, f"{exc.total} problem(s)")
        return UploadOutcome(n, "rejected", name, None, "", problems, exc.total)
    except StoreError as exc:
        n = queries.uploads.add(scope, None, name, "refused", 0, str(exc))
        return UploadOutcome(n, "refused", name, None, str(exc))
    status = "unchanged" if report.already else "stored"
    n = queries.uploads.add(scope, report.batch_id, name, status, 0, report.summary())
    return UploadOutcome(
        n, status, name, report.batch_id, report.summary(), warnings=report.warnings
    )


async def upload(
    store: Locked,
    authorize: Callable[[], OrgScope],
    name: str,
    stream: BinaryIO,
    reason: str | None,
) -> tuple[OrgScope, UploadOutcome]:
    """Store an uploaded activity file as one batch, or record why not (located problems).

    The store lock is held to authorise (`authorize`: the caller's scope, so a non-member is
    answered before the file is read) and to store, not while the file is copied, unpacked,
    read and validated: a large or hostile file keeps no other request waiting."""
    scope, ids = await store.locked(lambda: _facilities_of(authorize()))
    name = safe_name(name)
    if Path(name).suffix.lower() not in UPLOAD_TYPES:
        raise Refused(f"unsupported file type; upload {', '.join(UPLOAD_TYPES)}")
    with tempfile.TemporaryDirectory(prefix="openmrv-upload-") as tmp:
        got = await anyio.to_thread.run_sync(receive, Path(tmp) / name, stream, ids)
        return scope, await store.locked(lambda: record(scope, got, reason))


def _facilities_of(scope: OrgScope) -> tuple[OrgScope, set[str]]:
    return scope, set(scope.facility_ids())


def calculate(scope: OrgScope) -> int:
    """Calculate the organisation's current records under every methodology; store the run's
    figures (reports.run_figures: totals by scope with their coverage, the records not
    computed, the obligations, records per facility-month) and a breakdown by year, scope,
    gas and category."""
    # Imported when first used, for start-up time: the engine (ibis) adds ~0.7 s to the start
    # of `openmrv serve`, of each of its workers and of the web commands that import this module.
    from openmrv.engine import calculate as run_engine
    from openmrv.reports import run_figures as rf

    activity = queries.records.activity_table(scope)
    if activity.num_rows == 0:
        raise Refused("no records to calculate: upload activity data first")
    facilities = pd.DataFrame(scope.facilities())
    run = run_engine(activity, facilities, schema=registered("activity"))
    fig = rf.figures(run, activity, facilities)
    df = run.results.to_pandas()
    df["co2e_t"] = df.co2e_t.where(~df.biogenic, 0.0).fillna(0.0)
    keys = ["methodology", "facility_id", "year", "scope", "gas", "category"]
    brk = df.groupby(keys, as_index=False, dropna=False).co2e_t.sum()
    db = scope.db
    with db.write():
        run_no = db.next_id("org_runs", "run_no")
        meta = run.meta
        db.execute(
            "INSERT INTO org_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [run_no, scope.org_id, meta["run_id"], scope.actor, ledger.now(), activity.num_rows,
             json.dumps(meta, default=str)],
        )  # fmt: skip
        for table, frame, cols in (
            ("run_scope_totals", fig.totals, rf.TOTAL_COLUMNS),
            ("run_not_computed", fig.not_computed, rf.NOT_COMPUTED_COLUMNS),
            ("run_obligations", fig.obligations, rf.OBLIGATION_COLUMNS),
            ("run_months", fig.months, rf.MONTH_COLUMNS),
        ):
            marks = ", ".join("?" for _ in range(len(cols) + 1))
            db.executemany(
                f"INSERT INTO {table} (run_no, {', '.join(cols)}) VALUES ({marks})",
                [[run_no, *map(_plain, r)] for r in frame[cols].itertuples(index=False)],
            )
        db.executemany(
            "INSERT INTO run_breakdown VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [[run_no, r[0], r[1], _int(r[2]), _int(r[3]), _str(r[4]), _str(r[5]), float(r[6])]
             for r in brk[[*keys, "co2e_t"]].itertuples(index=False)],
        )  # fmt: skip
        ledger.append(
            db,
            scope.actor,
            "calculate",
            scope.org_id,
            None,
            {
                "run_no": run_no,
                "run_id": meta["run_id"],
                "records": activity.num_rows,
                "state": state.state(db, [(t, (run_no,)) for t in RUN_TABLES]),
            },
        )
    return run_no


RUN_TABLES = (  # what a run writes, vouched for by its 'calculate' event (store.state)
    "org_runs", "run_totals", "run_breakdown",
    "run_scope_totals", "run_not_computed", "run_obligations", "run_months",
)  # fmt: skip


def _plain(v: Any) -> Any:
    """A value both database drivers take: Python numbers, booleans and text (dates as ISO)."""
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
    return v.isoformat() if hasattr(v, "isoformat") else v


def _int(v: Any) -> int | None:
    return None if v is None or v != v else int(v)


def _str(v: Any) -> str | None:
    return None if v is None or v != v else str(v)


async def comparison(
    store: Locked, authorize: Callable[[], OrgScope], facility_id: str, year: int
) -> dict[str, Any]:
    """Stationary combustion of a facility-year under Part 98, MEE and IPCC, and why they
    differ (reports.summary.compare). The store is held to authorise and read the records,
    not while the engine runs (seconds, and any reader may ask). Thin: the reports module
    will own this page's data."""

    def inputs() -> tuple[dict[str, Any], Any]:
        scope = authorize()
        return scope.facility(facility_id), queries.records.activity_table(scope, facility_id, year)

    facility, activity = await store.locked(inputs)
    if activity.num_rows == 0:
        return {"facility": facility, "year": year, "rows": [], "reasons": []}
    return await anyio.to_thread.run_sync(_compare, facility, activity, year)


def _compare(facility: dict[str, Any], activity: Any, year: int) -> dict[str, Any]:
    # Imported when first used, for start-up time (see `calculate`).
    from openmrv.engine import calculate as run_engine
    from openmrv.reports.summary import COMPARED, LABEL, compare

    schema = registered("activity")
    run = run_engine(activity, pd.DataFrame([facility]), list(COMPARED), schema=schema)
    c = compare(run.results, {"facility_id": facility["facility_id"], "year": year})
    rows = [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
        | {"label": LABEL.get(r["methodology"], r["methodology"])}
        for r in c.table.to_dict("records")
    ]
    return {"facility": facility, "year": year, "rows": rows, "reasons": c.reasons}


def target_progress(scope: OrgScope) -> list[dict[str, Any]]:
    """Each target with its base-year and latest-year emissions from the latest run, and the
    straight-line path between base and target. Thin: the reports module owns targets."""
    brk = pd.DataFrame(queries.runs.breakdown(scope))
    out = []
    for t in queries.targets.listed(scope):
        row = dict(t)
        by_year = (
            brk[brk.methodology == t["methodology"]].groupby("year").co2e_t.sum()
            if not brk.empty
            else pd.Series(dtype=float)
        )
        # Python values, not numpy's (a numpy.bool is not JSON): pandas stays in here.
        base = None if t["base_year"] not in by_year else float(by_year[t["base_year"]])
        goal = None if base is None else base * (1 - t["reduction_pct"] / 100)
        latest_year = int(by_year.index.max()) if len(by_year) else None
        latest = None if latest_year is None else float(by_year[latest_year])
        row |= {
            "base_t": base,
            "goal_t": goal,
            "latest_year": latest_year,
            "latest_t": latest,
            "on_track": None
            if base is None or goal is None or latest is None or latest_year is None
            else latest <= _path(base, goal, t["base_year"], t["target_year"], latest_year),
        }
        out.append(row)
    return out


def _path(base: float, goal: float, y0: int, y1: int, y: int) -> float:
    share = min(max((y - y0) / (y1 - y0), 0.0), 1.0)
    return base + (goal - base) * share
