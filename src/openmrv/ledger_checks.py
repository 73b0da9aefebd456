"""What every `ledger verify` checks beyond the core's batches: the one list of ledger coverage
and checks until domains register theirs through the plugin hooks."""

from __future__ import annotations

from typing import Any

from openmrv.api import case_ledger
from openmrv.store import ledger, periods
from openmrv.store.coverage import Coverage, LedgerCheck


def ledger_coverage() -> tuple[Coverage, ...]:
    """The tables whose rows batch digests cover."""
    coverage: tuple[Coverage, ...] = ledger.COVERAGE
    return coverage


def ledger_checks() -> tuple[LedgerCheck[Any], ...]:
    """The checks of rows that are not batches: period locks and verification cases."""
    return (periods.LEDGER_CHECK, case_ledger.LEDGER_CHECK)
