"""The lineage code of a result row: gas, equation, tier, biogenic flag, scope and GWP set,
packed into one integer (``rule``) beside the packed factor keys (``factor_key``).

Result rows of large runs carry numbers only: a string per row (gas names, equation labels) costs
more to write than the whole calculation. Every part has a fixed code, from the library (gases)
or from the methodology's declared ``equations`` (its version pins them), so the code is decoded
without the data it came from (engine.expand).
"""

from __future__ import annotations

from functools import cache

import ibis
import ibis.expr.types as ir

from openmrv.factors import Library
from openmrv.gases import GWP_SETS, gwp_table

# (name, bits) from the lowest bits up.
LAYOUT = (("gas", 10), ("equation", 6), ("tier", 3), ("biogenic", 1), ("scope", 2), ("gwp", 2))
SHIFT = {}
_at = 0
for _name, _bits in LAYOUT:
    SHIFT[_name] = _at
    _at += _bits
WIDTH = dict(LAYOUT)


@cache
def gas_codes(lib: Library) -> dict[str, int]:
    """1…N for every gas and blend with a GWP in the library (0: none)."""
    names = sorted(set(gwp_table(lib).gas) | {"CO2", "CH4", "N2O"})
    assert len(names) < 2 ** WIDTH["gas"], "too many gases for the lineage code"
    return {g: i for i, g in enumerate(names, start=1)}


GWP_CODES = {s: i for i, s in enumerate(GWP_SETS, start=1)}


def code(value: ir.Value | str | int | bool | None, table: dict | None = None) -> ir.IntegerValue:
    """One part as an integer expression: a literal through `table` at plan time, an expression
    through a CASE (`substitute`) per row; null and unknown become 0."""
    if value is None:
        return ibis.literal(0, "int32")
    if isinstance(value, ir.Value):
        expr = value.substitute(table, else_=0) if table is not None else value
        return expr.cast("int32").fill_null(0)
    return ibis.literal(int(table[value] if table is not None else value), "int32")


def pack(parts: dict[str, ir.IntegerValue]) -> ir.IntegerValue:
    total = ibis.literal(0, "int32")
    for name, value in parts.items():
        total = total + value * (2 ** SHIFT[name])
    return total


def part(rule: ir.IntegerValue, name: str) -> ir.IntegerValue:
    return (rule // (2 ** SHIFT[name])) % (2 ** WIDTH[name])
