"""The verification statement of a verified facility-year: who verified it, when, what the
period held at sign-off, and the witnessed checkpoint of the ledger that contains the sign-off,
with every signature and the inclusion proof of the sign-off event — so that whoever holds the
statement can later show, with `openmrv ledger verify --since`, that the period's history was
not rewritten. HTML, and PDF printed by the same headless Chromium the reports use."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from openmrv.api import workflow
from openmrv.store import ledger, note, tlog
from openmrv.store.db import Database


def facts(db: Database, case_id: int) -> dict[str, Any]:
    """What the statement says, as data (the HTML renders it; tests read it)."""
    event = workflow.sign_off(db, case_id)
    case = db.one(
        "SELECT organization_id, facility_id, year, status FROM verification_cases "
        "WHERE case_id = ?",
        [case_id],
    )
    assert case is not None  # sign_off found its event
    lock = next(
        (e.data() for e in ledger.events(db)
         if e.action == "lock" and e.subject == f"{case[1]} {case[2]}"),
        {},
    )  # fmt: skip
    held = [c for c in tlog.checkpoints(db) if c["size"] >= event.seq]
    cp = held[-1] if held else None
    proof = tlog.prove(db, event.seq, cp["size"]).as_dict() if cp else None
    return {
        "case_id": case_id,
        "organization_id": case[0],
        "facility_id": case[1],
        "year": case[2],
        "status": case[3],
        "verified_by": event.actor,
        "verified_at": event.at,
        "event": event.seq,
        "event_hash": event.hash,
        "records": lock.get("records"),
        "sum_qty": lock.get("sum_qty"),
        "checkpoint": cp["note"] if cp else None,
        "signers": cp["signers"] if cp else [],
        "proof": proof,
    }


def render(f: dict[str, Any]) -> str:
    e = html.escape
    rows = [
        ("Organisation", f["organization_id"]),
        ("Facility", f["facility_id"]),
        ("Reporting year", f["year"]),
        ("Verified by", f["verified_by"]),
        ("Verified at (UTC)", f["verified_at"]),
        ("Records in the period at sign-off", f["records"]),
        ("Sum of canonical quantities", f["sum_qty"]),
        ("Sign-off ledger event", f"{f['event']} ({f['event_hash']})"),
        ("Checkpoint signed by", ", ".join(f["signers"]) or "not witnessed yet"),
    ]
    table = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in rows)
    cp = f["checkpoint"] or "(no checkpoint contains the sign-off yet: openmrv ledger witness)"
    proof = f["proof"]
    path = "<br>".join(proof["path"]) if proof else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Verification statement: {e(f["facility_id"])} {f["year"]}</title>
<style>body{{font-family:sans-serif;max-width:48em;margin:2em auto}}
th{{text-align:left;padding-right:1em;vertical-align:top}}
pre,code{{font-size:.8em;white-space:pre-wrap;word-break:break-all}}</style></head><body>
<h1>Verification statement</h1>
<p>Case {f["case_id"]}: the reporting year {f["year"]} of facility {e(f["facility_id"])} was
verified and locked. Its ledger is witnessed by the checkpoint below.</p>
<table>{table}</table>
<h2>Witnessed checkpoint</h2>
<pre id="checkpoint">{e(cp)}</pre>
<h2>Inclusion proof of the sign-off</h2>
<p>Leaf {proof["leaf_index"] if proof else "-"} of {proof["tree_size"] if proof else "-"}
(leaf hash <code>{proof["leaf_hash"] if proof else ""}</code>); audit path:</p>
<p><code>{path}</code></p>
<h2>How to check</h2>
<p>Save the checkpoint above as <code>checkpoint.note</code> and run
<code>openmrv ledger verify --since checkpoint.note --trust KEY</code> with the public keys of
the signers (<code>openmrv ledger keys</code> or the API). Any change to the period's records,
or to anything else the ledger held at the checkpoint, is reported with the first event it
broke; a bundle (<code>openmrv ledger export --bundle</code>) is checked without the database by
<code>scripts/verify_bundle.py</code>.</p>
</body></html>
"""


def write(
    db: Database, case_id: int, html_path: Path, pdf_path: Path | None = None
) -> dict[str, Any]:
    f = facts(db, case_id)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(render(f), encoding="utf-8")
    if pdf_path is not None:
        from openmrv.reports.browser import pdf

        pdf(html_path, pdf_path)
    return f


def checkpoint_of(statement_html: str) -> str:
    """The checkpoint note a statement carries (what `verify --since` takes)."""
    start = statement_html.index('<pre id="checkpoint">') + len('<pre id="checkpoint">')
    text = html.unescape(statement_html[start : statement_html.index("</pre>", start)])
    note.split(text)  # refuses anything but a signed note
    return text
