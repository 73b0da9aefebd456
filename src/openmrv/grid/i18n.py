"""The grid domain's messages in Chinese (register_translations; English is the key), and the
lookup its pictures use before the pages' own translation applies."""

from __future__ import annotations

__all__ = ["PAGES", "REPORTS", "tr"]

ZH = {
    "Hourly electricity": "逐时电力",
    "Hourly electricity: load, clean supply and unmatched load": (
        "逐时电力：负荷、清洁电力供应与未匹配负荷"
    ),
    "No hourly grid data stored for this organisation yet.": "本组织尚未存储逐时电网数据。",
    "Facility": "设施",
    "Load (MWh)": "负荷（兆瓦时）",
    "Clean supply (MWh)": "清洁电力供应（兆瓦时）",
    "Unmatched load (MWh)": "未匹配负荷（兆瓦时）",
    "24/7 CFE score by month and hour": "按月份和小时的 24/7 无碳电力得分",
    "Day of year": "年内日序",
    "Hour of day (UTC)": "一天中的小时（UTC）",
    "Month": "月份",
    "Annual 24/7 CFE score": "全年 24/7 无碳电力得分",
    "Hourly-matched share": "逐时匹配比例",
    "Grid": "电网",
    "Show": "显示",
}
PAGES = {"zh-CN": ZH}
COLUMNS_ZH = {
    "market": "市场边界", "hours": "小时数", "load_mwh": "负荷（兆瓦时）",
    "clean_supply_mwh": "清洁电力供应（兆瓦时）", "matched_mwh": "逐时匹配（兆瓦时）",
    "excess_mwh": "富余（兆瓦时，不结转）", "residual_mwh": "未匹配负荷（兆瓦时）",
    "cfe_score": "24/7 无碳电力得分", "hourly_matched_share": "逐时匹配比例",
    "annual_match": "年度电量匹配比例", "location_hourly_t": "基于位置（逐时，吨）",
    "location_annual_t": "基于位置（年度，吨）", "market_annual_t": "基于市场（年度，吨）",
    "market_hourly_t": "基于市场（逐时，吨）", "fallback_hours": "使用年度因子的小时数",
    "missing_factor_hours": "缺少因子的小时数", "factor_sources": "因子来源",
    "org_load_gwh": "组织年用电（吉瓦时）", "below_threshold": "低于豁免门槛", "month": "月份",
}  # fmt: skip
REPORTS = {
    "en": {
        "grid.scope2": "Hourly and annual Scope 2 electricity, 24/7 CFE",
        "grid.cfe": "24/7 CFE score by month and hour (UTC)",
    },
    "zh-CN": {
        "grid.scope2": "逐时与年度范围二电力排放、24/7 无碳电力",
        "grid.cfe": "按月份和小时（UTC）的 24/7 无碳电力得分",
        **{f"col.{k}": v for k, v in COLUMNS_ZH.items()},
    },
}


def tr(text: str, lang: str) -> str:
    """`text` in `lang` (English when there is no translation)."""
    return PAGES.get(lang, {}).get(text, text)
