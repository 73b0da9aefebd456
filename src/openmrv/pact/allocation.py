"""Allocating a facility's emissions to its products, exactly.

GHG Protocol Scope 3 Standard (2011) ch. 8: physical or economic allocation multiplies the
facility's total by each output's share of the facility's production (Table 8.1, Box 8.1, p. 90),
and "the sum of the allocated emissions for each output of a system should equal 100 percent of
emissions from the system" (§8.3, p. 89). Sub-metering a production line avoids allocation
(step 1 of the decision tree, Figure 8.2): the `line` rule gives each production line the
emissions of its own sources and allocates only the rest by mass.

Everything is Decimal. `split` hands out the total in units of its last digit (or finer) by the
largest-remainder method, so the parts add up to the total exactly, not merely to within
rounding.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import TypeVar

__all__ = ["RULES", "Allocation", "ProductBasis", "allocate", "split"]

RULES = ("mass", "economic", "line")
K = TypeVar("K", bound=Hashable)
MIN_EXPONENT = -9  # finest unit handed out: 1e-9 of the total's unit


def _quantum(total: Decimal) -> Decimal:
    exp = total.as_tuple().exponent
    assert isinstance(exp, int), "a finite total"
    return Decimal(1).scaleb(min(exp, MIN_EXPONENT))


def split(total: Decimal, weights: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """`total` in proportion to `weights` (each ≥ 0, their sum > 0), summing to `total` exactly:
    each part is floored to the quantum (the total's last digit, at least 1e-9), then the quanta
    left over go one each to the largest remainders (ties: in `weights` order)."""
    if not weights:
        raise ValueError("nothing to allocate to")
    if any(w < 0 for w in weights.values()):
        raise ValueError("an allocation weight is negative")
    whole = sum(weights.values(), Decimal(0))
    if whole <= 0:
        raise ValueError("the allocation weights add up to zero")
    q = _quantum(total)
    exact = {k: total * w / whole for k, w in weights.items()}
    parts = {k: v.quantize(q, rounding=ROUND_FLOOR) for k, v in exact.items()}
    left = int((total - sum(parts.values(), Decimal(0))) / q)
    by_remainder = sorted(exact, key=lambda k: exact[k] - parts[k], reverse=True)
    for k in by_remainder[:left]:
        parts[k] += q
    return parts


@dataclass(frozen=True)
class ProductBasis:
    """What a product's share is computed from: its mass produced (kg), the economic value of
    its production, and the production line (`source_id`) making it."""

    product: str
    mass_kg: Decimal
    value: Decimal | None = None
    line: str | None = None


@dataclass(frozen=True)
class Allocation:
    """A product's allocated emissions and how they were found: the rule, its basis value
    and the share (basis ÷ the facility's basis, or for the `line` rule the product's part of
    the facility total)."""

    product: str
    emissions: Decimal
    rule: str
    basis: Decimal
    share: Decimal


def _weights(products: list[ProductBasis], rule: str) -> dict[str, Decimal]:
    if rule == "economic":
        missing = [p.product for p in products if p.value is None]
        if missing:
            raise ValueError(f"economic allocation needs the value of {', '.join(missing)}")
        return {p.product: p.value for p in products if p.value is not None}
    return {p.product: p.mass_kg for p in products}


def allocate(
    total: Decimal,
    products: list[ProductBasis],
    rule: str,
    line_emissions: Mapping[str, Decimal] | None = None,
) -> dict[str, Allocation]:
    """The facility's `total` allocated to `products` by `rule` (mass, economic or line).

    For `line`, `line_emissions` holds the emissions of each production line's own sources
    (part of `total`): a line's emissions go to its products by mass, the rest of `total` (shared
    sources, lines without products) to all products by mass."""
    if rule not in RULES:
        raise ValueError(f"unknown allocation rule {rule!r}; one of {', '.join(RULES)}")
    if rule != "line":
        weights = _weights(products, rule)
        whole = sum(weights.values(), Decimal(0))
        parts = split(total, weights)
        return {k: Allocation(k, parts[k], rule, weights[k], weights[k] / whole) for k in parts}
    lines = dict(line_emissions or {})
    served = {p.line for p in products if p.line is not None}
    direct = {line: e for line, e in lines.items() if line in served}
    shared = total - sum(direct.values(), Decimal(0))
    if shared < 0 or any(e < 0 for e in direct.values()):
        raise ValueError("the production lines' own emissions exceed the facility's total")
    got = {k: Decimal(0) for k in (p.product for p in products)}
    for line, e in direct.items():
        on_line = [p for p in products if p.line == line]
        for k, v in split(e, {p.product: p.mass_kg for p in on_line}).items():
            got[k] += v
    if shared:
        for k, v in split(shared, {p.product: p.mass_kg for p in products}).items():
            got[k] += v
    mass = {p.product: p.mass_kg for p in products}
    return {
        k: Allocation(k, v, rule, mass[k], v / total if total else Decimal(0))
        for k, v in got.items()
    }
