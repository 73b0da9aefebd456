"""Every error OpenMRV raises on purpose, under one root that says how to answer it.

An error carries its HTTP status (`status`, used by the API's one exception handler) and its
command-line exit code (`exit_code`, used by the CLI's one handler), so a new error (a domain's
own) needs no edit to either handler: subclass the category it belongs to.

The tree (categories here; the concrete classes live with the code that raises them)::

    OpenMRVError                       500, exit 1: a failure the user cannot fix
    ├── InvalidInput                   422, exit 2: the input is wrong; the message says where
    │   ├── ingest.errors.InputError   located problems in a file or request
    │   ├── units.UnitError            a unit not accepted, or of the wrong kind
    │   ├── store.note.NoteError       a malformed note, or one not signed by a trusted key
    │   └── pact.client.RemoteError    another PACT host's answer we cannot use, or none
    ├── Unauthenticated                401, exit 2: no valid session or API token
    │   └── api.deps.NotSignedIn
    ├── NotAllowed                     403, exit 2: the principal may not do this
    │   ├── api.tenancy.Forbidden
    │   └── api.deps.BadCsrf
    ├── NotFoundError                  404, exit 2: nothing of that name the principal may see
    │   └── api.tenancy.NotFound
    ├── Conflict                       409, exit 2: not possible in the current state
    │   ├── api.tenancy.Refused
    │   └── store.db.StoreError
    │       └── store.db.Busy          503, exit 75: another process is writing; retry
    └── TooLargeError                  413, exit 2: a request body or upload over its limit
        └── api.services.TooLarge

This module is the lowest layer: it imports nothing from OpenMRV or any library.
"""

from __future__ import annotations

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INPUT",
    "EXIT_TEMPFAIL",
    "Conflict",
    "InvalidInput",
    "NotAllowed",
    "NotFoundError",
    "OpenMRVError",
    "TooLargeError",
    "Unauthenticated",
]

EXIT_FAILURE = 1
EXIT_INPUT = 2  # bad input or a refused request: the user can fix it and run again
EXIT_TEMPFAIL = 75  # EX_TEMPFAIL (sysexits.h): try again later


class OpenMRVError(Exception):
    """The root of every error OpenMRV raises on purpose; raised itself for none."""

    status: int = 500
    exit_code: int = EXIT_FAILURE


class InvalidInput(OpenMRVError):
    """Input (a file, a value, a request) that cannot be accepted as it is."""

    status = 422
    exit_code = EXIT_INPUT


class Unauthenticated(OpenMRVError):
    """A request without a valid session or API token."""

    status = 401
    exit_code = EXIT_INPUT


class NotAllowed(OpenMRVError):
    """The principal is known but may not do this."""

    status = 403
    exit_code = EXIT_INPUT


class NotFoundError(OpenMRVError):
    """Nothing of that name that the principal may see (other tenants' data included)."""

    status = 404
    exit_code = EXIT_INPUT


class Conflict(OpenMRVError):
    """A request that cannot be carried out in the current state (a locked period, a step
    the workflow does not allow, a missing reason); nothing was changed."""

    status = 409
    exit_code = EXIT_INPUT


class TooLargeError(OpenMRVError):
    """A request body or uploaded file over its size limit."""

    status = 413
    exit_code = EXIT_INPUT
