"""How PACT joins OpenMRV: its tables and what the ledger covers (footprints issued and
received), its commands, and the host's routes at the site root (PACT paths are absolute:
/3/footprints, /3/events, /auth/token, /.well-known/openid-configuration)."""

from __future__ import annotations

from openmrv.hookspecs import hookimpl
from openmrv.pact import store
from openmrv.store.coverage import Coverage
from openmrv.store.schema import Migration


@hookimpl
def register_migrations() -> list[Migration]:
    return store.MIGRATIONS


@hookimpl
def register_ledger_coverage() -> list[Coverage]:
    return store.COVERAGE
