"""The demo's product footprints: SunBridge's PV modules (examples/pact), computed from the run
`openmrv demo-seed` has just made and issued, so `openmrv serve --https` has footprints to
serve (the first with a geography, a classification and a validity period)."""

from __future__ import annotations

from pathlib import Path

from openmrv.pact.footprint import compute_and_issue
from openmrv.pact.schema import read_folder
from openmrv.store.db import Database

__all__ = ["DEMO_ORG", "seed"]

DEMO_ORG = "ORG-SUNBRIDGE"


def seed(db: Database, examples: Path) -> int:
    """Issue the example footprints of every year of examples/pact/production.csv (kept when
    unchanged, so seeding again adds none); how many were computed."""
    folder = examples / "pact"
    if not folder.is_dir() or not db.scalar(
        "SELECT count(*) FROM org_runs WHERE organization_id = ?", [DEMO_ORG]
    ):
        return 0
    years = sorted(set(read_folder(folder).production.year))
    done = [c for y in years for c in compute_and_issue(db, DEMO_ORG, folder, int(y), "demo-seed")]
    return len(done)
