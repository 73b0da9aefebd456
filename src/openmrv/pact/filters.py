"""The v3 footprint filters (digest §5), one place for the list endpoint and for the criteria
of a RequestCreated event: values of one parameter are OR-ed, parameters AND-ed.

Values are taken as text, never validated into enums: an unknown or malformed value simply
matches nothing (the spec wants 200 with an empty list, not 400). The validity dates follow
the conformance tool: validOn within [start, end], validAfter before start, validBefore after
end, with [referencePeriodEnd, +3 years] when a footprint has no validity period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from openmrv.pact.model import ProductFootprint, RequestCreatedData

__all__ = ["PARAMETERS", "Filters"]

# query parameter -> RequestCreated `data` property (the same names in v3)
PARAMETERS = (
    "productId",
    "companyId",
    "geography",
    "classification",
    "validOn",
    "validAfter",
    "validBefore",
    "status",
)


def _when(text: str) -> datetime | None:
    try:
        d = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return d.replace(tzinfo=UTC) if d.tzinfo is None else d


@dataclass(frozen=True)
class Filters:
    """The values given per parameter (absent parameters are not in `values`)."""

    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> Filters:
        """From query parameters (repeatable); parameters that are not filters are ignored."""
        got: dict[str, list[str]] = {}
        for k, v in pairs:
            if k in PARAMETERS:
                got.setdefault(k, []).append(v)
        return cls({k: tuple(v) for k, v in got.items()})

    @classmethod
    def of_request(cls, data: RequestCreatedData) -> Filters:
        """From a RequestCreated event's criteria (lists or single values)."""
        wire: dict[str, Any] = data.to_wire()
        pairs = []
        for k in PARAMETERS:
            v = wire.get(k)
            for item in v if isinstance(v, list) else ([] if v is None else [v]):
                pairs.append((k, str(item)))
        return cls.of(pairs)

    def __bool__(self) -> bool:
        return bool(self.values)

    def matches(self, pf: ProductFootprint) -> bool:
        return all(self._one(k, vs, pf) for k, vs in self.values.items())

    @staticmethod
    def _one(name: str, values: tuple[str, ...], pf: ProductFootprint) -> bool:
        if name == "productId":
            return any(v in pf.product_ids for v in values)
        if name == "companyId":
            return any(v in pf.company_ids for v in values)
        if name == "classification":
            return any(v in (pf.product_classifications or []) for v in values)
        if name == "geography":
            return any(v in pf.pcf.geographies() for v in values)
        if name == "status":
            return pf.status in values
        start, end = pf.validity()
        whens = [w for w in map(_when, values) if w is not None]
        if name == "validOn":
            return any(start <= w <= end for w in whens)
        if name == "validAfter":
            return any(w < start for w in whens)
        return any(w > end for w in whens)  # validBefore
