"""Who is asking, and what of which organisation they may see or change: the one place where
tenant isolation is enforced.

Every route that touches an organisation's data receives an `OrgScope` from `scope_for`. The
scope is the filter: the organisation's rows of a table that carries it (`OrgScope.rows`), or
the rows of its facilities (`OrgScope.facility_filter`). Queries live in small modules per
concern (api.queries: records, uploads, runs, targets, verification cases, period locks,
regulator grants) that take a scope and filter every statement by it. A principal who is not a
member of the organisation gets "not found" (the organisation's existence is not revealed); a
member whose role lacks the permission gets "forbidden". Routes never write SQL of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openmrv import plugins
from openmrv.api.security import hash_password
from openmrv.errors import Conflict, NotAllowed, NotFoundError
from openmrv.ingest.schema import FACILITIES, FACILITY_BOUNDARY
from openmrv.store import ledger, state
from openmrv.store.db import Database
from openmrv.store.versions import latest_facilities_sql

ROLES = ("owner", "editor", "verifier", "viewer", "regulator")
# The core's permissions; domains add theirs (plugins.permissions(): verification's `verify`).
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "owner": frozenset({"read", "write", "admin"}),
    "editor": frozenset({"read", "write"}),
    "verifier": frozenset({"read"}),
    "viewer": frozenset({"read"}),
    "regulator": frozenset({"read"}),  # read-only, granted by each organisation
}
# What an API token's scope lets it do (a session may do all its role allows).
SCOPE_PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset({"read"}),
    "write": frozenset({"read", "write", "admin"}),
    "verify": frozenset({"read"}),
}


def role_permissions(role: str) -> frozenset[str]:
    """What a role may do: the core's permissions and those domains grant the role."""
    extra = {p.name for p in plugins.permissions() if role in p.roles}
    return ROLE_PERMISSIONS[role] | extra


def scope_permissions(scope: str) -> frozenset[str]:
    """What an API token's scope carries: the core's and the domains' permissions."""
    extra = {p.name for p in plugins.permissions() if scope in p.scopes}
    return SCOPE_PERMISSIONS[scope] | extra


class NotFound(NotFoundError):
    """Raised for a name the principal may not see (also for other organisations' data)."""


class Forbidden(NotAllowed):
    """Raised when the principal may see it but not do this."""


class Refused(Conflict):
    """Raised for a request that cannot be carried out as asked (wrong state, bad value)."""


@dataclass(frozen=True)
class Principal:
    user_id: str
    display_name: str
    is_regulator: bool
    roles: dict[str, str]  # organisation -> role
    scopes: frozenset[str] = frozenset(SCOPE_PERMISSIONS)  # narrowed for API tokens
    via: str = "session"
    token_id: str | None = None  # the API token asking, and when it expires (api.tokens)
    expires_at: str | None = None

    def permissions(self, org_id: str) -> frozenset[str]:
        role = self.roles.get(org_id)
        if role is None:
            return frozenset()
        allowed = frozenset().union(*(scope_permissions(s) for s in self.scopes))
        return role_permissions(role) & allowed


def load_principal(db: Database, user_id: str, **kw: Any) -> Principal | None:
    row = db.one("SELECT display_name, is_regulator FROM users WHERE user_id = ?", [user_id])
    if row is None:
        return None
    roles = dict(
        db.execute("SELECT organization_id, role FROM memberships WHERE user_id = ?", [user_id])
    )
    return Principal(user_id, row[0], bool(row[1]), roles, **kw)


def scope_for(db: Database, principal: Principal, org_id: str, permission: str) -> OrgScope:
    """The organisation's data as this principal may use it for `permission`."""
    if org_id not in principal.roles:
        raise NotFound(f"no organisation {org_id!r}")
    if permission not in principal.permissions(org_id):
        scopes = f", token scopes {','.join(sorted(principal.scopes))}"
        raise Forbidden(
            f"your role ({principal.roles[org_id]}{scopes if principal.via == 'token' else ''}) "
            f"does not allow {permission} in {org_id}"
        )
    return OrgScope(db, org_id, principal)


# The facilities file schema; boundary flags are None for versions stored before migration 6.
_FAC_COLS = tuple(c.name for c in FACILITIES + FACILITY_BOUNDARY)


def dicts(names: Sequence[str], rows: list[tuple]) -> list[dict[str, Any]]:
    """Rows as dictionaries keyed by `names` (what the API and pages return)."""
    return [dict(zip(names, r, strict=True)) for r in rows]


@dataclass
class OrgScope:
    """One organisation's data as one principal may use it: the organisation's facilities, and
    the filters every query of api.queries goes through (`rows` for tables that carry the
    organisation, `facility_filter` for tables keyed by facility)."""

    db: Database
    org_id: str
    principal: Principal
    _facility_ids: list[str] | None = field(default=None, repr=False)

    @property
    def actor(self) -> str:
        return self.principal.user_id

    def organisation(self) -> dict[str, Any]:
        return {
            "organization_id": self.org_id,
            "role": self.principal.roles[self.org_id],
            "facilities": len(self.facility_ids()),
        }

    def facilities(self) -> list[dict[str, Any]]:
        """The latest version of each of the organisation's facilities."""
        return self.rows(f"({latest_facilities_sql()}) f", _FAC_COLS, order="facility_id")

    def facility_ids(self) -> list[str]:
        if self._facility_ids is None:
            self._facility_ids = [f["facility_id"] for f in self.facilities()]
        return self._facility_ids

    def facility(self, facility_id: str) -> dict[str, Any]:
        for f in self.facilities():
            if f["facility_id"] == facility_id:
                return f
        raise NotFound(f"no facility {facility_id!r} in {self.org_id}")

    def rows(
        self,
        table: str,
        columns: Sequence[str],
        where: str = "true",
        params: Sequence[Any] = (),
        order: str | None = None,
    ) -> list[dict[str, Any]]:
        """The tenancy filter for tables that carry the organisation (`organization_id`): the
        organisation's rows of `table` matching `where`, as dictionaries of `columns`."""
        rows = self.db.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE organization_id = ? AND ({where})"
            + (f" ORDER BY {order}" if order else ""),
            [self.org_id, *params],
        )
        return dicts(columns, rows)

    def facility_filter(self) -> tuple[str, list[str]]:
        """The tenancy filter for tables keyed by facility: `(?, ?, ...)` and the organisation's
        facility ids, for `WHERE facility_id IN {marks}` (a list that matches nothing when the
        organisation has no facility)."""
        ids = self.facility_ids() or [""]
        return f"({', '.join('?' for _ in ids)})", list(ids)


def remove_membership(db: Database, user_id: str, org_id: str, by: str) -> str:
    """End a user's role in an organisation (inside the caller's transaction); a ledger
    event, as the grant was. Returns the role that ended."""
    role = db.scalar(
        "SELECT role FROM memberships WHERE user_id = ? AND organization_id = ?", [user_id, org_id]
    )
    if role is None:
        raise NotFound(f"{user_id!r} has no role in {org_id}")
    db.execute(
        "DELETE FROM memberships WHERE user_id = ? AND organization_id = ?", [user_id, org_id]
    )
    ledger.append(
        db, by, "revoke", f"{user_id} {org_id}", None,
        {"role": role, "state": state.state(db, [("memberships", (user_id, org_id))])},
    )  # fmt: skip
    return role


def add_user(
    db: Database, user_id: str, name: str, password: str, is_regulator: bool = False
) -> None:
    """Create a user (inside the caller's transaction); a ledger event, recording the row."""
    db.execute(
        "INSERT INTO users VALUES (?, ?, ?, ?, ?)",
        [user_id, name, hash_password(password), is_regulator, ledger.now()],
    )
    ledger.append(
        db, user_id, "user", user_id, None,
        {"regulator": is_regulator, "state": state.state(db, [("users", (user_id,))])},
    )  # fmt: skip


def add_membership(db: Database, user_id: str, org_id: str, role: str, by: str) -> None:
    """Give a user a role in an organisation (inside the caller's transaction); a ledger event."""
    if role not in ROLES:
        raise Refused(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    db.execute(
        "INSERT INTO memberships VALUES (?, ?, ?, ?, ?)", [user_id, org_id, role, by, ledger.now()]
    )
    ledger.append(
        db, by, "grant", f"{user_id} {org_id}", None,
        {"role": role, "state": state.state(db, [("memberships", (user_id, org_id))])},
    )  # fmt: skip
