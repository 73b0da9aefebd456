"""The product-footprint input files, declared once: the products (ids, names, declared unit,
mass, classification, facility and production line), production per product and year, the
allocation rule per facility and year, and the materials bought for each product. A folder holds
one of each (`FILES`); `read_folder` checks them all with located problems and refuses the
folder as a whole (nothing is computed or stored from a folder with a problem).

Numbers are kept as their text (dtype TEXT, checked as numbers ≥ 0) so the computation reads
them as exact Decimals."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from openmrv.ingest.columns import Column, Dtype, Rule, Schema
from openmrv.ingest.errors import InputError, Problem
from openmrv.ingest.validate import validate_folder

__all__ = ["DECLARED_UNITS", "FILES", "Inputs", "read_folder", "urns"]

# PACT v3 CarbonFootprint.declaredUnitOfMeasurement (reference/pact-v3.md §7.2)
DECLARED_UNITS = (
    "liter", "kilogram", "cubic meter", "kilowatt hour", "megajoule", "ton kilometer",
    "square meter", "piece", "hour", "megabit second",
)  # fmt: skip
RULES = ("mass", "economic", "line")
# RFC 8141 namespace identifier and a non-empty specific string, no spaces
URN = r"^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$"


def urns(text: str) -> list[str]:
    """The URNs of a cell holding one or more, separated by spaces."""
    return text.split()


def _text(name: str, doc: str, required: bool = True, kind: str = "text") -> Column:
    return Column(name, kind=kind, dtype=Dtype.TEXT, required=required, doc=doc)


def _num(name: str, doc: str, unit: str, required: bool = True) -> Column:
    return Column(
        name, kind="number", dtype=Dtype.TEXT, required=required, sql=f"trim({name})",
        unit_kind=unit, doc=doc,
    )  # fmt: skip


def _urn_rule(col: str, many: bool) -> Rule:
    cell = f"trim({col})"
    bad = (
        f"list_bool_or(list_transform(string_split_regex({cell}, '\\s+'), "
        f"u -> NOT regexp_full_match(u, '{URN}')))"
        if many
        else f"NOT regexp_full_match({cell}, '{URN}')"
    )
    return Rule(
        col,
        f"{cell} <> '' AND {bad}",
        "'not a URN'",
        "urn:<namespace>:<id>, e.g. urn:pact:sunbridge.example:product-id:M550"
        + (" (several separated by spaces)" if many else ""),
    )


YEAR = Column(
    "year", kind="number", dtype=Dtype.INTEGER, required=True, sql="CAST(year AS INTEGER)",
    doc="Reporting year (the reference period is the calendar year).",
)  # fmt: skip
YEAR_RULE = Rule(
    "year",
    "TRY_CAST(year AS INTEGER) IS NULL OR TRY_CAST(year AS INTEGER) NOT BETWEEN 1990 AND 2100",
    "'not a year'",
    "a four-digit year, e.g. 2025",
)
ROW = Column("source_row", dtype=Dtype.BIGINT, sql="_row", lineage=True)
PRODUCT = _text("product", "The organisation's own key of the product.", kind="id")

PRODUCTS = Schema(
    "pact_products",
    (
        PRODUCT,
        _text("product_ids", "PACT productIds: one or more URNs, separated by spaces."),
        _text("name", "Product name (productNameCompany), English."),
        _text("name_zh", "Product name, Chinese.", required=False),
        _text("description", "productDescription: what the product is.", required=False),
        Column("declared_unit", kind="enum", dtype=Dtype.TEXT, required=True,
               choices=DECLARED_UNITS, doc="declaredUnitOfMeasurement of one footprint."),
        _num("declared_unit_amount", "declaredUnitAmount: how many declared units one "
             "footprint is for (e.g. 1 piece).", "count"),
        _num("mass_kg", "productMassPerDeclaredUnit, kg (also the mass allocation basis).",
             "kg"),
        _text("classification", "A product classification URN (productClassifications), "
              "e.g. urn:pact:productclassification:un-cpc:46420.", required=False),
        _text("facility_id", "Facility making it (its Scope 1 and 2 are allocated).",
              kind="id"),
        _text("source_id", "Production line (activity source_id) making it, for the `line` "
              "allocation rule.", required=False, kind="id"),
        _num("fossil_carbon_kg", "fossilCarbonContent: fossil carbon in the product, kg C per "
             "declared unit (e.g. in polymers).", "kg"),
        _num("biogenic_carbon_kg", "biogenicCarbonContent, kg C per declared unit.", "kg",
             False),
        ROW,
    ),
    record="product",
    quantity="mass_kg",
    rules=(
        _urn_rule("product_ids", many=True),
        _urn_rule("classification", many=False),
        Rule("declared_unit_amount", "TRY_CAST(declared_unit_amount AS DOUBLE) = 0",
             "'zero'", "declaredUnitAmount must be above 0"),
        Rule("mass_kg", "TRY_CAST(mass_kg AS DOUBLE) = 0", "'zero'",
             "the product's mass per declared unit, above 0"),
    ),
)  # fmt: skip

PRODUCTION = Schema(
    "pact_production",
    (
        PRODUCT,
        YEAR,
        _num("quantity", "Quantity produced in the year, in declared units.", "count"),
        _num("economic_value", "Economic value of the year's production (for the economic "
             "rule), in one currency for all products of a facility.", "currency", False),
        ROW,
    ),
    record="product",
    quantity="quantity",
    rules=(
        YEAR_RULE,
        Rule("quantity", "TRY_CAST(quantity AS DOUBLE) = 0", "'zero'",
             "leave out a product not produced in the year"),
    ),
)  # fmt: skip

ALLOCATION = Schema(
    "pact_allocation",
    (
        _text("facility_id", "Facility.", kind="id"),
        YEAR,
        Column("rule", kind="enum", dtype=Dtype.TEXT, required=True, choices=RULES,
               doc="mass (physical), economic, or line (each production line's own sources "
               "to its products, the rest by mass)."),
        ROW,
    ),
    record="facility_id",
    quantity="year",
    rules=(YEAR_RULE,),
)  # fmt: skip

MATERIALS = Schema(
    "pact_materials",
    (
        PRODUCT,
        YEAR,
        _text("material", "What was bought, e.g. solar glass.", kind="id"),
        _text("supplier", "Supplier's company name.", required=False),
        _text("supplier_product_id", "The supplier's product id (URN) its footprint is "
              "matched by.", required=False),
        _num("quantity", "Quantity bought for the year's production of the product, in "
             "`unit`.", "count"),
        Column("unit", kind="enum", dtype=Dtype.TEXT, required=True, choices=DECLARED_UNITS,
               doc="Unit of quantity, a PACT declared unit (matched to the supplier's)."),
        _text("secondary_factor", "Id of the secondary factor used when the supplier's "
              "footprint is not at hand (pact/secondary_factors.csv).", required=False,
              kind="id"),
        ROW,
    ),
    record="material",
    quantity="quantity",
    rules=(
        YEAR_RULE,
        _urn_rule("supplier_product_id", many=False),
        Rule("secondary_factor", "trim(secondary_factor) = '' AND trim(supplier_product_id) "
             "= ''", "'neither a supplier product id nor a secondary factor'",
             "name the supplier's product id, a secondary factor, or both"),
    ),
)  # fmt: skip

COMPANY = Schema(
    "pact_company",
    (
        _text("company_name", "companyName of the footprints.", kind="text"),
        _text("company_ids", "companyIds: one or more URNs, separated by spaces."),
        ROW,
    ),
    record="company_name",
    quantity="source_row",
    rules=(_urn_rule("company_ids", many=True),),
)

OPTIONAL = ("materials.csv",)  # none: no purchased materials counted (say so in the description)
# The folder's files: name -> schema, in the order they are checked.
FILES = {
    "company.csv": COMPANY,
    "products.csv": PRODUCTS,
    "production.csv": PRODUCTION,
    "allocation.csv": ALLOCATION,
    "materials.csv": MATERIALS,
}


@dataclass
class Inputs:
    """The validated tables of a folder (source_row: the file's row)."""

    company: pd.DataFrame
    products: pd.DataFrame
    production: pd.DataFrame
    allocation: pd.DataFrame
    materials: pd.DataFrame


def _problem(file: str, row: Any, column: str, value: object, text: str, fix: str) -> Problem:
    return Problem(file, int(row), column, str(value), text, fix)


def _dupes(df: pd.DataFrame, key: list[str], file: str) -> list[Problem]:
    d = df[df.duplicated(key, keep="first")]
    return [
        _problem(file, r.source_row, key[-1], "/".join(str(getattr(r, k)) for k in key),
                 f"a second row for the same {', '.join(key)}", "keep one row")
        for r in d.itertuples()
    ]  # fmt: skip


def _unknown(df: pd.DataFrame, col: str, known: set[str], file: str, what: str) -> list[Problem]:
    return [
        _problem(file, r.source_row, col, getattr(r, col), f"not a {what} of products.csv",
                 f"use a {what} listed in products.csv")
        for r in df[~df[col].isin(known)].itertuples()
    ]  # fmt: skip


def consistency(d: Inputs) -> list[Problem]:
    """What no single file shows: keys repeated, products, facilities unknown."""
    products = set(d.products["product"])
    facilities = set(d.products["facility_id"])
    return [
        *_dupes(d.products, ["product"], "products.csv"),
        *_dupes(d.production, ["product", "year"], "production.csv"),
        *_dupes(d.allocation, ["facility_id", "year"], "allocation.csv"),
        *_dupes(d.materials, ["product", "year", "material", "supplier_product_id"],
                "materials.csv"),
        *_unknown(d.production, "product", products, "production.csv", "product"),
        *_unknown(d.materials, "product", products, "materials.csv", "product"),
        *_unknown(d.allocation, "facility_id", facilities, "allocation.csv", "facility"),
    ]  # fmt: skip


def read_folder(folder: Path) -> Inputs:
    """Every file of the folder validated; all their problems together, or the tables."""
    tables = validate_folder(Path(folder), FILES, OPTIONAL)
    data = Inputs(*(tables[n] for n in FILES))
    problems = consistency(data)
    if len(data.company) != 1:
        problems.append(
            Problem(
                "company.csv",
                None,
                None,
                str(len(data.company)),
                "one row is needed",
                "name the company once",
            )
        )
    if problems:
        raise InputError(problems)
    return data
