"""Who may call our PACT host (partners) and how we call theirs (suppliers, callbacks).

A partner is an organisation's client of its host: a client id and a secret shown once and
stored as the SHA-256 of its 256 random bits, as API tokens are (api.security); revocable. The
token endpoint trades the pair for a bearer token (random, stored hashed, expiring), bound to
the partner and so to its organisation. A partner also names its own host (the callback base
URL that asynchronous answers go to) and the credentials to authenticate there; those, and a
supplier's credentials, must be usable again, so they are encrypted (Fernet) with a key the
server keeps in its data folder (files.data_dir()/pact.key, created 0600 on first use).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from openmrv.api.security import digest, same
from openmrv.errors import InvalidInput, NotFoundError
from openmrv.files import data_dir
from openmrv.store import ledger
from openmrv.store.db import Database

__all__ = [
    "TOKEN_SECONDS",
    "Partner",
    "Supplier",
    "add_partner",
    "add_supplier",
    "check_client",
    "decrypt",
    "encrypt",
    "issue_token",
    "list_partners",
    "list_suppliers",
    "revoke_partner",
    "supplier",
    "token_partner",
]

TOKEN_SECONDS = 3600


def _key_file() -> Path:
    return data_dir() / "pact.key"


def _fernet() -> Fernet:
    path = _key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
    return Fernet(path.read_bytes().strip())


def encrypt(value: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(value).encode()).decode()


def decrypt(token: str) -> dict[str, Any]:
    try:
        return dict(json.loads(_fernet().decrypt(token.encode())))
    except InvalidToken:
        raise InvalidInput(
            f"stored credentials cannot be decrypted with {_key_file()}: was the key replaced?"
        ) from None


def _url(url: str, what: str) -> str:
    u = url.strip().rstrip("/")
    if not u.startswith(("https://", "http://")):
        raise InvalidInput(f"{what} {url!r}: an http(s):// URL")
    return u


@dataclass(frozen=True)
class Partner:
    client_id: str
    organization_id: str
    name: str
    callback_url: str | None
    created_at: str
    revoked_at: str | None


_PARTNER = "client_id, organization_id, name, callback_url, created_at, revoked_at"


def add_partner(
    db: Database,
    org_id: str,
    name: str,
    actor: str,
    *,
    callback_url: str | None = None,
    callback_client_id: str | None = None,
    callback_secret: str | None = None,
    callback_ca: str | None = None,
) -> tuple[str, str]:
    """A new partner of `org_id`: (client id, secret). The secret is in this answer only."""
    if not name.strip():
        raise InvalidInput("a partner needs a name")
    cb = _url(callback_url, "callback URL") if callback_url else None
    if callback_ca is not None and not Path(callback_ca).is_file():
        raise InvalidInput(f"CA file {callback_ca!r} not found")
    auth = (
        encrypt({"client_id": callback_client_id, "client_secret": callback_secret or ""})
        if callback_client_id
        else None
    )
    client_id, secret = f"pact-{secrets.token_hex(8)}", secrets.token_urlsafe(32)
    with db.write():
        db.execute(
            "INSERT INTO pact_partners (client_id, organization_id, name, secret_hash, "
            "callback_url, callback_auth, callback_ca, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                client_id,
                org_id,
                name.strip(),
                digest(secret),
                cb,
                auth,
                callback_ca,
                actor,
                ledger.now(),
            ],
        )
        ledger.append(db, actor, "pact-partner-add", org_id, None, {"client_id": client_id})
    return client_id, secret


def list_partners(db: Database, org_id: str) -> list[Partner]:
    rows = db.execute(
        f"SELECT {_PARTNER} FROM pact_partners WHERE organization_id = ? ORDER BY created_at",
        [org_id],
    )
    return [Partner(*r) for r in rows]


def revoke_partner(db: Database, org_id: str, client_id: str, actor: str) -> None:
    """End a partner's access: its secret and every token it holds stop working at once."""
    with db.write():
        held = db.one(
            "SELECT revoked_at FROM pact_partners WHERE client_id = ? AND organization_id = ?",
            [client_id, org_id],
        )
        if held is None:
            raise NotFoundError(f"no partner {client_id!r} in {org_id}")
        if held[0] is None:
            db.execute(
                "UPDATE pact_partners SET revoked_at = ? WHERE client_id = ?",
                [ledger.now(), client_id],
            )
            db.execute("DELETE FROM pact_tokens WHERE client_id = ?", [client_id])
            ledger.append(db, actor, "pact-partner-revoke", org_id, None, {"client_id": client_id})


def _partner(db: Database, client_id: str) -> tuple[Partner, str] | None:
    r = db.one(
        f"SELECT {_PARTNER}, secret_hash FROM pact_partners WHERE client_id = ?", [client_id]
    )
    return None if r is None else (Partner(*r[:-1]), str(r[-1]))


def check_client(db: Database, client_id: str, secret: str) -> Partner | None:
    """The partner whose client id and secret these are (None: unknown, wrong or revoked)."""
    got = _partner(db, client_id)
    if got is None:
        same(digest(secret), "0" * 64)  # the same work for unknown ids
        return None
    partner, held = got
    ok = same(digest(secret), held)
    return partner if ok and partner.revoked_at is None else None


def callback_auth(db: Database, client_id: str) -> dict[str, Any] | None:
    """The partner's credentials at its own host ({client_id, client_secret}), if given."""
    r = db.one("SELECT callback_auth FROM pact_partners WHERE client_id = ?", [client_id])
    return decrypt(r[0]) if r is not None and r[0] else None


def issue_token(db: Database, partner: Partner) -> tuple[str, int]:
    """A bearer token for the partner: (token, seconds it lasts)."""
    token = secrets.token_urlsafe(32)
    until = datetime.now(UTC) + timedelta(seconds=TOKEN_SECONDS)
    with db.write():
        db.execute("DELETE FROM pact_tokens WHERE expires_at < ?", [datetime.now(UTC).isoformat()])
        db.execute(
            "INSERT INTO pact_tokens (token_hash, client_id, organization_id, expires_at) "
            "VALUES (?, ?, ?, ?)",
            [digest(token), partner.client_id, partner.organization_id, until.isoformat()],
        )
    return token, TOKEN_SECONDS


def token_partner(db: Database, token: str) -> Partner | str:
    """The partner a bearer token was issued to, or why it is not accepted ("invalid",
    "expired")."""
    r = db.one(
        "SELECT client_id, expires_at FROM pact_tokens WHERE token_hash = ?", [digest(token)]
    )
    if r is None:
        return "invalid"
    if datetime.fromisoformat(r[1]) < datetime.now(UTC):
        return "expired"
    got = _partner(db, r[0])
    if got is None or got[0].revoked_at is not None:
        return "invalid"
    return got[0]


@dataclass(frozen=True)
class Supplier:
    """A host we pull footprints from: its base URL, our credentials there, and the CA file
    that signs its certificate (None: the system's)."""

    organization_id: str
    supplier_id: str
    base_url: str
    client_id: str
    client_secret: str
    ca_file: str | None


def add_supplier(
    db: Database,
    org_id: str,
    supplier_id: str,
    base_url: str,
    client_id: str,
    client_secret: str,
    actor: str,
    ca_file: str | None = None,
) -> None:
    """Register (or replace) a supplier's host for `org_id`."""
    if not supplier_id.strip():
        raise InvalidInput("a supplier needs an id")
    if ca_file is not None and not Path(ca_file).is_file():
        raise InvalidInput(f"CA file {ca_file!r} not found")
    url = _url(base_url, "base URL")
    with db.write():
        db.execute(
            "DELETE FROM pact_suppliers WHERE organization_id = ? AND supplier_id = ?",
            [org_id, supplier_id],
        )
        db.execute(
            "INSERT INTO pact_suppliers (organization_id, supplier_id, base_url, client_id, "
            "secret, ca_file, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [org_id, supplier_id, url, client_id, encrypt({"secret": client_secret}),
             ca_file, actor, ledger.now()],
        )  # fmt: skip
        ledger.append(
            db, actor, "pact-supplier-add", org_id, None, {"supplier_id": supplier_id, "url": url}
        )


_SUPPLIER = "organization_id, supplier_id, base_url, client_id, secret, ca_file"


def _supplier(r: tuple[Any, ...]) -> Supplier:
    org, sid, url, cid, secret, ca = r
    return Supplier(org, sid, url, cid, str(decrypt(secret)["secret"]), ca)


def supplier(db: Database, org_id: str, supplier_id: str) -> Supplier:
    r = db.one(
        f"SELECT {_SUPPLIER} FROM pact_suppliers WHERE organization_id = ? AND supplier_id = ?",
        [org_id, supplier_id],
    )
    if r is None:
        raise NotFoundError(f"no supplier {supplier_id!r} in {org_id}")
    return _supplier(r)


def list_suppliers(db: Database, org_id: str) -> list[Supplier]:
    rows = db.execute(
        f"SELECT {_SUPPLIER} FROM pact_suppliers WHERE organization_id = ? ORDER BY supplier_id",
        [org_id],
    )
    return [_supplier(r) for r in rows]
