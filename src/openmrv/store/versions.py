"""Which version is current: the one definition of "latest version" for stored records and
facilities, as SQL that other statements embed.

Activity records are versioned per (organisation, record id), facilities per facility id; the
current version is the highest. Tenancy, ingest, quality checks and period locks all read the
current versions through these functions, so the rule is written once.
"""

from __future__ import annotations

__all__ = ["current_sql", "heads_sql", "latest_facilities_sql", "latest_versions_sql"]


def latest_versions_sql(where: str = "true") -> str:
    """Per record, its organisation (`oid`), record id (`rid`) and highest version (`v`) among
    its rows matching `where` (a condition on activity_records, ? placeholders allowed)."""
    return (
        "SELECT organization_id AS oid, record_id AS rid, max(version) AS v FROM activity_records "
        f"WHERE {where} GROUP BY organization_id, record_id"
    )


def heads_sql(where: str = "true") -> str:
    """The latest version of each record (tombstones included) among its rows matching
    `where`."""
    return (
        f"SELECT a.* FROM activity_records a JOIN ({latest_versions_sql(where)}) m "
        "ON a.organization_id = m.oid AND a.record_id = m.rid AND a.version = m.v"
    )


def current_sql(where: str) -> str:
    """The current version (tombstones included) of each record, where that version matches
    `where`: a record whose current version has left `where` (moved to another facility or
    year) is not in it. `where` appears twice: pass its parameters twice."""
    candidates = f"record_id IN (SELECT record_id FROM activity_records WHERE {where})"
    return f"SELECT * FROM ({heads_sql(candidates)}) c WHERE {where}"


def latest_facilities_sql() -> str:
    """The latest version of each facility (every column of the facilities table)."""
    return (
        "SELECT f.* FROM facilities f JOIN (SELECT facility_id AS fid, max(version) AS v FROM "
        "facilities GROUP BY facility_id) m ON m.fid = f.facility_id AND m.v = f.version"
    )
