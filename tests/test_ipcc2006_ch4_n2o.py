"""IPCC 2006 Vol. 2 Ch. 2 Tier 1 CH4 and N2O by source category (Tables 2.2-2.5): an LPG record,
computed by hand from the cited table values, for a facility of each category."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from openmrv.factors import load_library
from tests.conftest import FACILITIES, record

TRANSCRIPTION = (
    Path(__file__).resolve().parents[1] / "scripts" / "reference" / "ipcc2006_v2_ch2_ch4_n2o.csv"
)
LPG_NCV = 47.3  # TJ/Gg, Table 1.2, Liquefied Petroleum Gases
# (ipcc_sector, table, CH4 kg/TJ, N2O kg/TJ) for Liquefied Petroleum Gases, as printed in
# 2006 IPCC Guidelines Vol. 2 Ch. 2 (IPCC EFDB ids 117670/117724, 117832/117886, 117994/118048,
# 118156/118210).
LPG = [
    ("energy_industries", "Table 2.2", 1.0, 0.1),
    ("manufacturing_construction", "Table 2.3", 1.0, 0.1),
    ("commercial_institutional", "Table 2.4", 5.0, 0.1),
    ("residential", "Table 2.5", 5.0, 0.1),
]


def _facilities(sector: str) -> list[dict[str, object]]:
    site = {**FACILITIES[0], "facility_id": "SITE", "name": "site", "ipcc_sector": sector}
    return [*FACILITIES, site]


@pytest.mark.parametrize(("sector", "table", "ch4", "n2o"), LPG, ids=[x[1] for x in LPG])
def test_lpg_ch4_n2o_by_source_category(run, sector, table, ch4, n2o):
    # 10 t LPG = 0.01 Gg × 47.3 TJ/Gg = 0.473 TJ; E = TJ × EF (kg/TJ) / 1000 t/kg.
    rows = [record(facility_id="SITE", fuel="lpg", quantity=10, unit="t")]
    res, skipped = run(rows, ["ipcc2006_t1"], facilities=_facilities(sector))
    assert skipped.empty
    got = res.set_index("gas")
    tj = 10 / 1000 * LPG_NCV
    assert got.mass_t["CH4"] == pytest.approx(tj * ch4 / 1000, rel=1e-12)
    assert got.mass_t["N2O"] == pytest.approx(tj * n2o / 1000, rel=1e-12)
    assert f"liquefied_petroleum_gases_{sector}:ef:CH4" in got.factor_ids["CH4"]
    assert got.equation["CH4"] == "Eq. 2.1: TJ × EF (Tables 2.2-2.5)"
    assert (
        load_library()
        .factors.set_index("factor_id")
        .loc[got.factor_ids["CH4"].split(";")[-1].strip(), "table_ref"]
        == f"Ch. 2 {table}"
    )


def test_other_sector_has_no_ch4_n2o(run):
    rows = [record(facility_id="SITE", fuel="lpg", quantity=10, unit="t")]
    res, skipped = run(rows, ["ipcc2006_t1"], facilities=_facilities("other"))
    assert set(res.gas) == {"CO2"}
    assert set(skipped.gas) == {"CH4", "N2O"}


def test_library_holds_the_transcription_with_its_citation():
    """Every Tables 2.2-2.5 value of the project's transcription (each checked against the IPCC
    EFDB and a second transcription) is in the library, cited to its table, status secondary."""
    with open(TRANSCRIPTION, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 18 * 4 * 2
    lib = load_library().factors
    t = lib[(lib.table_id == "ipcc2006") & lib.subject.str.contains("|", regex=False)]
    t = t.set_index(["subject", "gas"])
    for x in rows:
        f = t.loc[(f"{x['fuel_ipcc']}|{x['sector']}", x["gas"])]
        assert float(f.value) == float(x["value_kg_per_TJ"]), x
        assert f.table_ref == f"Ch. 2 {x['table']}" and f.status == "secondary"
        assert x["efdb_ef_id"].split(" ")[0] in f.note
