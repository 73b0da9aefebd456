"""The methodologies' plan, compiled to SQL once and kept on disk between runs.

The plan reads a table of activity records named `PROBE`: the probes of the distinct keys
(engine.shapes) or the records of a pattern evaluated directly; one compiled plan serves both.
Building the methodologies' Ibis expressions and compiling them to SQL costs about two seconds
of Python per run, whatever the number of records: most of a 1M-record run. The SQL and the
in-memory tables it reads (factor tables, facilities) are fixed by the pins — methodologies and
their code, options, factor library, facilities — and the probe's schema; so a compiled plan is
stored under a key that covers all of these and reused while they stay the same. Any change to
one of them (another factor edition, an edited facility, a new release) is another key: the plan
is built and compiled again. ``OPENMRV_PLAN_CACHE`` names the folder (default: the user's cache
folder), or ``off`` to compile every time. The folder is trusted like the installed code: keep
it writable by its user only.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb
import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from openmrv.engine import shapes
from openmrv.files import into_place, temp_beside
from openmrv.ingest.columns import Schema
from openmrv.methods.base import Ctx
from openmrv.settings import get_settings

PROBE = "openmrv_probe"  # the probe table's name in the SQL, registered when it runs
KEEP = 64  # cache entries kept (each a few hundred kB)


@dataclass(frozen=True)
class Compiled:
    """A plan ready to run: its SQL, the in-memory tables it reads (by name), the probe's and
    the output's schema, and whether it came from the cache."""

    sql: str
    tables: dict[str, pa.Table]
    probe: pa.Schema
    schema: pa.Schema
    cached: bool


def probe_schema(act: ir.Table, schema: Schema) -> ibis.Schema:
    """The schema of the table the plan reads: the activity columns the plans use."""
    return ibis.schema({c: act.schema()[c] for c in schema.probe})


def compiled(con: ibis.BaseBackend, methods: list[str], ctx: Ctx, probe: ibis.Schema) -> Compiled:
    """The compiled plan of `methods` over a probe table of schema `probe`: from the cache when
    the pins are the same, else built, compiled and stored."""
    folder = _folder()
    entry = folder / _key(methods, ctx, probe) if folder else None
    if entry is not None and entry.is_dir():
        try:
            return _read(entry)
        except (OSError, ValueError, KeyError):
            shutil.rmtree(entry, ignore_errors=True)  # damaged: compiled and stored again
    plan = shapes.compact_plan(ibis.table(probe, name=PROBE), methods, ctx)
    memtables = plan.op().find(ops.InMemoryTable)
    found = Compiled(
        sql=con.compile(plan),
        tables={t.name: t.data.to_pyarrow(t.schema) for t in memtables},
        probe=probe.to_pyarrow(),
        schema=plan.schema().to_pyarrow(),
        cached=False,
    )
    if entry is not None:
        _write(entry, found)
    return found


@contextmanager
def bound(con: duckdb.DuckDBPyConnection, plan: Compiled, rows: pa.Table | str) -> Iterator[str]:
    """The plan's SQL, runnable on `con` while the context lasts: the in-memory tables it reads
    and the probe registered under their names. `rows`: an Arrow table (its `probe` columns are
    taken), or a SELECT statement giving them (records that stay where they lie)."""
    for name, table in plan.tables.items():
        con.register(name, table)
    if isinstance(rows, str):
        con.execute(f"CREATE OR REPLACE TEMP VIEW {PROBE} AS {rows}")
    else:
        con.register(PROBE, rows.select(plan.probe.names).cast(plan.probe))
    try:
        yield plan.sql
    finally:
        if isinstance(rows, str):
            con.execute(f"DROP VIEW IF EXISTS {PROBE}")
        else:
            con.unregister(PROBE)
        for name in plan.tables:
            con.unregister(name)


def run(con: ibis.BaseBackend, plan: Compiled, rows: pa.Table) -> pa.Table:
    """The plan's compact rows for `rows` (an Arrow table), on an Ibis DuckDB backend."""
    with bound(con.con, plan, rows) as sql:
        out = con.con.sql(sql).to_arrow_table()
    return out.rename_columns(plan.schema.names).cast(plan.schema)


def shapes_of(con: ibis.BaseBackend, plan: Compiled, counts: pa.Table, schema: Schema) -> pa.Table:
    """engine.shapes.shapes with the compiled plan: the shapes of the keys in `counts`
    (shapes.key_counts)."""
    keys, prb, roles = shapes.probe(counts, schema)
    units = run(con, plan, prb) if keys.num_rows else None
    return shapes.from_units(keys, units, roles, schema)


def _folder() -> Path | None:
    setting = get_settings().plan_cache or ""
    if setting.lower() == "off":
        return None
    if setting:
        return Path(setting)
    home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(home) / "openmrv" / "plans"


def _key(methods: list[str], ctx: Ctx, probe: ibis.Schema) -> str:
    """A digest of everything the compiled plan depends on."""
    h = hashlib.sha256()
    for part in (
        repr(methods),
        repr(ctx.options),
        repr(list(probe.items())),
        repr([version(p) for p in ("ibis-framework", "duckdb", "sqlglot", "pyarrow", "pandas")]),
    ):
        h.update(part.encode() + b"\0")
    h.update(_frame_digest(ctx.lib.factors) + _frame_digest(ctx.lib.fuels))
    h.update(_frame_digest(ctx.facilities.op().data.to_frame()))
    package = Path(shapes.__file__).parents[1]  # its code (methodologies, GWPs, units…)
    for path in sorted(package.rglob("*.py")):
        h.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:32]


def _frame_digest(df: pd.DataFrame) -> bytes:
    names = repr([(c, str(t)) for c, t in df.dtypes.items()]).encode()
    values = pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes()
    return hashlib.sha256(names + values).digest()


def _read(entry: Path) -> Compiled:
    manifest = json.loads((entry / "plan.json").read_text())
    tables = {n: feather.read_table(entry / "tables" / f"{n}.arrow") for n in manifest["tables"]}
    probe = feather.read_table(entry / "probe.arrow").schema
    schema = feather.read_table(entry / "schema.arrow").schema
    os.utime(entry)  # recently used: kept when the cache is pruned
    return Compiled(manifest["sql"], tables, probe, schema, cached=True)


def _write(entry: Path, plan: Compiled) -> None:
    """Write the entry to a temporary folder and rename it into place, so a reader never sees
    half an entry; a failure to cache (read-only home, full disk) only costs the next run time."""
    tmp = None
    try:
        tmp = temp_beside(entry, folder=True)
        (tmp / "tables").mkdir()
        for name, table in plan.tables.items():
            feather.write_feather(table, tmp / "tables" / f"{name}.arrow")
        feather.write_feather(plan.probe.empty_table(), tmp / "probe.arrow")
        feather.write_feather(plan.schema.empty_table(), tmp / "schema.arrow")
        manifest = {"sql": plan.sql, "tables": list(plan.tables)}
        (tmp / "plan.json").write_text(json.dumps(manifest))
        into_place(tmp, entry, replace=False)  # fails if another process stored it first
        _prune(entry.parent)
    except OSError:
        pass
    finally:
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _prune(folder: Path) -> None:
    """Keep the `KEEP` most recently used entries."""
    entries = sorted(
        (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in entries[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
