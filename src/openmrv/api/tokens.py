"""API tokens: who may mint and revoke them, and what they may be.

A token is minted by its user (signed in, or on the command line) or by another token of the
user's. A token never has more scope or lifetime than the token that mints it, and revoking a
token revokes every token it minted, and theirs: so a leaked token's reach ends with it. A
token mints tokens only with the `write` scope, and revokes only its own line (itself and
what it minted); a signed-in user revokes any of theirs. The secret is stored as a SHA-256 digest
(security.new_token).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from openmrv.api import security
from openmrv.api.tenancy import Forbidden, NotFound, Principal, Refused, load_principal
from openmrv.store import Database, ledger, state

DEFAULT_DAYS = 90  # a token minted through the API without a lifetime
MAX_DAYS = 366
MANAGE_SCOPE = "write"  # a token's scope needed to mint tokens
_COLUMNS = ("token_id", "label", "scopes", "created_at", "expires_at", "parent_id", "revoked_at")


def _days_from_now(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="microseconds")


def may_manage(p: Principal) -> None:
    """Forbidden unless `p` is a signed-in user or a token with the managing scope."""
    if p.via == "token" and MANAGE_SCOPE not in p.scopes:
        raise Forbidden(f"creating tokens needs a token with the {MANAGE_SCOPE!r} scope")


def create(
    db: Database,
    user_id: str,
    label: str,
    scopes: Sequence[str],
    days: int | None = None,
    minter: Principal | None = None,
) -> dict[str, Any]:
    """A new token (its secret in the answer only). `minter` is who asks through the API
    (None: the command line, whose tokens have no expiry unless `days` is given)."""
    wanted = sorted(set(scopes))
    expires = _days_from_now(days) if days else None
    parent = None
    if minter is not None:
        if not set(wanted) <= minter.scopes:
            raise Refused("a token cannot have scopes its creator lacks")
        expires = expires or _days_from_now(DEFAULT_DAYS)
        if minter.via == "token":
            parent = minter.token_id
            if minter.expires_at is not None and expires > minter.expires_at:
                if days:
                    raise Refused(
                        f"a token cannot outlive the token that creates it "
                        f"(which expires at {minter.expires_at[:19]})"
                    )
                expires = minter.expires_at
    t = security.new_token()
    with db.write():
        db.execute(
            "INSERT INTO api_tokens (token_id, user_id, token_hash, scopes, label, created_at, "
            "revoked_at, parent_id, expires_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)",
            [t.token_id, user_id, t.secret_hash, ",".join(wanted), label, ledger.now(), parent,
             expires],
        )  # fmt: skip
        _record(db, user_id, "token", t.token_id, [t.token_id])
    return {"token_id": t.token_id, "token": t.plain, "scopes": wanted, "expires_at": expires}


def _record(db: Database, actor: str, action: str, subject: str, tokens: list[str]) -> None:
    """The ledger event of a token change: the tokens' rows as they now are (scopes, hash,
    revocation), so an edit behind the system's back is caught (store/state.py)."""
    groups = [("api_tokens", (t,)) for t in tokens]
    ledger.append(db, actor, action, subject, None, {"state": state.state(db, groups)})


def listing(db: Database, user_id: str) -> list[dict[str, Any]]:
    rows = db.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM api_tokens WHERE user_id = ? ORDER BY created_at",
        [user_id],
    )
    return [dict(zip(_COLUMNS, r, strict=True)) for r in rows]


def _line(db: Database, user_id: str, root: str) -> list[str]:
    """`root` and every token minted from it, at any depth (the user's tokens only)."""
    children: dict[str | None, list[str]] = {}
    for token_id, parent in db.execute(
        "SELECT token_id, parent_id FROM api_tokens WHERE user_id = ?", [user_id]
    ):
        children.setdefault(parent, []).append(token_id)
    out, todo = [], [root]
    while todo:
        t = todo.pop()
        out.append(t)
        todo += children.get(t, [])
    return out


def revoke(db: Database, p: Principal, token_id: str) -> list[str]:
    """Revoke a token of `p`'s (a token: of its own line) and what it minted; their ids."""
    with db.write():
        active = {
            r[0]
            for r in db.execute(
                "SELECT token_id FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL",
                [p.user_id],
            )
        }
        mine = set(_line(db, p.user_id, p.token_id)) if p.via == "token" and p.token_id else active
        if token_id not in active or token_id not in mine:
            raise NotFound(f"no active token {token_id!r} of yours")
        ended = [t for t in _line(db, p.user_id, token_id) if t in active]
        marks = ", ".join("?" for _ in ended)
        db.execute(
            f"UPDATE api_tokens SET revoked_at = ? WHERE token_id IN ({marks})",
            [ledger.now(), *ended],
        )
        _record(db, p.user_id, "token-revoke", token_id, ended)
    return ended


def principal(db: Database, presented: str) -> Principal | None:
    """The principal of a presented token (`omrv_<id>_<secret>`); None when it is not one,
    or revoked, or expired."""
    parts = security.split_token(presented)
    if parts is None:
        return None
    row = db.one(
        "SELECT user_id, token_hash, scopes, expires_at FROM api_tokens WHERE token_id = ? "
        "AND revoked_at IS NULL",
        [parts[0]],
    )
    if row is None or not security.same(row[1], security.digest(parts[1])):
        return None
    if row[3] is not None and row[3] <= ledger.now():
        return None
    return load_principal(
        db,
        row[0],
        scopes=frozenset(row[2].split(",")),
        via="token",
        token_id=parts[0],
        expires_at=row[3],
    )
