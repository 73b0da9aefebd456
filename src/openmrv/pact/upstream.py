"""Upstream emissions of a product: each purchased material × its supplier's footprint (one
received over PACT, matched by the supplier's product id) or, when none is at hand, a cited
secondary factor (`secondary_factors.csv`), marked as such so it lowers the primary data share.

GHG Protocol Scope 3 Technical Guidance (2013), category 1, hybrid method (formula 1.3,
Example 1.3, pp. 29-30): supplier-specific data where the supplier has it, secondary
cradle-to-gate factors for the rest, summed."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from openmrv.ingest.errors import InputError, Problem
from openmrv.pact.model import ProductFootprint

__all__ = ["Factor", "Line", "factors", "latest_by_product", "missing", "upstream"]

FACTORS = Path(__file__).with_name("secondary_factors.csv")
# DQR (1 very good - 5 very poor) of a supplier footprint that gives none
UNRATED_SUPPLIER = (Decimal(3), Decimal(3), Decimal(3))


@dataclass(frozen=True)
class Factor:
    """A secondary cradle-to-gate factor with its citation and our data-quality ratings."""

    factor_id: str
    material: str
    unit: str
    kgco2e_per_unit: Decimal
    dataset: str
    version: str
    source: str
    dqr: tuple[Decimal, Decimal, Decimal]  # technological, geographical, temporal


@cache
def factors(path: Path = FACTORS) -> dict[str, Factor]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {
            r["factor_id"]: Factor(
                r["factor_id"], r["material"], r["unit"], Decimal(r["kgco2e_per_unit"]),
                r["dataset"], r["version"], r["source"],
                (Decimal(r["technological_dqr"]), Decimal(r["geographical_dqr"]),
                 Decimal(r["temporal_dqr"])),
            )
            for r in csv.DictReader(fh)
        }  # fmt: skip


@dataclass(frozen=True)
class Line:
    """One purchased material's upstream emissions and where the number comes from."""

    material: str
    supplier: str
    quantity: Decimal
    unit: str
    kgco2e_per_unit: Decimal
    emissions_kg: Decimal
    fossil_kg: Decimal
    primary_share: Decimal  # percent of this line's emissions from primary data
    dqr: tuple[Decimal, Decimal, Decimal]
    source: str  # "supplier" or "secondary"
    pf_id: str | None = None
    pf_created: str | None = None
    factor_id: str | None = None
    source_row: int | None = None

    def lineage(self) -> dict[str, Any]:
        out = {
            "material": self.material,
            "supplier": self.supplier or None,
            "quantity": str(self.quantity),
            "unit": self.unit,
            "kgco2e_per_unit": str(self.kgco2e_per_unit),
            "emissions_kg": str(self.emissions_kg),
            "source": self.source,
            "materials_row": self.source_row,
        }
        if self.source == "supplier":
            out |= {"supplier_pf_id": self.pf_id, "supplier_pf_created": self.pf_created}
        else:
            out |= {"secondary_factor_id": self.factor_id}
        return out


def latest_by_product(received: Iterable[ProductFootprint]) -> dict[str, ProductFootprint]:
    """Each product id's Active received footprint, the latest created when several are."""
    out: dict[str, ProductFootprint] = {}
    for pf in sorted(received, key=lambda p: (p.created, str(p.id))):
        if pf.status == "Active":
            for pid in pf.product_ids:
                out[pid] = pf
    return out


def _per_unit(pf: ProductFootprint) -> Decimal:
    return pf.pcf.pcf_excluding_biogenic_uptake / pf.pcf.declared_unit_amount


def _bad_unit(row: Any, got: str, want: str, whose: str) -> Problem:
    return Problem(
        "materials.csv", int(row.source_row), "unit", got,
        f"{whose} is per {want}, the quantity is in {got}",
        f"give the quantity in {want}",
    )  # fmt: skip


def _from_supplier(m: Any, qty: Decimal, pf: ProductFootprint) -> Line:
    per = _per_unit(pf)
    fossil = pf.pcf.fossil_ghg_emissions / pf.pcf.declared_unit_amount
    dqi = pf.pcf.dqi
    dqr = (
        (dqi.technological_dqr, dqi.geographical_dqr, dqi.temporal_dqr)
        if dqi is not None
        else UNRATED_SUPPLIER
    )
    share = pf.pcf.primary_data_share if pf.pcf.primary_data_share is not None else Decimal(0)
    return Line(
        m.material, m.supplier, qty, m.unit, per, qty * per, qty * fossil, share, dqr,
        "supplier", pf_id=str(pf.id), pf_created=pf.to_wire()["created"],
        source_row=int(m.source_row),
    )  # fmt: skip


def _secondary(m: Any, qty: Decimal, f: Factor) -> Line:
    e = qty * f.kgco2e_per_unit
    return Line(
        m.material, m.supplier, qty, m.unit, f.kgco2e_per_unit, e, e, Decimal(0), f.dqr,
        "secondary", factor_id=f.factor_id, source_row=int(m.source_row),
    )  # fmt: skip


def upstream(materials: Any, received: dict[str, ProductFootprint]) -> list[Line]:
    """The upstream lines of one product's materials (rows of materials.csv); a located
    problem for a unit that does not match the footprint or factor, or a factor not listed."""
    lines: list[Line] = []
    problems: list[Problem] = []
    table = factors()
    for m in materials.itertuples():
        qty = Decimal(m.quantity)
        pf = received.get(m.supplier_product_id) if m.supplier_product_id else None
        if pf is not None:
            unit = pf.pcf.declared_unit_of_measurement
            if unit != m.unit:
                problems.append(_bad_unit(m, m.unit, unit, f"the supplier's footprint {pf.id}"))
                continue
            lines.append(_from_supplier(m, qty, pf))
            continue
        f = table.get(m.secondary_factor)
        if f is None:
            problems.append(
                Problem("materials.csv", int(m.source_row), "secondary_factor",
                        m.secondary_factor or "",
                        "no footprint received for the supplier's product and no listed "
                        "secondary factor", "name a factor of pact/secondary_factors.csv or "
                        "pull the supplier's footprint")
            )  # fmt: skip
        elif f.unit != m.unit:
            problems.append(_bad_unit(m, m.unit, f.unit, f"secondary factor {f.factor_id}"))
        else:
            lines.append(_secondary(m, qty, f))
    if problems:
        raise InputError(problems)
    return lines


def missing(materials: Any, received: dict[str, ProductFootprint]) -> list[str]:
    """The supplier product ids of materials (rows of materials.csv) with no received Active
    footprint: what to pull or request from the suppliers, in file order."""
    ids = [m for m in materials.supplier_product_id if m and m not in received]
    return list(dict.fromkeys(ids))
