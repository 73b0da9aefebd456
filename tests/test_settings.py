"""Settings: every OPENMRV_* variable is a documented field of one model, read at use time."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from openmrv.settings import Settings, env_var, get_settings

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "settings.md"


def _make_docs():
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "scripts" / "make_docs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_setting_is_described_and_in_the_docs():
    text = DOC.read_text(encoding="utf-8")
    assert text == _make_docs().settings(), "docs/settings.md is stale: run scripts/make_docs.py"
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 20, f"{name} is undocumented"
        assert f"| `{env_var(name)}` |" in text


def test_the_code_reads_no_variable_that_is_not_a_setting():
    """An OPENMRV_* name spelt anywhere in the code is a field of Settings (so documented)."""
    fields = {env_var(n) for n in Settings.model_fields}
    spelt = set()
    for path in (ROOT / "src" / "openmrv").rglob("*.py"):
        spelt |= set(re.findall(r"OPENMRV_[A-Z][A-Z_]*", path.read_text(encoding="utf-8")))
    assert spelt, "the scan found nothing: it would pass whatever the code says"
    assert spelt <= fields, sorted(spelt - fields)
    with pytest.raises(KeyError):
        env_var("no_such_setting")


def test_settings_follow_the_environment_at_each_call(monkeypatch):
    for name in Settings.model_fields:
        monkeypatch.delenv(env_var(name), raising=False)
    assert get_settings().db is None and get_settings().spark_master == "local[2]"
    monkeypatch.setenv("OPENMRV_DB", "first.duckdb")
    assert get_settings().db == "first.duckdb"
    monkeypatch.setenv("OPENMRV_DB", "second.duckdb")
    monkeypatch.setenv("OPENMRV_SECURE_COOKIES", "1")
    assert get_settings().db == "second.duckdb" and get_settings().secure_cookies is True
    monkeypatch.setenv("OPENMRV_SECURE_COOKIES", "")  # empty counts as unset
    assert get_settings().secure_cookies is False


def test_the_secret_key_is_not_shown(monkeypatch):
    monkeypatch.setenv("OPENMRV_SECRET_KEY", "do-not-print-me")
    s = get_settings()
    assert s.secret_key is not None and s.secret_key.get_secret_value() == "do-not-print-me"
    assert "do-not-print-me" not in repr(s) and "do-not-print-me" not in str(s)
