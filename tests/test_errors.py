"""One error root: every exception class subclasses OpenMRVError, and the API and CLI answer
any subclass with its own status and exit code, a new one included, with no edit to either."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import openmrv
from openmrv import errors
from openmrv.cli import app as cli_app
from openmrv.web.app import create_app


def _modules():
    for info in pkgutil.walk_packages(openmrv.__path__, "openmrv."):
        yield importlib.import_module(info.name)


def test_every_exception_class_has_the_one_root_and_says_when_it_is_raised():
    found = {}
    for mod in _modules():
        for name, cls in vars(mod).items():
            if (
                inspect.isclass(cls)
                and issubclass(cls, BaseException)
                and cls.__module__ == mod.__name__
            ):
                found[f"{mod.__name__}.{name}"] = cls
    assert len(found) >= 18, sorted(found)  # the 7 categories and the 11 raised today
    for name, cls in found.items():
        assert issubclass(cls, errors.OpenMRVError), name
        assert cls.__doc__ and cls.__doc__.strip(), f"{name} has no docstring"
        assert isinstance(cls.status, int) and 400 <= cls.status <= 599, name
        assert isinstance(cls.exit_code, int) and 1 <= cls.exit_code <= 125, name
        if cls.__module__ != "openmrv.errors":  # drawn in the tree of errors.py
            short = f"{cls.__module__.removeprefix('openmrv.')}.{cls.__name__}"
            assert short in errors.__doc__, f"{short} is missing from the tree in errors.py"


def test_the_statuses_of_the_errors_raised_today():
    """The HTTP statuses the API answered with before the one handler (api/app.py's dict)."""
    from openmrv.api.deps import BadCsrf, NotSignedIn
    from openmrv.api.services import TooLarge
    from openmrv.api.tenancy import Forbidden, NotFound, Refused
    from openmrv.ingest.errors import InputError
    from openmrv.store.db import Busy, StoreError

    expected = {
        NotFound: 404,
        Forbidden: 403,
        Refused: 409,
        StoreError: 409,
        TooLarge: 413,
        NotSignedIn: 401,
        BadCsrf: 403,
        InputError: 422,
        Busy: 503,
    }
    assert {cls: cls.status for cls in expected} == expected
    assert Busy.exit_code == 75 and InputError.exit_code == 2 == StoreError.exit_code


class Flooded(errors.Conflict):
    """Raised by this test: a category's status and exit code are inherited."""


class Teapot(errors.OpenMRVError):
    """Raised by this test: an error with a status and exit code of its own."""

    status = 418
    exit_code = 9


@pytest.mark.parametrize(("exc", "status"), [(Flooded, 409), (Teapot, 418)])
def test_a_new_error_gets_its_status_from_the_api_with_no_edit(tmp_path, exc, status):
    app = create_app(str(tmp_path / "s.duckdb"), secure_cookies=False)

    def boom() -> None:
        raise exc("the river is over the road")

    app.add_api_route("/api/v1/boom", boom)
    app.add_api_route("/boom", boom)
    with TestClient(app) as client:
        r = client.get("/api/v1/boom")
        assert r.status_code == status
        assert r.json() == {"detail": "the river is over the road"}
        page = client.get("/boom")  # a page: the error page, same status
        assert page.status_code == status
        assert "the river is over the road" in page.text


@pytest.mark.parametrize(("exc", "code"), [(Flooded, 2), (Teapot, 9)])
def test_a_new_error_gets_its_exit_code_from_the_cli_with_no_edit(exc, code):
    sub = typer.Typer()

    @sub.command("go")
    def go() -> None:
        raise exc("the river [is] over the road")

    cli_app.add_typer(sub, name="boom-test")
    try:
        r = CliRunner().invoke(cli_app, ["boom-test", "go"])
    finally:
        cli_app.registered_groups.pop()
    assert r.exit_code == code, r.output
    assert "the river [is] over the road" in r.output  # shown as written, not as markup
    assert r.exception is None or isinstance(r.exception, SystemExit)
