"""Granular certificates on DuckDB and PostgreSQL: import (located problems, ids imported
once), transfer/cancel/claim with range splitting, refusals that store nothing, the ledger,
tenancy, claimed certificates as hourly supply; and the property that no certificate is ever
claimed twice across imports, transfers and splits (Hypothesis)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openmrv.grid import storage
from openmrv.grid import store as gc
from openmrv.grid.certificates import read_bundles
from openmrv.ingest.errors import InputError
from openmrv.ingest.readers import read_table
from openmrv.store import open_store
from tests.grid.helpers import grid, load_file, scope2, write
from tests.store.conftest import pg, store_url  # noqa: F401 (fixtures: both backends)
from tests.store.helpers import verify

HEAD = (
    "issuance_id,issuing_body,device_id,energy_source,technology,region,production_start,"
    "production_end,face_value_wh,range_start,range_end,account"
)


def bundle_row(lo: int, hi: int, hour: int = 1, body: str = "GCR", wh: int = 1_000_000) -> str:
    return (
        f"iss-{lo},{body},pv-1,solar_pv,PV fixed tilt,PJM,2025-06-01 {hour:02d}:00,"
        f"2025-06-01 {hour:02d}:59:59,{wh},{lo},{hi},acct-a"
    )


@pytest.fixture
def db(store_url):  # noqa: F811
    d = open_store(store_url)
    yield d
    d.close()


STORAGE_HEAD = (
    "record_id,kind,device_id,region,interval_start,interval_end,energy_wh,bundle_id,efficiency"
)


def charge(rec: str, bundle: int, wh: int, hour: int = 1) -> str:
    day = "2025-06-01"
    return f"{rec},charge,bat-1,PJM,{day} {hour:02d}:00,{day} {hour + 1:02d}:00,{wh},{bundle},"


def discharge(rec: str, wh: int, hour: int = 19, eff: float = 0.85) -> str:
    return (
        f"{rec},discharge,bat-1,PJM,2025-06-01 {hour:02d}:00,2025-06-01 {hour:02d}:59,{wh},,{eff}"
    )


def _import(db, tmp_path: Path, rows: list[str], org: str = "ORG") -> int:
    f = write(tmp_path / "bundles.csv", HEAD, rows)
    return gc.import_bundles(db, org, read_bundles(read_table(f)), f.name, "tester")


def _storage(db, tmp_path: Path, rows: list[str], org: str = "ORG") -> int:
    f = write(tmp_path / "storage.csv", STORAGE_HEAD, rows)
    return storage.import_records(db, org, storage.read_records(read_table(f)), f.name, "tester")


def import_and_cancel(db, tmp_path: Path) -> None:
    """Rows in every grid table (the shared ledger-coverage test uses it)."""
    _import(db, tmp_path, [bundle_row(1, 4)])
    gc.act(db, "ORG", "cancel", gc.current(db, "ORG")[0].bundle_id, "t", quantity=2)
    stored = gc.current(db, "ORG")[0]  # the two cancelled certificates: charged, then discharged
    _storage(db, tmp_path, [charge("scr-1", stored.bundle_id, 2_000_000), discharge("sdr-1", 5)])
    hourly = pa.table({"facility_id": ["dc"], "market": ["PJM"], "hour": ["2025-06-01 00:00"],
                       "load_mwh": [10.0], "supply_mwh": [0.0], "matched_mwh": [0.0],
                       "grid_cfe": [0.2]})  # fmt: skip
    gc.store_hourly(db, "ORG", hourly, "t")


def _count(db) -> tuple[int, int]:
    return (
        db.scalar("SELECT count(*) FROM grid_gc_bundles"),
        db.scalar("SELECT count(*) FROM grid_gc_spent"),
    )


def test_lifecycle_splits_ranges_and_refuses_a_second_claim(db, tmp_path: Path) -> None:
    _import(db, tmp_path, [bundle_row(1, 15)])  # 15 × 1 MWh, hour 01:00
    [b] = gc.current(db, "ORG")
    moved, rest = gc.act(db, "ORG", "transfer", b.bundle_id, "t", quantity=10, account="acct-b")
    assert (moved.range_start, moved.range_end, moved.account) == (1, 10, "acct-b")
    assert (rest.range_start, rest.range_end, rest.account) == (11, 15, "acct-a")
    assert moved.issuance_id == rest.issuance_id == b.issuance_id
    [done] = gc.act(db, "ORG", "cancel", moved.bundle_id, "t", beneficiary="dc")
    claimed, left = gc.act(db, "ORG", "claim", done.bundle_id, "t", quantity=6)
    assert (claimed.status, claimed.range_end, left.status) == ("claimed", 6, "cancelled")
    before = _count(db)
    for bundle, action in ((claimed.bundle_id, "claim"), (done.bundle_id, "claim"),
                           (b.bundle_id, "cancel")):  # fmt: skip
        with pytest.raises(InputError) as e:
            gc.act(db, "ORG", action, bundle, "t")
        assert e.value.problems[0].file == f"bundle {bundle}"
    with pytest.raises(InputError, match="cannot be claimed"):
        gc.act(db, "ORG", "claim", rest.bundle_id, "t")  # active: cancel first
    with pytest.raises(InputError, match="not between 1"):
        gc.act(db, "ORG", "cancel", rest.bundle_id, "t", quantity=6)
    assert _count(db) == before  # nothing stored by any refusal
    assert verify(db).ok, verify(db).findings
    # Another organisation sees none of it and cannot act on it.
    assert gc.current(db, "OTHER") == []
    with pytest.raises(InputError, match="no such bundle"):
        gc.act(db, "OTHER", "cancel", rest.bundle_id, "t")


def test_import_problems_are_located_and_ids_are_imported_once(db, tmp_path: Path) -> None:
    bad = [
        bundle_row(1, 5).replace("01:59:59", "02:30:00"),  # 90 minutes
        bundle_row(10, 5),  # empty range
        bundle_row(20, 30, wh=0),
        bundle_row(25, 40),  # overlaps the row before (same issuer)
    ]
    f = write(tmp_path / "b.csv", HEAD, bad)
    with pytest.raises(InputError) as e:
        read_bundles(read_table(f))
    got = {(p.row, p.column) for p in e.value.problems}
    assert got == {(2, "production_end"), (3, "range_end"), (4, "face_value_wh"),
                   (5, "range_start")}  # fmt: skip
    _import(db, tmp_path, [bundle_row(1, 10)])
    before = _count(db)
    with pytest.raises(InputError, match="already imported"):
        _import(db, tmp_path, [bundle_row(100, 110), bundle_row(5, 6)])
    assert _count(db) == before
    _import(db, tmp_path, [bundle_row(5, 6, body="OTHER-REGISTRY")])  # another issuer's ids


def test_claimed_certificates_are_hourly_supply_in_scope2(tmp_path: Path) -> None:
    # The worked example's hour 2 supply as certificates: 15 × 1 MWh at 01:00 UTC, 10
    # cancelled and claimed for the data centre: hour 2 is fully matched, excess not claimed.
    url = str(tmp_path / "s.duckdb")
    f = write(tmp_path / "bundles.csv", HEAD, [bundle_row(1, 15)])
    assert grid("gc", "import", f, "--org", "ORG", "--db", url).exit_code == 0
    r = grid("gc", "cancel", "1", "--org", "ORG", "--beneficiary", "dc", "-n", "10", "--db", url)
    assert r.exit_code == 0, r.output
    assert grid("gc", "claim", "2", "--org", "ORG", "--db", url).exit_code == 0
    r = grid("gc", "claim", "2", "--org", "ORG", "--db", url)
    assert r.exit_code != 0 and "already split or spent" in r.output
    [row] = scope2(
        "--load", load_file(tmp_path / "l.csv", [10, 10, 10, 10]),
        "--certificates-of", "ORG", "--db", url,
    )  # fmt: skip
    assert row["matched_mwh"] == pytest.approx(10.0) and row["clean_supply_mwh"] == 10.0


def test_storage_discharge_is_certified_within_the_charge_less_losses(db, tmp_path: Path) -> None:
    _import(db, tmp_path, [bundle_row(1, 10)])  # 10 × 1 MWh produced at 01:00
    [b] = gc.current(db, "ORG")
    cancelled, _ = gc.act(db, "ORG", "cancel", b.bundle_id, "t", quantity=4, beneficiary="bat-1")
    # 4 MWh charged; at η = 0.85, 3.0 MWh draws 3,529,411.8 Wh and 0.4 MWh 470,588.2 Wh more:
    # 3,999,999.96 Wh of the 4,000,000 charged (hand-computed).
    scr = charge("scr-1", cancelled.bundle_id, 4_000_000)
    _storage(db, tmp_path, [scr, discharge("sdr-1", 3_000_000), discharge("sdr-2", 400_000, 20)])
    [stored] = [x for x in gc.current(db, "ORG") if x.status == "stored"]
    assert (stored.status, stored.beneficiary, stored.range_start, stored.range_end) == (
        "stored",
        "bat-1",
        1,
        4,
    )
    sds = [x for x in gc.current(db, "ORG") if x.issuing_body == "SDR bat-1"]
    assert [(x.range_start, x.range_end) for x in sds] == [(1, 3_000_000), (3_000_001, 3_400_000)]
    assert {(x.energy_source, x.face_value_wh, x.status) for x in sds} == {
        ("battery_storage", 1, "active")
    }
    before = _count(db)
    for rows, col, words in (
        ([discharge("sdr-3", 1, 21)], "energy_wh", "beyond the device's charge"),  # 1.18 Wh > 0.04
        ([discharge("sdr-0", 1, 0)], "energy_wh", "0 Wh stored before"),  # before the charge
        ([charge("scr-2", stored.bundle_id, 4_000_000)], "bundle_id", "bundle is stored"),
        ([charge("scr-3", sds[0].bundle_id, 3_000_000)], "bundle_id", "bundle is active"),
        ([discharge("sdr-1", 1, 22)], "record_id", "stored in batch"),
    ):
        with pytest.raises(InputError, match=words) as e:
            _storage(db, tmp_path, rows)
        assert (e.value.problems[0].row, e.value.problems[0].column) == (2, col)
    with pytest.raises(InputError, match="a stored bundle cannot be claimed"):
        gc.act(db, "ORG", "claim", stored.bundle_id, "t")  # stored certificates are never claimed
    assert _count(db) == before and verify(db).ok
    # The SD-GCs are cancelled and claimed as any bundle: 3 MWh of clean supply at 19:00.
    [c] = gc.act(db, "ORG", "cancel", sds[0].bundle_id, "t", beneficiary="dc")
    gc.act(db, "ORG", "claim", c.bundle_id, "t")
    supply = gc.claimed_supply(db, "ORG").to_pylist()
    assert [(r["meter_id"], r["mwh"], r["hour"].hour) for r in supply] == [("bat-1", 3.0, 19)]


def test_storage_file_problems_are_located(tmp_path: Path) -> None:
    rows = [
        charge("a", 1, 100).replace("02:00", "03:00"),  # two hours
        "b,charge,bat-1,PJM,2025-06-01 01:00,2025-06-01 02:00,100,,",  # no bundle
        discharge("c", 100, eff=1.5),
        discharge("c", 0),  # id again, 0 Wh
    ]
    f = write(tmp_path / "s.csv", STORAGE_HEAD, rows)
    with pytest.raises(InputError) as e:
        storage.read_records(read_table(f))
    got = {(p.row, p.column) for p in e.value.problems}
    assert got == {(2, "interval_end"), (3, "bundle_id"), (4, "efficiency"), (5, "energy_wh"),
                   (5, "record_id")}  # fmt: skip
    r = grid("gc", "storage", f, "--org", "ORG", "--db", tmp_path / "s.duckdb")
    assert r.exit_code != 0 and "row 4" in r.output and "efficiency" in r.output, r.output


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["transfer", "cancel", "claim", "import", "charge", "discharge"]),
        st.integers(0, 30),  # which current bundle (modulo), or the import's first id
        st.integers(1, 12),  # quantity / import size
        st.booleans(),  # act on any bundle ever stored (split or spent ones too)
    ),
    min_size=1,
    max_size=25,
)
_orgs = itertools.count()


@pytest.fixture(scope="module")
def one_store(tmp_path_factory):
    """One DuckDB store for all examples; each example is its own organisation."""
    d = open_store(str(tmp_path_factory.mktemp("gc") / "s.duckdb"))
    yield d
    d.close()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=ACTIONS)
def test_no_certificate_is_claimed_twice(one_store, tmp_path_factory, steps) -> None:
    """Any sequence of imports (possibly overlapping earlier ones), partial transfers,
    cancellations, claims, storage charges and discharges, refused or not, leaves every
    certificate id in exactly one current bundle, each claimed or stored id in one such bundle
    only, and the storage-discharge certificates within the stored energy less losses."""
    db = one_store
    org = f"ORG{next(_orgs)}"
    tmp = tmp_path_factory.mktemp("f")
    _import(db, tmp, [bundle_row(50, 69)], org)  # something to act on from the first step
    imported: set[int] = set(range(50, 70))
    for action, pick, n, stale in steps:
        try:
            if action == "import":
                _import(db, tmp, [bundle_row(pick, pick + n - 1)], org)
                imported |= set(range(pick, pick + n))
                continue
            if action == "discharge":  # n × 0.3 MWh at η = 0.8, after the charges (01:00)
                _storage(db, tmp, [discharge(f"sdr-{next(_orgs)}", n * 300_000, 3, 0.8)], org)
                continue
            q = "SELECT bundle_id FROM grid_gc_bundles WHERE organization_id = ? ORDER BY 1"
            pool = [r[0] for r in db.execute(q, [org])] if stale else None
            pool = pool or [b.bundle_id for b in gc.current(db, org)]
            active = [b for b in gc.current(db, org) if b.status == "active"]
            if action == "charge" and active and not stale:  # cancel up to n for the device,
                b = active[pick % len(active)]  # then store them (a charge of their energy)
                [c, *_] = gc.act(db, org, "cancel", b.bundle_id, "p", quantity=min(n, b.quantity))
                _storage(db, tmp, [charge(f"scr-{next(_orgs)}", c.bundle_id, c.quantity * 10**6)],
                         org)  # fmt: skip
            elif action == "charge" and pool:  # stale: any bundle ever, n MWh (mostly refused)
                b_id = pool[pick % len(pool)]
                _storage(db, tmp, [charge(f"scr-{next(_orgs)}", b_id, n * 1_000_000)], org)
            elif pool:
                b_id = pool[pick % len(pool)]
                gc.act(db, org, action, b_id, "p", quantity=n, account="acct-x")
        except InputError:
            pass  # refused: nothing stored, checked by the invariants below
    now = gc.current(db, org)
    ids = [i for b in now if b.issuing_body == "GCR" for i in range(b.range_start, b.range_end + 1)]
    assert sorted(ids) == sorted(imported)  # every certificate in exactly one current bundle
    ever = db.execute(
        "SELECT issuing_body, status, range_start, range_end FROM grid_gc_bundles WHERE "
        "organization_id = ? AND status IN ('claimed', 'stored')",
        [org],
    )
    spent = [(body, i) for body, _, lo, hi in ever for i in range(lo, hi + 1)]
    assert len(spent) == len(set(spent))  # claimed once, never both stored and claimed, ever
    stored_wh = sum((b.range_end - b.range_start + 1) * 1_000_000 for b in now
                    if b.status == "stored")  # fmt: skip
    sd = sorted(i for b in now if b.issuing_body == "SDR bat-1"
                for i in range(b.range_start, b.range_end + 1))  # fmt: skip
    assert sd == list(range(1, len(sd) + 1))  # each discharged Wh in one current SD-GC bundle
    assert len(sd) / 0.8 <= stored_wh * (1 + 1e-12)  # within the charge less losses
