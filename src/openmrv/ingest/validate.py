"""Vectorised validation of activity and facilities files, with located errors.

The all-text table from the reader is registered in an in-process DuckDB connection; each rule
is one SQL predicate over all rows, so validation costs a handful of scans however many rows
there are. Unit strings and fuel names are resolved once per *distinct* value in Python (pint,
the fuel catalogue) and joined back as small lookup tables.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from openmrv.factors import Library, load_library
from openmrv.factors.library import fuel_names, name_key
from openmrv.ingest import schema
from openmrv.ingest.columns import Column, Rule, Schema, registered
from openmrv.ingest.errors import InputError, Problem
from openmrv.ingest.readers import ROW, RawTable, file_sha256, read_table
from openmrv.units import UnitError, normalise, parse, parse_ratio

MAX_PROBLEMS = 200
HHV_BY_CONVENTION = {"therm", "therms", "mmbtu", "btu", "dth"}
NCV_BY_CONVENTION = {"tce", "吨标准煤"}
ZERO_GWP = re.compile(r"^(HCFC-|CFC-|propane|isobutane|butane|propylene|isopentane)", re.I)


_NAME_SQL = "regexp_replace(lower(trim({c})), '[\\s_]+', ' ', 'g')"


def refrigerant_key(text: str) -> str:
    return re.sub(r"[\s\-_]+", "", text.strip().upper())


_REFRIG_SQL = "regexp_replace(upper(trim({c})), '[\\s_-]+', '', 'g')"


@dataclass
class Checked:
    """A validated activity table and the warnings that did not stop it."""

    table: pa.Table
    warnings: list[str]


class Sql(str):
    """A rule's fix given as an SQL expression (per row) instead of fixed text."""


def sql_string(s: str) -> str:
    """`s` as a SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def _header(raw: RawTable, columns: tuple[Column, ...]) -> tuple[list[Problem], list[str]]:
    names = [c for c in raw.table.column_names if c != ROW]
    known = {c.name for c in columns}
    problems: list[Problem] = []
    warnings: list[str] = []
    unknown = [n for n in names if n not in known]
    for col in columns:
        if col.required and col.name not in names:
            near = difflib.get_close_matches(col.name, unknown, n=1, cutoff=0.75)
            fix = (
                f"rename column {near[0]!r} to {col.name!r}"
                if near
                else f"add a column {col.name!r}: {col.doc}"
            )
            problems.append(
                Problem(
                    raw.name,
                    1 if raw.row_word == "row" else None,
                    col.name,
                    None,
                    f"required column {col.name!r} is missing",
                    fix,
                    raw.row_word,
                )
            )
    for n in unknown:
        near = difflib.get_close_matches(n, sorted(known), n=1, cutoff=0.75)
        if near and near[0] not in names:
            if not any(p.column == near[0] for p in problems):
                problems.append(
                    Problem(
                        raw.name,
                        None,
                        n,
                        None,
                        f"unknown column {n!r}",
                        f"did you mean {near[0]!r}?",
                        raw.row_word,
                    )
                )
        else:
            warnings.append(f"{raw.name}: column {n!r} is not part of the schema and was ignored")
    return problems, warnings


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _register(con: duckdb.DuckDBPyConnection, raw: RawTable, cols: tuple[Column, ...]):
    """Expose the raw table as view `raw`, with absent optional columns as empty text (a view,
    so nothing is copied). Statements that join it with lookups run under `file_plans`."""
    con.register("raw_in", raw.table)
    present = raw.table.column_names
    extra = [f"'' AS {_quote(c.name)}" for c in cols if c.name not in present]
    select = ", ".join([*(_quote(n) for n in present), *extra])
    con.execute(f"CREATE OR REPLACE TEMP VIEW raw AS SELECT {select} FROM raw_in")


def _text_rules(cols: tuple[Column, ...], present: list[str]) -> list[Rule]:
    """Rules every text cell of the columns the file has obeys: length limits and no
    spreadsheet formulas."""
    rules = []
    for c in (c for c in cols if c.name in present):
        q = f'"{c.name}"'
        limit = schema.MAX_ID if c.kind == "id" else schema.MAX_FIELD
        rules.append(
            Rule(
                c.name,
                f"length({q}) > {limit}",
                f"'field is ' || length({q}) || ' characters, over the {limit} limit'",
                "shorten the value; ids are at most 100 characters",
            )
        )
        if c.kind == "number":
            plus = f"(left({q}, 1) = '+' AND TRY_CAST({q} AS DOUBLE) IS NULL)"
            cond = f"(left({q}, 1) IN ('=', '@') OR {plus})"
        else:
            cond = f"left({q}, 1) IN ('=', '+', '-', '@', chr(9), chr(13))"
        rules.append(
            Rule(
                c.name,
                cond,
                "'starts with a spreadsheet formula character (= + - @ tab CR)'",
                "enter the plain value; formulas and formula-like text are refused to "
                "protect anyone who opens the data in a spreadsheet",
            )
        )
    return rules


def _problems(
    con, raw: RawTable, rules: list[Rule], max_problems: int, fast: bool = False
) -> tuple[list[Problem], int]:
    """Evaluate every rule in one scan; build messages only for the rows that fail."""
    if fast and not _any_problem(con, rules):
        return [], 0
    con.execute("CREATE OR REPLACE TEMP TABLE checked_rows AS SELECT * FROM checked")
    flags = ", ".join(f"CASE WHEN ({r.when}) THEN {i} END" for i, r in enumerate(rules))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE hits AS SELECT r, unnest(k) AS k FROM (SELECT {ROW} AS r, "
        f"list_filter([{flags}], x -> x IS NOT NULL) AS k FROM checked_rows) WHERE len(k) > 0"
    )
    total = con.execute("SELECT count(*) FROM hits").fetchone()[0]
    if total == 0:
        return [], 0
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE bad AS SELECT * FROM checked_rows WHERE {ROW} IN "
        f"(SELECT DISTINCT r FROM hits ORDER BY r LIMIT {max_problems})"
    )
    parts = [
        f'SELECT {ROW} AS r, {sql_string(r.column)} AS c, CAST("{r.column}" AS VARCHAR) AS v, '
        f"{r.message} AS p, {r.fix if isinstance(r.fix, Sql) else sql_string(r.fix)} AS f, "
        f"{i} AS k FROM bad WHERE {r.when}"
        for i, r in enumerate(rules)
    ]
    union = " UNION ALL ".join(parts)
    rows = con.execute(f"SELECT * FROM ({union}) ORDER BY r, k LIMIT {max_problems}").fetchall()
    return [Problem(raw.name, r, c, v, p, f, raw.row_word) for r, c, v, p, f, _ in rows], total


# Columns whose values are typically unique per row; rules on the other columns are evaluated
# once per distinct combination of those columns, which is what makes clean files fast.
PER_ROW = ("record_id", "quantity", "source_id", "evidence_ref", "notes", "data_quality", ROW)
_DISTINCT_AS = {"quantity": "'0'", ROW: "0"}
_PER_ROW_REF = re.compile(r"\b(" + "|".join((*PER_ROW, "q", "dupes", "first_row")) + r")\b")


def _any_problem(con, rules: list[Rule]) -> bool:
    """Whether any activity rule fails, in two cheap scans: rules on per-row columns over the
    rows, all other rules over the distinct combinations of the other columns. Only a yes/no:
    the located messages come from the full pass in `_problems`."""
    row_rules = [r.when for r in rules if _PER_ROW_REF.search(r.when)]
    other = [r.when for r in rules if not _PER_ROW_REF.search(r.when)]
    for view, conds in (("checked_per_row", row_rules), ("checked_distinct", other)):
        where = " OR ".join(f"({c})" for c in conds) or "false"
        if con.execute(f"SELECT EXISTS (SELECT 1 FROM {view} WHERE {where})").fetchone()[0]:
            return True
    return False


@contextmanager
def file_plans(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Plan statements over the registered file with its joins as written: the file on the
    probe side, each small lookup table on the build side.

    DuckDB does not know the row count of a registered Arrow table and, left to itself, builds
    the hash table of a lookup join on the million-row file instead of on the lookup (several
    times slower). Disabling the optimizer that swaps build and probe sides, for these
    statements only, keeps the written order; the previous setting is restored after."""
    prev = con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0][0] or ""
    names = [n for n in prev.split(",") if n.strip()]
    con.execute(f"SET disabled_optimizers = '{','.join([*names, _NO_SWAP])}'")
    try:
        yield
    finally:
        con.execute(f"SET disabled_optimizers = '{','.join(names)}'")


_NO_SWAP = "build_side_probe_side"


def temp_table(con: duckdb.DuckDBPyConnection, name: str, df: pd.DataFrame) -> None:
    """A small lookup table as a DuckDB temp table (the planner knows its row count)."""
    con.register("lookup_in", df)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM lookup_in")
    finally:
        con.unregister("lookup_in")


def _unit_lookup(con, values: list[str]) -> None:
    rows: list[tuple[Any, ...]] = []
    for u in values:
        try:
            info = parse(u)
            key = normalise(u)
            basis = (
                "HHV" if key in HHV_BY_CONVENTION else "NCV" if key in NCV_BY_CONVENTION else None
            )
            rows.append((u, info.kind, info.to_canonical, None, basis, key))
        except UnitError as exc:
            rows.append((u, None, None, str(exc), None, None))
    df = pd.DataFrame(rows, columns=["u", "kind", "f", "err", "basis", "key"]).astype(
        {
            "u": "string",
            "kind": "string",
            "f": "float64",
            "err": "string",
            "basis": "string",
            "key": "string",
        }
    )
    temp_table(con, "units_lu", df)


def _ratio_lookup(con, values: list[str]) -> None:
    rows: list[tuple[Any, ...]] = []
    for u in values:
        try:
            num, den, f = parse_ratio(u)
            rows.append((u, num, den, f, None))
        except UnitError as exc:
            rows.append((u, None, None, None, str(exc)))
    df = pd.DataFrame(rows, columns=["u", "num", "den", "f", "err"]).astype(
        {"u": "string", "num": "string", "den": "string", "f": "float64", "err": "string"}
    )
    temp_table(con, "ratio_lu", df)


def _fuel_lookup(con, lib: Library) -> None:
    names = fuel_names(lib.fuels)
    fuels = lib.fuels.set_index("code")
    df = pd.DataFrame(
        {
            "k": list(names),
            "code": list(names.values()),
            "state": [fuels.state[c] for c in names.values()],
            "biogenic": [fuels.biogenic[c] == "1" for c in names.values()],
        }
    )
    temp_table(con, "fuels_lu", df)
    gases = lib.factors[lib.factors.parameter == "gwp"]
    gas_names = set(gases.gas) | set(gases.subject[gases.table_id == "epa_hub_t12"])
    ref = pd.DataFrame([(refrigerant_key(n), n) for n in sorted(gas_names)], columns=["k", "name"])
    temp_table(con, "refrig_lu", ref.drop_duplicates("k"))


def _fuel_hints(con, lib: Library) -> None:
    """For each unknown fuel name (few, distinct), the nearest accepted name, as a fix."""
    unknown = con.execute(
        "SELECT v FROM fuel_names WHERE code IS NULL AND rname IS NULL AND v <> ''"
    ).fetchall()
    printed: dict[str, str] = {}
    for _, f in lib.fuels.iterrows():
        for n in (f.name_en, f.code, f.name_zh, *str(f.aliases).split(";")):
            if n:
                printed.setdefault(name_key(n), n)
    hints = []
    for (v,) in unknown:
        near = difflib.get_close_matches(name_key(v), list(printed), n=1, cutoff=0.75)
        if near:
            hints.append((v, f"did you mean {printed[near[0]]!r}?"))
    temp_table(con, "fuel_hints", pd.DataFrame(hints, columns=["v", "hint"], dtype="string"))


def validate_activity(
    raw: RawTable,
    facility_ids: set[str] | None = None,
    lib: Library | None = None,
    max_problems: int = MAX_PROBLEMS,
    schema: Schema | None = None,
) -> Checked:
    """Validate an activity file; return the typed table, or raise InputError with located
    problems. Nothing partial is ever returned. Each record carries its lineage: the file's
    name and SHA-256 and its row there (`file_row`; `source_row` is the same number until a
    dataset part is renumbered to keep keys unique, see engine.dataset.validated_part).
    `schema`: the activity schema (default: the one registered as "activity")."""
    con = duckdb.connect()
    warnings = check_activity(con, raw, facility_ids, lib, max_problems, schema)
    with file_plans(con):
        table = con.execute("SELECT * FROM typed ORDER BY source_row").to_arrow_table()
    n = table.num_rows
    sha = file_sha256(raw.path) if raw.path is not None else None
    table = table.append_column("source_file", pa.array([raw.name] * n, pa.string()))
    table = table.append_column("source_sha256", pa.array([sha] * n, pa.string()))
    return Checked(table.append_column("file_row", table["source_row"]), warnings)


def check_activity(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    facility_ids: set[str] | None = None,
    lib: Library | None = None,
    max_problems: int = MAX_PROBLEMS,
    schema: Schema | None = None,
) -> list[str]:
    """Validate in `con` and leave the typed rows there as the view `typed` (unordered, without
    source_file), so a store on DuckDB can insert them with one INSERT ... SELECT. Returns the
    warnings; raises InputError with located problems. Statements that read `typed` should
    run under `file_plans(con)`."""
    with file_plans(con):
        act = schema or registered("activity")
        return _check_activity(con, raw, facility_ids, lib or load_library(), max_problems, act)


def _check_activity(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    facility_ids: set[str] | None,
    lib: Library,
    max_problems: int,
    act: Schema,
) -> list[str]:
    problems, warnings = _header(raw, act.file_columns)
    if problems:
        raise InputError(problems)
    _register(con, raw, act.file_columns)
    units = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT unit FROM raw WHERE unit <> '' UNION SELECT * FROM (SELECT DISTINCT "
            "quantity FROM raw WHERE quantity <> '' AND TRY_CAST(quantity AS DOUBLE) IS NULL "
            "LIMIT 1000)"
        ).fetchall()
    ]
    _unit_lookup(con, units)
    ratio_units = con.execute(
        "SELECT DISTINCT u FROM (SELECT hhv_unit u FROM raw UNION SELECT ncv_unit FROM raw "
        "UNION SELECT carbon_content_unit FROM raw) WHERE u <> ''"
    ).fetchall()
    _ratio_lookup(con, [r[0] for r in ratio_units])
    _fuel_lookup(con, lib)
    fac = pd.DataFrame({"id": sorted(facility_ids or [])}, dtype="string")
    temp_table(con, "fac_lu", fac)
    # Names, dates and duplicates are resolved once per distinct value, then joined back.
    con.execute(
        _LOOKUPS_SQL.format(
            name=_NAME_SQL.format(c="v"),
            refrig=_REFRIG_SQL.format(c="v"),
        )
    )
    _fuel_hints(con, lib)
    con.execute(_CHECKED_SQL.format(view="checked", source="raw"))
    con.execute(_PER_ROW_SQL)
    others = [c.name for c in act.file_columns if c.name not in PER_ROW]
    # Per-row columns become constants that no rule flags (rules on them ran per row above).
    constants = ", ".join(f"{_DISTINCT_AS.get(c, 'NULL')} AS {c}" for c in PER_ROW)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE raw_distinct AS SELECT DISTINCT "
        f"{', '.join(_quote(c) for c in others)} FROM raw"
    )
    con.execute(
        _CHECKED_SQL.format(
            view="checked_distinct", source=f"(SELECT *, {constants} FROM raw_distinct) raw"
        )
    )
    rules = _text_rules(act.file_columns, raw.table.column_names) + _activity_rules(
        facility_ids is not None, act.column("category").choices
    )
    found, total = _problems(con, raw, rules, max_problems, fast=True)
    if found:
        raise InputError(found, total)
    con.execute(f"CREATE OR REPLACE TEMP VIEW typed AS {act.typed_sql('checked')}")
    return warnings


_LOOKUPS_SQL = """
CREATE OR REPLACE TEMP TABLE fuel_names AS
SELECT v, fl.code, fl.state, fl.biogenic, rl.name AS rname FROM (SELECT DISTINCT fuel AS v FROM raw)
LEFT JOIN fuels_lu fl ON fl.k = {name}
LEFT JOIN refrig_lu rl ON rl.k = {refrig};
CREATE OR REPLACE TEMP TABLE category_names AS
SELECT v, fl.code FROM (SELECT DISTINCT category AS v FROM raw)
LEFT JOIN fuels_lu fl ON fl.k = {name};
CREATE OR REPLACE TEMP TABLE dates_lu AS
SELECT v, TRY_STRPTIME(v, '%Y-%m-%d')::DATE AS d
FROM (SELECT period_start AS v FROM raw UNION SELECT period_end FROM raw);
CREATE OR REPLACE TEMP TABLE dupes_lu AS
SELECT record_id, count(*) AS dupes, min(_row) AS first_row FROM raw
GROUP BY record_id HAVING count(*) > 1;
"""

# One view that resolves every lookup and typed cast; rules and the typed output read from it.
_CHECKED_SQL = """
CREATE OR REPLACE TEMP VIEW {view} AS
SELECT raw.*,
  TRY_CAST(raw.quantity AS DOUBLE) AS q,
  ds.d AS d0,
  de.d AS d1,
  u.kind AS qkind, u.f AS qf, u.err AS uerr, u.basis AS ubasis, u.key AS ukey,
  fn.code AS fcode, fn.state AS fstate, fn.biogenic AS fbio, cn.code AS category_is_fuel,
  fn.rname AS rname, fh.hint AS fuel_hint,
  dl.dupes AS dupes,
  dl.first_row AS first_row,
  TRY_CAST(raw.hhv AS DOUBLE) AS hhv_v, hu.num AS hhv_num, hu.den AS hhv_den, hu.f AS hhv_f,
  hu.err AS hhv_err,
  TRY_CAST(raw.ncv AS DOUBLE) AS ncv_v, nu.num AS ncv_num, nu.den AS ncv_den, nu.f AS ncv_f,
  nu.err AS ncv_err,
  TRY_CAST(raw.carbon_content AS DOUBLE) AS cc_v, cu.num AS cc_num, cu.den AS cc_den,
  cu.f AS cc_f, cu.err AS cc_err,
  TRY_CAST(raw.oxidation_factor AS DOUBLE) AS of_v,
  TRY_CAST(raw.molecular_weight AS DOUBLE) AS mw_v,
  TRY_CAST(raw.measured_co2_t AS DOUBLE) AS co2_v,
  TRY_CAST(raw.boiler_ratio_b AS DOUBLE) AS b_v,
  u2.kind AS unit_in_qty_kind,
  raw.category IN ('stationary_combustion', 'mobile_combustion') AS combustion,
  NULLIF(raw.energy_basis, '') AS basis_given
FROM {source}
LEFT JOIN units_lu u ON u.u = raw.unit
LEFT JOIN units_lu u2 ON u2.u = raw.quantity
LEFT JOIN fuel_names fn ON fn.v = raw.fuel
LEFT JOIN fuel_hints fh ON fh.v = raw.fuel
LEFT JOIN category_names cn ON cn.v = raw.category
LEFT JOIN dates_lu ds ON ds.v = raw.period_start
LEFT JOIN dates_lu de ON de.v = raw.period_end
LEFT JOIN dupes_lu dl ON dl.record_id = raw.record_id
LEFT JOIN ratio_lu hu ON hu.u = raw.hhv_unit
LEFT JOIN ratio_lu nu ON nu.u = raw.ncv_unit
LEFT JOIN ratio_lu cu ON cu.u = raw.carbon_content_unit
"""

_PER_ROW_SQL = f"""
CREATE OR REPLACE TEMP VIEW checked_per_row AS
SELECT {", ".join("raw." + c for c in PER_ROW)}, TRY_CAST(raw.quantity AS DOUBLE) AS q,
  dl.dupes, dl.first_row
FROM raw LEFT JOIN dupes_lu dl ON dl.record_id = raw.record_id
"""

_NUM = "(TRY_CAST({c} AS DOUBLE) IS NULL OR NOT isfinite(TRY_CAST({c} AS DOUBLE)))"


def _measured(col: str, v: str, unit_col: str, p: str, label: str) -> list[Rule]:
    """Rules for one measured ratio parameter (hhv, ncv, carbon content)."""
    return [
        Rule(
            col,
            f"{col} <> '' AND {_NUM.format(c=col)}",
            "'not a number'",
            f"write the measured {label} as a plain number",
        ),
        Rule(col, f"{v} <= 0", "'must be greater than zero'", f"a measured {label} is positive"),
        Rule(
            unit_col,
            f"{col} <> '' AND {unit_col} = ''",
            f"'{col} is given without its unit'",
            f"fill {unit_col}, e.g. " + ("'GJ/t'" if label != "carbon content" else "'tC/GJ'"),
        ),
        Rule(
            unit_col,
            f"{unit_col} <> '' AND {p}_err IS NOT NULL",
            f"{p}_err",
            "use a ratio of accepted units, see docs/units.md",
        ),
    ]


def _activity_rules(check_facilities: bool, categories: tuple[str, ...]) -> list[Rule]:
    combustion_kinds = (
        "(fstate = 'solid' AND qkind IN ('mass', 'energy')) OR "
        "(fstate = 'liquid' AND qkind IN ('mass', 'volume', 'energy')) OR "
        "(fstate = 'gas' AND qkind IN ('gas_volume', 'mass', 'energy'))"
    )
    rules = [
        Rule(
            "record_id", "record_id = ''", "'record id is empty'", "give every record a unique id"
        ),
        Rule(
            "record_id",
            "record_id <> '' AND dupes > 1 AND _row <> first_row",
            "'duplicate record id (first used in row ' || first_row || ')'",
            "record ids must be unique within a file; a correction is a new version, not a copy",
        ),
        Rule(
            "facility_id",
            "facility_id = ''",
            "'facility id is empty'",
            "name the facility (its id in the facilities file)",
        ),
        Rule(
            "period_start",
            "d0 IS NULL",
            "CASE WHEN period_start = '' THEN 'period start is empty' ELSE 'not a date in "
            "YYYY-MM-DD form' END",
            "write dates as YYYY-MM-DD, e.g. 2024-01-01",
        ),
        Rule(
            "period_end",
            "d1 IS NULL",
            "CASE WHEN period_end = '' THEN 'period end is empty' ELSE 'not a date in "
            "YYYY-MM-DD form' END",
            "write dates as YYYY-MM-DD, e.g. 2024-01-31",
        ),
        Rule(
            "period_end",
            "d1 < d0",
            "'period ends (' || period_end || ') before it starts (' || period_start || ')'",
            "check the dates; were period_start and period_end swapped?",
        ),
        Rule(
            "period_end",
            "d1 - d0 > 366",
            "'period is longer than a year'",
            "split the record into periods of at most a year (monthly is best)",
        ),
        Rule(
            "category",
            f"category NOT IN ({', '.join(sql_string(c) for c in categories)})",
            "CASE WHEN category_is_fuel IS NOT NULL THEN 'this is a fuel, not a category: are "
            "columns ''fuel'' and ''category'' swapped?' "
            "WHEN category = '' THEN 'category is empty' ELSE 'unknown category' END",
            "use one of: " + ", ".join(categories),
        ),
        Rule(
            "quantity",
            f"{_NUM.format(c='quantity')}",
            "CASE WHEN quantity = '' THEN 'quantity is empty' WHEN unit_in_qty_kind IS NOT NULL "
            "AND TRY_CAST(unit AS DOUBLE) IS NOT NULL THEN 'this is a unit and column ''unit'' "
            "holds a number: are columns ''quantity'' and ''unit'' swapped?' ELSE 'not a number' "
            "END",
            "write a plain number with '.' as decimal point and no thousands separators",
        ),
        Rule(
            "quantity",
            "q < 0",
            "'negative quantity'",
            "quantities are amounts consumed or released and must be ≥ 0; to correct an earlier "
            "record, submit a new version of it",
        ),
        Rule(
            "unit", "unit = ''", "'unit is empty'", "give the unit of quantity, see docs/units.md"
        ),
        Rule(
            "unit",
            "unit <> '' AND uerr IS NOT NULL",
            "CASE WHEN unit_in_qty_kind IS NOT NULL OR TRY_CAST(unit AS DOUBLE) IS NOT NULL THEN "
            "'a number where the unit belongs: are columns ''quantity'' and ''unit'' swapped?' "
            "ELSE uerr END",
            "use one of the accepted units (docs/units.md)",
        ),
        Rule(
            "fuel",
            "combustion AND fuel = ''",
            "'fuel is empty for a combustion record'",
            "name the fuel (code or name from docs/fuels.md)",
        ),
        Rule(
            "fuel",
            "combustion AND fuel <> '' AND fcode IS NULL",
            "'unknown fuel'",
            Sql("COALESCE(fuel_hint, 'use a fuel code or name from docs/fuels.md')"),
        ),
        Rule(
            "fuel",
            "category = 'refrigerant' AND rname IS NULL",
            "CASE WHEN fuel = '' THEN 'refrigerant is empty' "
            "ELSE 'unknown refrigerant or blend' END",
            "use a gas (e.g. HFC-134a) or an ASHRAE blend (e.g. R-410A) from docs/fuels.md",
        ),
        Rule(
            "unit",
            f"combustion AND fcode IS NOT NULL AND qkind IS NOT NULL AND NOT ({combustion_kinds})",
            "CASE WHEN fstate = 'gas' AND qkind = 'volume' THEN 'a gas volume needs reference "
            "conditions' ELSE 'a ' || qkind || ' unit does not fit a ' || fstate || ' fuel' END",
            "solids: mass or energy; liquids: mass, volume or energy; gases: Nm3 or scf (volume "
            "at reference conditions), mass or energy",
        ),
        Rule(
            "unit",
            "category IN ('purchased_electricity', 'purchased_heat') AND qkind IS NOT NULL "
            "AND qkind <> 'energy'",
            "'a ' || qkind || ' unit for energy purchased'",
            "give electricity in kWh or MWh, heat in GJ or mmBtu",
        ),
        Rule(
            "unit",
            "category IN ('refrigerant', 'process', 'ccs_transfer') AND qkind IS NOT NULL "
            "AND qkind <> 'mass'",
            "'a ' || qkind || ' unit where a mass is needed'",
            "give the mass, e.g. in kg, lb or t",
        ),
        Rule(
            "energy_basis",
            "basis_given IS NOT NULL AND basis_given NOT IN ('HHV', 'NCV')",
            "'must be HHV or NCV'",
            "write HHV (gross) or NCV (net)",
        ),
        Rule(
            "energy_basis",
            "combustion AND qkind = 'energy' AND basis_given IS NULL AND ubasis IS NULL",
            "'fuel energy given in ' || unit || ' without a heating-value basis'",
            "say whether the energy is on a higher (HHV) or net (NCV) heating-value basis",
        ),
        Rule(
            "tier",
            "tier <> '' AND tier NOT IN ('1', '2', '3', '4')",
            "'tier must be 1, 2, 3 or 4'",
            "leave tier empty to use the highest tier the measured data allow",
        ),
        Rule(
            "hhv",
            "tier = '2' AND hhv = ''",
            "'tier 2 needs a measured HHV'",
            "fill hhv and hhv_unit",
        ),
        Rule(
            "carbon_content",
            "tier = '3' AND carbon_content = ''",
            "'tier 3 needs a measured carbon content'",
            "fill carbon_content and its unit",
        ),
        Rule(
            "measured_co2_t",
            "tier = '4' AND measured_co2_t = ''",
            "'tier 4 needs CEMS-measured CO2'",
            "fill measured_co2_t (metric tons)",
        ),
        *_measured("hhv", "hhv_v", "hhv_unit", "hhv", "HHV"),
        Rule(
            "hhv_unit",
            "hhv_num IS NOT NULL AND (hhv_num <> 'energy' OR hhv_den <> qkind)",
            "'an HHV in ' || hhv_unit || ' does not match a quantity in ' || unit",
            "give the heating value per unit of the quantity, e.g. mmBtu/short ton for tons",
        ),
        *_measured("ncv", "ncv_v", "ncv_unit", "ncv", "NCV"),
        Rule(
            "ncv_unit",
            "ncv_num IS NOT NULL AND (ncv_num <> 'energy' OR ncv_den <> qkind)",
            "'an NCV in ' || ncv_unit || ' does not match a quantity in ' || unit",
            "give the net calorific value per unit of the quantity, e.g. GJ/t for tonnes",
        ),
        *_measured("carbon_content", "cc_v", "carbon_content_unit", "cc", "carbon content"),
        Rule(
            "carbon_content_unit",
            "cc_num IS NOT NULL AND cc_num NOT IN ('mass', 'one')",
            "'not a carbon content unit'",
            "use e.g. tC/GJ, kgC/kg, %, or kgC/gal",
        ),
        Rule(
            "carbon_content",
            "cc_num = 'one' AND cc_v * cc_f > 1",
            "'carbon content above 100 percent of the fuel mass'",
            "check the value and its unit",
        ),
        Rule(
            "oxidation_factor",
            f"oxidation_factor <> '' AND ({_NUM.format(c='oxidation_factor')} "
            "OR of_v <= 0 OR of_v > 1)",
            "'must be a fraction in (0, 1]'",
            "write the oxidation rate as a fraction, e.g. 0.98",
        ),
        Rule(
            "molecular_weight",
            f"molecular_weight <> '' AND ({_NUM.format(c='molecular_weight')} "
            "OR mw_v < 2 OR mw_v > 200)",
            "'must be a molecular weight in kg/kmol (2 to 200)'",
            "e.g. 16.8 for a typical natural gas",
        ),
        Rule(
            "measured_co2_t",
            f"measured_co2_t <> '' AND ({_NUM.format(c='measured_co2_t')} OR co2_v < 0)",
            "'must be a number ≥ 0 (metric tons of CO2)'",
            "check the CEMS total",
        ),
        Rule(
            "boiler_ratio_b",
            f"boiler_ratio_b <> '' AND ({_NUM.format(c='boiler_ratio_b')} OR b_v <= 0)",
            "'must be a positive ratio in mmBtu per lb of steam'",
            "divide the boiler's rated heat input by its design steam output",
        ),
        Rule(
            "unit",
            "boiler_ratio_b <> '' AND qkind <> 'mass'",
            "'with boiler_ratio_b the quantity is steam generated and needs a mass unit'",
            "give the steam in lb (or kg)",
        ),
    ]
    if check_facilities:
        rules.append(
            Rule(
                "facility_id",
                "facility_id <> '' AND facility_id NOT IN (SELECT id FROM fac_lu)",
                "'facility not in the facilities file'",
                "add the facility to the facilities file, or fix the id",
            )
        )
    return rules


def _facility_rules(columns: tuple[Column, ...], present: list[str]) -> list[Rule]:
    """The rules of a facilities file (ingest.columns.Rule), as for activity."""
    return [
        *_text_rules(columns, present),
        Rule(
            "facility_id", "facility_id = ''", "'facility id is empty'", "give every facility an id"
        ),
        Rule(
            "facility_id",
            "facility_id <> '' AND dupes > 1 AND _row <> first_row",
            "'duplicate facility id (first used in row ' || first_row || ')'",
            "facility ids must be unique",
        ),
        Rule(
            "organization_id",
            "organization_id = ''",
            "'organisation id is empty'",
            "name the owning organisation",
        ),
        Rule("name", "name = ''", "'name is empty'", "give the facility a name"),
        Rule(
            "country",
            "country NOT IN ('US', 'CN')",
            "'unsupported country'",
            "use US or CN (ISO 3166-1 alpha-2)",
        ),
        Rule(
            "state_province",
            "NOT regexp_full_match(state_province, '[A-Z]{2}-[A-Z0-9]{1,3}') "
            "OR left(state_province, 2) <> country",
            "'not an ISO 3166-2 code of the facility''s country'",
            "e.g. US-AZ or CN-JS",
        ),
        Rule(
            "ipcc_sector",
            f"ipcc_sector NOT IN ({', '.join(sql_string(s) for s in schema.IPCC_SECTORS)})",
            "'unknown IPCC sector group'",
            "use one of: " + ", ".join(schema.IPCC_SECTORS),
        ),
        Rule(
            "equity_share",
            "equity_share <> '' AND (es IS NULL OR es <= 0 OR es > 1)",
            "'must be a fraction in (0, 1]'",
            "e.g. 0.5 for a 50 percent share",
        ),
        *(
            Rule(
                c,
                f"lower({c}) NOT IN ('', 'yes', 'no')",
                "'must be yes or no'",
                "leave blank for yes (the organisation has this kind of control)",
            )
            for c in ("operational_control", "financial_control")
        ),
    ]


def validate_facilities(raw: RawTable, max_problems: int = MAX_PROBLEMS) -> pd.DataFrame:
    """Validate a facilities file; return it typed, or raise InputError."""
    columns = schema.FACILITIES + schema.FACILITY_BOUNDARY
    problems, _ = _header(raw, columns)
    if problems:
        raise InputError(problems)
    con = duckdb.connect()
    _register(con, raw, columns)
    con.execute(
        "CREATE TEMP TABLE checked AS SELECT *, count(*) OVER (PARTITION BY facility_id) "
        "AS dupes, min(_row) OVER (PARTITION BY facility_id) AS first_row, "
        "TRY_CAST(equity_share AS DOUBLE) AS es FROM raw"
    )
    rules = _facility_rules(columns, raw.table.column_names)
    found, total = _problems(con, raw, rules, max_problems)
    if found:
        raise InputError(found, total)
    df = con.execute(
        "SELECT facility_id, organization_id, name, NULLIF(name_zh, '') AS name_zh, country, "
        "state_province, NULLIF(grid_region, '') AS grid_region, NULLIF(sector, '') AS sector, "
        "ipcc_sector, COALESCE(es, 1.0) AS equity_share, NULLIF(programmes, '') AS programmes, "
        "lower(operational_control) <> 'no' AS operational_control, "
        "lower(financial_control) <> 'no' AS financial_control "
        "FROM checked ORDER BY _row"
    ).df()
    return df


def _generic_rules(cols: tuple[Column, ...]) -> list[Rule]:
    """What any domain's file obeys whatever its schema: required values present, numbers
    parse and are not negative (amounts consumed, released or stored), enums are one of their
    choices."""
    rules = []
    for c in cols:
        q = _quote(c.name)
        if c.required:
            rules.append(Rule(c.name, f"trim({q}) = ''", "'a value is required'", c.doc or ""))
        if c.kind == "enum" and c.choices:
            listed = ", ".join(sql_string(x) for x in c.choices)
            rules.append(
                Rule(
                    c.name,
                    f"trim({q}) <> '' AND trim({q}) NOT IN ({listed})",
                    "'not one of the allowed values'",
                    "one of: " + ", ".join(c.choices),
                )
            )
        if c.kind == "number":
            v = f"TRY_CAST({q} AS DOUBLE)"
            rules.append(
                Rule(
                    c.name,
                    f"trim({q}) <> '' AND ({v} IS NULL OR {v} < 0 OR NOT isfinite({v}))",
                    "'must be a number ≥ 0'",
                    "a plain number, e.g. 12.5 (no unit, no thousands separator)",
                )
            )
    return rules


def validate_table(raw: RawTable, schema: Schema, max_problems: int = MAX_PROBLEMS) -> pa.Table:
    """Validate a domain's file by its schema alone (header, text limits, no formulas, required
    values, numbers ≥ 0, enum choices, then the schema's own `rules`); return the typed table in
    file order, or raise InputError with located problems. The activity file has its own rules
    on top: validate_activity."""
    problems, _ = _header(raw, schema.file_columns)
    if problems:
        raise InputError(problems)
    con = duckdb.connect()
    _register(con, raw, schema.file_columns)
    con.execute("CREATE OR REPLACE TEMP VIEW checked AS SELECT * FROM raw")
    cols = schema.file_columns
    rules = _text_rules(cols, raw.table.column_names) + _generic_rules(cols) + list(schema.rules)
    found, total = _problems(con, raw, rules, max_problems)
    if found:
        raise InputError(found, total)
    return con.execute(f"{schema.typed_sql('checked')} ORDER BY {ROW}").to_arrow_table()


def validate_folder(
    folder: Path, files: Mapping[str, Schema], optional: tuple[str, ...] = ()
) -> dict[str, pd.DataFrame]:
    """Every file of a domain's folder (name -> schema) validated by `validate_table`, the
    `optional` ones read as empty when absent; all their problems together, or the tables."""
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for name, sch in files.items():
        if name in optional and not (Path(folder) / name).exists():
            tables[name] = sch.arrow_schema.empty_table().to_pandas()
            continue
        try:
            tables[name] = validate_table(read_table(Path(folder) / name), sch).to_pandas()
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return tables
