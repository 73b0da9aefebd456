"""`openmrv case ...`: sign off a verification case with the verifier's key, and witness a
verified case's checkpoint (verifier or regulator), writing its statement (registered by the
verification domain's plugin)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from openmrv.cli.console import ByOpt, DbOpt, actor, opened_store, out

case_app = typer.Typer(help="Verification cases: sign-off and witnessing.", no_args_is_help=True)
KeyOpt = Annotated[Path, typer.Option("--key", help="Your ledger key file (0600).")]
HtmlOpt = Annotated[Path, typer.Option("--out", help="The statement (HTML).")]
PdfOpt = Annotated[Path | None, typer.Option("--pdf", help="The statement as PDF too.")]

if TYPE_CHECKING:
    from openmrv.store import Database


@case_app.command("verify")
def case_verify(
    case_id: Annotated[int, typer.Argument(help="Case number.")],
    key: KeyOpt,
    out_path: HtmlOpt,
    pdf_path: PdfOpt = None,
    db: DbOpt = "openmrv.duckdb",
    by: ByOpt = None,
) -> None:
    """Verify a case (locks its period) and co-sign the checkpoint that contains the sign-off
    with your key; write the statement."""
    from openmrv.api import workflow
    from openmrv.api.tenancy import load_principal, scope_for
    from openmrv.store import tlog

    signer = tlog.read_private(key)
    with opened_store(db) as store:
        org = store.scalar("SELECT organization_id FROM verification_cases WHERE case_id = ?",
                           [case_id])  # fmt: skip
        principal = load_principal(store, actor(by))
        if principal is None or org is None:
            raise typer.BadParameter(f"no case {case_id}, or no user {actor(by)!r}")
        workflow.advance(
            scope_for(store, principal, org, "verify"), case_id, "verify", None, signer
        )
        _statement(store, case_id, out_path, pdf_path)


@case_app.command("witness")
def case_witness(
    case_id: Annotated[int, typer.Argument(help="Case number (verified).")],
    key: KeyOpt,
    out_path: HtmlOpt,
    pdf_path: PdfOpt = None,
    db: DbOpt = "openmrv.duckdb",
) -> None:
    """Co-sign the checkpoint containing a verified case's sign-off (a verifier of its
    organisation, or a regulator); write the statement with every signature."""
    from openmrv.api import workflow
    from openmrv.store import tlog

    signer = tlog.read_private(key)
    with opened_store(db) as store:
        workflow.witness(store, case_id, signer)
        _statement(store, case_id, out_path, pdf_path)


def _statement(store: Database, case_id: int, html: Path, pdf: Path | None) -> None:
    from openmrv.verification import statement

    f = statement.write(store, case_id, html, pdf)
    out.print(f"case {case_id}: checkpoint of {f['proof']['tree_size']} events signed by "
              f"{', '.join(f['signers'])}; statement {html}")  # fmt: skip
