"""Reporting periods: locking a facility's verified year and restating a locked one. The data
and rules live in `store.periods`; this domain registers the commands, the ledger check and
what else periods contribute."""

__all__ = ["cli", "plugin"]
