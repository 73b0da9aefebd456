"""CCUS: CO2 capture, transfer, injection and storage accounting with chain of custody.

Equations from 40 CFR 98 Subparts PP (98.423, captured CO2), RR (98.443, geologic
sequestration by mass balance), UU (98.473, CO2 received) and VV (98.483, CO2-EOR under
CSA/ANSI ISO 27916:19); constants with their citations in `constants.csv`. See docs/ccus.md.
"""

__all__ = [
    "account",
    "cli",
    "custody",
    "equations",
    "pages",
    "plugin",
    "report",
    "schema",
    "store",
]
