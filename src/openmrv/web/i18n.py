"""English and Simplified Chinese for the pages: one catalogue, keyed by the English text.

Templates call `_("...")`; English is the key itself. A key missing from the Chinese catalogue
is shown in English and remembered in `MISSING`, which the tests check after rendering every
page in Chinese, so a new page cannot ship untranslated. Messages about an uploaded file
(validation problems and fixes, refused changes) carry values and come from validation in English;
`message` translates them through their own catalogue (web.problems_zh).
"""

from __future__ import annotations

from collections.abc import Callable

from openmrv import plugins
from openmrv.web import problems_zh

LANGUAGES = {"en": "English", "zh-CN": "简体中文"}
DEFAULT = "en"
MISSING: set[str] = set()
MISSING_MAX = 1000

ZH: dict[str, str] = {
    "OpenMRV": "OpenMRV",
    "Sign in": "登录",
    "Sign out": "退出",
    "User name": "用户名",
    "Password": "密码",
    "Wrong user name or password.": "用户名或密码错误。",
    "Too many failed sign-ins; try again in a few minutes.": "登录失败次数过多，请几分钟后再试。",
    "Organisations": "组织",
    "Organisation": "组织",
    "Your role": "您的角色",
    "Dashboard": "仪表板",
    "Upload": "上传",
    "Targets": "目标",
    "Verification": "核查",
    "Comparison": "方法学比较",
    "Facility": "设施",
    "Facilities": "设施",
    "Record": "记录",
    "Records": "记录",
    "History": "历史",
    "Language": "语言",
    "Calculate": "计算",
    "Calculate now": "立即计算",
    "No calculation run yet.": "尚未进行计算。",
    "Latest run": "最新计算",
    "Totals by methodology and facility": "按方法学和设施汇总",
    "Methodology": "方法学",
    "t CO2e": "吨二氧化碳当量",
    "Biogenic CO2 (t)": "生物源二氧化碳（吨）",
    "Total": "合计",
    "By scope": "按范围",
    "By gas": "按气体",
    "By facility": "按设施",
    "By year": "按年份",
    "Trend by year": "年度趋势",
    "Scope": "范围",
    "Gas": "气体",
    "Year": "年份",
    "Country": "国家",
    "Province or state": "省份或州",
    "Grid region": "电网区域",
    "Sector": "行业",
    "Equity share": "股权比例",
    "Operational control": "运营控制权",
    "Financial control": "财务控制权",
    "Not recorded": "未记录",
    "Locked periods": "已锁定期间",
    "Locked by": "锁定人",
    "Reason": "原因",
    "None": "无",
    "Category": "类别",
    "Fuel": "燃料",
    "Quantity": "数量",
    "Unit": "单位",
    "Period": "期间",
    "Version": "版本",
    "Versions": "版本",
    "When": "时间",
    "Who": "人员",
    "Why": "原因",
    "From": "来源",
    "Deleted": "已删除",
    "Ledger events": "账本事件",
    "Inclusion proof": "包含证明",
    "Events": "事件",
    "after the latest checkpoint": "晚于最新检查点",
    "does not verify": "验证失败",
    "Latest co-signed checkpoint": "最新联署检查点",
    "Signed by": "签名者",
    "None yet.": "暂无。",
    "All checkpoints": "全部检查点",
    "Ledger checkpoints": "账本检查点",
    "Root hash": "根哈希",
    "Signing keys": "签名密钥",
    "Owner": "所有者",
    "Public key": "公钥",
    "organisation": "组织",
    "Action": "操作",
    "Subject": "对象",
    "Hash": "哈希",
    "Upload activity data": "上传活动数据",
    "File": "文件",
    "Reason for corrections (needed when records change)": "更正原因（记录变更时必填）",
    "The file was rejected; nothing was stored.": "文件被拒绝，未存储任何数据。",
    "Where": "位置",
    "Row": "行",
    "Column": "列",
    "Value": "值",
    "Problem": "问题",
    "How to fix": "修改方法",
    "Stored": "已存储",
    "Refused": "已拒绝",
    "Unchanged": "未变化",
    "Warnings": "警告",
    "Previous uploads": "以往上传",
    "Status": "状态",
    "Problems": "问题数",
    "Batch": "批次",
    "Compare methodologies": "比较方法学",
    "Show": "显示",
    "Heat (GJ)": "热量（GJ）",
    "Heat basis": "热值基准",
    "CO2 (t)": "二氧化碳（吨）",
    "CO2 per GJ (kg)": "每GJ二氧化碳（千克）",
    "Oxidation": "氧化率",
    "CH4 and N2O (t CO2e)": "甲烷和氧化亚氮（吨二氧化碳当量）",
    "GWP set": "GWP 值组",
    "Why they differ": "差异原因",
    "No stationary combustion records for this facility and year.": (
        "该设施该年度没有固定燃烧记录。"
    ),
    "Verification cases": "核查案例",
    "Case": "案例",
    "Open a case": "新建案例",
    "Open": "新建",
    "Steps": "步骤",
    "Findings": "发现的问题",
    "Submit for verification": "提交核查",
    "Start verification": "开始核查",
    "Return with findings": "退回并附问题",
    "Sign off as verified": "签署核查通过",
    "draft": "草稿",
    "submitted": "已提交",
    "in_verification": "核查中",
    "returned": "已退回",
    "verified": "已核查",
    "open": "新建",
    "submit": "提交",
    "start": "开始",
    "return": "退回",
    "verify": "核查通过",
    "stored": "已存储",
    "rejected": "已拒绝",
    "refused": "已拒绝",
    "unchanged": "未变化",
    "owner": "所有者",
    "editor": "编辑",
    "verifier": "核查员",
    "viewer": "查看者",
    "regulator": "监管机构",
    "This period is verified and locked.": "该期间已核查并锁定。",
    "Add a target": "添加目标",
    "Name": "名称",
    "Base year": "基准年",
    "Target year": "目标年",
    "Reduction (%)": "减排（%）",
    "Base-year emissions": "基准年排放",
    "Goal": "目标值",
    "Latest": "最新",
    "On track": "进展符合",
    "Yes": "是",
    "No": "否",
    "Add": "添加",
    "Not found": "未找到",
    "Not allowed": "无权操作",
    "Cannot do that": "无法执行",
    "Sign in again": "请重新登录",
    "Back": "返回",
    "Demo accounts are listed in the README.": "演示账户列于 README 中。",
    "Upload a file": "上传文件",
}
CATALOGUES = {"zh-CN": ZH}
MESSAGES: dict[str, Callable[[str], str | None]] = {"zh-CN": problems_zh.translate}


def translate(lang: str, text: str) -> str:
    if lang == DEFAULT:
        return text
    out = CATALOGUES.get(lang, {}).get(text)
    if out is None:  # a domain's page texts
        out = next(
            (o for tr in plugins.translations() if (o := tr.pages.get(lang, {}).get(text))), None
        )
    if out is None:
        MISSING.add(text)
        return text
    return out


def message(lang: str, text: str) -> str:
    """A problem, fix or refusal text of an upload in `lang`; English (and remembered in
    `MISSING`) when the catalogue has no form of it."""
    if lang == DEFAULT:
        return text
    out = MESSAGES[lang](text) if lang in MESSAGES else None
    if out is None:
        if len(MISSING) < MISSING_MAX:  # these texts come from users' files: keep the set small
            MISSING.add(text)
        return text
    return out


def pick(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT
