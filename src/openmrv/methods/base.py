"""What a methodology is, and the helpers methods share to build their part of the plan.

A method turns the validated activity table (Ibis) into long result rows, one per record and gas,
with lineage columns. Rows it cannot compute carry a ``reason`` instead of a mass, so coverage is
reported instead of silently dropped. Methods never touch storage or pint: factor values arrive
already in canonical units (kg, GJ, m³, Nm³) from the library.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

import ibis
import ibis.expr.types as ir
import pandas as pd

from openmrv.factors import Library

KG_PER_SHORT_TON = 907.18474
KG_PER_LB = 0.45359237
GJ_PER_MMBTU = 1.05505585262
C_TO_CO2 = 44.0 / 12.0

RESULT_COLUMNS = (
    "source_row", "record_id", "facility_id", "source_id", "period_start", "period_end", "year",
    "category", "fuel", "methodology", "methodology_version", "tier", "equation", "gas", "mass_t",
    "gwp_set", "biogenic", "scope", "heat_gj", "heat_basis", "factor_ids", "reason",
)  # fmt: skip


@dataclass(frozen=True)
class Options:
    """Choices a user makes for a calculation run (recorded with the run)."""

    gwp_set: str | None = None  # None: each methodology's own default
    cn_grid: str = "national"  # national | regional | provincial
    editions: dict[str, str] = field(default_factory=dict)  # table_id -> edition override


@dataclass
class Ctx:
    lib: Library
    facilities: ir.Table
    options: Options


class Method(ABC):
    """Base class: subclasses set the metadata and implement ``plan``."""

    id: ClassVar[str]
    version: ClassVar[str]
    title: ClassVar[str]
    categories: ClassVar[tuple[str, ...]]
    default_gwp: ClassVar[str] = "AR5"
    editions: ClassVar[dict[str, str]]  # table_id -> pinned edition

    def edition(self, ctx: Ctx, table_id: str) -> str:
        return ctx.options.editions.get(table_id, self.editions[table_id])

    @abstractmethod
    def plan(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        """The method's result rows for `act`, as one relational expression."""

    def gwp_set(self, act: ir.Table, ctx: Ctx) -> ir.Value:
        return ibis.literal(ctx.options.gwp_set or self.default_gwp)


def fuel_factors(
    lib: Library, table_id: str, edition: str, crosswalk: str, parameter: str, gas: str = ""
) -> pd.DataFrame:
    """One parameter of one table, keyed by OpenMRV fuel code through the fuel catalogue."""
    t = lib.table(table_id, edition)
    t = t[(t.parameter == parameter) & (t.gas == gas)]
    fuels = lib.fuels[lib.fuels[crosswalk] != ""][["code", crosswalk]]
    m = fuels.merge(t, left_on=crosswalk, right_on="subject")
    return pd.DataFrame(
        {
            "fuel": m.code,
            "value": m.value_canonical.astype(float),
            "den": m.den_kind,
            "fid": m.factor_id,
        }
    )


def lookup(t: ir.Table, df: pd.DataFrame, key: str, prefix: str, on: str = "fuel") -> ir.Table:
    """Left-join a small factor frame on `key`, its columns renamed with `prefix`."""
    renamed = df.rename(columns={c: f"{prefix}_{c}" for c in df.columns if c != on})
    renamed = renamed.rename(columns={on: f"{prefix}__key"})
    m = ibis.memtable(renamed)
    joined = t.left_join(m, t[key] == m[f"{prefix}__key"])
    return joined.drop(f"{prefix}__key")


def ratio_frame(lib: Library) -> pd.DataFrame:
    """NCV/GCV default ratios by physical state (IPCC 2006), for HHV<->NCV conversion."""
    t = lib.table("ipcc2006_ncv_gcv")
    return pd.DataFrame(
        {"state": t.subject, "value": t.value_canonical.astype(float), "fid": t.factor_id}
    )


def ids(*parts: ir.Value) -> ir.StringValue:
    """Join the non-null factor ids with ';' (the lineage column); CONCAT_WS skips NULLs."""
    return ibis.literal(";").join([p.cast("string") for p in parts])


def unit_is(t: ir.Table, *keys: str) -> ir.BooleanValue:
    """True where the record's unit, normalised at validation (`unit_key`), is one of `keys`."""
    return t.unit_key.isin(list(keys))


def heat(
    t: ir.Table,
    measured: str,
    default: str,
    ratio: ir.Value,
    target: str,
    measured_other: str | None = None,
) -> tuple[ir.FloatingValue, ir.StringValue]:
    """Fuel heat content in GJ on the `target` basis ('HHV' or 'NCV') and the factor ids used.

    Order: an energy quantity (converted between bases with the IPCC NCV/GCV `ratio` when its
    basis differs); a measured heating value on the target basis; a measured heating value on
    the other basis (column `measured_other`, converted with the ratio), for methods that accept
    it; the method's default heating value when it is per the same kind of quantity.
    """
    to_target = (lambda x: x / ratio) if target == "HHV" else (lambda x: x * ratio)
    other_basis = "NCV" if target == "HHV" else "HHV"
    energy = t.qty_kind == "energy"
    other = t[measured_other] if measured_other else ibis.null("float64")
    value = ibis.cases(
        (energy & (t.energy_basis == target), t.qty),
        (energy & (t.energy_basis == other_basis), to_target(t.qty)),
        (t[measured].notnull(), t.qty * t[measured]),
        (other.notnull(), to_target(t.qty * other)),
        (t[f"{default}_den"] == t.qty_kind, t.qty * t[f"{default}_value"]),
        else_=ibis.null("float64"),
    )
    fid = ibis.cases(
        (energy & (t.energy_basis == other_basis), t.r_fid),
        (energy | t[measured].notnull(), ibis.null("string")),
        (other.notnull(), t.r_fid),
        else_=t[f"{default}_fid"],
    )
    return value, fid


def gas_row(
    t: ir.Table,
    method: Method,
    ctx: Ctx,
    *,
    gas: ir.Value | str,
    mass_t: ir.Value,
    equation: ir.Value | str,
    factor_ids: ir.Value,
    reason: ir.Value,
    tier: ir.Value | int | None = None,
    biogenic: ir.Value | bool = False,
    scope: ir.Value | int = 1,
    heat_gj: ir.Value | None = None,
    heat_basis: str | None = None,
) -> ir.Table:
    """One gas's result rows in the common result schema."""
    lit = ibis.literal
    ok = reason.isnull()
    return t.select(
        source_row=t.source_row,
        record_id=t.record_id,
        facility_id=t.facility_id,
        source_id=t.source_id,
        period_start=t.period_start,
        period_end=t.period_end,
        year=t.year,
        category=t.category,
        fuel=t.fuel,
        methodology=lit(method.id),
        methodology_version=lit(method.version),
        tier=(tier if isinstance(tier, ir.Value) else lit(tier, "int32")).cast("int32"),
        equation=(equation if isinstance(equation, ir.Value) else lit(equation)).cast("string"),
        gas=(gas if isinstance(gas, ir.Value) else lit(gas)).cast("string"),
        mass_t=ok.ifelse(mass_t.cast("float64"), ibis.null("float64")),
        gwp_set=method.gwp_set(t, ctx),
        biogenic=(biogenic if isinstance(biogenic, ir.Value) else lit(biogenic)).cast("boolean"),
        scope=(scope if isinstance(scope, ir.Value) else lit(scope)).cast("int32"),
        heat_gj=(heat_gj if heat_gj is not None else ibis.null("float64")).cast("float64"),
        heat_basis=lit(heat_basis, "string"),
        factor_ids=ok.ifelse(factor_ids, ibis.null("string")),
        reason=reason.cast("string"),
    )


def skip(cond: ir.BooleanValue, message: ir.Value | str, prev: ir.Value | None = None) -> ir.Value:
    """Chain skip reasons: the first true condition gives the reason."""
    msg = message if isinstance(message, ir.Value) else ibis.literal(message)
    base = prev if prev is not None else ibis.null("string")
    return ibis.coalesce(base, cond.ifelse(msg, ibis.null("string")))
