"""One declaration per input schema, from which every other form of it is derived.

A domain declares the columns of its input file once, as `Column` records in a `Schema`: the
columns a file holds (as text), and the typed columns validation makes of them. Everything
else is derived here, so the forms cannot drift apart:

- the file's column list for validation (`file_columns`, `required`, `optional`);
- the typed SQL that turns the checked text into typed values (`typed_sql`);
- the Arrow schema of a validated table (`arrow_schema`);
- the store's column list for its DDL, and the columns that are content (`store_columns`,
  `content`);
- the engine's columns: the key a record's per-unit result depends on, the measured
  parameters, and what the engine reads with their types (`key`, `measured`, `probe`,
  `engine_types`);
- the Markdown table of docs/schemas.md (`markdown`).

Core modules are handed a schema (the engine) or look it up by name among those the domains
register (`registered`, through the `register_schemas` hook, for code that is handed none, such
as the store's ingest); they never import the domain declaring it.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from enum import Enum
from functools import cached_property
from typing import NamedTuple

import pyarrow as pa

from openmrv import plugins

__all__ = [
    "Column",
    "Dtype",
    "Rule",
    "Schema",
    "markdown",
    "markdown_table",
    "registered",
]


class Dtype(Enum):
    """A typed column's type, with its name in DuckDB (validation, the engine), in the store's
    DDL (valid on DuckDB and PostgreSQL) and in Arrow."""

    TEXT = ("VARCHAR", "TEXT", pa.string())
    DATE = ("DATE", "DATE", pa.date32())
    INTEGER = ("INTEGER", "INTEGER", pa.int32())
    BIGINT = ("BIGINT", "BIGINT", pa.int64())
    DOUBLE = ("DOUBLE", "DOUBLE PRECISION", pa.float64())
    BOOLEAN = ("BOOLEAN", "BOOLEAN", pa.bool_())

    @property
    def sql(self) -> str:
        return self.value[0]

    @property
    def ddl(self) -> str:
        return self.value[1]

    @property
    def arrow(self) -> pa.DataType:
        return self.value[2]


@dataclass(frozen=True)
class Column:
    """One column: in the file (`kind` set), typed by validation (`dtype` set), or both.

    `kind` is how the file's text is read (text, id, date, number, enum; None: not in the
    file, derived by validation); `dtype` the type validation gives it (None: read and
    checked, then dropped, like the unit of a measured value once converted). `sql` is the
    typed value as an SQL expression over validation's checked view ("": the column itself;
    None: not made by the typed SQL but added after it, like the file's name). `unit_kind`
    says what unit the typed value is in. For the engine: `key` marks the columns a record's
    result per unit of quantity depends on, `measured` the measured parameters (a record with
    any is calculated on its own). `lineage` marks where a record came from (file, row), which
    is not content; `stored` whether the store keeps the column."""

    name: str
    _: KW_ONLY
    kind: str | None = None
    dtype: Dtype | None = None
    required: bool = False
    doc: str = ""
    choices: tuple[str, ...] = ()
    unit_kind: str = ""
    sql: str | None = ""
    key: bool = False
    measured: bool = False
    lineage: bool = False
    stored: bool = True


class Rule(NamedTuple):
    """A validation rule: the rows where `when` (SQL over validation's checked view) holds get
    a problem located in `column`; `message` is an SQL expression giving the problem's text,
    `fix` how to fix it (text, or an SQL expression per row: ingest.validate.Sql)."""

    column: str
    when: str
    message: str
    fix: str


@dataclass(frozen=True)
class Schema:
    """A domain's input: its columns in order, and which of them are the record's row key
    (`row`), its id (`record`) and its quantity (`quantity`), the three the engine reads
    beside the key and measured columns. `rules` are the file's own validation rules, checked
    by ingest.validate.validate_table after the generic ones."""

    name: str
    columns: tuple[Column, ...]
    row: str = "source_row"
    record: str = "record_id"
    quantity: str = "qty"
    rules: tuple[Rule, ...] = ()

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"schema {self.name!r} names a column twice")
        typed = {c.name for c in self.typed_columns}
        for special in (self.row, self.record, self.quantity):
            if special not in typed:
                raise ValueError(f"schema {self.name!r}: {special!r} is not a typed column")
        for c in self.columns:
            if (c.key or c.measured) and c.dtype is None:
                raise ValueError(f"schema {self.name!r}: engine column {c.name!r} has no dtype")
            if c.key and c.measured:
                raise ValueError(f"schema {self.name!r}: {c.name!r} is both key and measured")

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"schema {self.name!r} has no column {name!r}")

    # Validation: the file's columns, as text.
    @cached_property
    def file_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind is not None)

    @cached_property
    def required(self) -> frozenset[str]:
        return frozenset(c.name for c in self.file_columns if c.required)

    @cached_property
    def optional(self) -> frozenset[str]:
        return frozenset(c.name for c in self.file_columns if not c.required)

    # The validated table: typed columns, in this order.
    @cached_property
    def typed_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.dtype is not None)

    def typed_sql(self, source: str) -> str:
        """The SELECT that types the checked rows of `source` (the columns with an `sql`)."""
        cols = [c for c in self.typed_columns if c.sql is not None]
        select = ", ".join(
            c.name if c.sql in ("", c.name) else f"{c.sql} AS {c.name}" for c in cols
        )
        return f"SELECT {select} FROM {source}"

    @cached_property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([(c.name, c.dtype.arrow) for c in self.typed_columns if c.dtype])

    # The store.
    @cached_property
    def store_columns(self) -> tuple[tuple[str, str], ...]:
        """(name, DDL type) of the columns the store keeps, in order."""
        return tuple((c.name, c.dtype.ddl) for c in self.typed_columns if c.dtype and c.stored)

    @cached_property
    def content(self) -> tuple[str, ...]:
        """The stored columns that are the record's content, not its lineage: the same values
        from another file are the same record (the store's content hash covers these)."""
        lineage = {c.name for c in self.columns if c.lineage}
        return tuple(n for n, _ in self.store_columns if n not in lineage)

    # The engine.
    @cached_property
    def key(self) -> tuple[str, ...]:
        """The columns a record's result per unit of quantity depends on (engine.shapes)."""
        return tuple(c.name for c in self.columns if c.key)

    @cached_property
    def measured(self) -> tuple[str, ...]:
        """The measured parameters: a record with any is calculated on its own."""
        return tuple(c.name for c in self.columns if c.measured)

    @cached_property
    def probe(self) -> tuple[str, ...]:
        """The columns of the engine's probe table, in its order."""
        return (*self.key, self.row, self.record, self.quantity, *self.measured)

    @cached_property
    def engine_types(self) -> dict[str, str]:
        """What the engine reads, with DuckDB types: the row key first, then the record id,
        key, quantity and measured columns in declaration order (a dataset must have these)."""
        read = {self.record, self.quantity, *self.key, *self.measured}
        cols = [self.column(self.row), *(c for c in self.columns if c.name in read)]
        return {c.name: c.dtype.sql for c in cols if c.dtype}

    # The docs.
    def markdown(self) -> str:
        """The file's columns as the Markdown table of docs/schemas.md."""
        return markdown(self.file_columns)


def markdown(columns: tuple[Column, ...]) -> str:
    """A file's columns as a Markdown table: name, required, kind, choices, meaning."""
    rows = [
        [f"`{c.name}`", "yes" if c.required else "", c.kind or "", ", ".join(c.choices), c.doc]
        for c in columns
    ]
    return markdown_table(rows, ["column", "required", "kind", "choices", "meaning"])


def markdown_table(rows: list[list[str]], head: list[str]) -> str:
    """A Markdown table (pipes in cells escaped)."""
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(out)


def registered(name: str) -> Schema:
    """The input schema a domain registered under `name` (plugins: `register_schemas`), for
    core code that is handed none."""
    for schema in plugins.schemas():
        if schema.name == name:
            return schema
    raise LookupError(f"no input schema {name!r} is registered by any domain")
