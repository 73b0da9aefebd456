"""REST API and application services: auth, tenancy, uploads, runs, verification.

`__all__` lists the modules other packages may import (web and the command line).
"""

__all__ = [
    "case_ledger",
    "deps",
    "queries",
    "routes",
    "security",
    "services",
    "sessions",
    "tenancy",
    "tokens",
    "workflow",
]
