"""Server-side web sessions: signing out ends the session, not only the browser's cookie.

At sign-in the signed cookie gets a random session id (256 bits) and `web_sessions` a row
with its SHA-256 (a copy of the table names no usable session); a cookie is honoured only
while that row exists, and signing out deletes it. So a copy of the cookie taken before
sign-out (a stolen one, or one left on a shared computer) no longer signs anyone in.

Why a table of sessions rather than a per-user "sessions valid since" epoch on `users`:
signing out ends that one session and leaves the user's other browsers signed in, as people
expect; and it holds for several server processes on PostgreSQL, which all read the same
table. The check is one primary-key lookup per request (`user_of`); the dashboard caches its
answer under the store version, which every write (a sign-out included) changes.

Sessions stay valid as long as the cookie does (8 hours after the last request, renewed by
each response), but never longer than `MAX_HOURS` after sign-in (OWASP ASVS 4.0 3.3.2, level 2:
signed in again at least every 12 hours): that bounds the table, pruned
at every sign-in, which holds the sessions whose users did not sign out.

Every write here is one statement, its own transaction, outside `Database.write`: sessions
touch neither the ledger nor the data, so a sign-in or sign-out does not wait for the writer
lock that a long ingest by another process holds on PostgreSQL.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from openmrv.api.security import digest
from openmrv.store import Database, ledger

MAX_HOURS = 12


def _since() -> str:
    """The earliest sign-in time (`ledger.now()`'s ISO text) of a session still valid."""
    return (datetime.now(UTC) - timedelta(hours=MAX_HOURS)).isoformat(timespec="microseconds")


def start(db: Database, user_id: str) -> str:
    """A new session of `user_id` (its id, for the signed cookie); old sessions pruned."""
    session_id = secrets.token_urlsafe(32)
    db.execute("DELETE FROM web_sessions WHERE created_at < ?", [_since()])
    db.execute(
        "INSERT INTO web_sessions VALUES (?, ?, ?)", [digest(session_id), user_id, ledger.now()]
    )
    return session_id


def user_of(db: Database, session_id: str | None) -> str | None:
    """The user of an active session (one primary-key lookup); None when it has ended."""
    if not session_id:
        return None
    return db.scalar(
        "SELECT user_id FROM web_sessions WHERE session_hash = ? AND created_at >= ?",
        [digest(str(session_id)), _since()],
    )


def end(db: Database, session_id: str | None) -> None:
    """End one session (sign-out); nothing happens when it has already ended."""
    if session_id:
        db.execute("DELETE FROM web_sessions WHERE session_hash = ?", [digest(str(session_id))])


def end_all(db: Database, user_id: str) -> int:
    """End every session of a user (sign out everywhere); how many there were."""
    return len(db.execute("DELETE FROM web_sessions WHERE user_id = ? RETURNING 1", [user_id]))
