"""Targets and progress; pinned vs restated results under a newer factor edition."""

from __future__ import annotations

import pandas as pd
import pytest

from openmrv.combustion.schema import ACTIVITY
from openmrv.ingest.errors import InputError
from openmrv.methods import Options
from openmrv.reports.inventory import FALLBACK
from openmrv.reports.restate import restate
from openmrv.reports.targets import Target, check_targets, progress
from tests.conftest import newer_hub_library
from tests.reports.conftest import csv as example_csv

TOTALS = pd.DataFrame(
    {
        "organization_id": ["O"] * 4,
        "year": [2020, 2022, 2024, 2031],
        "scope1_t": [100.0, 95.0, 85.0, 90.0],
        "scope2_location_t": [50.0, 50.0, 40.0, 40.0],
        "scope2_market_t": [40.0, 30.0, 20.0, 20.0],
    }
)


def test_absolute_target_follows_a_linear_path_from_the_base_year():
    tg = [Target("A", "O", "absolute", "scope1_2_market", 2020, 2030, 0.5)]
    p = progress(TOTALS, tg).set_index("year")
    assert p.target[2020] == 140.0 and p.target[2024] == pytest.approx(140 * (1 - 0.5 * 0.4))
    assert p.target[2031] == 70.0  # held at the target level after the target year
    assert p.actual[2024] == 105.0 and p.on_track[2024] and not p.on_track[2031]


def test_intensity_target_divides_by_output():
    out = pd.DataFrame(
        {"organization_id": ["O"] * 2, "year": ["2020", "2024"], "value": ["10", "10"]}
    )
    tg = [Target("I", "O", "intensity", "scope1", 2020, 2030, 0.2, "t")]
    p = progress(TOTALS, tg, out).set_index("year")
    assert list(p.index) == [2020, 2024]
    assert p.actual[2024] == 8.5 and p.target[2024] == pytest.approx(10 * (1 - 0.2 * 0.4))


def test_peak_target_fails_when_a_year_after_the_peak_year_exceeds_the_peak():
    tg = [Target("P", "O", "peak", "scope1", 2020, 2022)]
    p = progress(TOTALS, tg).set_index("year")
    assert p.target[2024] == 100.0 and p.on_track[2024] and p.on_track[2031]
    tg = [Target("P", "O", "peak", "scope1", 2020, 2021)]
    assert progress(TOTALS.assign(scope1_t=[90.0, 95.0, 80, 70]), tg).on_track.tolist() == [
        True,
        False,
        True,
        True,
    ]


def test_example_targets_are_valid():
    tg = check_targets(example_csv("targets.csv"))
    assert {t.kind for t in tg} == {"absolute", "intensity", "peak"}


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("kind", "net_zero", "unknown target kind"),
        ("reduction", "1.5", "(0, 1]"),
        ("target_year", "2010", "after the base year"),
        ("scope", "scope3", "unknown scope"),
    ],
)
def test_bad_targets_get_located_errors(column, value, words):
    df = example_csv("targets.csv")
    df.loc[2, column] = value  # the HP-ABS row (file row 4)
    with pytest.raises(InputError) as exc:
        check_targets(df, "targets.csv")
    p = exc.value.problems[0]
    assert (p.file, p.row, p.column) == ("targets.csv", 4, column) and words in p.problem


def test_restating_a_past_year_under_a_newer_edition_gives_the_per_record_diff(tmp_path, example):
    """A copy of the library with a '2099' Hub Table 1 whose CO2 factors are 1 % higher (the
    idea of tests/test_engines.py): recalculating 2024 under it changes exactly the Hub
    stationary CO2 rows, each by +1 %, and names the editions on both sides."""
    lib = newer_hub_library(tmp_path)
    r = restate(
        example.activity,
        example.facilities,
        2024,
        ["epa_hub_ghgp"],
        Options(),
        Options(editions={"epa_hub_t1": "2099"}),
        lib,
        schema=ACTIVITY,
    )
    assert r.pinned["epa_hub_ghgp"]["epa_hub_t1"] == "2025"
    assert r.restated["epa_hub_ghgp"]["epa_hub_t1"] == "2099"
    ch = r.changed
    assert len(ch) > 0 and set(ch.gas) == {"CO2"}
    assert (ch.year == 2024).all()
    assert ((ch.co2e_t_restated / ch.co2e_t_pinned - 1).abs() - 0.01).abs().max() < 1e-9
    assert ch.factor_ids_restated.str.contains(":2099:").all()
    assert not ch.factor_ids_pinned.str.contains(":2099:").any()
    unchanged = r.diff[r.diff.delta_t == 0]
    assert set(unchanged.gas) >= {"CH4", "N2O"}
    s = r.summary.iloc[0]
    assert s.records_changed == ch.record_id.nunique() and not s.significant  # < 5 %
    with pytest.raises(ValueError, match="no activity records in 1999"):
        restate(
            example.activity,
            example.facilities,
            1999,
            ["epa_hub_ghgp"],
            Options(),
            Options(),
            lib,
            schema=ACTIVITY,
        )


def test_progress_shows_the_restated_year_beside_the_pinned_one(tmp_path, example):
    """Pinned vs restated in the targets: the restated year's actual under the newer edition
    sits beside the pinned actual; the Hub CO2 factors are 1 % higher, so it is higher."""
    from openmrv.reports.bundle import assemble

    lib = newer_hub_library(tmp_path)
    r = restate(
        example.activity,
        example.facilities,
        2024,
        ["epa_hub_ghgp", "cn_mee", *FALLBACK],  # every method the inventory draws from
        Options(),
        Options(editions={"epa_hub_t1": "2099"}),
        lib,
        schema=ACTIVITY,
    )
    tg = check_targets(example_csv("targets.csv"))
    b = assemble(
        example.run,
        example.activity,
        example.facilities,
        targets=tg,
        output=example_csv("output.csv"),
        restatement=r,
    )
    p = b.targets.set_index(["target_id", "year"])
    hp = p.loc[("HP-ABS", 2024)]
    assert hp.actual * 1.0 < hp.actual_restated < hp.actual * 1.011
    assert pd.isna(p.loc[("HP-ABS", 2025)].actual_restated)
    qilu = p.loc[("QILU-PEAK", 2024)]  # a Chinese plant under MEE: not touched by the Hub edition
    assert qilu.actual_restated == qilu.actual


def test_base_year_triggers_structural_change_and_significant_restatement():
    from openmrv.reports.restate import RecalculationPolicy, Restatement, base_year_triggers

    policy = RecalculationPolicy(base_year=2020, threshold=0.05)
    years = {2020: {"A", "B"}, 2021: {"A", "B"}, 2022: {"A", "C"}}
    why = base_year_triggers(policy, years)
    assert len(why) == 2
    assert why[0].startswith("2022: records from facilities absent in 2020") and "['C']" in why[0]
    assert why[1].startswith("2022: no records from facilities present in 2020")
    assert "['B']" in why[1]
    summary = pd.DataFrame({"methodology": ["m", "n"], "change": [0.049, -0.06]})
    r = Restatement(2020, {}, {}, pd.DataFrame(), summary)
    why = base_year_triggers(policy, {2020: {"A"}}, r)
    assert len(why) == 1 and why[0].startswith("n: restating 2020 changes it by -6.00 %")
    assert (
        base_year_triggers(
            policy, {2020: {"A"}}, Restatement(2021, {}, {}, pd.DataFrame(), summary)
        )
        == []
    )
