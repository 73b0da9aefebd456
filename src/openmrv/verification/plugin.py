"""How verification cases join OpenMRV."""

from __future__ import annotations

from openmrv.hookspecs import NavLink, Permission, hookimpl


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(
            "verify",
            "Open, review and conclude verification cases.",
            roles=("verifier",),
            scopes=("verify",),
        )
    ]


@hookimpl
def nav_links() -> list[NavLink]:
    return [NavLink("cases", "cases", "Verification")]
