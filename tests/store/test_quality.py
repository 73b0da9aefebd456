"""Data-quality warnings and Part 98 missing-data substitution (both backends)."""

from __future__ import annotations

import pytest

from openmrv.store.ingest import history, ingest, load_facilities
from tests.conftest import FACILITIES, write_csv
from tests.store.helpers import activity, coal


def test_outlier_against_own_history(store, tmp_path):
    ingest(store, activity(tmp_path / "a.csv", *(coal(f"m{m}", m) for m in range(1, 5))), "ann")
    r = ingest(
        store, activity(tmp_path / "b.csv", coal("m5", 5, quantity=1000), coal("m6", 6)), "ann"
    )
    outliers = [w for w in r.warnings if "outlier" in w]
    assert outliers == [
        "record m5: quantity 1000 short ton is 10 times the median of its 4 stored records "
        "(outlier against the facility's own history)"
    ]


def test_monthly_gap(store, tmp_path):
    r = ingest(store, activity(tmp_path / "a.csv", coal("a", 1), coal("b", 2), coal("c", 5)), "ann")
    assert (
        "US-PLANT B1 stationary_combustion bituminous_coal: no record for 2024-03, 2024-04 "
        "(gap in monthly coverage)" in r.warnings
    )
    r = ingest(store, activity(tmp_path / "b.csv", coal("d", 3), coal("e", 4)), "ann")
    assert not [w for w in r.warnings if "gap" in w]


def test_unit_switch(store, tmp_path):
    ingest(store, activity(tmp_path / "a.csv", coal("a", 1)), "ann")
    r = ingest(store, activity(tmp_path / "b.csv", coal("b", 2, quantity=90, unit="t")), "ann")
    assert any("unit switches between periods (short ton, t)" in w for w in r.warnings)


def test_implausible_heating_value(store, tmp_path):
    r = ingest(
        store,
        activity(
            tmp_path / "a.csv",
            coal("a", hhv=249.3, hhv_unit="mmBtu/short ton"),
            coal("b", 2, hhv=24.93, hhv_unit="mmBtu/short ton"),
        ),
        "ann",
    )
    bad = [w for w in r.warnings if "outside the plausible range" in w]
    assert len(bad) == 1 and bad[0].startswith(
        "record a: heating value (HHV) 0.2899 GJ/kg is outside"
    )


@pytest.fixture
def part98(store, tmp_path):
    fac = [FACILITIES[0] | {"programmes": "EPA_GHGRP"}, *FACILITIES[1:]]
    load_facilities(store, write_csv(tmp_path / "fac.csv", fac), "ann")
    return store


def test_part98_missing_hhv_is_substituted(part98, tmp_path):
    hhv = {"hhv_unit": "mmBtu/short ton"}
    rows = [
        coal("jan", 1, hhv=24.0, **hhv),
        coal("feb", 2),  # missing: average of January and March
        coal("mar", 3, hhv=26.0, **hhv),
        coal("apr", 4),  # missing, nothing after yet: the last value before
    ]
    r = ingest(part98, activity(tmp_path / "a.csv", *rows), "ann")
    subs = [w for w in r.warnings if "98.35(b)(1)" in w]
    assert len(subs) == 2
    assert "record feb: HHV missing" in subs[0] and "2024-01 and 2024-03" in subs[0]
    assert "record apr" in subs[1] and "last value before" in subs[1]
    got = dict(part98.execute("SELECT record_id, hhv FROM activity_records"))
    assert got["feb"] == pytest.approx((got["jan"] + got["mar"]) / 2)
    assert got["apr"] == pytest.approx(got["mar"])
    assert history(part98, "feb")[0]["data_quality"] == "substituted"
    # the same file again: already ingested; the same rows in a new file: unchanged
    assert ingest(part98, activity(tmp_path / "a.csv", *rows), "ann").already
    again = ingest(part98, activity(tmp_path / "b.csv", *rows[::-1]), "ann")
    assert again.unchanged == 4


def test_no_substitution_outside_part98(store, tmp_path):
    rows = [coal("jan", 1, hhv=24.0, hhv_unit="mmBtu/short ton"), coal("feb", 2)]
    r = ingest(store, activity(tmp_path / "a.csv", *rows), "ann")
    assert not [w for w in r.warnings if "98.35" in w]
    assert store.scalar("SELECT hhv FROM activity_records WHERE record_id = 'feb'") is None
