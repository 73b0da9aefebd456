"""Hourly Scope 2, granular certificates and 24/7 carbon-free energy (issue 19).

Meter-interval consumption, contracted clean supply and hourly grid factors are checked into
UTC hours and accounted side by side per facility and year: location-based hourly (Σ L_h·EF_h)
and annual; market-based annual (GHG Protocol Scope 2 Guidance, 2015) and hourly matching (the
2025 consultation draft: same hour, same market boundary, excess not carried across hours); the
24/7 CFE score as PyPSA/247-cfe computes it (Google, "24/7 Carbon-Free Energy: Methodologies and
Metrics", 2021). EnergyTag granular certificates (≤ 1 h, Wh, id ranges) are imported,
transferred, cancelled and claimed with range splitting, each certificate claimed once.
Sources: ../shared/reference/modules/hourly-scope2-smart-grid.md (digest) and docs/grid.md."""

__all__ = [
    "calc",
    "certificates",
    "charts",
    "cli",
    "factors",
    "i18n",
    "intervals",
    "pages",
    "plugin",
    "problems",
    "report",
    "schema",
    "store",
]
