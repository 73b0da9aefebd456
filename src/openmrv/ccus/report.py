"""The CCUS report: capture beside gross source emissions (never netted silently; a labelled
net view), the annual figures per site in the structure of EPA's RR data, the custody
reconciliation and a Sankey diagram of the CO2 flows, in English and Simplified Chinese."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from openmrv.ccus.account import Account, Data, account
from openmrv.ccus.custody import flows, reconcile
from openmrv.methods.mee import MeeEnterprise
from openmrv.reports.html import page
from openmrv.reports.i18n import t

__all__ = [
    "PAGES",
    "REPORTS",
    "CcusReport",
    "build",
    "gross_emissions",
    "gross_of_results",
    "gross_of_run",
    "primary_only",
    "sankey",
    "to_html",
]

# Report keys: (English, Chinese). Column labels are "ccus.col.<name>".
_MESSAGES = {
    "ccus.section": ("CCUS: capture, transfer and storage", "CCUS：捕集、运输与封存"),
    "ccus.capture": ("Gross source emissions and capture (separate lines)",
                     "源排放总量与捕集量(分行列示)"),
    "ccus.rr": ("Annual figures per site (40 CFR 98 Subparts RR, UU, VV)",
                "各封存场地年度数据(40 CFR 98 RR、UU、VV 部分)"),
    "ccus.custody": ("Chain of custody: sender and receiver records reconciled",
                     "监管链：发送方与接收方记录核对"),
    "ccus.sankey": ("CO2 flows (t), captured to stored", "二氧化碳流向(吨)：从捕集到封存"),
    "ccus.net_note": (
        "Net = gross − captured is a derived view, not a Part 98 or MEE figure: Part 98 reports "
        "capture under Subpart PP beside the source's emissions; MEE's power-sector guideline "
        "has no capture deduction.",
        "净排放 = 排放总量 − 捕集量，仅为推算视图，并非 Part 98 或生态环境部口径：Part 98 "
        "在 PP 部分单独报告捕集量；发电行业指南无捕集扣减。"),
    "ccus.mee_note": (
        "MEE recovered CO2 (provisional): the oil and gas, petrochemical and chemical enterprise "
        "guidelines subtract the CO2 an enterprise recovers and supplies to others; shown on "
        "its own line for MEE-inventoried facilities of those sectors (GB/T 4754 07, 25, 26), "
        "empty elsewhere. Taken from open implementations of the guidelines; the guideline "
        "text was not verified.",
        "CO2 回收利用量(暂定)：油气开采、石化、化工企业核算指南从企业排放总量中扣除企业回收且"
        "外供的 CO2 量；仅对按生态环境部方法核算、属上述行业(GB/T 4754 07、25、26)的设施单列"
        "一行，其他设施为空。依据为指南的公开实现，指南原文未经核实。"),
    **{f"ccus.node.{k}": v for k, v in {
        "capture": ("Captured", "捕集"), "retained": ("Captured, not transferred", "捕集未外输"),
        "transport": ("Transport", "运输"), "transit_loss": ("Transit difference (loss)",
                                                           "运输差额(减少)"),
        "transit_gain": ("Transit difference (gain)", "运输差额(增加)"),
        "site": ("Injection", "注入"), "recycled": ("Recycled (produced)", "循环回注(采出)"),
        "native": ("Native CO2", "原生二氧化碳"), "stored": ("Stored", "封存"),
        "leaked": ("Surface leakage / losses", "地表泄漏/损失"),
        "equipment": ("Equipment leaks and vents", "设备泄漏与放空"),
        "produced": ("Produced", "采出"), "not_injected": ("Received, not injected", "接收未注入"),
        "injected_uu": ("Injected (UU: received only)", "注入(UU：仅报告接收量)"),
    }.items()},
    **{f"ccus.col.{k}": v for k, v in {
        "facility_id": ("Facility", "设施"), "year": ("Year", "年份"), "name": ("Name", "名称"),
        "subpart": ("Subpart", "部分"), "equation": ("Equation", "公式"),
        "received_t": ("CO2 received (RR-3/UU-3), t", "接收二氧化碳(RR-3/UU-3)，吨"),
        "injected_t": ("Equation RR-6 Injection Flow Meter Summation, t",
                       "注入流量计合计(RR-6)，吨"),
        "produced_t": ("CO2 produced (RR-9), t", "采出二氧化碳(RR-9)，吨"),
        "entrained_ratio": ("Entrained ratio X", "夹带比例 X"),
        "leakage_t": ("Equation RR-10 Surface Leakage Summation, t", "地表泄漏合计(RR-10)，吨"),
        "fi_t": ("CO2_FI equipment leaks/vents, injection side, t", "注入侧设备泄漏与放空，吨"),
        "fp_t": ("CO2_FP equipment leaks/vents, production side, t", "采出侧设备泄漏与放空，吨"),
        "m_input_t": ("m_input (VV), t", "输入量 m_input(VV)，吨"),
        "native_t": ("m_native (VV), t", "原生量 m_native(VV)，吨"),
        "recycled_t": ("Recycled and reinjected (never stored), t", "循环回注量(不计为封存)，吨"),
        "loss_operations": ("m_loss operations (VV), t", "作业损失 m_loss operations(VV)，吨"),
        "eor_complex": ("m_loss EOR complex (VV), t", "EOR 复合体损失(VV)，吨"),
        "stored_t": ("Annual Mass of Carbon Dioxide Sequestered, t", "年度封存二氧化碳量，吨"),
        "cumulative_t": ("Total Mass of Carbon Dioxide Sequestered, t", "累计封存二氧化碳量，吨"),
        "mrv_plan": ("MRV plan", "监测计划"),
        "methodology": ("Methodology", "方法学"),
        "gross_t": ("Gross source emissions, t CO2e", "源排放总量，吨二氧化碳当量"),
        "captured_t": ("CO2 captured (Subpart PP), t", "捕集二氧化碳(PP 部分)，吨"),
        "net_t": ("Net of capture (derived view), t", "扣除捕集后净值(推算视图)，吨"),
        "mee_recovered_t": ("CO2 recovered and supplied (MEE term, provisional), t",
                            "CO2 回收利用量(生态环境部口径，暂定)，吨"),
        "mee_net_t": ("Gross − recovered (MEE total, provisional), t",
                      "排放总量 − 回收利用量(生态环境部口径，暂定)，吨"),
        "transfer_id": ("Transfer", "输送批次"), "quarter": ("Quarter", "季度"),
        "sender_facility": ("Sender", "发送方"), "receiver_facility": ("Receiver", "接收方"),
        "meter_id": ("Meter / pipeline", "计量表/管道"), "sent_t": ("Sent, t", "发送，吨"),
        "difference_t": ("Receiver − sender, t", "接收 − 发送，吨"),
        "flagged": ("For verification", "待核查"), "note": ("Note", "说明"),
    }.items()},
}  # fmt: skip
_MESSAGES["ccus.col.received_t_custody"] = ("Received, t", "接收，吨")
REPORTS = {
    "en": {k: en for k, (en, _) in _MESSAGES.items()},
    "zh-CN": {k: zh for k, (_, zh) in _MESSAGES.items()},
}
PAGES = {
    "zh-CN": {
        "CCUS": "CCUS",
        "CCUS: capture, transfer and storage": "CCUS：捕集、运输与封存",
        "No CCUS data stored for this organisation yet.": "本组织尚未存储 CCUS 数据。",
        "Run": "运行",
    }
}
RR_COLUMNS = [
    "facility_id", "name", "year", "subpart", "equation", "received_t", "injected_t",
    "produced_t", "entrained_ratio", "leakage_t", "fi_t", "fp_t", "m_input_t", "native_t",
    "recycled_t", "loss_operations", "eor_complex", "stored_t", "cumulative_t", "mrv_plan",
]  # fmt: skip
CUSTODY_COLUMNS = [
    "transfer_id", "year", "quarter", "sender_facility", "receiver_facility", "meter_id",
    "sent_t", "received_t", "difference_t", "flagged", "note",
]  # fmt: skip


@dataclass
class CcusReport:
    """Everything the CCUS report shows, as data (English column names)."""

    account: Account
    custody: pd.DataFrame
    edges: pd.DataFrame
    capture: pd.DataFrame  # facility, year, methodology, gross, captured, net

    def tables(self, lang: str = "en") -> dict[str, pd.DataFrame]:
        """The report's tables with labels in `lang`."""
        rr = self.account.site_years.reindex(columns=RR_COLUMNS)
        cus = self.custody.reindex(columns=CUSTODY_COLUMNS).rename(
            columns={"received_t": "received_t_custody"}
        )
        return {
            "ccus_capture": _labelled(self.capture, lang),
            "ccus_sites": _labelled(rr, lang),
            "ccus_custody": _labelled(cus, lang),
        }


def _labelled(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return df.rename(columns=lambda c: t(f"ccus.col.{c}", lang))


def gross_emissions(results: Path) -> pd.DataFrame:
    """Gross source emissions per facility, year and methodology (scope 1 t CO2e, biogenic
    CO2 left out) from `openmrv calculate`'s results file."""
    cols = ["methodology", "facility_id", "year", "co2e_t", "biogenic", "scope"]
    return gross_of_results(pd.read_csv(results, usecols=cols))


def gross_of_results(df: pd.DataFrame) -> pd.DataFrame:
    """As `gross_emissions`, from a run's results in memory."""
    df = df[~df.biogenic.astype(str).str.lower().isin(("true", "1")) & (df.scope == 1)]
    out = df.groupby(["facility_id", "year", "methodology"], as_index=False).co2e_t.sum()
    return out.rename(columns={"co2e_t": "gross_t"})


def gross_of_run(breakdown: list[dict[str, Any]]) -> pd.DataFrame:
    """Gross source emissions per facility, year and methodology (scope 1) from a web run's
    breakdown (api.queries.runs.breakdown: rows of methodology, facility, year, scope, co2e)."""
    df = pd.DataFrame(breakdown, columns=["methodology", "facility_id", "year", "scope", "co2e_t"])
    df = df[df.scope == 1]
    out = df.groupby(["facility_id", "year", "methodology"], as_index=False).co2e_t.sum()
    return out.rename(columns={"co2e_t": "gross_t"})


def primary_only(gross: pd.DataFrame, countries: dict[str, str]) -> pd.DataFrame:
    """Each facility's gross emissions under the methodology it is inventoried by in its
    country (methods.COUNTRY_METHOD): another country's method covers only part of its
    records, and its total is no gross figure for that facility."""
    from openmrv.methods import COUNTRY_METHOD

    primary = gross.facility_id.map(lambda f: COUNTRY_METHOD.get(countries.get(f, "")))
    return gross[gross.methodology == primary]


# MEE's "CO2 recovered and utilised" (CO2回收利用量) term, subtracted from the enterprise total
# by the NDRC/MEE sector guidelines for these GB/T 4754 divisions: 07 oil and gas extraction,
# 25 petroleum refining and coking (petrochemical), 26 chemical raw materials and products.
# PROVISIONAL: read from open implementations of the guidelines (docs/ccus.md), the guideline
# texts themselves were not found; the power-sector guideline (44) has no such term.
MEE_RECOVERY_DIVISIONS = ("07", "25", "26")
CAPTURE_COLUMNS = ["facility_id", "year", "methodology", "gross_t", "captured_t", "net_t",
                   "mee_recovered_t", "mee_net_t"]  # fmt: skip


def capture_lines(
    a: Account,
    gross: pd.DataFrame | None,
    sent: pd.DataFrame | None = None,
    sectors: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Per capture facility and year: gross emissions (one line per methodology when given),
    capture (PP) on its own column, the labelled net view, and MEE's recovered-CO2 term on
    its own column where the facility's sector guideline has it (the CO2 it supplied to
    others: `sent`, t per sender and year) with the MEE total it gives — never netted
    silently, and provisional (MEE_RECOVERY_DIVISIONS)."""
    cap = a.capture.groupby(["facility_id", "year"], as_index=False).captured_t.sum()
    m = (
        cap.assign(methodology="", gross_t=float("nan"))
        if gross is None or not len(gross)
        else cap.merge(gross, on=["facility_id", "year"], how="left")
    )
    m["net_t"] = m.gross_t - m.captured_t
    division = m.facility_id.map(lambda f: str((sectors or {}).get(f) or "")[:2])
    mee = (m.methodology == MeeEnterprise.id) & division.isin(MEE_RECOVERY_DIVISIONS)
    out = sent if sent is not None else pd.DataFrame(columns=["facility_id", "year", "sent_t"])
    m = m.merge(out, on=["facility_id", "year"], how="left")
    m["mee_recovered_t"] = m.sent_t.fillna(0.0).astype(float).where(mee)
    m["mee_net_t"] = m.gross_t - m.mee_recovered_t
    return m[CAPTURE_COLUMNS]


def build(
    d: Data,
    gross: pd.DataFrame | None = None,
    prior: dict[str, float] | None = None,
    sectors: dict[str, str] | None = None,
) -> CcusReport:
    """The report's data; `sectors` (facility -> GB/T 4754 code) decides MEE's recovered-CO2
    line."""
    a = account(d, prior)
    rec = reconcile(d.transfers)
    sent = rec.groupby(["sender_facility", "year"], as_index=False).sent_t.sum()
    sent = sent.rename(columns={"sender_facility": "facility_id"})
    return CcusReport(a, rec, flows(a, rec), capture_lines(a, gross, sent, sectors))


def sankey(edges: pd.DataFrame, lang: str) -> go.Figure:
    """The flows of every year as one Sankey diagram (nodes: kind · id)."""
    e = edges.groupby(["source_kind", "source_id", "target_kind", "target_id"], as_index=False)
    e = e.co2_t.sum()
    names: dict[tuple[str, str], int] = {}
    for k, i in [*zip(e.source_kind, e.source_id, strict=True),
                 *zip(e.target_kind, e.target_id, strict=True)]:  # fmt: skip
        names.setdefault((k, i), len(names))
    labels = [f"{t('ccus.node.' + k, lang)} · {i}" for k, i in names]
    link = dict(
        source=[names[k] for k in zip(e.source_kind, e.source_id, strict=True)],
        target=[names[k] for k in zip(e.target_kind, e.target_id, strict=True)],
        value=[round(v, 1) for v in e.co2_t],
    )
    fig = go.Figure(go.Sankey(node=dict(label=labels, pad=14), link=link, valueformat=",.0f"))
    fig.update_layout(title=t("ccus.sankey", lang), height=520)
    return fig


def sankey_json(edges: pd.DataFrame, lang: str) -> dict[str, Any]:
    """The diagram as Plotly's JSON (data, layout), for the web page's script to draw."""
    import json

    fig = sankey(edges, lang)
    out: dict[str, Any] = json.loads(fig.to_json())
    return out


def to_html(r: CcusReport, lang: str = "en") -> str:
    """A standalone HTML document (plotly.js inline) with the tables and the diagram."""
    fig = sankey(r.edges, lang)
    chart = fig.to_html(full_html=False, include_plotlyjs=False, div_id="ccus-sankey")
    parts = [f"<h1>{t('ccus.section', lang)}</h1>", chart]
    for key, (_, table) in zip(("ccus.capture", "ccus.rr", "ccus.custody"),
                               r.tables(lang).items(), strict=True):  # fmt: skip
        parts += [
            f"<h2>{html.escape(t(key, lang))}</h2>",
            table.to_html(index=False, float_format=lambda v: f"{v:,.2f}", na_rep=""),
        ]
        if key == "ccus.capture":
            parts += [f"<p>{html.escape(t(n, lang))}</p>" for n in ("ccus.net_note",
                                                                    "ccus.mee_note")]  # fmt: skip
    return page(t("ccus.section", lang), parts, lang)
