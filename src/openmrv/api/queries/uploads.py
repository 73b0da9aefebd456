"""An organisation's uploaded files and what became of each (stored, rejected, refused)."""

from __future__ import annotations

from typing import Any

from openmrv.api.tenancy import NotFound, OrgScope
from openmrv.store import ledger, state

UPLOAD = (
    "upload_id",
    "batch_id",
    "file_name",
    "uploaded_by",
    "uploaded_at",
    "status",
    "problems",
    "message",
)


def listed(s: OrgScope) -> list[dict[str, Any]]:
    """The organisation's uploads, newest first."""
    return s.rows("uploads", UPLOAD, order="upload_id DESC")


def get(s: OrgScope, upload_id: int) -> dict[str, Any]:
    for u in listed(s):
        if u["upload_id"] == upload_id:
            return u
    raise NotFound(f"no upload {upload_id} in {s.org_id}")


def add(
    s: OrgScope, batch_id: int | None, file_name: str, status: str, problems: int, message: str
) -> int:
    """Record an upload by the scope's principal; its number."""
    with s.db.write():
        n = s.db.next_id("uploads", "upload_id")
        s.db.execute(
            "INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [n, s.org_id, batch_id, file_name, s.actor, ledger.now(), status, problems, message],
        )
        recorded = state.state(s.db, [("uploads", (n,))])
        ledger.append(
            s.db, s.actor, "upload", f"upload {n} {file_name}", None,
            {"upload_id": n, "status": status, "state": recorded},
        )  # fmt: skip
    return n
