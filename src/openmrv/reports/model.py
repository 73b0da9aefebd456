"""What a report shows, as data: the `Bundle` that reports.bundle assembles and every format
(reports.html, the flat tables of reports.bundle) renders. Below both, so neither imports the other
for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from openmrv import plugins
from openmrv.reports import coverage
from openmrv.reports.decompose import Decomposition
from openmrv.reports.i18n import localize, t
from openmrv.reports.inventory import Inventory
from openmrv.reports.restate import Restatement

__all__ = ["Bundle"]


@dataclass
class Bundle:
    """Everything a report shows, as data; formats only render it."""

    meta: dict[str, Any]  # the run metadata (JSON-like)
    inventory: Inventory
    part98: pd.DataFrame
    mee: dict[str, pd.DataFrame]
    ipcc: pd.DataFrame
    comparisons: list[tuple[str, int, Decomposition]] = field(default_factory=list)
    targets: pd.DataFrame | None = None
    restatement: Restatement | None = None
    obligations: pd.DataFrame = field(default_factory=pd.DataFrame)  # English labels
    by_methodology: pd.DataFrame = field(default_factory=pd.DataFrame)  # scope totals, coverage
    not_computed: pd.DataFrame = field(default_factory=pd.DataFrame)  # by methodology, reason
    part98_not_computed: pd.DataFrame = field(default_factory=pd.DataFrame)
    obligations_by_lang: dict[str, pd.DataFrame] = field(default_factory=dict)
    part98_by_lang: dict[str, pd.DataFrame] = field(default_factory=dict)

    def part98_table(self, lang: str = "en") -> pd.DataFrame:
        return self.part98_by_lang.get(lang, self.part98)

    def methodology_totals(self, lang: str = "en") -> pd.DataFrame:
        """Per methodology, facility and year by scope, with the coverage in `lang`."""
        df = self.by_methodology
        return df.assign(coverage=coverage.label(df, lang)).drop(
            columns=["missing_share", "outside_categories"]
        )

    def tables(self, lang: str = "en") -> dict[str, pd.DataFrame]:
        """Name -> table, for the flat formats (obligations first); in another language than
        English, the generated texts (reasons, category lists) in that language."""
        inv = self.inventory
        out = {
            "obligations": self.obligations_by_lang.get(lang, self.obligations),
            "inventory_totals": inv.totals_with_coverage(lang),
            "inventory_not_computed": inv.not_computed(),
            "inventory_by_category": inv.by_category.assign(
                category=[t(f"category.{c}", lang) for c in inv.by_category.category]
            ),
            "scope2_market_based": inv.scope2.assign(
                rung=[t(f"rung.{r}", lang) for r in inv.scope2.rung]
            ),
            "inventory_records": inv.records,
            "totals_by_methodology": self.methodology_totals(lang),
            "not_computed_by_methodology": self.not_computed,
            "part98_subpart_c": self.part98_table(lang),
            "part98_not_computed": self.part98_not_computed,
            "ipcc_categories": self.ipcc,
        }
        for i, (name, table) in enumerate(self.mee.items(), start=1):
            out[f"mee_table{i}"] = table.rename_axis(name)
        for fac, year, d in self.comparisons:
            out[f"compare_{fac}_{year}_{d.base}_vs_{d.other}"] = d.effects.assign(
                cause=[t(f"cause.{c}", lang) for c in d.effects.cause]
            )
            if len(d.only):
                out[f"only_{fac}_{year}_{d.base}_vs_{d.other}"] = d.only
        if self.targets is not None:
            out["targets"] = self.targets
        if self.restatement is not None:
            out["restatement_summary"] = self.restatement.summary
            out["restatement_records"] = self.restatement.diff
        out |= {name: table for name, _, table in self.domain_sections(lang)}
        return {name: localize(table, lang) for name, table in out.items()}

    def domain_sections(self, lang: str = "en") -> list[tuple[str, str, pd.DataFrame]]:
        """(name, title, table) of each section a domain adds (plugins), when not empty."""
        out = []
        for s in plugins.report_sections():
            table = s.table(self, lang)
            if table is not None and len(table):
                out.append((s.name, t(s.title, lang), table))
        return out

    def domain_charts(self, lang: str = "en") -> dict[str, Any]:
        """Section name -> the Plotly figure a domain draws with its section (HTML only)."""
        charts = ((s.name, s.chart(self, lang)) for s in plugins.report_sections() if s.chart)
        return {name: fig for name, fig in charts if fig is not None}
