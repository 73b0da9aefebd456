"""Verification cases: a verifier's review of an organisation's period, step by step, each step
a ledger event. The workflow lives in `api.workflow`; this domain registers its pages, routes,
navigation, permission and ledger check."""

__all__ = ["plugin"]
