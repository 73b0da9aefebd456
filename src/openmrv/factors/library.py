"""Load and validate the factor library.

Each CSV in ``data/`` holds one source table in one edition, in a uniform long format: one row
per published value, keyed by (table_id, edition, subject, parameter, gas), with the value, its
unit, and provenance (publisher, document, table, status). Values are also converted once, at
load time, to canonical units (kg, GJ, m³, Nm³) so methods never convert units per row.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import pandas as pd

from openmrv.units import UnitError, parse_ratio

DATA = Path(__file__).parent / "data"
FUELS = Path(__file__).parent / "fuels.csv"
STATUSES = ("official", "secondary", "provisional")
PROVENANCE = ("publisher", "document", "table_ref", "edition", "status")
KEY = ["table_id", "edition", "subject", "parameter", "gas"]

# Expected (numerator kind, allowed denominator kinds) per parameter.
PARAM_KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "hhv": ("energy", frozenset({"mass", "volume", "gas_volume"})),
    "ncv": ("energy", frozenset({"mass", "volume", "gas_volume"})),
    "ef": ("mass", frozenset({"energy", "mass", "volume", "gas_volume"})),
    "ef_nonbaseload": ("mass", frozenset({"energy"})),
    "carbon_content": ("mass", frozenset({"energy", "mass", "volume"})),
    "oxidation": ("one", frozenset({"one"})),
    "gwp": ("one", frozenset({"one"})),
    "mass_fraction": ("one", frozenset({"one"})),
    "grid_loss": ("one", frozenset({"one"})),
    "ncv_gcv_ratio": ("one", frozenset({"one"})),
    "density": ("mass", frozenset({"volume"})),
    "specific_volume": ("volume", frozenset({"mass"})),  # as printed (m³/t); 1/density
}

# Plausible ranges in canonical units (kg, GJ, m³, Nm³), by (parameter, gas, denominator kind).
# A value outside its range is almost always a unit or transcription error.
RANGES: dict[tuple[str, str, str], tuple[float, float]] = {
    ("hhv", "", "mass"): (0.003, 0.06),
    ("ncv", "", "mass"): (0.003, 0.06),
    ("hhv", "", "volume"): (5.0, 50.0),
    ("ncv", "", "volume"): (5.0, 50.0),
    ("hhv", "", "gas_volume"): (0.002, 0.2),
    ("ncv", "", "gas_volume"): (0.002, 0.2),
    ("ef", "CO2", "energy"): (5.0, 350.0),
    ("ef", "CH4", "energy"): (0.0, 0.5),  # IPCC Table 2.5: 300 kg/TJ for coal and wood at home
    ("ef", "N2O", "energy"): (0.0, 0.01),
    ("ef_nonbaseload", "CO2", "energy"): (5.0, 350.0),
    ("ef_nonbaseload", "CH4", "energy"): (0.0, 0.1),
    ("ef_nonbaseload", "N2O", "energy"): (0.0, 0.01),
    ("ef", "CO2", "volume"): (500.0, 4000.0),
    ("ef", "CO2", "gas_volume"): (0.5, 5.0),
    ("carbon_content", "", "energy"): (10.0, 80.0),
    ("oxidation", "", "one"): (0.5, 1.0),
    ("gwp", "*", "one"): (0.0, 50000.0),
    ("mass_fraction", "*", "one"): (0.0, 1.0),
    ("grid_loss", "", "one"): (0.0, 0.2),
    ("ncv_gcv_ratio", "", "one"): (0.8, 1.0),
    ("density", "", "volume"): (400.0, 1100.0),  # liquid fuels, kg/m³
    ("specific_volume", "", "mass"): (1 / 1100.0, 1 / 400.0),  # the same, m³/kg
}


# Catalogue columns holding a fuel's name as a source table prints it (accepted as input names).
# cfr98_c2 names fuel *groups* ("Petroleum Products (all fuel types in Table C-1)"), not fuels,
# except where a Table C-2 row is one fuel (Natural Gas, Fuel Gas, Wood and wood residuals...).
PRINTED = ("epa_hub", "cfr98_c1", "epa_hub_mobile", "ipcc2006")


def name_key(text: str) -> str:
    """Normalised fuel/refrigerant name used for matching (must equal ingest's _NAME_SQL)."""
    return re.sub(r"[\s_]+", " ", text.strip().lower())


def accepted_names(f: pd.Series) -> set[str]:
    """A catalogue row's names accepted as input (printed as they are)."""
    names = {f.code, f.name_en, f.name_zh, *str(f.aliases).split(";")}
    names |= {f[c] for c in PRINTED}
    if "(all" not in f.cfr98_c2 and "-" not in f.cfr98_c2:
        names.add(f.cfr98_c2)
    return {n for n in names if n}


def fuel_names(fuels: pd.DataFrame) -> dict[str, str]:
    """Every accepted fuel name (normalised with `name_key`) -> fuel code: the code, English
    and Chinese names, aliases, and the name each source table prints."""
    out: dict[str, str] = {}
    for _, f in fuels.iterrows():
        for n in accepted_names(f):
            out.setdefault(name_key(n), f.code)
    return out


def _name_conflicts(fuels: pd.DataFrame) -> list[str]:
    """A name that means two fuels would silently pick one: a library problem."""
    seen: dict[str, str] = {}
    problems = []
    for _, f in fuels.iterrows():
        for n in accepted_names(f):
            k = name_key(n)
            if seen.setdefault(k, f.code) != f.code:
                problems.append(f"fuels.csv: name {n!r} means both {seen[k]!r} and {f.code!r}")
    return problems


@dataclass(eq=False)  # hashed by identity: one loaded library per process
class Library:
    """All factor rows (with canonical values) and the fuel catalogue."""

    factors: pd.DataFrame
    fuels: pd.DataFrame
    problems: list[str] = field(default_factory=list)

    def table(self, table_id: str, edition: str | None = None) -> pd.DataFrame:
        """Rows of one table (one edition, or all editions)."""
        t = self.factors[self.factors.table_id == table_id]
        if edition is not None:
            t = t[t.edition == edition]
        if t.empty:
            raise KeyError(f"no factor table {table_id!r} edition {edition!r} in the library")
        return t

    @cached_property
    def keys(self) -> dict[str, int]:
        """A small integer per factor id (1…N in id order), so result rows can carry their
        factors as numbers (see methods.base.ids); decode with ``ids_of``."""
        return {fid: i for i, fid in enumerate(sorted(self.factors.factor_id), start=1)}

    def key_table(self) -> pd.DataFrame:
        """(factor_key, factor_id) and each factor's provenance: written beside large results so
        their factor keys can be read without the library."""
        cols = ["factor_id", "table_id", "value", "unit", *PROVENANCE]
        out = self.factors[cols].copy()
        out.insert(0, "factor_key", out.factor_id.map(self.keys).astype("int64"))
        return out.sort_values("factor_key", ignore_index=True)

    def editions(self, table_id: str) -> list[str]:
        return sorted(self.factors.loc[self.factors.table_id == table_id, "edition"].unique())


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _check_row(r: dict[str, str], where: str) -> tuple[list[str], float | None, str, str]:
    """Validate one factor row; return (problems, canonical value, numerator, denominator)."""
    problems = [f"{where}: missing provenance field {f!r}" for f in PROVENANCE if not r.get(f)]
    if r.get("status") and r["status"] not in STATUSES:
        problems.append(f"{where}: status {r['status']!r} is not one of {STATUSES}")
    try:
        value = float(r["value"])
    except (TypeError, ValueError):
        return [*problems, f"{where}: value {r.get('value')!r} is not a number"], None, "", ""
    try:
        num, den, fac = parse_ratio(r["unit"])
    except UnitError as exc:
        return [*problems, f"{where}: {exc}"], None, "", ""
    expected = PARAM_KINDS.get(r["parameter"])
    if expected is None:
        problems.append(f"{where}: unknown parameter {r['parameter']!r}")
    elif num != expected[0] or den not in expected[1]:
        problems.append(
            f"{where}: unit {r['unit']!r} is {num}/{den}, not right for {r['parameter']}"
        )
    canonical = value * fac
    gas = r.get("gas", "")
    rng = RANGES.get((r["parameter"], gas, den)) or RANGES.get((r["parameter"], "*", den))
    if rng is None and r["parameter"] in ("hhv", "ncv", "carbon_content", "oxidation"):
        rng = RANGES.get((r["parameter"], "", den))
    if rng is not None and not rng[0] <= canonical <= rng[1]:
        problems.append(
            f"{where}: value {value} {r['unit']} = {canonical:.6g} in canonical units is outside "
            f"the plausible range {rng} for {r['parameter']} {gas}".rstrip()
        )
    return problems, canonical, num, den


def _load(data_dir: Path, fuels_path: Path) -> Library:
    rows: list[dict[str, object]] = []
    problems: list[str] = []
    for path in sorted(data_dir.glob("*.csv")):
        for i, r in enumerate(_read_csv(path), start=2):
            where = f"{path.name} row {i} ({r.get('factor_id', '?')})"
            p, canonical, num, den = _check_row(r, where)
            problems += p
            rows.append(
                {
                    **r,
                    "value": _num(r["value"]),
                    "value_canonical": canonical,
                    "num_kind": num,
                    "den_kind": den,
                    "file": path.name,
                }
            )
    factors = pd.DataFrame(rows)
    for col, what in (("factor_id", "factor id"),):
        dup = factors[factors.duplicated(col, keep=False)]
        problems += [f"duplicate {what} {v!r}" for v in sorted(set(dup[col]))]
    dupkey = factors[factors.duplicated(KEY, keep=False)]
    problems += [f"duplicate key {tuple(k)}" for k in dupkey[KEY].drop_duplicates().values]
    fuels = pd.DataFrame(_read_csv(fuels_path))
    problems += _name_conflicts(fuels)
    problems += [
        f"fuels.csv: duplicate fuel code {c!r}"
        for c in sorted(set(fuels.code[fuels.code.duplicated()]))
    ]
    return Library(factors=factors, fuels=fuels, problems=problems)


def _num(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


@cache
def load_library() -> Library:
    """The packaged library (validated; problems are listed in ``Library.problems``)."""
    return _load(DATA, FUELS)


def load_library_from(data_dir: Path, fuels_path: Path = FUELS) -> Library:
    """A library from another folder (used by tests with deliberately broken tables)."""
    return _load(data_dir, fuels_path)
