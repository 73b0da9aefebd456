"""What a methodology is, and the helpers methods share to build their part of the plan.

A method turns the validated activity table (Ibis) into long result rows, one per record and gas,
with lineage columns. Rows it cannot compute carry a ``reason`` instead of a mass, so coverage is
reported instead of silently dropped. Methods never touch storage or pint: factor values arrive
already in canonical units (kg, GJ, m³, Nm³) from the library.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import ibis
import ibis.expr.types as ir
import pandas as pd

from openmrv.factors import Library
from openmrv.gases import gwp_table
from openmrv.methods import lineage

KG_PER_SHORT_TON = 907.18474
KG_PER_LB = 0.45359237
GJ_PER_MMBTU = 1.05505585262
C_TO_CO2 = 44.0 / 12.0

# The results file's columns, in the order `openmrv calculate` writes them (engine.run.expand):
# the compact row, the record (with its origin when validated from a file), the lineage decoded.
RESULT_COLUMNS = (
    "source_row", "methodology", "rule", "factor_key", "mass_t", "co2e_t", "heat_gj",
    "record_id", "facility_id", "source_id", "period_start", "period_end", "year", "category",
    "fuel", "source_file", "source_sha256", "file_row", "gas", "equation", "tier", "biogenic",
    "scope", "gwp_set", "gwp", "gwp_factor_id", "methodology_version", "heat_basis",
    "factor_ids",
)  # fmt: skip


@dataclass(frozen=True)
class Options:
    """Choices a user makes for a calculation run (recorded with the run).

    `methods` holds a methodology's own choices, by its id, as the dataclass the method
    declares (``Method.options_type``, e.g. MEE's grid level); a method not named there uses
    its defaults.
    """

    gwp_set: str | None = None  # None: each methodology's own default
    editions: dict[str, str] = field(default_factory=dict)  # table_id -> edition override
    methods: dict[str, Any] = field(default_factory=dict)  # method id -> its options_type


def recorded_options(options: Options, methods: Iterable[Method]) -> dict[str, str]:
    """The method options a run records (run.json ``options``): each method's choices under
    the names its `record_options` gives them, defaults included, so a run's id does not
    depend on whether a choice was spelt out."""
    out: dict[str, str] = {}
    for m in methods:
        out |= m.record_options(m.own_options(options))
    return out


@dataclass
class Ctx:
    lib: Library
    facilities: ir.Table
    options: Options


class Method(ABC):
    """Base class: subclasses describe themselves (the class attributes below) and implement
    ``plan``. Everything outside ``openmrv.methods`` reads these descriptions through the
    registry (``openmrv.methods.METHODS``) instead of spelling a methodology id."""

    id: ClassVar[str]
    version: ClassVar[str]
    title: ClassVar[str]
    label: ClassVar[str]  # the name pages show (English)
    label_zh: ClassVar[str]  # the same in Simplified Chinese
    short_label: ClassVar[str]  # the name in comparison text and charts
    country: ClassVar[str | None] = None  # ISO 3166-1 alpha-2, None for international
    # Whether this is the method a facility in `country` is inventoried under by default
    # (reports.inventory); at most one per country.
    inventory_primary: ClassVar[bool] = False
    # The id of the method a like-for-like comparison sets this one against (the base of
    # reports.decompose), if any.
    compares_with: ClassVar[str | None] = None
    # The activity categories the method calculates (like an Ibis compiler's SIMPLE_OPS): a
    # record of another category is "not covered" by it, not "not computed" (reports.coverage).
    categories: ClassVar[tuple[str, ...]]
    # An oxidation fraction the equations apply to every fuel (IPCC Tier 1: 1), None where it
    # comes from a factor or measurement, or the factors embody complete combustion.
    oxidation: ClassVar[float | None] = None
    # Whether a record's measured oxidation rate enters the CO2 (MEE), so comparing it needs
    # the activity table.
    measured_oxidation: ClassVar[bool] = False
    # The dataclass of the method's own options (Options.methods[id]); None: it has none.
    options_type: ClassVar[type | None] = None
    default_gwp: ClassVar[str] = "AR5"
    # (first reporting year, GWP set) where the regulation changes its set by reporting year;
    # years before the first entry use default_gwp.
    gwp_from_year: ClassVar[tuple[tuple[int, str], ...]] = ()
    heat_basis: ClassVar[str]  # basis of the heat_gj the method reports (HHV or NCV)
    equations: ClassVar[tuple[str, ...]]  # every equation label its rows can carry, coded 1…N
    editions: ClassVar[dict[str, str]]  # table_id -> pinned edition

    def edition(self, ctx: Ctx, table_id: str) -> str:
        return ctx.options.editions.get(table_id, self.editions[table_id])

    def own_options(self, options: Options) -> Any:
        """This method's options in a run: as given in ``options.methods``, else its defaults."""
        if self.options_type is None:
            return None
        return options.methods.get(self.id) or self.options_type()

    def record_options(self, own: Any) -> dict[str, str]:
        """The method's options as run.json records them (name -> value)."""
        return {}

    @abstractmethod
    def plan(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        """The method's result rows for `act`, as one relational expression."""

    def gwp_set(self, act: ir.Table, ctx: Ctx) -> ir.Value:
        """The GWP set of each row: the user's choice, else the method's for the row's year."""
        if ctx.options.gwp_set or not self.gwp_from_year:
            return ibis.literal(ctx.options.gwp_set or self.default_gwp)
        return ibis.cases(
            *((act.year >= y, s) for y, s in reversed(self.gwp_from_year)),
            else_=self.default_gwp,
        )

    def gwp_for_year(self, year: int, options: Options) -> str:
        """The GWP set `gwp_set` applies to a record of reporting year `year` (for run.json)."""
        hits = [s for y, s in self.gwp_from_year if year >= y]
        return options.gwp_set or (hits[-1] if hits else self.default_gwp)


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
            "fid": m.factor_id.map(lib.keys).astype("int64"),
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
        {
            "state": t.subject,
            "value": t.value_canonical.astype(float),
            "fid": t.factor_id.map(lib.keys).astype("int64"),
        }
    )


KEY_BITS = 15  # factor keys are < 2**15; four fit in an int64
MAX_KEYS = 4  # e.g. MEE: NCV, density (a quantity in volume), carbon content, oxidation


def ids(*parts: ir.Value) -> ir.IntegerValue:
    """The factors behind a number, packed into one int64 (the lineage column ``factor_key``).

    Each part is a factor key (``Library.keys``) or an earlier packed value; nulls are skipped.
    Keys are shifted in KEY_BITS at a time, first factor most significant, so at most MAX_KEYS
    fit. Numbers instead of joined id strings keep the hot path free of per-row string building;
    the engine turns them back into ``factor_ids`` text for people.
    """
    acc: ir.IntegerValue = ibis.literal(0, "int64")
    for p in parts:
        p = p.cast("int64")
        width = ibis.cases(
            *((p < 2 ** (k * KEY_BITS), 2 ** (k * KEY_BITS)) for k in range(1, MAX_KEYS)),
            else_=2 ** (MAX_KEYS * KEY_BITS),
        ).cast("int64")
        acc = p.isnull().ifelse(acc, acc * width + p)
    return (acc == 0).ifelse(ibis.null("int64"), acc)


def density_frame(lib: Library) -> pd.DataFrame:
    """Liquid fuel densities (kg/m³), for a method whose default heating value is per volume
    when the quantity is a mass, or per mass when it is a volume. A source that prints volume
    per mass (``specific_volume``, e.g. m³ per tonne) is kept as printed and inverted here."""
    t = lib.table("fuel_density")
    value = t.value_canonical.astype(float)
    return pd.DataFrame(
        {
            "fuel": t.subject,
            "value": value.where(t.parameter == "density", 1 / value),
            "fid": t.factor_id.map(lib.keys).astype("int64"),
        }
    )


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
) -> tuple[ir.FloatingValue, ir.IntegerValue]:
    """Fuel heat content in GJ on the `target` basis ('HHV' or 'NCV') and the factor keys used.

    Order: an energy quantity (converted between bases with the IPCC NCV/GCV `ratio` when its
    basis differs); a measured heating value on the target basis; a measured heating value on
    the other basis (column `measured_other`, converted with the ratio), for methods that accept
    it; the method's default heating value when it is per the same kind of quantity; else, for
    a liquid whose default is per volume given as a mass (or the reverse), the default through
    the fuel's density (columns ``dens_*`` from `density_frame`, when the method looked them
    up): its factor id joins the heating value's in the lineage.
    """
    to_target = (lambda x: x / ratio) if target == "HHV" else (lambda x: x * ratio)
    other_basis = "NCV" if target == "HHV" else "HHV"
    energy = t.qty_kind == "energy"
    other = t[measured_other] if measured_other else ibis.null("float64")
    den, dv = t[f"{default}_den"], t[f"{default}_value"]
    has_density = "dens_value" in t.columns
    dens = t.dens_value if has_density else ibis.null("float64")
    to_volume = dens.notnull() & (den == "volume") & (t.qty_kind == "mass")
    to_mass = dens.notnull() & (den == "mass") & (t.qty_kind == "volume")
    value = ibis.cases(
        (energy & (t.energy_basis == target), t.qty),
        (energy & (t.energy_basis == other_basis), to_target(t.qty)),
        (t[measured].notnull(), t.qty * t[measured]),
        (other.notnull(), to_target(t.qty * other)),
        (den == t.qty_kind, t.qty * dv),
        (to_volume, t.qty / dens * dv),
        (to_mass, t.qty * dens * dv),
        else_=ibis.null("float64"),
    )
    dens_fid = t.dens_fid if has_density else ibis.null("int64")
    fid = ibis.cases(
        (energy & (t.energy_basis == other_basis), t.r_fid),
        (energy | t[measured].notnull(), ibis.null("int64")),
        (other.notnull(), t.r_fid),
        (to_volume | to_mass, ids(t[f"{default}_fid"], dens_fid)),
        else_=t[f"{default}_fid"],
    )
    return value, fid


@dataclass
class GasRow:
    """One gas's result for every record of a table: the mass and its lineage, as expressions."""

    gas: ir.Value | str
    mass_t: ir.Value
    equation: ir.Value | str
    factor_ids: ir.Value  # packed factor keys, from ids()
    reason: ir.Value
    tier: ir.Value | int | None = None
    biogenic: ir.Value | bool = False
    scope: ir.Value | int = 1
    heat_gj: ir.Value | None = None


def _value(v: ir.Value | str | int | bool | None, dtype: str) -> ir.Value:
    return (v if isinstance(v, ir.Value) else ibis.literal(v, dtype)).cast(dtype)


def _gwp_cases(gas: str, gwp_set: ir.Value, lib: Library) -> ir.FloatingValue:
    """The GWP of a named gas in the row's set: a short CASE over the sets, no join."""
    table = gwp_table(lib)
    hit = table[table.gas == gas]
    return ibis.cases(
        *((gwp_set == s, float(v)) for s, v in zip(hit.gwp_set, hit.gwp, strict=True)),
        else_=ibis.null("float64"),
    )


def _gas_join(t: ir.Table, out: str, lib: Library) -> ir.Table:
    """Add `out`_gwp and `out`_code for the gas in column `out`_gas, which varies by row
    (refrigerants): a lookup join on (set, gas)."""
    table = gwp_table(lib)
    codes = lineage.gas_codes(lib)
    m = ibis.memtable(
        pd.DataFrame(
            {
                f"{out}_k": table.gwp_set + "|" + table.gas,
                f"{out}_gwp": table.gwp.astype(float),
                f"{out}_code": table.gas.map(codes).astype("int32"),
            }
        )
    )
    t = t.mutate(**{f"{out}_key": t.gwp_set_ + "|" + t[f"{out}_gas"]})
    return t.left_join(m, t[f"{out}_key"] == m[f"{out}_k"]).drop(f"{out}_k", f"{out}_key")


def gas_rows(t: ir.Table, method: Method, ctx: Ctx, gases: list[GasRow]) -> ir.Table:
    """The result rows (one per record and gas) in the compact result schema: record key,
    methodology, lineage code (``rule``: gas, equation, tier, … — see methods.lineage), packed
    factor keys, mass, CO2e, heat and, for rows not computed, the reason.

    Several gases from the same table are produced in one pass: each gas's values become
    columns, each record is repeated once per gas (UNNEST of the gas indices) and each column
    picks its gas's value, so the joins behind `t` run once per record instead of once per gas
    (a union of per-gas selects would repeat them). Rows carry numbers only: attributes, labels
    and factor ids are joined back for people (engine.expand).
    """
    gwp_set = method.gwp_set(t, ctx)
    equations = {e: i for i, e in enumerate(method.equations, start=1)}
    gas_codes = lineage.gas_codes(ctx.lib)
    values = {}
    for i, g in enumerate(gases):
        values[f"g{i}_mass"] = _value(g.mass_t, "float64")
        values[f"g{i}_fk"] = _value(g.factor_ids, "int64")
        values[f"g{i}_reason"] = _value(g.reason, "string")
        values[f"g{i}_heat"] = _value(g.heat_gj, "float64")
        values[f"g{i}_gas"] = _value(g.gas, "string")
        if isinstance(g.gas, str):
            values[f"g{i}_gwp"] = _gwp_cases(g.gas, gwp_set, ctx.lib)
            values[f"g{i}_code"] = lineage.code(g.gas, gas_codes)
        values[f"g{i}_rest"] = lineage.pack(
            {
                "equation": lineage.code(g.equation, equations),
                "tier": lineage.code(g.tier),
                "biogenic": lineage.code(g.biogenic),
                "scope": lineage.code(g.scope),
                "gwp": lineage.code(gwp_set, lineage.GWP_CODES),
            }
        )
    t = t.mutate(gwp_set_=gwp_set, **values)
    for i, g in enumerate(gases):
        if not isinstance(g.gas, str):
            t = _gas_join(t, f"g{i}", ctx.lib)
    if len(gases) > 1:
        t = t.mutate(gas_k_=ibis.literal(list(range(len(gases))), "array<int8>").unnest())

    def pick(f: str) -> ir.Value:
        if len(gases) == 1:
            return t[f"g0_{f}"]
        return ibis.cases(
            *((t.gas_k_ == i, t[f"g{i}_{f}"]) for i in range(len(gases) - 1)),
            else_=t[f"g{len(gases) - 1}_{f}"],
        )

    mass, gwp = pick("mass"), pick("gwp")
    no_gwp = mass.notnull() & gwp.isnull()
    reason = ibis.coalesce(
        pick("reason"),
        no_gwp.ifelse("no " + t.gwp_set_ + " GWP for " + pick("gas"), ibis.null("string")),
    )
    ok = reason.isnull()
    return t.select(
        source_row=t.source_row,
        methodology=ibis.literal(method.id),
        rule=(pick("code").fill_null(0) + pick("rest")).cast("int32"),
        factor_key=ok.ifelse(pick("fk"), ibis.null("int64")),
        mass_t=ok.ifelse(mass, ibis.null("float64")),
        co2e_t=ok.ifelse(mass * gwp, ibis.null("float64")),
        heat_gj=pick("heat"),
        reason=reason,
    )


def skip(cond: ir.BooleanValue, message: ir.Value | str, prev: ir.Value | None = None) -> ir.Value:
    """Chain skip reasons: the first true condition gives the reason."""
    msg = message if isinstance(message, ir.Value) else ibis.literal(message)
    base = prev if prev is not None else ibis.null("string")
    return ibis.coalesce(base, cond.ifelse(msg, ibis.null("string")))
