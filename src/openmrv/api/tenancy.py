"""Who is asking, and what of which organisation they may see or change: the one place where
tenant isolation is enforced.

Every route that touches an organisation's data receives an `OrgScope` from `scope_for`, and
every query about that organisation goes through the scope's methods, each filtered by the
organisation. A principal who is not a member of the organisation gets "not found" (the
organisation's existence is not revealed); a member whose role lacks the permission gets
"forbidden". Routes never write SQL of their own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from openmrv.errors import Conflict, NotAllowed, NotFoundError
from openmrv.ingest.schema import FACILITIES, FACILITY_BOUNDARY
from openmrv.store import ledger
from openmrv.store.db import Database
from openmrv.store.ingest import heads_sql
from openmrv.store.schema import RECORD_COLUMNS

ROLES = ("owner", "editor", "verifier", "viewer", "regulator")
PERMISSIONS = ("read", "write", "verify", "admin")
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "owner": frozenset({"read", "write", "admin"}),
    "editor": frozenset({"read", "write"}),
    "verifier": frozenset({"read", "verify"}),
    "viewer": frozenset({"read"}),
    "regulator": frozenset({"read"}),  # read-only, granted by each organisation
}
# What an API token's scope lets it do (a session may do all its role allows).
SCOPE_PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset({"read"}),
    "write": frozenset({"read", "write", "admin"}),
    "verify": frozenset({"read", "verify"}),
}


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
        allowed = frozenset().union(*(SCOPE_PERMISSIONS[s] for s in self.scopes))
        return ROLE_PERMISSIONS[role] & allowed


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
_LATEST_FAC = (
    "SELECT f.* FROM facilities f JOIN (SELECT facility_id AS fid, max(version) AS v FROM "
    "facilities GROUP BY facility_id) m ON m.fid = f.facility_id AND m.v = f.version"
)


_ARROW = {
    "TEXT": pa.string(),
    "DATE": pa.date32(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE PRECISION": pa.float64(),
    "BOOLEAN": pa.bool_(),
}
RECORD_SCHEMA = pa.schema([(n, _ARROW[t]) for n, t in RECORD_COLUMNS])


def _dicts(names: tuple[str, ...] | list[str], rows: list[tuple]) -> list[dict[str, Any]]:
    return [dict(zip(names, r, strict=True)) for r in rows]


@dataclass
class OrgScope:
    """Queries and changes of one organisation's data; every statement filters by it."""

    db: Database
    org_id: str
    principal: Principal
    _facility_ids: list[str] | None = field(default=None, repr=False)

    @property
    def actor(self) -> str:
        return self.principal.user_id

    # --- organisation, facilities, sources -------------------------------------------------
    def organisation(self) -> dict[str, Any]:
        return {
            "organization_id": self.org_id,
            "role": self.principal.roles[self.org_id],
            "facilities": len(self.facility_ids()),
        }

    def facilities(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            f"SELECT {', '.join(_FAC_COLS)} FROM ({_LATEST_FAC}) f "
            "WHERE organization_id = ? ORDER BY facility_id",
            [self.org_id],
        )
        return _dicts(_FAC_COLS, rows)

    def facility_ids(self) -> list[str]:
        if self._facility_ids is None:
            self._facility_ids = [f["facility_id"] for f in self.facilities()]
        return self._facility_ids

    def facility(self, facility_id: str) -> dict[str, Any]:
        for f in self.facilities():
            if f["facility_id"] == facility_id:
                return f
        raise NotFound(f"no facility {facility_id!r} in {self.org_id}")

    def _in(self) -> tuple[str, list[str]]:
        ids = self.facility_ids() or [""]
        return f"({', '.join('?' for _ in ids)})", list(ids)

    def sources(self) -> list[dict[str, Any]]:
        marks, ids = self._in()
        rows = self.db.execute(
            f"SELECT facility_id, source_id FROM sources WHERE facility_id IN {marks} "
            "ORDER BY 1, 2",
            ids,
        )
        return _dicts(("facility_id", "source_id"), rows)

    # --- records -----------------------------------------------------------------------------
    _RECORD = (
        "record_id",
        "facility_id",
        "source_id",
        "period_start",
        "period_end",
        "year",
        "category",
        "fuel",
        "quantity",
        "unit",
        "data_quality",
        "version",
        "batch_id",
    )

    def _heads(self, facility_id: str | None, year: int | None) -> tuple[str, list[Any]]:
        """The organisation's current records (its own record ids' latest versions; not
        deleted), optionally of a facility-year, as a FROM clause and its parameters."""
        where = "NOT deleted"
        params: list[Any] = [self.org_id]
        for col, value in (("facility_id", facility_id), ("year", year)):
            if value is not None:
                where += f" AND {col} = ?"
                params.append(value)
        return f"({heads_sql('organization_id = ?')}) h WHERE {where}", params

    def records(
        self, facility_id: str | None = None, year: int | None = None, limit=100, offset=0
    ) -> list[dict[str, Any]]:
        heads, params = self._heads(facility_id, year)
        rows = self.db.execute(
            f"SELECT {', '.join(self._RECORD)} FROM {heads} ORDER BY record_id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return _dicts(self._RECORD, rows)

    def record_history(self, record_id: str) -> dict[str, Any]:
        """Every version of a record of this organisation, and the ledger events behind them."""
        from openmrv.store.ingest import history

        versions = history(self.db, record_id, self.org_id)
        if not versions:
            raise NotFound(f"no record {record_id!r} in {self.org_id}")
        batches = {v["batch_id"] for v in versions}
        events = [
            {
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "subject": e.subject,
                "reason": e.reason,
                "hash": e.hash,
            }
            for e in ledger.events(self.db)
            if e.action in ("ingest", "restate", "delete") and e.data().get("batch_id") in batches
        ]
        return {"record_id": record_id, "versions": versions, "events": events}

    def activity_table(self, facility_id: str | None = None, year: int | None = None):
        """The current (not deleted) records as the engine's activity table."""
        from openmrv.store.schema import RECORD_NAMES

        heads, params = self._heads(facility_id, year if facility_id is not None else None)
        numbered = "row_number() OVER () AS source_row"  # the engine joins on unique rows
        cols = [c if c != "source_row" else numbered for c in RECORD_NAMES]
        table = self.db.arrow(f"SELECT {', '.join(cols)} FROM {heads}", params)
        # PostgreSQL rows come back untyped (an all-NULL column is Arrow's null type): give
        # every column the type validation gives it.
        return table.cast(RECORD_SCHEMA)

    def locks(self) -> list[dict[str, Any]]:
        marks, ids = self._in()
        rows = self.db.execute(
            "SELECT facility_id, year, locked_by, locked_at, reason FROM period_locks "
            f"WHERE facility_id IN {marks} ORDER BY 1, 2",
            ids,
        )
        return _dicts(("facility_id", "year", "locked_by", "locked_at", "reason"), rows)

    # --- uploads -----------------------------------------------------------------------------
    _UPLOAD = (
        "upload_id",
        "batch_id",
        "file_name",
        "uploaded_by",
        "uploaded_at",
        "status",
        "problems",
        "message",
    )

    def uploads(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            f"SELECT {', '.join(self._UPLOAD)} FROM uploads WHERE organization_id = ? "
            "ORDER BY upload_id DESC",
            [self.org_id],
        )
        return _dicts(self._UPLOAD, rows)

    def upload(self, upload_id: int) -> dict[str, Any]:
        for u in self.uploads():
            if u["upload_id"] == upload_id:
                return u
        raise NotFound(f"no upload {upload_id} in {self.org_id}")

    def add_upload(
        self, batch_id: int | None, file_name: str, status: str, problems: int, message: str
    ) -> int:
        with self.db.write():
            n = int(self.db.scalar("SELECT COALESCE(max(upload_id), 0) + 1 FROM uploads"))
            self.db.execute(
                "INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [n, self.org_id, batch_id, file_name, self.actor, ledger.now(), status, problems,
                 message],
            )  # fmt: skip
        return n

    # --- calculation runs and totals ---------------------------------------------------------
    _RUN = ("run_no", "run_id", "created_by", "created_at", "records")

    def runs(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            f"SELECT {', '.join(self._RUN)} FROM org_runs WHERE organization_id = ? "
            "ORDER BY run_no DESC",
            [self.org_id],
        )
        return _dicts(self._RUN, rows)

    def run(self, run_no: int) -> dict[str, Any]:
        row = self.db.one(
            f"SELECT {', '.join(self._RUN)}, meta FROM org_runs WHERE organization_id = ? "
            "AND run_no = ?",
            [self.org_id, run_no],
        )
        if row is None:
            raise NotFound(f"no calculation run {run_no} in {self.org_id}")
        out = dict(zip(self._RUN, row[:-1], strict=True))
        out["meta"] = json.loads(row[-1])
        return out

    def latest_run_no(self) -> int | None:
        return self.db.scalar(
            "SELECT max(run_no) FROM org_runs WHERE organization_id = ?", [self.org_id]
        )

    def totals(self, run_no: int | None = None) -> list[dict[str, Any]]:
        """The run's totals by methodology and facility (as `reports.summary.totals`)."""
        run_no = run_no if run_no is not None else self.latest_run_no()
        if run_no is None:
            return []
        self.run(run_no)  # 404 for another organisation's run
        rows = self.db.execute(
            "SELECT methodology, facility_id, co2e_t, biogenic_co2_t FROM run_totals "
            "WHERE run_no = ? ORDER BY methodology, facility_id",
            [run_no],
        )
        return _dicts(("methodology", "facility_id", "co2e_t", "biogenic_co2_t"), rows)

    def breakdown(self, run_no: int | None = None) -> list[dict[str, Any]]:
        run_no = run_no if run_no is not None else self.latest_run_no()
        if run_no is None:
            return []
        self.run(run_no)
        names = ("methodology", "facility_id", "year", "scope", "gas", "category", "co2e_t")
        rows = self.db.execute(
            f"SELECT {', '.join(names)} FROM run_breakdown WHERE run_no = ?", [run_no]
        )
        return _dicts(names, rows)

    # --- targets -----------------------------------------------------------------------------
    _TARGET = (
        "target_id",
        "name",
        "methodology",
        "base_year",
        "target_year",
        "reduction_pct",
        "created_by",
        "created_at",
    )

    def targets(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            f"SELECT {', '.join(self._TARGET)} FROM targets WHERE organization_id = ? "
            "ORDER BY target_id",
            [self.org_id],
        )
        return _dicts(self._TARGET, rows)

    def add_target(
        self, name: str, methodology: str, base_year: int, target_year: int, reduction_pct: float
    ) -> int:
        if target_year <= base_year:
            raise Refused("the target year must come after the base year")
        with self.db.write():
            n = int(self.db.scalar("SELECT COALESCE(max(target_id), 0) + 1 FROM targets"))
            self.db.execute(
                "INSERT INTO targets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [n, self.org_id, name, methodology, base_year, target_year, reduction_pct,
                 self.actor, ledger.now()],
            )  # fmt: skip
            ledger.append(
                self.db, self.actor, "target", self.org_id, None, {"target_id": n, "name": name}
            )
        return n

    # --- verification cases ------------------------------------------------------------------
    _CASE = ("case_id", "facility_id", "year", "status", "created_by", "created_at")
    _STEP = (
        "step",
        "stepped_at",
        "actor",
        "action",
        "from_status",
        "to_status",
        "findings",
        "ledger_seq",
    )

    def cases(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            f"SELECT {', '.join(self._CASE)} FROM verification_cases WHERE organization_id = ? "
            "ORDER BY case_id DESC",
            [self.org_id],
        )
        return _dicts(self._CASE, rows)

    def case(self, case_id: int) -> dict[str, Any]:
        row = self.db.one(
            f"SELECT {', '.join(self._CASE)} FROM verification_cases WHERE organization_id = ? "
            "AND case_id = ?",
            [self.org_id, case_id],
        )
        if row is None:
            raise NotFound(f"no verification case {case_id} in {self.org_id}")
        out = dict(zip(self._CASE, row, strict=True))
        steps = self.db.execute(
            f"SELECT {', '.join(self._STEP)} FROM case_steps WHERE case_id = ? ORDER BY step",
            [case_id],
        )
        out["steps"] = _dicts(self._STEP, steps)
        return out

    # --- regulator grants --------------------------------------------------------------------
    def regulators(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT user_id, granted_by, granted_at FROM memberships WHERE organization_id = ? "
            "AND role = 'regulator' ORDER BY user_id",
            [self.org_id],
        )
        return _dicts(("user_id", "granted_by", "granted_at"), rows)

    def grant_regulator(self, user_id: str) -> None:
        with self.db.write():
            if not self.db.scalar(
                "SELECT count(*) FROM users WHERE user_id = ? AND is_regulator", [user_id]
            ):
                raise NotFound(f"no regulator {user_id!r}")
            if self.db.scalar(
                "SELECT count(*) FROM memberships WHERE user_id = ? AND organization_id = ?",
                [user_id, self.org_id],
            ):
                raise Refused(f"{user_id} already has a role in {self.org_id}")
            add_membership(self.db, user_id, self.org_id, "regulator", self.actor)

    def revoke_regulator(self, user_id: str) -> None:
        with self.db.write():
            role = self.db.scalar(
                "SELECT role FROM memberships WHERE user_id = ? AND organization_id = ?",
                [user_id, self.org_id],
            )
            if role is None:
                raise NotFound(f"no regulator {user_id!r} granted in {self.org_id}")
            if role != "regulator":
                raise Refused(f"{user_id} is {role} of {self.org_id}, not a regulator")
            remove_membership(self.db, user_id, self.org_id, self.actor)


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
    ledger.append(db, by, "revoke", f"{user_id} {org_id}", None, {"role": role})
    return role


def add_user(
    db: Database, user_id: str, name: str, password: str, is_regulator: bool = False
) -> None:
    """Create a user (inside the caller's transaction)."""
    from openmrv.api.security import hash_password

    db.execute(
        "INSERT INTO users VALUES (?, ?, ?, ?, ?)",
        [user_id, name, hash_password(password), is_regulator, ledger.now()],
    )


def add_membership(db: Database, user_id: str, org_id: str, role: str, by: str) -> None:
    """Give a user a role in an organisation (inside the caller's transaction); a ledger event."""
    if role not in ROLES:
        raise Refused(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    db.execute(
        "INSERT INTO memberships VALUES (?, ?, ?, ?, ?)", [user_id, org_id, role, by, ledger.now()]
    )
    ledger.append(db, by, "grant", f"{user_id} {org_id}", None, {"role": role})
