"""Stationary combustion: fuel and electricity activity records and the four methodologies that
calculate them (Part 98 Subpart C, EPA Emission Factors Hub, China MEE, IPCC 2006 Tier 1).
A domain like any other: it registers through `openmrv.hookspecs` (see plugin.py)."""

__all__ = ["cli", "cli_engine", "cli_reports", "plugin", "schema"]
