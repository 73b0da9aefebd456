"""The hourly grid page: heat maps for the organisation's own facility, in English and
Chinese; another organisation's data never shown; an organisation without data told so."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from openmrv.web.app import create_app
from tests.web.conftest import csrf_of


def _client(app, user: str, password: str) -> TestClient:
    c = TestClient(app)
    form = c.get("/signin").text
    data = {"username": user, "password": password, "csrf_token": csrf_of(form)}
    assert c.post("/signin", data=data, follow_redirects=False).status_code == 303
    return c


def test_grid_page_in_both_languages_and_tenancy(grid_store) -> None:
    app = create_app(str(grid_store))
    try:
        c = _client(app, "cascadia", "demo-cascadia-pw")
        page = c.get("/orgs/ORG-CASCADIA/grid")
        assert page.status_code == 200 and 'data-nav="grid"' in page.text
        figs = json.loads(re.search(r'id="grid-figures">(.*?)</script>', page.text, re.S)[1])
        assert set(figs) == {"load", "clean", "unmatched", "cfe"}
        z = figs["load"]["data"][0]["z"]
        assert len(z) == 24 and len(z[0]) == 365  # hour of day × day of year
        assert len(figs["cfe"]["data"][0]["z"][0]) == 12  # months
        assert "FAC-WA-DC" in page.text and "FAC-AZ-PV" not in page.text
        assert c.get("/orgs/ORG-SUNBRIDGE/grid").status_code in (403, 404)
        from openmrv.web import i18n

        c.get("/lang/zh-CN?next=/")
        i18n.MISSING.clear()
        zh = c.get("/orgs/ORG-CASCADIA/grid").text
        assert "逐时电力：负荷、清洁电力供应与未匹配负荷" in zh and "全年 24/7 无碳电力得分" in zh
        figs = json.loads(re.search(r'id="grid-figures">(.*?)</script>', zh, re.S)[1])
        assert figs["load"]["layout"]["xaxis"]["title"]["text"] == "年内日序"
        assert not i18n.MISSING, f"untranslated: {sorted(i18n.MISSING)}"
        tianhe = _client(app, "tianhe", "demo-tianhe-pw")
        tianhe.get("/lang/zh-CN?next=/")
        assert "本组织尚未存储逐时电网数据" in tianhe.get("/orgs/ORG-TIANHE-JV/grid").text
        assert not i18n.MISSING, f"untranslated: {sorted(i18n.MISSING)}"
    finally:
        app.state.store.db.close()
