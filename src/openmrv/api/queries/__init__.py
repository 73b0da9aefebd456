"""One organisation's data, one module per concern; each function takes the `OrgScope` (api.tenancy)
that the caller was given and filters every statement by it, so tenancy stays the one choke point.
"""

from openmrv.api.queries import (
    cases,
    ledger_keys,
    locks,
    records,
    regulators,
    runs,
    targets,
    uploads,
)

__all__ = [
    "cases",
    "ledger_keys",
    "locks",
    "records",
    "regulators",
    "runs",
    "targets",
    "uploads",
]
