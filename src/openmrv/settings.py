"""Every setting OpenMRV reads from its environment, in one typed and documented place.

Each field is read from the variable ``OPENMRV_<FIELD>`` (``OPENMRV_DB`` for `db`); an empty
variable counts as unset. `get_settings()` follows the environment as it is at each call, not as it
was at import: the CLI, the server's worker processes and the tests set these variables just
before the code that reads them runs. docs/settings.md is generated from this model
(scripts/make_docs.py) and a test fails when a field has no description.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PREFIX", "Settings", "env_var", "get_settings"]

PREFIX = "OPENMRV_"


class Settings(BaseSettings):
    """OpenMRV's settings, from ``OPENMRV_*`` environment variables."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_ignore_empty=True, extra="ignore", frozen=True
    )

    db: str | None = Field(
        None,
        description="The store: a DuckDB file or a postgresql:// URL. The default of `--db` "
        "for the store commands, and the store `openmrv serve` opens (its worker processes "
        "read it; default openmrv.duckdb).",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="The key that signs session cookies. Set the same key on every server "
        "behind one address; unset, each process makes a random one (sessions end when it "
        "restarts). `openmrv serve --workers N` makes one its workers share.",
    )
    secure_cookies: bool = Field(
        False,
        description="1 (or true) marks session cookies Secure on every response, for a server "
        "behind a proxy that terminates TLS without saying so; over HTTPS they are anyway.",
    )
    plan_cache: str | None = Field(
        None,
        description="The folder of compiled calculation plans (default: openmrv/plans in the "
        "user's cache folder, $XDG_CACHE_HOME or ~/.cache), or `off` to compile every run. "
        "Keep it writable by its user only: it is trusted like the installed code.",
    )
    lang: Literal["en", "zh-CN"] = Field(
        "en",
        description="Language of the command line's messages: `en` or `zh-CN` (Simplified "
        "Chinese): table titles and column headers, coverage, errors and located input "
        "problems. Reports take `--lang`; the pages follow each reader's choice.",
    )
    spark_master: str = Field(
        "local[2]",
        description="Spark master for `calculate-dataset --engine spark`: local[N] or a "
        "cluster URL (the `--spark-master` option wins).",
    )
    spark_memory: str = Field(
        "4g",
        description="Memory of the Spark driver (spark.driver.memory), such as 4g.",
    )
    pact_secret: SecretStr | None = Field(
        None,
        description="`openmrv pact supplier add`: the client secret the supplier's PACT host "
        "gave us, instead of `--client-secret` (asked for when neither is given).",
    )
    pact_callback_secret: SecretStr | None = Field(
        None,
        description="`openmrv pact partner add --callback-client-id`: our secret at the "
        "partner's host for its asynchronous answers, instead of `--callback-secret` (asked for "
        "when neither is given).",
    )


def get_settings() -> Settings:
    """The settings as the environment holds them now: read afresh whenever an ``OPENMRV_*``
    variable has changed (building them costs milliseconds; the lookup, microseconds)."""
    return _settings(frozenset((k, v) for k, v in os.environ.items() if _ours(k)))


def _ours(name: str) -> bool:
    return name.upper().startswith(PREFIX)  # pydantic-settings ignores case


@lru_cache(maxsize=16)
def _settings(env: frozenset[tuple[str, str]]) -> Settings:
    return Settings()


def env_var(field: str) -> str:
    """The environment variable of a setting (`env_var("db")` is ``OPENMRV_DB``); a KeyError
    for a field that does not exist, so a caller cannot name an undocumented variable."""
    if field not in Settings.model_fields:
        raise KeyError(field)
    return PREFIX + field.upper()
