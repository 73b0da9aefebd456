"""Product carbon footprints (cradle-to-gate) computed from the organisation's stored results.

Per product and reporting year: the making facility's Scope 1 + Scope 2 market-based (the GHG
Protocol inventory of its latest calculation run, `run_scope_totals`, methodology `inventory`;
market-based as the PACT Methodology asks for electricity) allocated to the facility's products
by the declared rule (`allocation`), plus the purchased materials' upstream emissions
(`upstream`), divided by the production in declared units. Every number is Decimal; the lineage
stored with each footprint names the run and the totals used, the allocation rule and share,
and each supplier footprint (id, created) or secondary factor behind the upstream figure.

A footprint whose numbers are unchanged is kept; otherwise the new one restates it: a new id
whose `precedingPfIds` names the old one, which reads as Deprecated from then on (pact.store).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

from openmrv import plugins
from openmrv.errors import InvalidInput
from openmrv.ingest.errors import InputError, Problem
from openmrv.methods import COUNTRY_METHOD
from openmrv.pact.allocation import Allocation, ProductBasis, allocate, split
from openmrv.pact.lines import line_emissions
from openmrv.pact.model import (
    CarbonFootprint,
    DataQualityIndicators,
    EmissionFactorSource,
    ProductFootprint,
)
from openmrv.pact.schema import Inputs, read_folder, urns
from openmrv.pact.store import list_footprints, save_footprint
from openmrv.pact.upstream import Line, factors, latest_by_product, missing, upstream
from openmrv.store.db import Database
from openmrv.store.versions import latest_facilities_sql

__all__ = [
    "Computed",
    "FacilityTotals",
    "compute",
    "compute_and_issue",
    "facility_totals",
    "issue",
    "missing_footprints",
]

INVENTORY = "inventory"  # the GHG Protocol inventory's totals in run_scope_totals
SCOPES = ("1", "2_market")  # Scope 1 + Scope 2 market-based
OWN_DQR = (Decimal(1), Decimal(1), Decimal(1))  # the facility's own measured data, same year
PER_UNIT = Decimal("0.000001")  # kg CO2e per declared unit, as published
ONE_DECIMAL = Decimal("0.1")
STANDARDS = ["GHGP-Product"]


@dataclass(frozen=True)
class FacilityTotals:
    """The facility's totals a footprint uses, from one stored calculation run."""

    facility_id: str
    year: int
    run_no: int
    run_id: str
    scope_t: dict[str, Decimal]  # scope -> t CO2e (fossil), SCOPES only
    biogenic_t: Decimal
    gwp_set: str
    country: str
    captured_t: Decimal = Decimal(0)  # CO2 captured at the facility (the captured_co2 hook)
    capture_source: str | None = None

    @property
    def fossil_kg(self) -> Decimal:
        return sum(self.scope_t.values(), Decimal(0)) * 1000

    def lineage(self) -> dict[str, Any]:
        return {
            "facility_id": self.facility_id,
            "run_no": self.run_no,
            "run_id": self.run_id,
            "methodology": INVENTORY,
            "scope_totals_t": {k: str(v) for k, v in self.scope_t.items()},
            "biogenic_co2_t": str(self.biogenic_t),
            "gwp_set": self.gwp_set,
        }


def _dec(v: float) -> Decimal:
    """A stored DOUBLE as the Decimal of its shortest repr (the value the run wrote)."""
    return Decimal(repr(float(v)))


def _refused(facility: str, year: int, text: str, fix: str) -> InputError:
    return InputError([Problem("allocation.csv", None, "facility_id", facility, text, fix)])


def facility_totals(db: Database, org_id: str, facility_id: str, year: int) -> FacilityTotals:
    """Scope 1 and Scope 2 market-based of the facility in `year`, from the organisation's
    latest calculation run; refused when there is none or it did not compute every record."""
    run = db.one(
        "SELECT run_no, run_id, meta FROM org_runs WHERE organization_id = ? "
        "ORDER BY run_no DESC LIMIT 1",
        [org_id],
    )
    if run is None:
        raise _refused(facility_id, year, "no calculation run", "calculate the organisation")
    run_no, run_id, meta = run
    fac = db.one(
        f"SELECT country FROM ({latest_facilities_sql()}) f "
        "WHERE organization_id = ? AND facility_id = ?",
        [org_id, facility_id],
    )
    if fac is None:
        raise _refused(facility_id, year, f"not a facility of {org_id}", "use its own")
    rows = db.execute(
        "SELECT scope, co2e_t, biogenic_co2_t, not_computed FROM run_scope_totals "
        "WHERE run_no = ? AND methodology = ? AND facility_id = ? AND year = ? "
        "AND scope IN (?, ?) ORDER BY scope",
        [run_no, INVENTORY, facility_id, year, *SCOPES],
    )
    if not rows:
        raise _refused(facility_id, year, f"run {run_no} has no {year} totals", "upload them")
    if any(r[3] for r in rows):
        raise _refused(
            facility_id, year, f"run {run_no} did not compute every {year} record",
            "fix the records not computed (see the run's coverage), then calculate again",
        )  # fmt: skip
    country = str(fac[0])
    gwp = json.loads(meta).get("gwp_set", {}).get(COUNTRY_METHOD.get(country, ""), {})
    caught = plugins.captured_co2(db, org_id, facility_id, year)
    return FacilityTotals(
        facility_id, year, int(run_no), str(run_id),
        {str(s): _dec(t) for s, t, _, _ in rows},
        _dec(sum(b for s, _, b, _ in rows if s == "1")),
        str(gwp.get(str(year), "AR5")), country,
        sum((_dec(c.captured_t) for c in caught), Decimal(0)),
        "; ".join(c.source for c in caught) or None,
    )  # fmt: skip


@dataclass
class Computed:
    """One product's footprint as computed, with its lineage; `status` after `issue`:
    new, restated (preceding: the id it supersedes) or unchanged (pf: the stored one)."""

    product: str
    pf: ProductFootprint
    lineage: dict[str, Any]
    status: str = "computed"
    preceding: str | None = None


def _weighted(parts: list[tuple[Decimal, Decimal]]) -> Decimal:
    whole = sum((w for w, _ in parts), Decimal(0))
    if whole == 0:
        return parts[0][1] if parts else Decimal(0)
    return sum((w * v for w, v in parts), Decimal(0)) / whole


def _quality(own_kg: Decimal, lines: list[Line]) -> tuple[Decimal, DataQualityIndicators]:
    """Primary data share (percent of emissions from primary data: ours 100, a supplier's
    footprint its own share, a secondary factor 0) and the emission-weighted DQRs."""
    parts = [(own_kg, Decimal(100), OWN_DQR)] + [
        (x.emissions_kg, x.primary_share, x.dqr) for x in lines
    ]
    share = _weighted([(w, s) for w, s, _ in parts]).quantize(ONE_DECIMAL)
    dqr = [_weighted([(w, d[i]) for w, _, d in parts]).quantize(ONE_DECIMAL) for i in range(3)]
    return share, DataQualityIndicators(
        technological_dqr=dqr[0], geographical_dqr=dqr[1], temporal_dqr=dqr[2]
    )


def _period(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def _describe(a: Allocation, fac: FacilityTotals) -> str:
    basis = {"mass": "mass produced (kg)", "economic": "economic value of production",
             "line": "own sources of its production line, the rest by mass"}[a.rule]  # fmt: skip
    return (
        f"{fac.facility_id} Scope 1 + Scope 2 market-based of {fac.year} allocated by {a.rule}: "
        f"{basis}; share {a.share:.6f} (GHG Protocol Scope 3 Standard ch. 8, Box 8.1)"
    )


def _footprint(
    p: Any, q: Any, year: int, fac: FacilityTotals, a: Allocation, bio_kg: Decimal,
    cap_kg: Decimal, lines: list[Line], company: Any, created: datetime,
) -> tuple[ProductFootprint, dict[str, Any]]:  # fmt: skip
    units = Decimal(q.quantity) / Decimal(p.declared_unit_amount)
    up_kg = sum((x.emissions_kg for x in lines), Decimal(0))
    up_fossil = sum((x.fossil_kg for x in lines), Decimal(0))
    total_kg = a.emissions + bio_kg + up_kg
    share, dqi = _quality(a.emissions + bio_kg, lines)
    start, end = _period(year)

    def per(v: Decimal) -> Decimal:
        return (v / units).quantize(PER_UNIT, rounding=ROUND_HALF_EVEN)

    used = {x.factor_id for x in lines if x.factor_id}
    sources = [
        EmissionFactorSource(name=name, version=version)
        for name, version in dict.fromkeys(
            (f.dataset, f.version) for f in factors().values() if f.factor_id in used
        )
    ]
    materials = ", ".join(f"{x.material} ({x.source})" for x in lines) or "none"
    pcf = CarbonFootprint(
        declared_unit_of_measurement=p.declared_unit,
        declared_unit_amount=Decimal(p.declared_unit_amount),
        product_mass_per_declared_unit=Decimal(p.mass_kg),
        reference_period_start=start,
        reference_period_end=end,
        pcf_excluding_biogenic_uptake=per(total_kg),
        pcf_including_biogenic_uptake=per(total_kg),
        fossil_ghg_emissions=per(a.emissions + up_fossil),
        fossil_carbon_content=Decimal(p.fossil_carbon_kg),
        biogenic_carbon_content=Decimal(p.biogenic_carbon_kg) if p.biogenic_carbon_kg else None,
        ipcc_characterization_factors=[fac.gwp_set],
        cross_sectoral_standards=STANDARDS,
        exempted_emissions_percent=Decimal(0),
        geography_country=fac.country,
        boundary_processes_description=(
            f"Cradle-to-gate: Scope 1 and Scope 2 (market-based) of {fac.facility_id}, "
            f"allocated; purchased materials: {materials}."
        ),
        allocation_rules_description=_describe(a, fac),
        secondary_emission_factor_sources=sources or None,
        primary_data_share=share,
        dqi=dqi,
        # disclosed, not deducted: the facility totals are gross of what it captured
        ccs_technological_co2_capture_included=False if cap_kg else None,
        ccs_technological_co2_capture=-per(cap_kg) if cap_kg else None,
        technological_co2_capture_origin=fac.capture_source if cap_kg else None,
    )
    pf = ProductFootprint(
        id=uuid.uuid4(),
        created=created,
        validity_period_start=end,
        validity_period_end=end.replace(year=end.year + 3),
        company_name=company.company_name,
        company_ids=urns(company.company_ids),
        product_description=p.description or p.name,
        product_ids=urns(p.product_ids),
        product_classifications=[p.classification] if p.classification else None,
        product_name_company=p.name,
        comment=p.name_zh or None,
        pcf=pcf,
    )
    lineage = {
        "product": p.product,
        "year": year,
        "production": {"quantity": q.quantity, "declared_units": str(units),
                       "production_row": int(q.source_row)},
        "facility": fac.lineage(),
        "allocation": {"rule": a.rule, "basis": str(a.basis), "share": str(a.share),
                       "facility_fossil_kg": str(fac.fossil_kg),
                       "allocated_fossil_kg": str(a.emissions),
                       "allocated_biogenic_kg": str(bio_kg)},
        "upstream": [x.lineage() for x in lines],
        "totals_kg": {"facility": str(a.emissions + bio_kg), "upstream": str(up_kg),
                      "product": str(total_kg)},
        "ccs": {"captured_t": str(fac.captured_t), "source": fac.capture_source,
                "allocated_kg": str(cap_kg), "included": False} if cap_kg else None,
    }  # fmt: skip
    return pf, lineage


def _rule(inputs: Inputs, facility: str, year: int) -> str:
    al = inputs.allocation
    hit = al[(al.facility_id == facility) & (al.year == year)]
    if hit.empty:
        raise InputError(
            [Problem("allocation.csv", None, "rule", None,
                     f"no allocation rule for {facility} in {year}",
                     "add a row: facility_id, year, rule (mass, economic or line)")]
        )  # fmt: skip
    return str(hit.rule.iloc[0])


def _value(v: Any) -> Decimal | None:
    return Decimal(v) if v not in (None, "") and v == v else None


def compute(
    db: Database,
    org_id: str,
    inputs: Inputs,
    year: int,
    created: datetime | None = None,
) -> list[Computed]:
    """Every product produced in `year`, computed (nothing stored): its facility's allocated
    emissions plus its upstream."""
    created = created or datetime.now(UTC).replace(microsecond=0)
    received = latest_by_product(list_footprints(db, org_id, direction="received"))
    company = next(inputs.company.itertuples())
    prod = inputs.production[inputs.production.year == year].set_index("product")
    products = inputs.products[inputs.products["product"].isin(prod.index)]
    out: list[Computed] = []
    for facility, group in products.groupby("facility_id", sort=True):
        fac = facility_totals(db, org_id, str(facility), year)
        rule = _rule(inputs, str(facility), year)
        bases = [
            ProductBasis(
                p.product,
                Decimal(prod.loc[p.product, "quantity"]) * Decimal(p.mass_kg),
                _value(prod.loc[p.product, "economic_value"]),
                p.source_id or None,
            )
            for p in group.itertuples()
        ]
        lines = (
            line_emissions(db, org_id, str(facility), year, fac.scope_t.get("1", Decimal(0)))
            if rule == "line"
            else None
        )
        try:
            alloc = allocate(fac.fossil_kg, bases, rule, lines)
        except ValueError as exc:
            raise InvalidInput(f"{facility} {year}: {exc}") from exc
        by_mass = {b.product: b.mass_kg for b in bases}
        bio_kg, cap_kg = fac.biogenic_t * 1000, fac.captured_t * 1000
        bio = split(bio_kg, by_mass) if bio_kg else {}
        cap = split(cap_kg, by_mass) if cap_kg else {}
        for p in group.itertuples():
            mats = inputs.materials[
                (inputs.materials["product"] == p.product) & (inputs.materials.year == year)
            ]
            pf, lin = _footprint(
                p, prod.loc[p.product], year, fac, alloc[p.product], bio.get(p.product, Decimal(0)),
                cap.get(p.product, Decimal(0)), upstream(mats, received), company, created,
            )  # fmt: skip
            if lines is not None:
                lin["allocation"]["line_emissions_kg"] = {k: str(v) for k, v in lines.items()}
            out.append(Computed(p.product, pf, lin))
    return out


def _same(a: ProductFootprint, b: ProductFootprint) -> bool:
    skip = {"id", "created", "status", "precedingPfIds"}
    wa, wb = a.to_wire(), b.to_wire()
    return {k: v for k, v in wa.items() if k not in skip} == {
        k: v for k, v in wb.items() if k not in skip
    }


def issue(db: Database, org_id: str, computed: list[Computed], actor: str) -> list[Computed]:
    """Store each computed footprint unless the organisation's Active one for the same product
    and reference period says the same; a changed one restates (supersedes) it."""
    active = [pf for pf in list_footprints(db, org_id) if pf.status == "Active"]
    for c in computed:
        old = next(
            (
                pf
                for pf in reversed(active)
                if pf.product_ids[0] == c.pf.product_ids[0]
                and pf.pcf.reference_period_start == c.pf.pcf.reference_period_start
            ),
            None,
        )
        if old is not None and _same(old, c.pf):
            c.pf, c.status = old, "unchanged"
            continue
        if old is not None:
            c.pf.preceding_pf_ids = [old.id]
            c.preceding, c.status = str(old.id), "restated"
        else:
            c.status = "new"
        save_footprint(db, org_id, c.pf, lineage=c.lineage, actor=actor)
    return computed


def missing_footprints(db: Database, org_id: str, inputs: Inputs, year: int) -> list[str]:
    """Supplier product ids bought in `year` that no received Active footprint covers yet."""
    received = latest_by_product(list_footprints(db, org_id, direction="received"))
    return missing(inputs.materials[inputs.materials.year == year], received)


def compute_and_issue(
    db: Database, org_id: str, folder: Path, year: int, actor: str
) -> list[Computed]:
    """Read and check the input folder, compute every product of `year` and issue the
    footprints (nothing is stored when any input or total is refused)."""
    return issue(db, org_id, compute(db, org_id, read_folder(folder), year), actor)
