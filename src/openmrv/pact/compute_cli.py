"""`openmrv pact compute`: the organisation's product footprints of a year computed from its
stored calculation run and an input folder, issued (or kept when unchanged), shown with their
lineage as a table or JSON."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from openmrv.cli.console import ByOpt, DbOpt, actor, opened_store, out
from openmrv.cli.console import gettext as _

if TYPE_CHECKING:  # the computation (methods, units) loads when the command runs
    from openmrv.pact.footprint import Computed

__all__ = ["compute", "report"]


class Fmt(StrEnum):
    table = "table"
    json = "json"


def report(computed: list[Computed]) -> list[dict[str, object]]:
    """What the command prints as JSON: each product's status, footprint and lineage."""
    return [
        {
            "product": c.product,
            "status": c.status,
            "id": str(c.pf.id),
            "preceding": c.preceding,
            "footprint": c.pf.to_wire(),
            "lineage": c.lineage,
        }
        for c in computed
    ]


def _upstream(c: Computed) -> str:
    return "; ".join(
        f"{x['material']}: {x.get('supplier_pf_id') or x.get('secondary_factor_id')}"
        for x in c.lineage["upstream"]
    )


def compute(
    org: Annotated[str, typer.Option("--org", help="Organisation.")],
    period: Annotated[int, typer.Option(help="Reporting year, e.g. 2025.")],
    inputs: Annotated[
        Path, typer.Option(help="Folder: company, products, production, allocation, materials.")
    ],
    fmt: Annotated[Fmt, typer.Option("--format", "-f")] = Fmt.table,
    db: DbOpt = "openmrv.duckdb",
    by: ByOpt = None,
) -> None:
    """Compute and issue the product footprints of a year (cradle-to-gate): the facility's
    Scope 1 + Scope 2 market-based of the latest run, allocated, plus purchased materials."""
    from openmrv.pact.footprint import compute_and_issue

    with opened_store(db) as s:
        got = compute_and_issue(s, org, inputs, period, actor(by))
    if fmt == Fmt.json:
        out.print_json(json.dumps(report(got)))
        return
    t = Table(
        _("product"), _("status"), _("kg CO2e per declared unit"), _("declared unit"),
        _("allocated kg CO2e (rule, share)"), _("upstream kg CO2e"),
        title=_("{org} product footprints {year}").format(org=org, year=period),
    )  # fmt: skip
    for c in got:
        a, pcf = c.lineage["allocation"], c.pf.pcf
        t.add_row(
            c.product, _(c.status), str(pcf.pcf_excluding_biogenic_uptake),
            f"{pcf.declared_unit_amount} {pcf.declared_unit_of_measurement}",
            f"{float(a['allocated_fossil_kg']):,.1f} ({a['rule']}, {float(a['share']):.4f})",
            f"{float(c.lineage['totals_kg']['upstream']):,.1f}",
        )  # fmt: skip
    out.print(t)
    line = _("{product}: footprint {id} · calculation run {run} · upstream from {upstream}")
    for c in got:  # the lineage, one line each
        text = line.format(product=c.product, id=c.pf.id, run=c.lineage["facility"]["run_id"],
                           upstream=_upstream(c))  # fmt: skip
        out.print(text, highlight=False, soft_wrap=True)
