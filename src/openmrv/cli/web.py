"""Web commands: `openmrv serve`, demo accounts, users and API tokens. Part of the core command
line."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from openmrv import plugins
from openmrv.cli.console import EXIT_INPUT, DbOpt, err, fail, opened_store, out

user_app = typer.Typer(help="Users, roles and API tokens of the web application.")
commands = typer.Typer()
commands.add_typer(user_app, name="user")

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
# Demo accounts: user, name, password, regulator?, {organisation: role}.
DEMO_USERS = (
    ("owner", "Olivia Owner", "demo-owner-pw", False, {"ORG-SUNBRIDGE": "owner"}),
    ("editor", "Ed Editor", "demo-editor-pw", False, {"ORG-SUNBRIDGE": "editor"}),
    ("verifier", "Vera Verifier", "demo-verifier-pw", False, {"ORG-SUNBRIDGE": "verifier"}),
    ("viewer", "Vic Viewer", "demo-viewer-pw", False, {"ORG-SUNBRIDGE": "viewer"}),
    ("tianhe", "Tian He", "demo-tianhe-pw", False, {"ORG-TIANHE-JV": "owner"}),
    ("shenhe", "Shen He", "demo-shenhe-pw", False, {"ORG-TIANHE-JV": "verifier"}),
    ("cascadia", "Cass Cade", "demo-cascadia-pw", False, {"ORG-CASCADIA": "owner"}),
    ("qilu", "Qi Lu", "demo-qilu-pw", False, {"ORG-QILU-POWER": "owner"}),
    ("highplains", "Hal Plains", "demo-highplains-pw", False, {"ORG-HIGHPLAINS": "owner"}),
    (
        "regulator",
        "Regina Regulator",
        "demo-regulator-pw",
        True,
        {"ORG-SUNBRIDGE": "regulator", "ORG-TIANHE-JV": "regulator"},
    ),
)


def seed_demo(db, facilities: Path, activity: Path | None) -> list[tuple[str, str, str]]:
    """Facilities, the demo users and their roles, and (optionally) the example activity
    data with one calculation run per organisation. Safe to run again."""
    from openmrv.api import services
    from openmrv.api.tenancy import add_membership, add_user, load_principal, scope_for
    from openmrv.store.ingest import ingest, load_facilities

    load_facilities(db, facilities, "demo-seed")
    with db.write():
        for user, name, password, regulator, roles in DEMO_USERS:
            if db.scalar("SELECT count(*) FROM users WHERE user_id = ?", [user]):
                continue
            add_user(db, user, name, password, regulator)
            for org, role in roles.items():
                add_membership(db, user, org, role, "demo-seed")
    if activity is not None:
        # Each organisation's rows are submitted by one of its own users, as its own upload
        # would be (an editor, else its owner), under the file's name.
        writers: dict[str, str] = {}
        for user, _, _, _, roles in DEMO_USERS:
            for org, role in roles.items():
                if role == "editor" or (role == "owner" and org not in writers):
                    writers[org] = user
        with tempfile.TemporaryDirectory(prefix="openmrv-seed-") as tmp:
            for org, path in _split_by_organisation(db, activity, Path(tmp)).items():
                if org not in writers:
                    raise _store_error(f"{activity.name}: no demo user of {org} to submit its rows")
                ingest(db, path, writers[org], org=org)
        for user, org in (("owner", "ORG-SUNBRIDGE"), ("tianhe", "ORG-TIANHE-JV")):
            p = load_principal(db, user)
            assert p is not None
            services.calculate(scope_for(db, p, org, "write"))
        plugins.seed_demo(db, EXAMPLES)  # each domain's demo data (e.g. PACT footprints)
    return [
        (u, p, ", ".join(f"{r} of {o}" for o, r in roles.items()))
        for u, _, p, _, roles in DEMO_USERS
    ]


def _split_by_organisation(db, activity: Path, folder: Path) -> dict[str, Path]:
    """The activity CSV's rows per organisation of their facility, each as a file of the same
    name in its own folder."""
    import csv

    from openmrv.store.ingest import current_facilities

    org_of = {f: o for f, (o, _) in current_facilities(db).items()}
    with open(activity, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        at = header.index("facility_id")
        rows: dict[str, list[list[str]]] = {}
        for n, r in enumerate(reader, start=2):
            if r[at] not in org_of:
                raise _store_error(f"{activity.name} row {n}: unknown facility {r[at]!r}")
            rows.setdefault(org_of[r[at]], []).append(r)
    out = {}
    for org, body in rows.items():
        path = folder / org / activity.name
        path.parent.mkdir()
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerows([header, *body])
        out[org] = path
    return out


@commands.command("demo-seed")
def demo_seed(
    db: DbOpt = "openmrv.duckdb",
    facilities: Annotated[Path, typer.Option(help="Facilities file.")] = EXAMPLES
    / "facilities.csv",
    activity: Annotated[
        Path | None, typer.Option(help="Activity file to ingest and calculate.")
    ] = EXAMPLES / "activity.csv",
    no_activity: Annotated[bool, typer.Option(help="Only facilities and users.")] = False,
) -> None:
    """Create the demo organisations' users (and data) for `openmrv serve`."""
    with opened_store(db) as store:
        accounts = seed_demo(store, facilities, None if no_activity else activity)
    out.print("Demo accounts (user / password / role), for http://127.0.0.1:8000:")
    for user, password, roles in accounts:
        out.print(f"  {user:<10} {password:<18} {roles}", highlight=False, soft_wrap=True)


def server_options(proxy: list[str], certfile: Path | None, keyfile: Path | None) -> dict:
    """uvicorn's options: X-Forwarded-For and -Proto are honoured only from the proxies named
    (uvicorn would trust 127.0.0.1 by default, so anyone on the machine could pick the address
    the sign-in limit counts); TLS when a certificate is given."""
    opts: dict = {"proxy_headers": bool(proxy), "forwarded_allow_ips": ",".join(proxy) or None}
    if certfile is not None:
        opts |= {"ssl_certfile": str(certfile), "ssl_keyfile": str(keyfile or certfile)}
    return opts


@commands.command()
def serve(
    db: DbOpt = "openmrv.duckdb",
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (more than 1 needs PostgreSQL).")
    ] = 1,
    proxy: Annotated[
        list[str],
        typer.Option(help="Address of a reverse proxy whose X-Forwarded-For/-Proto to trust."),
    ] = [],  # noqa: B006
    certfile: Annotated[Path | None, typer.Option(help="TLS certificate (PEM).")] = None,
    keyfile: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
    https: Annotated[
        bool, typer.Option(help="Serve HTTPS only: with --certfile/--keyfile or --self-signed.")
    ] = False,
    self_signed: Annotated[
        bool,
        typer.Option(
            help="Make (once) and use a development certificate for HOST, under the "
            "data folder ($XDG_DATA_HOME/openmrv/tls)."
        ),
    ] = False,
) -> None:
    """Run the web application and API (http://HOST:PORT, API under /api/v1). Over HTTPS
    (a certificate, or a proxy that says so) cookies are Secure and responses carry HSTS.
    With a certificate the port speaks TLS only: a plain HTTP request gets no answer."""
    import uvicorn

    from openmrv.settings import env_var
    from openmrv.web.app import create_app

    if self_signed:
        from openmrv.cli.tls import self_signed as make_certificate

        certfile, keyfile = make_certificate(host)
        out.print(f"Development certificate (trust this file in clients): {certfile}")
    if https and certfile is None:
        err.print("[red]--https needs --certfile and --keyfile, or --self-signed[/red]")
        raise typer.Exit(2)

    scheme = "https" if certfile else "http"
    out.print(f"OpenMRV on {scheme}://{host}:{port} (API docs: /api/v1/docs); Ctrl+C stops it.")
    options = server_options(proxy, certfile, keyfile)
    if workers == 1:
        uvicorn.run(create_app(db), host=host, port=port, log_level="info", **options)
        return
    if not db.startswith(("postgresql://", "postgres://")):
        err.print(
            "[red]--workers above 1 needs a PostgreSQL store: a DuckDB file is opened by one "
            "process at a time.[/red]"
        )
        raise typer.Exit(2)
    # Every worker opens the store itself and must sign and read the same session cookies.
    os.environ[env_var("db")] = db
    os.environ.setdefault(env_var("secret_key"), secrets.token_urlsafe(32))
    uvicorn.run(
        "openmrv.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        log_level="info",
        workers=workers,
        **options,
    )


@user_app.command("add")
def user_add(
    user_id: Annotated[str, typer.Argument(help="User name.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    org: Annotated[str | None, typer.Option(help="Organisation id for --role.")] = None,
    role: Annotated[str | None, typer.Option(help="owner, editor, verifier, viewer")] = None,
    regulator: Annotated[bool, typer.Option(help="A regulator (read-only, by grant).")] = False,
    db: DbOpt = "openmrv.duckdb",
) -> None:
    """Add a user; the password is asked for (never taken from the command line)."""
    from openmrv.api.tenancy import add_membership, add_user

    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 12:  # OWASP ASVS 4.0 2.1.1
        err.print("[red]use a password of at least 12 characters[/red]")
        raise typer.Exit(EXIT_INPUT)
    with opened_store(db) as store, store.write():
        add_user(store, user_id, name, password, regulator)
        if org and role:
            add_membership(store, user_id, org, role, "cli")
    out.print(f"user {user_id} added")


def _existing_user(store, user_id: str) -> None:
    if not store.scalar("SELECT count(*) FROM users WHERE user_id = ?", [user_id]):
        err.print(f"[red]no user {user_id}[/red]")
        raise typer.Exit(EXIT_INPUT)


@user_app.command("token")
def user_token(
    user_id: Annotated[str, typer.Argument(help="User name.")],
    scope: Annotated[list[str], typer.Option(help="read, write, verify; repeatable.")] = [  # noqa: B006
        "read"
    ],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    days: Annotated[
        int | None, typer.Option(min=1, max=366, help="Expire after this many days.")
    ] = None,
    db: DbOpt = "openmrv.duckdb",
) -> None:
    """Create an API token for a user; it is printed once and stored only as a hash."""
    from openmrv.api import tokens

    bad = [s for s in scope if s not in ("read", "write", "verify")]
    if bad:
        err.print(f"[red]unknown scope {', '.join(bad)}[/red]")
        raise typer.Exit(EXIT_INPUT)
    with opened_store(db) as store:
        _existing_user(store, user_id)
        t = tokens.create(store, user_id, label, scope, days)
    out.print(t["token"], highlight=False, soft_wrap=True)


@user_app.command("revoke")
def user_revoke(
    user_id: Annotated[str, typer.Argument(help="User name.")],
    org: Annotated[str, typer.Option(help="Organisation whose role (or grant) ends.")],
    db: DbOpt = "openmrv.duckdb",
) -> None:
    """End a user's role in an organisation, a regulator's grant included (a ledger event)."""
    from openmrv.api.tenancy import NotFound, remove_membership

    with opened_store(db) as store, store.write():
        try:
            role = remove_membership(store, user_id, org, "cli")
        except NotFound as exc:
            raise fail(exc) from None
    out.print(f"{user_id} is no longer {role} of {org}")


@user_app.command("sign-out")
def user_sign_out(
    user_id: Annotated[str, typer.Argument(help="User name.")],
    db: DbOpt = "openmrv.duckdb",
) -> None:
    """End every web session of a user (a lost computer, a copied cookie); API tokens stay."""
    from openmrv.api.sessions import end_all

    with opened_store(db) as store:
        _existing_user(store, user_id)
        ended = end_all(store, user_id)
    out.print(f"{ended} session(s) of {user_id} ended")


def _store_error(message: str) -> Exception:
    """The store's error (imported here: the store loads DuckDB, which `--help` need not)."""
    from openmrv.store.db import StoreError

    return StoreError(message)
