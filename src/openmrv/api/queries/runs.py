"""An organisation's calculation runs and their stored totals (api.services.calculate)."""

from __future__ import annotations

import json
from typing import Any

from openmrv.api.tenancy import NotFound, OrgScope, dicts

RUN = ("run_no", "run_id", "created_by", "created_at", "records")
BREAKDOWN = ("methodology", "facility_id", "year", "scope", "gas", "category", "co2e_t")


def listed(s: OrgScope) -> list[dict[str, Any]]:
    """The organisation's runs, newest first."""
    return s.rows("org_runs", RUN, order="run_no DESC")


def get(s: OrgScope, run_no: int) -> dict[str, Any]:
    """One run with its metadata; NotFound for another organisation's."""
    found = s.rows("org_runs", (*RUN, "meta"), "run_no = ?", [run_no])
    if not found:
        raise NotFound(f"no calculation run {run_no} in {s.org_id}")
    return {**found[0], "meta": json.loads(found[0]["meta"])}


def latest_no(s: OrgScope) -> int | None:
    return s.db.scalar("SELECT max(run_no) FROM org_runs WHERE organization_id = ?", [s.org_id])


SCOPE_TOTAL = (
    "methodology",
    "facility_id",
    "year",
    "scope",
    "co2e_t",
    "biogenic_co2_t",
    "categories",
    "records",
    "not_computed",
    "missing_share",
    "outside_categories",
)
NOT_COMPUTED = (
    "methodology",
    "facility_id",
    "year",
    "scope",
    "category",
    "reason",
    "unit",
    "records",
    "quantity",
    "record_ids",
)
OBLIGATION = (
    "facility_id",
    "year",
    "programme",
    "applies",
    "reason_code",
    "primary_methodology",
    "figure_t",
    "threshold_t",
    "threshold_reached",
    "report_due",
    "data_complete",
    "records_not_computed",
    "rule",
)
MONTH = ("facility_id", "year", "month", "records", "not_computed")
LEGACY_SCOPE = "1+2_location"  # what a run stored before core migration 11 summed


def _run(s: OrgScope, run_no: int | None) -> int | None:
    """The run asked for (404 for another organisation's), or the latest; None if none."""
    run_no = run_no if run_no is not None else latest_no(s)
    if run_no is not None:
        get(s, run_no)
    return run_no


def coverage_of(
    records: int, not_computed: int, missing_share: str, outside: int, lang: str = "en"
) -> dict[str, Any]:
    """A total's coverage: status (complete, partial, or not_covered when the methodology
    covers none of the records' categories), counts, quantity share not computed per category,
    and the text reports print (reports.coverage.text)."""
    from openmrv.reports import coverage

    status = "not_covered" if not records else "partial" if not_computed else "complete"
    shares = dict(item.split("=") for item in missing_share.split(";") if item)
    return {
        "status": status,
        "records": records,
        "not_computed": not_computed,
        "outside_categories": outside,
        "missing_share": {k: float(v) for k, v in shares.items()},
        "text": coverage.text(records, not_computed, missing_share, lang, outside),
    }


def totals(s: OrgScope, run_no: int | None = None, lang: str = "en") -> list[dict[str, Any]]:
    """The run's totals, one per methodology (or `inventory`), facility (None: all of the
    organisation's), year and scope, each with its coverage; the latest run's when `run_no`
    is None. A run stored before totals were kept by scope answers its rows as scope
    "1+2_location", coverage not recorded."""
    run_no = _run(s, run_no)
    if run_no is None:
        return []
    rows = dicts(
        SCOPE_TOTAL,
        s.db.execute(
            f"SELECT {', '.join(SCOPE_TOTAL)} FROM run_scope_totals WHERE run_no = ? "
            "ORDER BY methodology, facility_id, year, scope",
            [run_no],
        ),
    )
    if not rows:
        return _legacy_totals(s, run_no)
    for r in rows:
        r["facility_id"] = r["facility_id"] or None  # the organisation's (all facilities)
        r["categories"] = [c for c in r["categories"].split(",") if c]
        r["coverage"] = coverage_of(
            r.pop("records"),
            r.pop("not_computed"),
            r.pop("missing_share"),
            r.pop("outside_categories"),
            lang,
        )
    return rows


def _legacy_totals(s: OrgScope, run_no: int) -> list[dict[str, Any]]:
    cols = ("methodology", "facility_id", "co2e_t", "biogenic_co2_t")
    rows = s.db.execute(
        f"SELECT {', '.join(cols)} FROM run_totals WHERE run_no = ? "
        "ORDER BY methodology, facility_id",
        [run_no],
    )
    return [
        r | {"year": None, "scope": LEGACY_SCOPE, "categories": [], "coverage": None}
        for r in dicts(cols, rows)
    ]


def not_computed(s: OrgScope, run_no: int | None = None, **match: Any) -> list[dict[str, Any]]:
    """The records the run did not compute, by methodology, facility, year, scope, category,
    reason and unit (`match`: column = value filters, None = any)."""
    run_no = _run(s, run_no)
    if run_no is None:
        return []
    where = [f"{k} = ?" for k, v in match.items() if v is not None]
    params = [v for v in match.values() if v is not None]
    rows = dicts(
        NOT_COMPUTED,
        s.db.execute(
            f"SELECT {', '.join(NOT_COMPUTED)} FROM run_not_computed WHERE "
            + " AND ".join(["run_no = ?", *where])
            + " ORDER BY methodology, facility_id, year, scope, category, reason",
            [run_no, *params],
        ),
    )
    for r in rows:
        r["record_ids"] = r["record_ids"].split(", ")
    return rows


def obligations(s: OrgScope, run_no: int | None = None) -> list[dict[str, Any]]:
    """The run's reporting obligations per facility, year and programme, with the status of
    the facility-year's verification case (submitted, verified; None without a case)."""
    run_no = _run(s, run_no)
    if run_no is None:
        return []
    rows = dicts(
        OBLIGATION,
        s.db.execute(
            f"SELECT {', '.join(OBLIGATION)} FROM run_obligations WHERE run_no = ? "
            "ORDER BY facility_id, year, programme",
            [run_no],
        ),
    )
    cases = {
        (c["facility_id"], c["year"]): c
        for c in s.rows("verification_cases", ("case_id", "facility_id", "year", "status"))
    }
    for r in rows:
        case = cases.get((r["facility_id"], r["year"]))
        r["case_id"] = case["case_id"] if case else None
        r["case_status"] = case["status"] if case else None
        r["submitted"] = None if case is None else case["status"] in SUBMITTED
        r["verified"] = None if case is None else case["status"] == "verified"
    return rows


SUBMITTED = ("submitted", "in_verification", "verified")  # api.workflow statuses


def months(s: OrgScope, run_no: int | None = None) -> list[dict[str, Any]]:
    """Records per facility-month of the run, and how many the inventory did not compute."""
    run_no = _run(s, run_no)
    if run_no is None:
        return []
    return dicts(
        MONTH,
        s.db.execute(
            f"SELECT {', '.join(MONTH)} FROM run_months WHERE run_no = ? "
            "ORDER BY facility_id, year, month",
            [run_no],
        ),
    )


def breakdown(s: OrgScope, run_no: int | None = None) -> list[dict[str, Any]]:
    """The run's CO2e by methodology, facility, year, scope, gas and category."""
    run_no = _run(s, run_no)
    if run_no is None:
        return []
    rows = s.db.execute(
        f"SELECT {', '.join(BREAKDOWN)} FROM run_breakdown WHERE run_no = ?", [run_no]
    )
    return dicts(BREAKDOWN, rows)
