"""`openmrv pact ...`: partners who may call our host (credentials shown once, revocable),
suppliers whose hosts we call, pulling their footprints, requesting missing ones by event,
and listing what is stored."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from openmrv.cli.console import ByOpt, DbOpt, actor, err, opened_store, out
from openmrv.errors import InvalidInput

pact_app = typer.Typer(
    help="PACT v3: product footprints exchanged with partners.", no_args_is_help=True
)
partner_app = typer.Typer(help="Partners: clients of our PACT host.", no_args_is_help=True)
supplier_app = typer.Typer(help="Suppliers: PACT hosts we pull from.", no_args_is_help=True)
pact_app.add_typer(partner_app, name="partner")
pact_app.add_typer(supplier_app, name="supplier")

Org = Annotated[str, typer.Option("--org", help="Organisation.")]
EXIT_INVALID = 1


@partner_app.command("add")
def partner_add(
    org: Org,
    name: Annotated[str, typer.Option(help="Who the partner is.")],
    callback_url: Annotated[
        str | None, typer.Option(help="The partner's host (base URL) for asynchronous answers.")
    ] = None,
    callback_client_id: Annotated[
        str | None, typer.Option(help="Our client id at the partner's host.")
    ] = None,
    callback_secret: Annotated[
        str | None,
        typer.Option(
            envvar="OPENMRV_PACT_CALLBACK_SECRET",
            help="Our secret there (asked for when --callback-client-id is given).",
        ),
    ] = None,
    callback_ca: Annotated[
        str | None, typer.Option(help="CA file of the partner host's certificate.")
    ] = None,
    db: DbOpt = "openmrv.duckdb",
    by: ByOpt = None,
) -> None:
    """Give a partner credentials for our host; the secret is printed once, stored hashed."""
    from openmrv.pact import credentials

    if callback_client_id and callback_secret is None:
        callback_secret = typer.prompt("Secret at the partner's host", hide_input=True)
    with opened_store(db) as s:
        cid, secret = credentials.add_partner(
            s, org, name, actor(by), callback_url=callback_url,
            callback_client_id=callback_client_id, callback_secret=callback_secret,
            callback_ca=callback_ca,
        )  # fmt: skip
    out.print(f"client id:     {cid}", highlight=False)
    out.print(f"client secret: {secret}", highlight=False, soft_wrap=True)
    err.print("The secret is shown once: give it to the partner now.")


@partner_app.command("list")
def partner_list(org: Org, db: DbOpt = "openmrv.duckdb") -> None:
    """The organisation's partners (never their secrets)."""
    from openmrv.pact import credentials

    t = Table("client id", "name", "callback URL", "created", "revoked", title=f"{org} partners")
    with opened_store(db) as s:
        for p in credentials.list_partners(s, org):
            t.add_row(p.client_id, p.name, p.callback_url or "", p.created_at, p.revoked_at or "")
    out.print(t)


@partner_app.command("revoke")
def partner_revoke(
    client_id: Annotated[str, typer.Argument(help="The partner's client id.")],
    org: Org,
    db: DbOpt = "openmrv.duckdb",
    by: ByOpt = None,
) -> None:
    """End a partner's access: its secret and tokens stop working at once."""
    from openmrv.pact import credentials

    with opened_store(db) as s:
        credentials.revoke_partner(s, org, client_id, actor(by))
    out.print(f"{client_id} revoked")


@supplier_app.command("add")
def supplier_add(
    supplier_id: Annotated[str, typer.Argument(help="A name for the supplier.")],
    org: Org,
    url: Annotated[str, typer.Option(help="The supplier's PACT base URL (https://...).")],
    client_id: Annotated[str, typer.Option(help="Our client id at the supplier's host.")],
    client_secret: Annotated[
        str,
        typer.Option(
            prompt="Client secret",
            hide_input=True,
            envvar="OPENMRV_PACT_SECRET",
            help="Our secret there (asked for when not given).",
        ),
    ],
    ca_file: Annotated[
        str | None, typer.Option(help="CA file of its certificate (default: the system's).")
    ] = None,
    db: DbOpt = "openmrv.duckdb",
    by: ByOpt = None,
) -> None:
    """Register (or replace) a supplier's host and our credentials there (stored encrypted)."""
    from openmrv.pact import credentials

    with opened_store(db) as s:
        credentials.add_supplier(s, org, supplier_id, url, client_id, client_secret, actor(by),
                                 ca_file)  # fmt: skip
    out.print(f"supplier {supplier_id} at {url}")


@supplier_app.command("list")
def supplier_list(org: Org, db: DbOpt = "openmrv.duckdb") -> None:
    from openmrv.pact import credentials

    t = Table("supplier", "base URL", "client id", "CA file", title=f"{org} suppliers")
    with opened_store(db) as s:
        for x in credentials.list_suppliers(s, org):
            t.add_row(x.supplier_id, x.base_url, x.client_id, x.ca_file or "")
    out.print(t)


def _filters(items: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        k, sep, v = item.partition("=")
        if not sep or not k:
            raise InvalidInput(f"--filter {item!r}: NAME=VALUE, e.g. productId=urn:gtin:123")
        pairs.append((k, v))
    return pairs


@pact_app.command("pull")
def pull(
    supplier_id: Annotated[str, typer.Argument(help="A registered supplier.")],
    org: Org,
    filter: Annotated[
        list[str], typer.Option(help="A v3 filter NAME=VALUE (repeatable), e.g. productId=urn:...")
    ] = [],  # noqa: B006
    limit: Annotated[int | None, typer.Option(min=1, help="Page size asked for.")] = None,
    db: DbOpt = "openmrv.duckdb",
) -> None:
    """Fetch a supplier's footprints (every page), validate each against the v3 model and
    store the valid ones with their provenance; invalid ones are reported, not stored."""
    from openmrv.pact import client  # httpx, when a command calls out

    with opened_store(db) as s:
        r = client.pull(s, org, supplier_id, _filters(filter), limit)
    out.print(f"{len(r.stored)} stored, {len(r.held)} already held, {len(r.invalid)} invalid")
    for problem in r.invalid:
        err.print(f"[red]{problem}[/red]", highlight=False, soft_wrap=True)
    if r.invalid:
        raise typer.Exit(EXIT_INVALID)


@pact_app.command("request")
def request(
    supplier_id: Annotated[str, typer.Argument(help="A registered supplier.")],
    org: Org,
    source: Annotated[
        str, typer.Option(help="Our host's base URL, where the supplier sends the answer.")
    ],
    product_id: Annotated[list[str], typer.Option(help="Product id (URN), repeatable.")] = [],  # noqa: B006
    comment: Annotated[str | None, typer.Option(help="A note to the supplier.")] = None,
    db: DbOpt = "openmrv.duckdb",
) -> None:
    """Ask a supplier for footprints of these products (RequestCreatedEvent); the answer
    arrives at our /3/events and is stored as received."""
    from openmrv.pact import client  # httpx, when a command calls out

    if not product_id:
        raise InvalidInput("name at least one --product-id")
    criteria: dict[str, object] = {"productId": product_id}
    if comment:
        criteria["comment"] = comment
    with opened_store(db) as s:
        event_id = client.send_request(s, org, supplier_id, source, criteria)
    out.print(f"request {event_id} sent to {supplier_id}")


@pact_app.command("publish")
def publish(
    org: Org,
    source: Annotated[str, typer.Option(help="Our host's base URL (the events' source).")],
    pf_id: Annotated[
        list[str] | None, typer.Argument(help="Footprint ids (default: every active one).")
    ] = None,
    db: DbOpt = "openmrv.duckdb",
) -> None:
    """Notify every partner with a callback URL of these footprints (PublishedEvent); the
    running host sends the events, retrying until they arrive."""
    from openmrv.pact import outbox, store

    with opened_store(db) as s:
        ids = pf_id or [str(p.id) for p in store.list_footprints(s, org) if p.status == "Active"]
        n = outbox.publish(s, org, ids, source)
    out.print(f"{len(ids)} footprint(s) to publish to {n} partner(s)")


@pact_app.command("list")
def list_(
    org: Org,
    received: Annotated[bool, typer.Option(help="Footprints received, not issued.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The wire objects.")] = False,
    db: DbOpt = "openmrv.duckdb",
) -> None:
    """The organisation's footprints, issued or received."""
    from openmrv.pact import store

    direction = "received" if received else "issued"
    with opened_store(db) as s:
        pfs = store.list_footprints(s, org, direction=direction)
    if as_json:
        out.print_json(json.dumps([p.to_wire() for p in pfs]))
        return
    t = Table(
        "id", "status", "product", "products", "pcf (kgCO2e/unit)", title=f"{org} {direction}"
    )
    for p in pfs:
        t.add_row(str(p.id), p.status, p.product_name_company, " ".join(p.product_ids),
                  str(p.pcf.pcf_excluding_biogenic_uptake))  # fmt: skip
    out.print(t)
