"""What the ledger vouches for, declared as data: the tables whose rows batch digests cover, and
the checks of rows that are not batches (period locks, verification case steps, ...).

`ledger.verify` loops over the `Coverage` entries and `LedgerCheck`s it is given, so the ledger
knows no domain by name: a domain declares its own (as Datasette declares its events) and the
caller passes them. Digests already recorded must verify forever, so a column added to a covered
table needs a new `Scheme`, never an edit of a column list (the lists are written out: tables
and files may gain columns for other reasons).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from openmrv.store.db import Database


@dataclass(frozen=True)
class EventKind:
    """A kind of ledger event: `name` is the `action` its events are recorded with."""

    name: str


@dataclass(frozen=True)
class Event:
    """One recorded ledger event."""

    seq: int
    at: str
    actor: str
    action: str
    subject: str
    reason: str | None
    payload: str
    prev_hash: str
    hash: str

    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.payload)
        return data


@dataclass
class Finding:
    """What `verify` reports: a problem with one event, or rows no event accounts for."""

    seq: int | None  # the broken event, or None for rows no event accounts for
    problem: str

    def __str__(self) -> str:
        where = f"event {self.seq}" if self.seq is not None else "outside the chain"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class RowCheck:
    """Rows of a batch that its digest does not vouch for by itself: `bad(values, dialect)`
    says whether a row (the values of `columns`) is one; a digest recomputed to verify says how
    many, and why. Computed in Python from the raw values (`dialect`: the backend whose text
    forms the legacy schemes used, store/legacy.py)."""

    columns: tuple[str, ...]
    bad: Callable[[Sequence[Any], str], bool]
    problem: str  # after "N row(s)", e.g. "do not match their content hash"


@dataclass(frozen=True)
class Scheme:
    """A digest scheme besides v1: digests recorded in it read "rows:TAG:hex". `canonical`
    schemes (v3 on) hash store/canonical.py's encoding; the others the rows' text forms as the
    database wrote them (store/legacy.py), recomputed in Python."""

    tag: str
    columns: tuple[str, ...]  # in digest order
    check: RowCheck | None = None
    canonical: bool = False


@dataclass(frozen=True)
class Coverage:
    """A table whose rows carry the `batch_id` that wrote them: each batch's event records the
    row count and a digest of its rows, in `order`, over the columns of a scheme."""

    table: str
    columns: tuple[str, ...]  # scheme v1 (digests recorded as "rows:hex"), in digest order
    order: str  # SQL ORDER BY: the rows' key
    scheme: Mapping[str, str] = field(default_factory=dict)  # backend kind -> new digests' tag
    schemes: tuple[Scheme, ...] = ()  # every tag ever recorded but v1
    v1_check: RowCheck | None = None

    def columns_and_check(self, tag: str | None) -> tuple[tuple[str, ...], RowCheck | None]:
        """The columns and row check of scheme `tag` (None: v1; an unknown tag reads as v1)."""
        s = self.scheme_of(tag)
        return s.columns, s.check

    def scheme_of(self, tag: str | None) -> Scheme:
        """Scheme `tag` (None, or a tag this table never had: v1)."""
        for s in self.schemes:
            if s.tag == tag:
                return s
        return Scheme("", self.columns, self.v1_check)

    @property
    def read_columns(self) -> tuple[str, ...]:
        """Every column any of its schemes or checks reads, and the batch."""
        cols = [*self.columns, "batch_id"]
        for s in (*self.schemes, self.scheme_of(None)):
            cols += [*s.columns, *(s.check.columns if s.check else ())]
        return tuple(dict.fromkeys(cols))

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(c.strip() for c in self.order.split(","))


T = TypeVar("T")


@dataclass(frozen=True)
class LedgerCheck(Generic[T]):
    """Rows that are not batches, each written with an event whose action starts with
    `action_prefix`. One `verify` run makes one `tally()`; it passes every such event whose
    chain holds to `check_event` (its problems, and it notes in the tally what the event
    recorded), then calls `unaccounted` once: findings for rows no event recorded (seq None)
    and for stored state that contradicts an event (that event's seq)."""

    name: str
    action_prefix: str
    check_event: Callable[[Database, Event, T], list[str]]
    unaccounted: Callable[[Database, T], list[Finding]]
    tally: Callable[[], T]
    tables: Mapping[str, str]  # the tables it vouches for -> their key (SQL column list)
