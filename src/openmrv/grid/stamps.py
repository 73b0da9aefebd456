"""How a meter-interval source stamps its intervals (a module of its own, without DuckDB or the
units registry, so that the command line can offer the choice without loading them)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Convention", "Source"]


class Convention(StrEnum):
    start = "start"
    end = "end"


@dataclass(frozen=True)
class Source:
    """How the source stamps its intervals: which end, and the zone of offset-less stamps."""

    convention: Convention = Convention.start
    tz: str = "UTC"

    def describe(self) -> str:
        return f"interval {self.convention.value}, local time without offset read in {self.tz}"
