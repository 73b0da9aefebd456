"""A store holding SunBridge's facilities and its 2024 activity, calculated as the web app does
(one run of the organisation), for the footprint tests."""

from __future__ import annotations

import csv
from pathlib import Path

from openmrv.store import Database

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PACT = EXAMPLES / "pact"
ORG = "ORG-SUNBRIDGE"


def sunbridge_activity(
    folder: Path, facilities: tuple[str, ...] = ("FAC-JS-PV", "FAC-AZ-PV")
) -> Path:
    """The example activity rows of some facilities (SunBridge's), as their own file."""
    with open(EXAMPLES / "activity.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    at = rows[0].index("facility_id")
    path = folder / "activity.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(
            [rows[0], *(r for r in rows[1:] if r[at] in facilities)]
        )
    return path


def calculated(
    db: Database,
    folder: Path,
    user: str = "owner",
    org: str = ORG,
    facilities: Path = EXAMPLES / "facilities.csv",
    activity: Path | None = None,
) -> int:
    """An organisation's facilities and activity (default: SunBridge's, from the examples)
    stored and calculated as the web app does; the run number."""
    from openmrv.api import services
    from openmrv.api.tenancy import add_membership, add_user, load_principal, scope_for
    from openmrv.store.ingest import ingest, load_facilities

    load_facilities(db, facilities, "test")
    with db.write():
        add_user(db, user, "Owner", "pw-owner-123456", False)
        add_membership(db, user, org, "owner", "test")
    ingest(db, activity or sunbridge_activity(folder), user, org=org)
    p = load_principal(db, user)
    assert p is not None
    return services.calculate(scope_for(db, p, org, "write"))
