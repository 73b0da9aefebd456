"""Methodology ids are spelt in one place: the methods package. Everything else reads the registry
(labels, countries, heat bases, comparisons, defaults), so a new method needs no edit elsewhere and
a renamed one cannot leave a stale copy behind. Tests may spell ids."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
import pytest

from openmrv.methods import (
    COMPARED,
    COMPARISONS,
    COUNTRY_METHOD,
    FALLBACK,
    HHV_METHODS,
    METHODS,
    labels,
)

SRC = Path(__file__).parents[1] / "src" / "openmrv"
METHODS_DIR = SRC / "methods"
ID = re.compile(r"\b(" + "|".join(map(re.escape, METHODS)) + r")\b")


def id_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string constant of `source` that names a registered method id
    (docstrings and help texts included; f-strings' literal parts too)."""
    return [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and ID.search(node.value)
    ]


def test_no_method_id_literal_outside_the_methods_package():
    found = [
        f"{path.relative_to(SRC.parent)}:{line}: {text[:80]!r}"
        for path in sorted(SRC.rglob("*.py"))
        if METHODS_DIR not in path.parents
        for line, text in id_literals(path.read_text(encoding="utf-8"))
    ]
    assert not found, "read the registry (openmrv.methods) instead:\n" + "\n".join(found)


def test_the_scan_sees_what_it_must_reject():
    """The check above cannot pass vacuously: it finds ids in the forms code spells them."""
    src = (
        'X = {"cn_mee": 1}\n'
        'def f(m="epa_part98_c"):\n    "Default ipcc2006_t1 then epa_hub_ghgp."\n'
        'y = f"{z} epa_hub_ghgp"\n'
        'ok = "mee_fuel_defaults" + "cn_meets" + "epa_hub_t1"\n'
    )
    hits = [text for _, text in id_literals(src)]
    assert len(hits) == 4, hits
    assert METHODS_DIR.is_dir() and len(list(SRC.rglob("*.py"))) > 50


@pytest.mark.parametrize("method", list(METHODS.values()), ids=list(METHODS))
def test_every_method_describes_itself(method):
    assert METHODS[method.id] is method
    assert method.label and method.label_zh and method.short_label
    assert method.country is None or re.fullmatch(r"[A-Z]{2}", method.country)
    assert method.heat_basis in {"HHV", "NCV"}
    assert method.categories and all(isinstance(c, str) for c in method.categories)
    assert method.compares_with is None or method.compares_with in METHODS
    assert method.compares_with != method.id


def test_what_the_reports_read_is_derived_from_the_descriptions():
    # the values the reports, web pages and API spelt out before the registry described them
    assert COUNTRY_METHOD == {"US": "epa_hub_ghgp", "CN": "cn_mee"}
    assert FALLBACK == ("ipcc2006_t1", "epa_hub_ghgp")
    assert set(HHV_METHODS) == {"epa_part98_c", "epa_hub_ghgp"}
    assert COMPARISONS == (("epa_part98_c", "cn_mee"), ("epa_part98_c", "ipcc2006_t1"))
    assert COMPARED == ("epa_part98_c", "cn_mee", "ipcc2006_t1")
    assert labels() == {
        "epa_part98_c": "US EPA Part 98 C",
        "epa_hub_ghgp": "GHG Protocol / EPA Hub",
        "cn_mee": "China MEE",
        "ipcc2006_t1": "IPCC 2006 Tier 1",
    }
    assert set(labels("zh-CN")) == set(METHODS)
    assert all(m in METHODS for m in FALLBACK)
    countries = [m.country for m in METHODS.values() if m.inventory_primary]
    assert len(countries) == len(set(countries)), "one primary method per country"


def test_each_plan_calculates_exactly_its_declared_categories():
    """Coverage reports trust `categories` to tell "not covered" from "not computed": each
    method's rows (computed or not) on the bundled examples, which hold every category but
    process, are of its declared categories, and of all of them the examples hold."""
    from openmrv.cli.console import load_inputs
    from openmrv.cli.web import EXAMPLES
    from openmrv.combustion.schema import ACTIVITY
    from openmrv.engine import calculate

    fac, checked = load_inputs(EXAMPLES / "facilities.csv", EXAMPLES / "activity.csv", ACTIVITY)
    run = calculate(checked.table, fac, schema=ACTIVITY)
    cols = ["methodology", "category"]
    rows = pd.concat([run.results.select(cols).to_pandas(), run.skipped.select(cols).to_pandas()])
    held = set(checked.table.column("category").to_pylist())
    assert held >= {"stationary_combustion", "mobile_combustion", "refrigerant"}
    for m in METHODS.values():
        seen = set(rows.category[rows.methodology == m.id])
        assert seen == set(m.categories) & held, (m.id, seen, m.categories)
