"""The product-footprint page after the demo seeding (`openmrv demo-seed`'s seed_demo):
SunBridge's two issued module footprints with their lineage, in English and Chinese with no
English left untranslated; another organisation's users never see them."""

from __future__ import annotations

import shutil

import pytest

from openmrv.pact import store as pact_store
from openmrv.store import open_store
from openmrv.web.app import create_app
from tests.web.conftest import seeded_store, sign_in  # noqa: F401 (fixture)


@pytest.fixture
def seeded(seeded_store, tmp_path):  # noqa: F811
    path = tmp_path / "web.duckdb"
    shutil.copy(seeded_store, path)
    return path


def test_demo_seed_leaves_two_active_footprints(seeded) -> None:
    db = open_store(str(seeded))
    try:
        pfs = pact_store.list_footprints(db, "ORG-SUNBRIDGE")
        assert len(pfs) == 2 and all(p.status == "Active" for p in pfs)
        first = pfs[0].to_wire()
        assert first["pcf"]["geographyCountry"] == "CN"
        assert first["productClassifications"][0].startswith("urn:pact:productclassification:")
        assert first["validityPeriodStart"] and first["validityPeriodEnd"]
        assert pact_store.list_footprints(db, "ORG-TIANHE-JV") == []
    finally:
        db.close()


def test_footprint_page_in_both_languages_and_tenancy(seeded) -> None:
    app = create_app(str(seeded))
    try:
        c = sign_in(app, "viewer")
        page = c.get("/orgs/ORG-SUNBRIDGE/pact/footprints")
        assert page.status_code == 200 and 'data-nav="pcf"' in page.text
        assert page.text.count('class="pcf-row"') == 2
        assert "SunBridge 550 W mono-crystalline PV module" in page.text
        assert "desnz-2025:19_501_5056_15_1" in page.text  # the glass factor in the lineage
        from openmrv.web import i18n

        c.get("/lang/zh-CN?next=/")
        i18n.MISSING.clear()
        zh = c.get("/orgs/ORG-SUNBRIDGE/pact/footprints").text
        assert "产品碳足迹" in zh and "溯源" in zh and "二手因子" in zh
        assert not i18n.MISSING, f"untranslated: {sorted(i18n.MISSING)}"
        tianhe = sign_in(app, "tianhe")
        assert tianhe.get("/orgs/ORG-SUNBRIDGE/pact/footprints").status_code in (403, 404)
        own = tianhe.get("/orgs/ORG-TIANHE-JV/pact/footprints")
        assert own.status_code == 200 and 'class="pcf-row"' not in own.text
    finally:
        app.state.store.db.close()
