"""No English left on zh-CN pages (issue 15): every page in Chinese shows no run of English
words but proper names from the data (facility and organisation names, fuels, users), units,
formulas and codes (the check of tests/reports/test_zh_no_english.py)."""

from __future__ import annotations

from openmrv import i18n
from tests.reports.test_coverage import ADDED
from tests.reports.test_zh_no_english import english, visible
from tests.web import data
from tests.web.conftest import sign_in
from tests.web.test_web import PAGES, _upload


def test_every_zh_page_holds_no_english_but_names(app):
    """Over the organisation's example records plus the ones no methodology of its facilities
    computes (a refrigerant in China, biomass in the US: tests/reports/test_coverage.py)."""
    owner = sign_in(app, "owner")
    header, body = data.rows()
    added = [r for r in ADDED if r["facility_id"] in data.SUNBRIDGE]
    assert len(added) == 2
    body += [[r.get(c, "") for c in header] for r in added]
    assert _upload(owner, "more.csv", data.text(header, body)).status_code == 200
    owner.cookies.set("lang", "zh-CN")
    db = app.state.store.db
    names = {r[0] for r in db.execute("SELECT name FROM facilities")}
    names |= {r[0] for r in db.execute("SELECT display_name FROM users")}
    i18n.MISSING.clear()
    left = {}
    for path in PAGES:
        if path.endswith("/cases/1"):
            continue  # exists once test_web's workflow test has opened a case
        r = owner.get(path.replace("FAC-JS-PV&year", "FAC-AZ-PV&year"))
        assert r.status_code == 200, path
        found = english(visible(r.text), names)
        if found:
            left[path] = sorted(found)
    assert not i18n.MISSING, sorted(i18n.MISSING)
    assert not left, left
