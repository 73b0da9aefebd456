"""Honest totals in the API and on the dashboard (issue 15), over the example data plus the
refrigerant, process, biomass, coal-tar and CEMS records of tests/reports/
test_coverage.py: per facility-year, the records a total holds plus the records listed as
not computed (with the reason) are the input; every total that misses records says so, in
both languages; the dashboard leads with the reporting obligations."""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from openmrv.cli.web import EXAMPLES, seed_demo
from openmrv.reports.i18n import t
from openmrv.store import open_store
from openmrv.web.app import create_app
from tests.reports.test_coverage import ADDED
from tests.web.conftest import sign_in, token_for

OWNERS = {
    "ORG-SUNBRIDGE": "owner",
    "ORG-TIANHE-JV": "tianhe",
    "ORG-HIGHPLAINS": "highplains",
    "ORG-CASCADIA": "cascadia",
    "ORG-QILU-POWER": "qilu",
}
API = "/api/v1/organisations/"


def augmented_activity(folder: Path) -> Path:
    with open(EXAMPLES / "activity.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    cols = list(rows[0])
    path = folder / "activity.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, cols)
        w.writeheader()
        w.writerows(rows + [{c: r.get(c, "") for c in cols} for r in ADDED])
    return path


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    """A store seeded with the augmented data, every organisation calculated through the API;
    (app, input record ids per (facility, year))."""
    d = tmp_path_factory.mktemp("honest-web")
    activity = augmented_activity(d)
    db = open_store(str(d / "web.duckdb"))
    try:
        seed_demo(db, EXAMPLES / "facilities.csv", activity)
    finally:
        db.close()
    app = create_app(str(d / "web.duckdb"))
    for org, user in OWNERS.items():
        r = TestClient(app).post(f"{API}{org}/runs", headers=_auth(app, user))
        assert r.status_code == 201, r.text
    with open(activity, newline="", encoding="utf-8") as f:
        inputs: dict[tuple[str, int], set[str]] = {}
        for r in csv.DictReader(f):
            inputs.setdefault((r["facility_id"], int(r["period_start"][:4])), set()).add(
                r["record_id"]
            )
    yield app, inputs
    app.state.store.db.close()


def _auth(app, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(app, user)}"}


def _check_partition(rows, listed, inputs, where: str) -> None:
    """Per methodology and facility-year: the records of the totals (over both scopes' rows,
    plus those outside the methodology's categories) are the input; those not computed are
    listed, by id, and are input records; included + listed = input."""
    groups: dict[tuple[str, str, int], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["methodology"], r["facility_id"], r["year"]), []).append(r)
    assert groups, where
    for (m, f, y), g in groups.items():
        scopes = [r for r in g if r["scope"] in ("1", "2_location")]
        want = inputs[(f, y)]
        assert sum(r["records"] + r["outside"] for r in scopes) == len(want), (where, m, f, y)
        ids = [i for n in listed if n[:3] == (m, f, y) for i in n[3]]
        assert len(ids) == len(set(ids)) and set(ids) <= want, (where, m, f, y)
        missing = sum(r["not_computed"] + r["outside"] for r in scopes)
        assert len(ids) == missing, (where, m, f, y)
        included = sum(r["records"] - r["not_computed"] for r in scopes)
        assert included + len(ids) == len(want), (where, m, f, y)


def test_api_totals_and_listed_records_are_the_input(honest):
    app, inputs = honest
    client = TestClient(app)
    seen = set()
    for org, user in OWNERS.items():
        h = _auth(app, user)
        body = client.get(f"{API}{org}/reports/totals", headers=h).json()
        nc = client.get(body["not_computed_url"], headers=h).json()["rows"]
        rows = [
            {
                **r,
                **{k: r["coverage"][k] for k in ("records", "not_computed")},
                "outside": r["coverage"]["outside_categories"],
            }
            for r in body["totals"]
        ]
        listed = [(n["methodology"], n["facility_id"], n["year"], n["record_ids"]) for n in nc]
        _check_partition(rows, listed, inputs, org)
        seen |= {(r["facility_id"], r["year"]) for r in rows}
        # scopes are never mixed: one row per scope, and market-based only for the inventory
        assert {r["scope"] for r in body["totals"]} <= {"1", "2_location", "2_market"}
        assert {r["methodology"] for r in body["totals"] if r["scope"] == "2_market"} <= {
            "inventory"
        }
    assert seen == set(inputs)  # every facility-year of the input


def test_api_flags_every_partial_total_and_links_its_records(honest):
    app, _ = honest
    client = TestClient(app)
    h = _auth(app, "tianhe")
    body = client.get(f"{API}ORG-TIANHE-JV/reports/totals", headers=h).json()
    partial = [r for r in body["totals"] if r["coverage"]["not_computed"]]
    every = body["totals"] + body["organisation"]
    assert partial and body["partial"] == sum(1 for r in every if r["coverage"]["not_computed"])
    for r in partial:
        c = r["coverage"]
        assert c["status"] == "partial" and c["text"].startswith("⚠ partial")
        assert f"{c['not_computed']} of {c['records']} records" in c["text"]
        listed = client.get(r["not_computed_url"], headers=h).json()["rows"]
        assert sum(n["records"] for n in listed) == c["not_computed"] + c["outside_categories"]
    complete = [r for r in body["totals"] if r["coverage"]["status"] == "complete"]
    assert all(r["coverage"]["text"].startswith("complete") for r in complete)
    # Part 98 leaves the coal tar out of FAC-BJ-ENG's 2024 Scope 1 (no Table C-1 factor)
    p98 = next(r for r in body["totals"] if (r["methodology"], r["scope"]) == ("epa_part98_c", "1"))
    assert p98["coverage"]["status"] == "partial" and p98["coverage"]["not_computed"] == 1
    rows = client.get(p98["not_computed_url"], headers=h).json()["rows"]
    tar = [n for n in rows if "BJ-ENG-TAR-2024-06" in n["record_ids"]]
    assert len(tar) == 1 and tar[0]["reason"]
    # the process record: listed under the inventory with every method of the chain tried
    inv = client.get(
        f"{API}ORG-TIANHE-JV/reports/not-computed?methodology=inventory", headers=h
    ).json()["rows"]
    proc = next(n for n in inv if n["record_ids"] == ["BJ-ENG-PROC-2024"])
    assert proc["category"] == "process" and "cn_mee: cn_mee does not cover" in proc["reason"]


def test_api_obligations_follow_the_rules_and_the_cases(honest):
    """40 CFR 98.2(a)(3) / 98.3(b) and the CN ETS rules (tests/reports/test_obligations.py);
    submitted / verified from the facility-year's verification case."""
    app, _ = honest
    client = TestClient(app)
    h = _auth(app, "highplains")
    obl = client.get(f"{API}ORG-HIGHPLAINS/reports/obligations", headers=h).json()["obligations"]
    wy = {(o["year"], o["programme"]): o for o in obl}
    assert wy[(2024, "EPA_GHGRP")]["applies"] and wy[(2024, "EPA_GHGRP")]["report_due"] == (
        "2025-03-31"
    )
    assert wy[(2024, "EPA_GHGRP")]["threshold_t"] == 25_000
    assert wy[(2024, "EPA_GHGRP")]["submitted"] is None  # no case yet
    r = client.post(
        f"{API}ORG-HIGHPLAINS/verification-cases",
        headers=h,
        json={"facility_id": "FAC-WY-COAL", "year": 2024},
    )
    assert r.status_code == 201, r.text
    case = r.json()["case_id"]
    r = client.post(
        f"{API}ORG-HIGHPLAINS/verification-cases/{case}/steps", headers=h, json={"action": "submit"}
    )
    assert r.status_code == 200, r.text
    obl = client.get(f"{API}ORG-HIGHPLAINS/reports/obligations", headers=h).json()["obligations"]
    row = next(o for o in obl if (o["year"], o["programme"]) == (2024, "EPA_GHGRP"))
    assert row["submitted"] is True and row["verified"] is False
    assert row["case_status"] == "submitted"


class Rows(HTMLParser):
    """The data-* attributes and cell texts of every row of the tables with the given ids."""

    def __init__(self, ids: set[str]) -> None:
        super().__init__()
        self.ids, self.table, self.rows = ids, None, []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.table = a.get("id") if a.get("id") in self.ids else None
        elif tag == "tr" and self.table and any(k.startswith("data-") for k in a):
            self.rows.append({"table": self.table, **a, "cells": [], "classes": []})
        elif tag == "td" and self.table and self.rows and self.rows[-1]["table"] == self.table:
            self.rows[-1]["cells"].append("")
            self.rows[-1]["classes"].append(a.get("class") or "")

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.table and self.rows and self.rows[-1]["cells"]:
            self.rows[-1]["cells"][-1] += data


def _rows(html: str, *ids: str) -> list[dict]:
    p = Rows(set(ids))
    p.feed(html)
    return p.rows


def _dashboard_partition(html_default: str, html_methods: str, inputs, where: str) -> None:
    def totals(rows):
        return [
            {
                "methodology": r.get("data-methodology", "inventory"),
                "facility_id": r["data-facility"],
                "year": int(r["data-year"]),
                "scope": r["data-scope"],
                "records": int(r["data-records"]),
                "not_computed": int(r["data-not-computed"]),
                "outside": int(r["data-outside"]),
            }
            for r in rows
        ]

    def listed(rows):
        return [
            (
                r.get("data-methodology"),
                r["data-facility"],
                int(r["data-year"]),
                [i.strip() for i in r["cells"][-1].split(",")],
            )
            for r in rows
        ]

    inv = _rows(html_default, "inventory", "not-computed-table")
    _check_partition(
        totals([r for r in inv if r["table"] == "inventory"]),
        listed([r for r in inv if r["table"] == "not-computed-table"]),
        inputs,
        where + " inventory",
    )
    by_m = _rows(html_methods, "totals", "not-computed-table")
    _check_partition(
        totals([r for r in by_m if r["table"] == "totals"]),
        listed([r for r in by_m if r["table"] == "not-computed-table"]),
        inputs,
        where + " methodologies",
    )


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_dashboard_totals_and_listed_records_are_the_input(honest, lang):
    app, inputs = honest
    from openmrv.web import i18n

    i18n.MISSING.clear()
    seen = set()
    for org, user in OWNERS.items():
        client = sign_in(app, user)
        client.cookies.set("lang", lang)
        default = client.get(f"/orgs/{org}").text
        methods = client.get(f"/orgs/{org}?view=methods").text
        _dashboard_partition(default, methods, inputs, f"{org} {lang}")
        seen |= {(r["data-facility"], int(r["data-year"])) for r in _rows(default, "inventory")}
    assert seen == set(inputs)
    assert not i18n.MISSING, sorted(i18n.MISSING)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_dashboard_flags_every_partial_total_visibly(honest, lang):
    app, _ = honest
    client = sign_in(app, "tianhe")
    client.cookies.set("lang", lang)
    page = client.get("/orgs/ORG-TIANHE-JV?view=methods").text
    partial_text = t("coverage.partial", lang).split("{")[0]
    rows = _rows(page, "totals")
    partial = [r for r in rows if int(r["data-not-computed"])]
    assert partial
    for r in partial:
        assert r["classes"][-1] == "partial"  # its own, marked cell: not a footnote
        assert r["cells"][-1].strip().startswith(partial_text), r["cells"][-1]
    for r in rows:
        if not int(r["data-not-computed"]) and int(r["data-records"]):
            assert r["cells"][-1].strip().startswith(t("coverage.complete", lang))
    # the organisation's cards carry it too, each scope apart
    cards = re.findall(r'data-total="epa_part98_c-2024-1">[^<]+</span>[^<]*<br><span class="'
                       r'coverage ([a-z]*)"', page)  # fmt: skip
    assert cards == ["partial"]
    assert 'data-total="epa_part98_c-2024-1+2' not in page  # no mixed-scope total
    # the process record is listed with its reason on the default (inventory) view
    default = client.get("/orgs/ORG-TIANHE-JV").text
    listed = _rows(default, "not-computed-table")
    assert any("BJ-ENG-PROC-2024" in r["cells"][-1] for r in listed)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_dashboard_leads_with_obligations(honest, lang):
    app, _ = honest
    client = sign_in(app, "highplains")
    client.cookies.set("lang", lang)
    page = client.get("/orgs/ORG-HIGHPLAINS").text
    heading = t("section.obligations", lang)
    assert page.index(heading) < page.index('id="inventory"') < page.index('id="months"')
    rows = _rows(page, "obligations")
    ghgrp = [r for r in rows if r["data-programme"] == "EPA_GHGRP"]
    assert {r["data-year"] for r in ghgrp} == {"2024", "2025"}
    assert all(r["data-applies"] == "true" for r in ghgrp)
    assert t("programme.EPA_GHGRP", lang) in ghgrp[0]["cells"][2]
    assert "2025-03-31" in "".join(ghgrp[0]["cells"])
    # the methodology view is one click away
    assert 'id="tab-methods"' in page and "?view=methods" in page


def test_a_run_stored_before_totals_by_scope_stays_readable(honest):
    """A run stored before core migration 11 has only `run_totals` rows (all scopes summed):
    the API answers them as scope "1+2_location" with no coverage, the page says so."""
    app, _ = honest
    db = app.state.store.db
    with db.write():
        run_no = db.next_id("org_runs", "run_no")
        db.execute(
            "INSERT INTO org_runs VALUES (?, 'ORG-CASCADIA', 'old', 'cascadia', "
            "'2025-01-01T00:00:00', 1, '{}')",
            [run_no],
        )
        db.execute(
            "INSERT INTO run_totals VALUES (?, 'epa_hub_ghgp', 'FAC-WA-DC', 12.5, 0.0)", [run_no]
        )
    client = TestClient(app)
    h = _auth(app, "cascadia")
    body = client.get(f"{API}ORG-CASCADIA/reports/totals", headers=h).json()
    assert body["run_no"] == run_no and body["partial"] == 0
    (row,) = body["totals"]
    assert row["scope"] == "1+2_location" and row["coverage"] is None and row["co2e_t"] == 12.5
    page = sign_in(app, "cascadia").get("/orgs/ORG-CASCADIA?view=methods").text
    assert "coverage not recorded (run stored before)" in page
    assert "Scopes 1 and 2 (location-based)" in page


def test_data_completeness_per_facility_month(honest, tmp_path):
    """Each month of a facility-year counts the input records whose period covers it; the
    process record (all of 2024, computed by no methodology) marks every month of FAC-BJ-ENG."""
    app, _ = honest
    with open(augmented_activity(tmp_path), encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["facility_id"] == "FAC-BJ-ENG"]
    want = {
        m: sum(int(r["period_start"][5:7]) <= m <= int(r["period_end"][5:7]) for r in rows)
        for m in range(1, 13)
    }
    page = sign_in(app, "tianhe").get("/orgs/ORG-TIANHE-JV").text
    (row,) = [r for r in _rows(page, "months") if r["data-facility"] == "FAC-BJ-ENG"]
    cells = [c.strip() for c in row["cells"][2:]]
    assert [c.split("/")[-1] for c in cells] == [str(want[m]) for m in range(1, 13)]
    assert all(c.startswith("⚠") for c in cells) and set(row["classes"][2:]) == {"num partial"}
