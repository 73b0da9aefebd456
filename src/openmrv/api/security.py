"""Passwords, API tokens, CSRF tokens and the sign-in rate limit.

Passwords are hashed with argon2id (argon2-cffi's defaults). An API token is shown once, as
`omrv_<id>_<secret>`; only the SHA-256 of the secret is stored (a token is 256 random bits,
so a fast hash is enough and lookups stay cheap), compared in constant time. CSRF tokens are
random per session and checked with `hmac.compare_digest`. Nothing here logs a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# A hash to verify against when the user does not exist, so timing does not reveal it.
_DUMMY = _hasher.hash("not a password of anyone")

TOKEN_PREFIX = "omrv"
SCOPES = ("read", "write", "verify")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class NewToken:
    token_id: str
    secret_hash: str
    plain: str  # shown to the user once, never stored


def new_token() -> NewToken:
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return NewToken(token_id, digest(secret), f"{TOKEN_PREFIX}_{token_id}_{secret}")


def split_token(plain: str) -> tuple[str, str] | None:
    """(token id, secret) of a presented token, or None when it is not one of ours."""
    parts = plain.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def csrf_token() -> str:
    return secrets.token_urlsafe(32)


class RateLimit:
    """At most `limit` attempts per key in a sliding window of `window` seconds that did not
    succeed.

    An attempt is counted when it starts (`attempt`, under a lock), before the password is
    checked, and forgiven if it succeeds (`succeeded`): so parallel attempts cannot all pass
    the check while the first ones are still hashing. In memory, per process (the embedded
    database has one writer process); at most `max_keys` keys are kept, the least recently
    used dropped first, so a spray of names or addresses cannot grow it without bound."""

    def __init__(self, limit: int = 5, window: float = 300.0, max_keys: int = 100_000) -> None:
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._hits.get(key)
        if q is None:
            q = self._hits[key] = deque()
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
        self._hits.move_to_end(key)
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def attempt(self, *keys: str) -> tuple[float, float]:
        """(seconds to wait, 0 when allowed; the attempt's stamp). An allowed attempt is
        counted against every key at once, until `succeeded` forgives it."""
        now = time.monotonic()
        with self._lock:
            queues = [self._recent(k, now) for k in keys]
            full = [q[0] + self.window - now for q in queues if len(q) >= self.limit]
            if full:
                return max(full), now
            for q in queues:
                q.append(now)
            return 0.0, now

    def succeeded(self, stamp: float, *keys: str, clear: tuple[str, ...] = ()) -> None:
        """Forgive a successful attempt (by its stamp) and clear the keys in `clear`."""
        with self._lock:
            for k in keys:
                q = self._hits.get(k)
                if q is not None and stamp in q:
                    q.remove(stamp)
            for k in clear:
                self._hits.pop(k, None)

    def reset(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._hits.pop(k, None)
