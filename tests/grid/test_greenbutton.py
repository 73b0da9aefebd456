"""Green Button (ESPI) XML into hourly load: our sample (2 h of 15-minute Wh readings) gives
4,740 and 5,590 Wh, the sums of its readings; the powerOfTenMultiplier scales; gaps and broken
readings are located by IntervalReading; hostile XML (entities, DTDs) is refused, not expanded."""

from __future__ import annotations

from pathlib import Path

import pytest

from openmrv.grid.greenbutton import read_espi
from openmrv.grid.intervals import Source, read
from openmrv.grid.schema import LOAD
from openmrv.ingest.errors import InputError
from tests.grid.helpers import grid

SAMPLE = Path(__file__).parent / "data" / "greenbutton" / "usage.xml"
TEXT = SAMPLE.read_text(encoding="utf-8")


def _hours(path: Path) -> list[float]:
    return read(read_espi(path, "m", "dc", "PJM"), LOAD, Source()).column("mwh").to_pylist()


def _variant(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    assert old in TEXT
    p = tmp_path / "v.xml"
    p.write_text(TEXT.replace(old, new, count), encoding="utf-8")
    return p


def test_sample_through_the_cli_into_hours(tmp_path: Path) -> None:
    assert _hours(SAMPLE) == pytest.approx([0.00474, 0.00559])  # 1200+1150+1180+1210 Wh, ...
    r = grid("check", SAMPLE, "--facility", "dc", "--market", "PJM")
    assert r.exit_code == 0 and "valid · 2 meter-hours" in r.output, r.output
    r = grid("load", SAMPLE, tmp_path / "ds", "--facility", "dc", "--market", "PJM")
    assert r.exit_code == 0, r.output
    assert grid("check", SAMPLE).exit_code != 0  # no facility and market for the XML


def test_power_of_ten_multiplier_scales(tmp_path: Path) -> None:
    p = _variant(tmp_path, "<powerOfTenMultiplier>0<", "<powerOfTenMultiplier>-3<")
    assert _hours(p) == pytest.approx([0.00474e-3, 0.00559e-3])  # milli-Wh


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("<value>1180</value>", "<value>eleven</value>", (3, "value")),
        ("<value>1180</value>", "", (3, "value")),
        ("<duration>900</duration><start>1748737800", "<start>1748737800", (3, "duration")),
        ("<uom>72</uom>", "<uom>38</uom>", (None, "ReadingType/uom")),  # 38 = W, not energy
    ],
)
def test_bad_readings_are_located(tmp_path: Path, old: str, new: str, where: tuple) -> None:
    with pytest.raises(InputError) as e:
        read_espi(_variant(tmp_path, old, new), "m", "dc", "PJM")
    assert (e.value.problems[0].row, e.value.problems[0].column) == where


def test_a_missing_reading_is_a_located_gap(tmp_path: Path) -> None:
    third = TEXT.index("<IntervalReading>", TEXT.index("<IntervalReading>") + 1)
    third = TEXT.index("<IntervalReading>", third + 1)
    end = TEXT.index("</IntervalReading>", third) + len("</IntervalReading>")
    p = tmp_path / "gap.xml"
    p.write_text(TEXT[:third] + TEXT[end:], encoding="utf-8")
    with pytest.raises(InputError) as e:
        read(read_espi(p, "m", "dc", "PJM"), LOAD, Source())
    assert "gap" in str(e.value) and "IntervalReading" in str(e.value), str(e.value)


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE feed SYSTEM "http://example.invalid/espi.dtd">',
    ],
)
def test_hostile_xml_is_refused(tmp_path: Path, doctype: str) -> None:
    p = _variant(tmp_path, "<feed ", f"{doctype}\n<feed ")
    with pytest.raises(InputError, match="refused XML"):
        read_espi(p, "m", "dc", "PJM")


def test_broken_xml_is_located_by_line(tmp_path: Path) -> None:
    p = _variant(tmp_path, "</IntervalBlock>", "</IntervalBlok>")
    with pytest.raises(InputError, match="not XML") as e:
        read_espi(p, "m", "dc", "PJM")
    assert e.value.problems[0].row_word == "line" and e.value.problems[0].row > 30
