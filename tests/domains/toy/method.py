"""The toy method: CO2 = gas flared (m³) × 2.0 kg CO2/m³ (a made-up factor: a toy)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from openmrv.methods import Method
from openmrv.methods.base import Ctx

KG_CO2_PER_M3 = 2.0


class ToyFlare(Method):
    id = "toy_flare"
    version = "1"
    title = "Toy flare meters"
    label = "Toy flaring"
    label_zh = "玩具火炬"
    short_label = "Toy"
    categories = ("toy_flaring",)
    heat_basis = "HHV"
    equations = ("toy-1",)
    editions = {}

    def plan(self, act: ir.Table, ctx: Ctx) -> ir.Table:
        return act.select(
            "source_row",
            methodology=ibis.literal(self.id),
            gas=ibis.literal("CO2"),
            mass_t=act.qty * KG_CO2_PER_M3 / 1000,
        )
