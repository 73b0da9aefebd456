"""The two storage backends behind one small interface: a DuckDB file (the default) and
PostgreSQL (selected by a postgresql:// URL).

SQL is written once with `?` placeholders and portable types; the few places where the
dialects differ (digests, bulk loading, writer locking) are methods here, so the rest of the
store never asks which backend it runs on.
"""

from __future__ import annotations

import hashlib
import io
import struct
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from openmrv.errors import EXIT_TEMPFAIL, Conflict

DEFAULT_DB = "openmrv.duckdb"
WRITER_LOCK = 0x4F4D5256  # PostgreSQL advisory lock key serialising writers ("OMRV")


class StoreError(Conflict):
    """Raised for a user-facing refusal (locked period, missing reason, unknown record...):
    the message says what is wrong and what to do; nothing was changed."""


class Busy(StoreError):
    """Raised when another process holds the database for writing (DuckDB allows one writer
    process): retry later."""

    status = 503
    exit_code = EXIT_TEMPFAIL

    def __init__(self, target: str) -> None:
        super().__init__(
            f"database {target} is busy: another process is writing to it. Nothing was "
            "changed; retry in a moment."
        )


class Database(ABC):
    """One open connection to a store."""

    kind: str
    url: str
    tree_ready = False  # whether the ledger's tree table exists (store/tlog.py asks once)

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run one statement; return its rows (empty for statements without a result)."""

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        rows = self.execute(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def next_id(self, table: str, column: str) -> int:
        """The next number of `table`'s `column` (1 for an empty table): one more than the
        largest. Call it inside the write transaction that inserts the row, so that writers,
        which are serialised, never take the same number."""
        return int(self.scalar(f"SELECT COALESCE(max({column}), 0) + 1 FROM {table}"))

    def columns(self, table: str) -> set[str]:
        """The names of `table`'s columns (in the store's schema)."""
        return {
            r[0]
            for r in self.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "AND table_schema = current_schema()",
                [table],
            )
        }

    @abstractmethod
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    @abstractmethod
    def arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        """Run a query and return the result as an Arrow table."""

    @abstractmethod
    def begin_write(self) -> None:
        """Start a write transaction; writers are serialised."""

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @abstractmethod
    def engine(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection that validates incoming files (the store itself on DuckDB)."""

    @abstractmethod
    def load(self, table: str, query: str, con: duckdb.DuckDBPyConnection, *params: Any) -> None:
        """Insert into the store's `table` the rows of the engine's `query`, whose columns are
        named as the table's."""

    @abstractmethod
    def digest(self, row_texts: str, rows: str, order: str, params: Sequence[Any] = ()) -> str:
        """Hex SHA-256 over the concatenated per-row MD5s of `row_texts` for the rows of
        `rows` (a FROM clause with ? placeholders), in `order`."""

    @abstractmethod
    def close(self) -> None: ...

    # Whether `version()` is answered from this process's memory (no query, no lock needed).
    local_version: bool = False

    @abstractmethod
    def version(self) -> object:
        """A token that changes whenever anything visible to this connection may have changed
        (any commit, by anyone): equal tokens mean the same stored data, so a figure computed
        from the store can be cached under it."""

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A write transaction: committed on success, rolled back on any error."""
        self.begin_write()
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        self.commit()


def _text(expr: str) -> str:
    return f"COALESCE(CAST({expr} AS TEXT), '\\N')"


def row_text(columns: Sequence[str]) -> str:
    """Portable SQL for one row as text, NULL distinct from any value: the columns' text joined
    by '|'. Written with concat, not concat_ws('|', ...): no part is NULL, so the text is the
    same, and DuckDB builds it about a tenth faster."""
    return "concat(" + ", '|', ".join(_text(c) for c in columns) + ")"


class DuckDatabase(Database):
    """A DuckDB file, opened read-write by this process alone (DuckDB locks the file: no other
    process can open it meanwhile), so every change to it goes through this object and
    `version()` is a counter kept here: bumped by every statement that may write and by
    every commit and rollback, without a query."""

    kind = "duckdb"
    local_version = True
    _READS = ("SELECT", "WITH", "DESCRIBE", "SHOW", "EXPLAIN", "PRAGMA")

    def __init__(self, path: str, read_only: bool = False) -> None:
        self.url = path
        self._changes = 0
        try:
            if read_only:
                if not Path(path).is_file():
                    raise StoreError(f"no store at {path}")
                self.con = duckdb.connect(path, read_only=True)
            else:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                self.con = duckdb.connect(path, config={"checkpoint_threshold": "1TB"})
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise Busy(path) from None
            raise

    def _may_write(self, sql: str) -> None:
        if not sql.lstrip().upper().startswith(self._READS):
            self._changes += 1

    def version(self) -> int:
        return self._changes

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        self._may_write(sql)
        cur = self.con.execute(sql, list(params))
        return cur.fetchall() if cur.description else []

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._changes += 1
        if rows:
            self.con.executemany(sql, [list(r) for r in rows])

    def arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        self._may_write(sql)
        return self.con.execute(sql, list(params)).to_arrow_table()

    def begin_write(self) -> None:
        self._changes += 1
        self.con.begin()

    def commit(self) -> None:
        self.con.commit()
        self._changes += 1

    def rollback(self) -> None:
        self._changes += 1
        # Nothing open means the failure happened before or after the transaction.
        with suppress(duckdb.TransactionException):
            self.con.rollback()

    def engine(self) -> duckdb.DuckDBPyConnection:
        # The caller gets the connection itself and may write through it: count that as a
        # change (its writes are in a `write()` transaction anyway, whose commit counts too).
        self._changes += 1
        return self.con

    def load(self, table: str, query: str, con: duckdb.DuckDBPyConnection, *params: Any) -> None:
        # Same connection: one INSERT ... SELECT, no copy of the rows.
        self.execute(f"INSERT INTO {table} BY NAME {query}", params)

    def digest(self, row_texts: str, rows: str, order: str, params: Sequence[Any] = ()) -> str:
        # The MD5s are hashed here, not by sha256(string_agg(...)): DuckDB's ordered
        # string_agg of a million MD5s took longer than fetching them and hashing the buffers.
        sql = f"SELECT md5({row_texts}) FROM {rows} ORDER BY {order}"
        md5s = self.arrow(sql, params).column(0)
        h = hashlib.sha256()
        for chunk in md5s.chunks:
            h.update(_string_bytes(chunk))
        return h.hexdigest()

    def close(self) -> None:
        self.con.close()


def _string_bytes(chunk: pa.Array) -> memoryview:
    """The values of an Arrow string array, concatenated: they lie contiguous in its data
    buffer, between the first and the last of its offsets."""
    fmt = "<q" if pa.types.is_large_string(chunk.type) else "<i"
    _, offsets, data = chunk.buffers()
    width = struct.calcsize(fmt)
    start = struct.unpack_from(fmt, offsets, chunk.offset * width)[0]
    end = struct.unpack_from(fmt, offsets, (chunk.offset + len(chunk)) * width)[0]
    return memoryview(data)[start:end] if data is not None else memoryview(b"")


class PgDatabase(Database):
    kind = "postgresql"

    def __init__(self, url: str, read_only: bool = False) -> None:
        import psycopg  # imported lazily: only PostgreSQL users need it
        from psycopg import sql

        self.url = url
        self.con = psycopg.connect(url, autocommit=True)
        # Fixed text forms, so row digests do not depend on server or session defaults.
        self.con.execute("SET DateStyle = 'ISO, YMD'")
        self.con.execute("SET extra_float_digits = 1")
        self.con.execute("SET TimeZone = 'UTC'")
        if read_only:
            # Every transaction of this session read-only, and the system catalogue first on
            # the search path, so no function or operator of the store's schema answers for a
            # system one (a `public.md5` ahead of pg_catalog).
            self.schema = schema = self.con.execute("SELECT current_schema()").fetchall()[0][0]
            self.con.execute("SET default_transaction_read_only = on")
            self.con.execute(
                sql.SQL("SET search_path = pg_catalog, {}").format(sql.Identifier(schema))
            )
        self._engine: duckdb.DuckDBPyConnection | None = None

    schema: str | None = None  # the store's schema, when the search path starts elsewhere

    def columns(self, table: str) -> set[str]:
        if self.schema is None:
            return super().columns(table)
        rows = self.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND table_schema = ?",
            [table, self.schema],
        )
        return {r[0] for r in rows}

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        cur = self.con.execute(self._sql(sql), list(params) or None)
        return cur.fetchall() if cur.description else []

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self.con.cursor() as cur:
                cur.executemany(self._sql(sql), [list(r) for r in rows])

    def arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        with self.con.cursor() as cur:
            cur.execute(self._sql(sql), list(params) or None)
            names = [d.name for d in cur.description or []]
            rows = cur.fetchall()
        return pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})

    def version(self) -> str:
        """The current snapshot (xmin:xmax:in-progress ids): it fixes exactly which
        transactions' changes are visible, so it changes when any transaction commits, in this
        process or another (other databases of the cluster too: that only costs a cache miss)."""
        return str(self.con.execute("SELECT pg_current_snapshot()::text").fetchall()[0][0])

    def begin_write(self) -> None:
        self.con.execute("BEGIN")
        self.con.execute("SELECT pg_advisory_xact_lock(%s)", [WRITER_LOCK])

    def commit(self) -> None:
        self.con.execute("COMMIT")

    def rollback(self) -> None:
        if not self.con.closed:
            self.con.execute("ROLLBACK")

    def engine(self) -> duckdb.DuckDBPyConnection:
        if self._engine is None:
            self._engine = duckdb.connect()
        return self._engine

    def load(self, table: str, query: str, con: duckdb.DuckDBPyConnection, *params: Any) -> None:
        """Copy the engine's rows into the table through COPY (CSV)."""
        reader = con.execute(query, list(params)).to_arrow_reader(batch_size=200_000)
        options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
        copy_sql = f"COPY {table} ({', '.join(reader.schema.names)}) FROM STDIN (FORMAT csv)"
        with self.con.cursor() as cur, cur.copy(copy_sql) as copy:
            for batch in reader:
                buf = io.BytesIO()
                pacsv.write_csv(pa.Table.from_batches([batch]), buf, options)
                copy.write(buf.getvalue())

    def digest(self, row_texts: str, rows: str, order: str, params: Sequence[Any] = ()) -> str:
        agg = f"string_agg(md5({row_texts}), '' ORDER BY {order})"
        value = f"encode(sha256(convert_to(COALESCE({agg}, ''), 'UTF8')), 'hex')"
        return self.scalar(f"SELECT {value} FROM {rows}", params)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
        self.con.close()


def connect(url: str | None = None, *, read_only: bool = False) -> Database:
    """Open a store: a postgresql:// URL, or a DuckDB file path (default openmrv.duckdb).
    `read_only`: a connection that cannot write (what `ledger verify` checks through)."""
    url = url or DEFAULT_DB
    if url.startswith(("postgresql://", "postgres://")):
        return PgDatabase(url, read_only)
    return DuckDatabase(url.removeprefix("duckdb://"), read_only)
