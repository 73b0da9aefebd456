"""Output encoding: every template, rendered with hostile strings in every field of data that
reaches it, yields exactly the elements and attributes it yields for plain strings (no markup,
attribute or script came from data), and the chart data block is JSON that a `</script>`
cannot leave. A new template without a context here fails `test_every_template_is_covered`."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from openmrv.api.services import UploadOutcome
from openmrv.api.tenancy import Principal
from openmrv.web import pages

TEMPLATES = Path(pages.__file__).parent / "templates"
HOSTILE = (
    "</script><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '\' hx-get="/signout" hx-trigger="load" x=\'',
    "{{7*7}}{% raw %}",
    "排放数据<b>粗</b>",
    "\u202etxt.exe\u202c\u200f<i>",
    "a/../../signout?x=1&y=2#frag",
)
ALL = "".join(HOSTILE)


class Breakdown:
    """An organisation's stored run as `pages.dashboard_figures` reads it (rows carry `v`)."""

    def __init__(self, v: str) -> None:
        self.v = v

    def totals(self) -> list[dict[str, Any]]:
        cov = {
            "status": "partial",
            "records": 3,
            "not_computed": 1,
            "outside_categories": 1,
            "missing_share": {"process": 0.5},
            "text": self.v,
        }
        row = {
            "methodology": self.v,
            "facility_id": self.v,
            "year": 2024,
            "scope": "1",
            "co2e_t": 1.5,
            "biogenic_co2_t": 0,
            "categories": ["process"],
            "coverage": cov,
        }
        return [
            row,
            row | {"facility_id": None},
            row | {"methodology": "inventory"},
            row | {"methodology": "inventory", "facility_id": None, "scope": "2_market"},
        ]

    def extras(self) -> dict[str, Any]:
        v = self.v
        obligation = {
            "facility_id": v,
            "year": 2024,
            "programme": "EPA_GHGRP",
            "applies": True,
            "reason_code": "declared",
            "primary_methodology": v,
            "figure_t": 1.0,
            "threshold_t": 25000.0,
            "threshold_reached": False,
            "report_due": v,
            "data_complete": False,
            "records_not_computed": 1,
            "rule": v,
            "submitted": True,
            "verified": None,
        }
        missing = {
            "methodology": v,
            "facility_id": v,
            "year": 2024,
            "scope": "1",
            "category": "process",
            "reason": v,
            "unit": v,
            "records": 1,
            "quantity": 1.0,
            "record_ids": [v, v],
        }
        return {
            "obligations": [obligation],
            "not_computed": [missing, missing | {"methodology": "inventory"}],
            "months": [
                {"facility_id": v, "year": 2024, "month": 1, "records": 2, "not_computed": 1}
            ],
            "facilities": [{"facility_id": v, "name": v, "name_zh": v}],
            "targets": [
                {
                    "name": v,
                    "methodology": v,
                    "base_year": 2020,
                    "target_year": 2030,
                    "base_t": 1.0,
                    "goal_t": 0.5,
                }
            ],
        }

    def breakdown(self) -> list[dict[str, Any]]:
        keys = ("facility_id", "year", "scope", "gas", "category")
        return [{"methodology": self.v, "co2e_t": 1.5} | dict.fromkeys(keys, self.v)]

    def runs(self) -> list[dict[str, Any]]:
        return [{"run_no": 1, "created_at": self.v, "records": 3}]

    def figures(self, methodology: str | None) -> dict[str, Any]:
        return pages.dashboard_figures(
            self.totals(), self.breakdown, self.runs(), methodology, **self.extras()
        )


def contexts(v: str, lang: str) -> dict[str, list[dict[str, Any]]]:
    """Each template's data with every free-text field set to `v` (statuses and actions, which
    choose branches, take each of their values instead)."""
    principal = Principal(v, v, False, {v: "owner"})
    org = {"org_id": v, "principal": principal, "perms": frozenset({"read", "write", "verify"})}
    facility = dict.fromkeys(
        (
            "facility_id",
            "name",
            "name_zh",
            "country",
            "state_province",
            "grid_region",
            "sector",
            "ipcc_sector",
            "equity_share",
        ),
        v,
    ) | {"operational_control": True, "financial_control": None}
    step = {
        "step": 1,
        "stepped_at": v,
        "actor": v,
        "action": "return",
        "findings": v,
        "from_status": "in_review",
        "to_status": "returned",
        "ledger_seq": 7,
    }
    case = {"case_id": 1, "facility_id": v, "year": 2024, "status": "returned", "steps": [step]}
    problem = dict.fromkeys(("file", "column", "value", "problem", "fix"), v) | {"row": 2}
    outcomes = [
        UploadOutcome(1, status, v, 1, v, [problem], 1, [v])
        for status in ("rejected", "refused", "stored", "unchanged")
    ]
    upload_row = {
        "upload_id": 1,
        "file_name": v,
        "uploaded_by": v,
        "uploaded_at": v,
        "status": "stored",
        "problems": 0,
        "batch_id": 1,
    }
    version = {
        "version": 1,
        "submitted_at": v,
        "submitted_by": v,
        "reason": v,
        "file_name": v,
        "source_row": 2,
        "kind": v,
        "period_start": v,
        "period_end": v,
        "deleted": False,
        "quantity": 1.0,
        "unit": v,
    }
    event = dict.fromkeys(("at", "actor", "action", "subject", "reason", "hash"), v) | {"seq": 1}
    checkpoint = {"size": 3, "root": v, "signers": [v, v], "note": v, "extra": [f"time {v}"]}
    target = {
        "name": v,
        "methodology": v,
        "base_year": 2020,
        "target_year": 2030,
        "reduction_pct": 30.0,
        "base_t": 10.0,
        "goal_t": 7.0,
        "latest_t": 9.0,
        "latest_year": 2024,
        "on_track": True,
    }
    data = Breakdown(v).figures(v)
    figures = pages._figures_html(data, v, lang, "obligations")
    row = {
        "label": v,
        "heat_gj": 1.0,
        "heat_basis": v,
        "co2_t": 1.0,
        "co2_kg_per_gj": 1.0,
        "oxidation": 1.0,
        "ch4_n2o_co2e_t": 1.0,
        "gwp_set": v,
        "total_co2e_t": 1.0,
    }
    return {
        "base.html": [org, {"principal": None, "org_id": None}],
        "orgs.html": [org | {"org_id": None}],
        "signin.html": [{"principal": None, "next": "/" + v, "error": v}],
        "error.html": [org | {"title": v, "message": v}],
        "dashboard.html": [
            org | {"run": data["run"], "figures": figures},
            org | {"run": None, "figures": ""},
        ],
        "dashboard_figures.html": [
            pages.figures_context(data, v, lang, view) for view in pages.VIEWS
        ],
        "facility.html": [
            org
            | {
                "f": facility,
                "totals": data["totals"],
                "scope_labels": pages.SCOPE_LABELS,
                "coverage_status": pages.COVERAGE_STATUS,
                "years": [2024],
                "records": [
                    {
                        "record_id": v,
                        "period_start": v,
                        "period_end": v,
                        "category": v,
                        "fuel": v,
                        "quantity": 1.0,
                        "unit": v,
                        "version": 1,
                    }
                ],
                "locks": [{"year": 2024, "locked_by": v, "locked_at": v, "reason": v}],
            }
        ],
        "record.html": [
            org
            | {
                "h": {"record_id": v, "versions": [version], "events": [event]},
                "proofs": {"status": {1: st}, "cosigned": cp, "latest": cp},
            }
            for st, cp in ((True, checkpoint), (False, None), (None, checkpoint))
        ],
        "ledger.html": [
            org
            | {
                "checkpoints": [checkpoint],
                "keys": [{"name": v, "owner": v, "owner_kind": v, "verifier_key": v}],
            }
        ],
        "compare.html": [
            org
            | {
                "facilities": [facility],
                "facility_id": v,
                "years": [2024],
                "year": 2024,
                "result": {"rows": [row], "reasons": [v]},
            }
        ],
        "targets.html": [org | {"targets": [target]}],
        "cases.html": [
            org | {"cases": [case | {"created_by": v, "created_at": v}], "facilities": [facility]}
        ],
        "case.html": [org | {"c": case, "actions": ["submit", "start", "return", "verify"]}],
        "upload.html": [org | {"result": r, "uploads": [upload_row]} for r in outcomes],
        "upload_result.html": [org | {"result": r} for r in outcomes],
    }


class Structure(HTMLParser):
    """Elements with their attribute names, comments and declarations, in order; the text
    of script elements; all text and attribute values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shape: list[tuple] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.shape.append(("start", tag, tuple(name for name, _ in attrs)))
        self.text += [value or "" for _, value in attrs]
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self.shape.append(("end", tag))
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.shape.append(("comment",))

    def handle_decl(self, decl: str) -> None:
        self.shape.append(("decl", decl))


def parse(html: str) -> Structure:
    s = Structure()
    s.feed(html)
    s.close()
    return s


def strings(value: Any) -> list[str]:
    """Every string in a JSON value (keys too: the chart labels are keyed by the data)."""
    if isinstance(value, dict):
        return [*value, *(s for v in value.values() for s in strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def rendered(name: str, ctx: dict[str, Any], lang: str) -> str:
    full = pages.page_context(lang, "csrf-token-value", "/orgs/x") | ctx
    return pages.templates.get_template(name).render(**full)


def test_every_template_is_covered() -> None:
    assert set(contexts("x", "en")) == {p.name for p in TEMPLATES.glob("*.html")}


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
@pytest.mark.parametrize("hostile", [*HOSTILE, ALL], ids=range(len(HOSTILE) + 1))
@pytest.mark.parametrize("name", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_hostile_strings_stay_text(name: str, hostile: str, lang: str) -> None:
    plain_ctxs, hostile_ctxs = contexts("plain", lang)[name], contexts(hostile, lang)[name]
    for plain_ctx, hostile_ctx in zip(plain_ctxs, hostile_ctxs, strict=True):
        plain, bad = (
            parse(rendered(name, plain_ctx, lang)),
            parse(rendered(name, hostile_ctx, lang)),
        )
        assert bad.shape == plain.shape, f"{name}: data changed the markup"
        # The JSON block reads back as the data (it neither broke out nor lost anything).
        for block in bad.scripts:
            assert hostile in strings(json.loads(block))
        # The data reached the page, as text (so the test exercised it) ...
        text = "".join(bad.text)
        assert hostile in text or (name == "base.html" and hostile_ctx["org_id"] is None)
        # ... and no template expression in it was evaluated.
        assert "49" not in text.replace("2049", "")


def test_chart_block_escapes_script_end() -> None:
    data = Breakdown("</script><script>alert(1)</script>").figures(None)
    html = pages._figures_html(data, "ORG", "en", "methods")
    block = html.split('id="chart-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block and "&" not in block.replace("&amp;", "")
    assert json.loads(block)["facility_id"][0]["key"].startswith("</script>")
    names = html.split('id="chart-labels">', 1)[1].split("</script>", 1)[0]
    assert "<" not in names and ">" not in names
