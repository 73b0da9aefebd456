"""The product-footprint input folder: the example reads; bad cells are refused with their file,
row and column, all problems of all files together."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from openmrv.ingest.errors import InputError
from openmrv.pact.schema import read_folder

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pact"


def test_example_folder_reads() -> None:
    d = read_folder(EXAMPLE)
    assert list(d.products["product"]) == ["SB-M550", "SB-M430"]
    assert set(d.allocation["rule"]) == {"mass"}
    assert d.materials["quantity"].iloc[0] == "224640"  # kept as text: read as exact Decimal


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    p = folder / name
    p.write_text(p.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_bad_cells_are_located(tmp_path: Path) -> None:
    folder = tmp_path / "pact"
    shutil.copytree(EXAMPLE, folder)
    _edit(folder, "products.csv", "urn:gtin:06901234000550", "gtin-06901234000550")
    _edit(folder, "products.csv", ",piece,1,21.5", ",pieces,1,21.5")
    _edit(folder, "production.csv", "SB-M430,2024,250000", "SB-M430,2024,-250000")
    _edit(folder, "allocation.csv", "mass", "volume")
    _edit(folder, "materials.csv", "SB-M430,2024,silicon", "SB-X,2024,silicon")
    with pytest.raises(InputError) as err:
        read_folder(folder)
    where = {(p.file, p.row, p.column) for p in err.value.problems}
    assert where == {
        ("products.csv", 2, "product_ids"),
        ("products.csv", 3, "declared_unit"),
        ("production.csv", 3, "quantity"),
        ("allocation.csv", 2, "rule"),
    }  # the unknown product is found once the files themselves are right
    for name, old, new in (
        ("products.csv", "gtin-06901234000550", "urn:gtin:06901234000550"),
        ("products.csv", ",pieces,1,21.5", ",piece,1,21.5"),
        ("production.csv", "-250000", "250000"),
        ("allocation.csv", "volume", "mass"),
    ):
        _edit(folder, name, old, new)
    with pytest.raises(InputError) as err:
        read_folder(folder)
    [p] = err.value.problems
    assert (p.file, p.row, p.column, p.value) == ("materials.csv", 5, "product", "SB-X")


def test_a_material_needs_a_supplier_id_or_a_secondary_factor(tmp_path: Path) -> None:
    folder = tmp_path / "pact"
    shutil.copytree(EXAMPLE, folder)
    _edit(folder, "materials.csv", ",,,960000,kilogram,desnz-2025:19_504_5104_15_1",
          ",,,960000,kilogram,")  # fmt: skip
    with pytest.raises(InputError) as err:
        read_folder(folder)
    [p] = err.value.problems
    assert (p.file, p.row, p.column) == ("materials.csv", 4, "secondary_factor")
