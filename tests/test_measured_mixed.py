"""Records with measured parameters go through the same join-and-multiply pass as the others
(engine.shapes): in one dataset mixing default and measured records — several records per kind
and measurement pattern, each with its own measured values — every record's result equals the
published equation worked out for that record alone (40 CFR 98.33 and Tables C-1/C-2; the MEE
guideline's E = FC · NCV · CC · OF · 44/12), in memory and over a Parquet dataset."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from openmrv.combustion.schema import ACTIVITY
from openmrv.engine.dataset import calculate_dataset, compact_view
from openmrv.ingest.readers import read_table
from openmrv.ingest.validate import validate_activity, validate_facilities
from tests.conftest import FACILITIES, record, run_records, write_csv

P98 = "epa_part98_c"
MEE = "cn_mee"
C = 44 / 12


def _cases() -> list[tuple[dict[str, object], str, str, float]]:
    """(record, methodology, gas, the published equation's value for that record alone)."""
    out = []
    for i, (q, hhv) in enumerate([(2000, 25.5), (1500, 24.1), (900, 26.3)]):
        # Eq. C-2a: 1e-3 · Fuel · HHV(measured) · EF; bituminous EF 93.28 kg/mmBtu (Table C-1)
        r = record(record_id=f"t2-{i}", fuel="bituminous_coal", quantity=q, unit="short ton",
                   hhv=hhv, hhv_unit="mmBtu/short ton")  # fmt: skip
        out += [(r, P98, "CO2", 1e-3 * q * hhv * 93.28), (r, P98, "CH4", 1e-3 * q * hhv * 1.1e-2)]
    for i, q in enumerate([500, 700]):
        # Eq. C-1: the default HHV 24.93 mmBtu/short ton (Table C-1), same key as above
        r = record(record_id=f"t1-{i}", fuel="bituminous_coal", quantity=q, unit="short ton")
        out += [(r, P98, "CO2", 1e-3 * q * 24.93 * 93.28)]
    for i, (q, cc) in enumerate([(400, 0.6), (300, 0.71)]):
        # Eq. C-3: 44/12 · Fuel(short tons) · CC · 0.91
        r = record(record_id=f"c3-{i}", fuel="bituminous_coal", quantity=q, unit="short ton",
                   carbon_content=cc, carbon_content_unit="kgC/kg")  # fmt: skip
        out += [(r, P98, "CO2", C * q * cc * 0.91), (r, P98, "CH4", 1e-3 * q * 24.93 * 1.1e-2)]
    for i, (q, cc) in enumerate([(10_000, 2.8), (4_000, 2.65)]):
        # Eq. C-4: 44/12 · Fuel(gal) · CC(kg C/gal) · 0.001
        r = record(record_id=f"c4-{i}", fuel="diesel", quantity=q, unit="gal",
                   carbon_content=cc, carbon_content_unit="kgC/gal")  # fmt: skip
        out += [(r, P98, "CO2", C * q * cc * 1e-3)]
    for i, (q, cc, mw) in enumerate([(5e7, 0.72, 16.8), (2e7, 0.74, 17.3)]):
        # Eq. C-5: 44/12 · Fuel(scf) · CC · MW/MVC · 0.001, MVC 849.5 scf/kg-mole
        r = record(record_id=f"c5-{i}", fuel="natural_gas", quantity=q, unit="scf",
                   carbon_content=cc, carbon_content_unit="kgC/kg",
                   molecular_weight=mw)  # fmt: skip
        out += [(r, P98, "CO2", C * q * cc * mw / 849.5 * 1e-3)]
    for i, (hi, co2) in enumerate([(1_000_000, 95_000), (400_000, 41_250.5)]):
        # Tier 4: CO2 from CEMS; Eq. C-10: 1e-3 · HI · EF (Table C-2 coal, 1.1e-2 kg CH4/mmBtu)
        r = record(record_id=f"t4-{i}", fuel="subbituminous_coal", quantity=hi, unit="mmBtu",
                   energy_basis="HHV", measured_co2_t=co2)  # fmt: skip
        out += [(r, P98, "CO2", co2), (r, P98, "CH4", 1e-3 * hi * 1.1e-2)]
    for i, (steam, b) in enumerate([(1_000_000, 0.0014), (600_000, 0.0012)]):
        # Eq. C-2c: 1e-3 · Steam(lb) · B · EF; MSW EF 90.7 kg/mmBtu (Table C-1)
        r = record(record_id=f"c2c-{i}", fuel="municipal_solid_waste", quantity=steam,
                   unit="lb", boiler_ratio_b=b)  # fmt: skip
        out += [(r, P98, "CO2", 1e-3 * steam * b * 90.7)]
    for i, (q, cc, of) in enumerate([(1000, 0.60, 0.98), (800, 0.55, 0.97)]):
        # MEE power-sector form: E = FC · C(kg C/kg) · OF · 44/12
        r = record(record_id=f"mee-{i}", facility_id="CN-PLANT", fuel="bituminous_coal",
                   quantity=q, unit="t", carbon_content=cc, carbon_content_unit="kgC/kg",
                   oxidation_factor=of)  # fmt: skip
        out += [(r, MEE, "CO2", q * cc * of * C)]
    mee_ncv = [(226_237, 22.361, 0.02559, 0.99), (1000, 23.0, 0.0261, 0.98)]
    for i, (q, ncv, cc, of) in enumerate(mee_ncv):
        # MEE: E = FC · NCV · CC(tC/GJ) · OF · 44/12
        r = record(record_id=f"mee-ncv-{i}", facility_id="CN-PLANT", fuel="bituminous_coal",
                   quantity=q, unit="t", ncv=ncv, ncv_unit="GJ/t", carbon_content=cc,
                   carbon_content_unit="tC/GJ", oxidation_factor=of)  # fmt: skip
        out += [(r, MEE, "CO2", q * ncv * cc * of * C)]
    return out


def _check(got: dict[tuple[str, str, str], float], cases) -> None:
    for r, method, gas, want in cases:
        key = (str(r["record_id"]), method, gas)
        assert key in got, f"no {method} {gas} row for {key[0]}"
        assert got[key] == pytest.approx(want, rel=1e-12), key


def test_mixed_dataset_equals_each_record_by_the_published_equations(tmp_path):
    cases = _cases()
    rows = list({str(r["record_id"]): r for r, *_ in cases}.values())
    assert sum(1 for r in rows if "hhv" not in r and "carbon_content" not in r
               and "measured_co2_t" not in r and "boiler_ratio_b" not in r) == 2  # fmt: skip
    (tmp_path / "memory").mkdir()
    res, _ = run_records(tmp_path / "memory", rows, [P98, MEE])
    got = {(r.record_id, r.methodology, r.gas): r.mass_t for r in res.itertuples()}
    _check(got, cases)

    # The same records as a Parquet dataset: one pass, nothing evaluated record by record.
    fac = validate_facilities(read_table(write_csv(tmp_path / "f.csv", FACILITIES)))
    act = write_csv(tmp_path / "a.csv", rows, [c.name for c in ACTIVITY.file_columns])
    path = tmp_path / "activity.parquet"
    pq.write_table(validate_activity(read_table(act), set(fac.facility_id)).table, path)
    meta = calculate_dataset(path, fac, tmp_path / "out", [P98, MEE], schema=ACTIVITY)
    assert meta["measured_records"] == len(rows) - 2
    assert "direct records" in meta["seconds"]["steps"]
    assert not (tmp_path / "out" / "direct").exists()
    view = compact_view(tmp_path / "out", path, ACTIVITY).to_pandas()
    names = res.set_index(["record_id", "methodology", "rule"]).gas.to_dict()
    got = {
        (r.record_id, r.methodology, names[(r.record_id, r.methodology, r.rule)]): r.mass_t
        for r in view.itertuples()
        if pd.isna(r.reason)
    }
    _check(got, cases)


def test_a_pattern_that_is_not_a_product_is_evaluated_record_by_record(tmp_path, monkeypatch):
    """A methodology that rounds where a measured HHV is given (as a regulator's platform rounds
    intermediate parameters) is not a product of the record's variables: the probes show it, and
    the records with that pattern are evaluated directly, in memory and over a dataset, giving
    what the plan gives record by record; the other records keep the shaped route."""
    import ibis
    import pyarrow.compute as pc

    from openmrv.engine import calculate
    from openmrv.engine.context import context
    from openmrv.engine.shapes import compact_plan
    from openmrv.factors import load_library
    from openmrv.methods import METHODS, Options

    monkeypatch.setenv("OPENMRV_PLAN_CACHE", "off")  # the patched plan is not in the source
    method = METHODS[P98]
    plain = type(method).plan

    def rounded(self, act, ctx):
        rows = plain(self, act, ctx)
        hhv = act.select(sr_=act.source_row, h_=act.hhv)
        j = rows.left_join(hhv, rows.source_row == hhv.sr_)
        co2e = j.h_.notnull().ifelse(j.co2e_t.round(1), j.co2e_t)
        return j.mutate(co2e_t=co2e).select(*rows.columns)

    cases = [c for c in _cases() if c[1] == P98]
    rows = list({str(r["record_id"]): r for r, *_ in cases}.values())
    fac = validate_facilities(read_table(write_csv(tmp_path / "f.csv", FACILITIES)))
    act = write_csv(tmp_path / "a.csv", rows, [c.name for c in ACTIVITY.file_columns])
    table = validate_activity(read_table(act), set(fac.facility_id)).table
    hhv_rows = table.filter(pc.is_valid(table["hhv"]))["source_row"].to_pylist()
    assert len(hhv_rows) == 3
    monkeypatch.setattr(type(method), "plan", rounded)

    run = calculate(table, fac, [P98], schema=ACTIVITY)
    direct = ibis.duckdb.connect().to_pyarrow(
        compact_plan(ibis.memtable(table), [P98], context(fac, Options(), load_library()))
    )
    want = {
        (r["source_row"], r["rule"]): r["co2e_t"] for r in direct.to_pylist() if r["reason"] is None
    }
    got = {(r["source_row"], r["rule"]): r["co2e_t"] for r in run.results.to_pylist()}
    assert got.keys() == want.keys()
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=1e-12), k
    assert any(got[k] != round(got[k], 1) for k in got if k[0] not in hhv_rows)
    assert all(got[k] == round(got[k], 1) for k in got if k[0] in hhv_rows)

    path = tmp_path / "activity.parquet"
    pq.write_table(table, path)
    meta = calculate_dataset(path, fac, tmp_path / "out", [P98], schema=ACTIVITY)
    assert meta["result_hash"] == run.meta["result_hash"]
    assert (tmp_path / "out" / "direct").is_dir()
