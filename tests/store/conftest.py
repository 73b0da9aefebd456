"""Store fixtures: every store test runs on a DuckDB file and on a real PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from openmrv.store import open_store
from tests.conftest import FACILITIES, write_csv
from tests.store import pg_server

BACKENDS = ["duckdb", "postgresql"]


@pytest.fixture(scope="session")
def pg():
    """The session's PostgreSQL server; missing binaries fail under CI and skip elsewhere."""
    try:
        server = pg_server.start()
    except RuntimeError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc}; CI must test PostgreSQL (.ci/run installs it)")
        pytest.skip(str(exc))
    yield server
    server.stop()


def new_pg_database(server) -> str:
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server.url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    return server.url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path: Path) -> str:
    """A fresh, empty store of each backend."""
    if request.param == "duckdb":
        return str(tmp_path / "store.duckdb")
    return new_pg_database(request.getfixturevalue("pg"))


@pytest.fixture
def store(store_url: str):
    """An open store with the test facilities registered."""
    from openmrv.store.ingest import load_facilities

    db = open_store(store_url)
    fac = write_csv(
        Path(os.environ.get("TMPDIR", "/tmp")) / f"fac-{uuid.uuid4().hex}.csv", FACILITIES
    )
    load_facilities(db, fac, "tester")
    fac.unlink()
    yield db
    db.close()
