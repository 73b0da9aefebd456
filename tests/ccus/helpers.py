"""Small CCUS folders for the tests: the examples copied, with one file changed."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "ccus"


def copy(example: str, to: Path) -> Path:
    dest = to / example
    shutil.copytree(EXAMPLES / example, dest)
    return dest


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write(folder: Path, name: str, body: list[dict[str, str]]) -> None:
    if not body:  # an optional file left out
        return
    with open(folder / name, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(body[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(body)
