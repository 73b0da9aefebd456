"""The generated reference docs are up to date with the code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_generated_docs_are_current():
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "scripts" / "make_docs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for name, render in (("schemas", mod.schemas), ("units", mod.units), ("fuels", mod.fuels)):
        current = (ROOT / "docs" / f"{name}.md").read_text(encoding="utf-8")
        assert current == render(), f"docs/{name}.md is stale: run scripts/make_docs.py"
