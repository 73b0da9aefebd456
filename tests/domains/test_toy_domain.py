"""The toy domain (tests/domains/toy) joins OpenMRV through every hook, and no core file knows
it: its command, API route, page, navigation link, permission, migrations, ledger coverage and
check, method, input schema, report section and translations all work once it is registered."""

from __future__ import annotations

import inspect
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openmrv import hookspecs, plugins
from openmrv.api.tenancy import role_permissions
from openmrv.cli import build_app
from openmrv.ingest.columns import registered
from openmrv.reports.i18n import t
from openmrv.reports.model import Bundle
from openmrv.store import ledger, open_store
from openmrv.web.app import create_app
from tests.domains.toy import plugin as toy_plugin
from tests.store.conftest import pg, store_url  # noqa: F401 (fixtures: both backends)
from tests.web.conftest import seeded_store, sign_in, token_for  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
TOY = Path(toy_plugin.__file__).parent
READINGS_CSV = "record_id,facility_id,flared_m3\nR1,FAC-A,10\nR2,FAC-A,2.5\n"


@pytest.fixture
def toy() -> Iterator[None]:
    pm = plugins.manager()
    pm.register(toy_plugin, name="toy")
    try:
        yield
    finally:
        pm.unregister(name="toy")


def test_the_toy_implements_every_hook():
    specs = {
        n
        for n, f in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(f, "openmrv_spec")
    }
    impls = {
        n
        for n, f in inspect.getmembers(toy_plugin, inspect.isfunction)
        if hasattr(f, "openmrv_impl")
    }
    assert impls == specs


def test_adding_the_toy_touched_no_core_file():
    """Its files are all in its own folder under tests/, and the commit that added it changed
    nothing else (the git history is read when the checkout has one)."""
    files = sorted(p.relative_to(ROOT).as_posix() for p in TOY.rglob("*") if p.is_file())
    assert files and all(f.startswith("tests/domains/toy/") for f in files), files
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return
    log = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--", "tests/domains/toy/plugin.py"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    if not log:  # not committed yet (a working copy)
        return
    changed = subprocess.run(
        ["git", "show", "--name-only", "--format=", log[-1]],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert changed and all(f.startswith("tests/domains/") for f in changed), changed


def test_command_migrations_and_ledger(toy, store_url):  # noqa: F811
    cli, run = build_app(), CliRunner()
    assert "toy" in run.invoke(cli, ["--help"]).output
    # A bad file is refused with a located problem, and nothing is stored.
    bad = Path(store_url.replace("postgresql://", "").split("/")[-1] + "-bad.csv")
    bad.write_text("record_id,facility_id,flared_m3\nR1,FAC-A,-3\n", encoding="utf-8")
    good = bad.with_name(bad.name.replace("-bad", "-good"))
    good.write_text(READINGS_CSV, encoding="utf-8")
    try:
        r = run.invoke(cli, ["toy", "load", str(bad), "--org", "ORG-A", "--db", store_url])
        assert r.exit_code == 2 and "row 2" in r.output and "flared_m3" in r.output, r.output
        r = run.invoke(cli, ["toy", "load", str(good), "--org", "ORG-A", "--db", store_url])
        assert r.exit_code == 0, r.output
        r = run.invoke(cli, ["toy", "permit", "FAC-A", "500", "--org", "ORG-A", "--db", store_url])
        assert r.exit_code == 0, r.output
        # 12.5 m³ × 2.0 kg/m³ = 25 kg = 0.025 t
        r = run.invoke(cli, ["toy", "total", "--org", "ORG-A", "--db", store_url])
        assert "ORG-A: 0.025 t CO2 from 2 readings" in r.output, r.output
    finally:
        bad.unlink(missing_ok=True)
        good.unlink(missing_ok=True)
    db = open_store(store_url)
    try:
        applied = set(
            db.execute("SELECT domain, version FROM schema_migrations WHERE domain = 'toy'")
        )
        assert applied == {("toy", 1), ("toy", 2)}
        assert ledger.verify(db).ok
        db.execute("UPDATE toy_readings SET flared_m3 = 1 WHERE record_id = 'R2'")
        v = ledger.verify(db)
        assert not v.ok and "toy_readings rows of batch" in str(v.findings[0])
        db.execute("UPDATE toy_readings SET flared_m3 = 2.5 WHERE record_id = 'R2'")
        db.execute("UPDATE toy_permits SET limit_m3 = 5000")
        assert "toy permit of FAC-A differs" in str(ledger.verify(db).findings[0])
        db.execute("UPDATE toy_permits SET limit_m3 = 500")
        db.execute("INSERT INTO toy_permits VALUES ('ORG-A', 'FAC-B', 1, 999)")
        assert "a toy permit of FAC-B that no event records" in str(ledger.verify(db).findings)
    finally:
        db.close()
    db = open_store(store_url)  # reopening applies nothing again
    try:
        assert db.scalar("SELECT count(*) FROM schema_migrations WHERE domain = 'toy'") == 2
    finally:
        db.close()


def test_route_page_navigation_permission_and_translation(toy, seeded_store, tmp_path):  # noqa: F811
    path = tmp_path / "web.duckdb"
    shutil.copy(seeded_store, path)
    from tests.domains.toy import store as toy_store

    db = open_store(str(path))
    try:
        toy_store.add_readings(
            db, "ORG-SUNBRIDGE", [{"record_id": "R1", "facility_id": "F", "flared_m3": 4.0}], "t"
        )
        toy_store.add_readings(
            db, "ORG-TIANHE-JV", [{"record_id": "X", "facility_id": "G", "flared_m3": 9.0}], "t"
        )
    finally:
        db.close()
    app = create_app(str(path))
    try:
        api = TestClient(app)
        token = token_for(app, "owner")
        r = api.get(
            "/api/v1/organisations/ORG-SUNBRIDGE/toy/readings",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200
        assert r.json() == [
            {"record_id": "R1", "facility_id": "F", "flared_m3": 4.0, "co2_t": 0.008}
        ]
        # The one tenancy filter: another organisation's readings are not this user's to see.
        r = api.get(
            "/api/v1/organisations/ORG-TIANHE-JV/toy/readings",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 404
        spec = app.openapi()["paths"]["/api/v1/organisations/{org_id}/toy/readings"]["get"]
        assert spec["x-permission"] == "read"
        client = sign_in(app, "owner")
        page = client.get("/orgs/ORG-SUNBRIDGE/toy")
        assert page.status_code == 200 and 'id="toy-readings"' in page.text
        assert 'data-nav="toy"' in page.text and ">R1<" in page.text and ">X<" not in page.text
        client.get("/lang/zh-CN?next=/")
        assert "玩具火炬" in client.get("/orgs/ORG-SUNBRIDGE/toy").text
    finally:
        app.state.store.db.close()
    assert "toy:permit" in role_permissions("owner")
    assert "toy:permit" not in role_permissions("viewer")


def test_method_schema_and_report_section(toy):
    assert "toy_flare" in {m.id for m in plugins.methods()}
    assert registered("toy_flare_readings").name == "toy_flare_readings"
    assert t("toy.section", "zh-CN") == "玩具火炬"
    bundle = Bundle.__new__(Bundle)  # the sections read nothing of the bundle here
    assert [(n, title) for n, title, _ in bundle.domain_sections("zh-CN")] == [
        ("toy_flaring", "玩具火炬")
    ]


def test_unregistered_the_toy_is_gone():
    assert "toy" not in {name for name, _ in plugins.manager().list_name_plugin()}
    assert "toy_flare" not in {m.id for m in plugins.methods()}
